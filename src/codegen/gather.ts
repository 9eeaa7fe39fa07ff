// Step one of code generation: read the checked IR (and its source text, for comments) into plain data that
// says exactly what the module will contain — identifiers, layer fields, one forward statement per node, groups,
// config defaults. Nothing here knows about ts-morph; emit.ts turns this data into structures.

import type { SourceText, Span } from '../diagnostics/span.ts';
import type { IrNetwork, IrNode } from '../semantic/ir.ts';
import { branchGates, maskPlacement, segmentMaskPlacement } from '../semantic/placement.ts';
import { isNetworkInput, kindEntry } from '../semantic/registry.ts';
import { className, IdentifierPool, layerFieldName } from './identifiers.ts';
import { TS_KINDS, tsKind } from './kinds.ts';
import { commentText, dataLiteral, numberLiteral, stringLiteral, type PlainData } from './literals.ts';

/** The runtime class of each layer factory (`conv` → `Conv2d`), from the kinds' codegen entries. */
export const LAYER_TYPES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.values(TS_KINDS).flatMap((k) => (k.factory ? [[k.factory.method, k.factory.typeName]] : [])),
);

export interface LayerField {
  field: string;
  path: string;
  factory: string;
  /** The runtime class the factory returns (the field's declared type). */
  typeName: string;
  /** `this.conv('conv1', { … })`. */
  initializer: string;
  /** One-line doc: path, spec location and the statement it comes from. */
  doc: string;
}

export interface ForwardStatement {
  /** Comment lines (without `//`) before the statement; a leading '' asks for a blank line. */
  comments: string[];
  statement: string;
}

export interface GroupData {
  name: string;
  id: number;
  width: number;
  structure: string;
  maskable: boolean;
  canVanish: boolean;
  members: string[];
}

export interface ConfigField {
  name: string;
  type: string;
  doc: string;
  value: string;
}

export interface ModuleData {
  /** The network name, the output file stem. */
  name: string;
  className: string;
  configName: string;
  /** The interface of the class's `layers` field. */
  layersTypeName: string;
  layerPathType: string;
  groupNameType: string;
  /** Spec path relative to the package (or cwd), POSIX separators (emit it through `stringLiteral`). */
  specPath: string;
  /** The same, safe inside comments and docs (see `commentText`). */
  specPathComment: string;
  /** See GatherOptions.specUrlFromModule. */
  specUrl: string;
  header: string[];
  runtimeValues: string[];
  runtimeTypes: string[];
  layers: LayerField[];
  forward: ForwardStatement[];
  output: string;
  layerPaths: string[];
  groups: GroupData[];
  config: ConfigField[];
  /** The IR as a multi-line TypeScript expression (metadata for costs, groups and settings). */
  irLiteral: string;
  /** The spec's text, line by line (compaction writes the pruned spec as this text with new widths). */
  sourceLines: string[];
}

/** Top-level names of a generated module (besides its imports) a class name must not collide with. */
export const TOP_LEVEL_NAMES = ['ir', 'specSource', 'groups', 'layerPaths', 'defaultConfig', 'main', 'Tensor', 'IrNetwork', 'MaskGroupInfo', 'TrainerIo', 'runTrainerMain', 'runIfMain'];
const RUNTIME_NAMES = [
  'NetworkModule',
  'applyMask',
  'applySegmentMask',
  'applyGate',
  ...new Set(Object.values(TS_KINDS).flatMap((k) => k.runtime ?? [])),
  'ForwardContext',
  'ModuleOptions',
  ...Object.values(LAYER_TYPES),
];

export interface GatherOptions {
  /** The spec's path as it should appear in the header and comments (relative, POSIX). */
  specPath: string;
  /** Where the spec is, as a URL relative to the module file (or absolute): how the trainer finds it at run time. */
  specUrlFromModule: string;
  /** The `archc build` arguments (spec, -o) the header's "Regenerate" and "Train" lines repeat. */
  command: { spec: string; outDir: string };
}

export function gatherModule(ir: IrNetwork, source: SourceText, opts: GatherOptions): ModuleData {
  const specPath = opts.specPath;
  const cls = className(ir.name, new Set([...RUNTIME_NAMES, ...TOP_LEVEL_NAMES]));
  const where = (span: Span): string => {
    const line = source.position(span.start).line;
    const text = source.text.slice(span.start, span.end).split(/\r\n|[\r\n\u2028\u2029]/)[0] ?? '';
    return `${commentText(specPath, 80)}:${line} ${commentText(text)}`;
  };

  const pool = new IdentifierPool();
  const fields = new Map<number, string>();
  const layers: LayerField[] = [];
  for (const n of ir.nodes) {
    const factory = tsKind(n.kind).factory?.method;
    if (!factory) continue;
    const typeName = LAYER_TYPES[factory];
    if (typeName === undefined) throw new Error(`archc internal: layer factory '${factory}' of kind '${n.kind}' has no layer type`);
    const field = pool.claim(layerFieldName(n.path));
    fields.set(n.id, field);
    layers.push({
      field,
      path: n.path,
      factory,
      typeName,
      initializer: `this.${factory}(${stringLiteral(n.path)}, ${dataLiteral(n.attrs as unknown as PlainData)})`,
      doc: `${commentText(n.path)}: ${where(n.span)}`,
    });
  }

  const placement = maskPlacement(ir);
  const gates = branchGates(ir);
  const segmentMasks = segmentMaskPlacement(ir);
  const groupRef = (g: number): string => `groups[${stringLiteral(ir.groups[g]!.name)}].id`;
  const value = (id: number): string => (isNetworkInput(ir.nodes[id]!) ? 'x' : `t${id}`);
  const forward: ForwardStatement[] = [];
  // A blank line and a "from" comment start each block instance: when the call sites change, or when a node
  // leaves the path prefix of the instance being written (the next repeat of the same call).
  let prevSites = '';
  let instance: string | null = null;
  for (const n of ir.nodes) {
    if (isNetworkInput(n)) continue;
    const comments: string[] = [];
    const sites = n.callSites.map(where);
    const key = sites.join('\n');
    if (key !== prevSites || (instance !== null && !n.path.startsWith(`${instance}.`))) {
      comments.push('');
      instance = null;
      if (sites.length > 0) {
        instance = n.path.includes('.') ? n.path.slice(0, n.path.lastIndexOf('.')) : n.path;
        const [inner, ...outer] = [...sites].reverse();
        comments.push(`${commentText(instance)}: from ${inner}`);
        for (const s of outer) comments.push(`  in ${s}`);
      }
    }
    prevSites = key;
    comments.push(`${commentText(n.path)}: ${where(n.span)}`);
    let expr = nodeExpression(n, fields.get(n.id), value, placement.get(n.id), groupRef, gates.get(n.id));
    const g = placement.get(n.id);
    if (g !== undefined && kindEntry(n.kind).mask !== 'in-cell' && tsKind(n.kind).takesOutputMask !== true) expr = `applyMask(${expr}, ctx, ${groupRef(g)})`;
    const segs = segmentMasks.get(n.id);
    if (segs) expr = `applySegmentMask(${expr}, ctx, [${segs.map((x) => `{ group: ${x.group === null ? 'null' : groupRef(x.group)}, width: ${x.width} }`).join(', ')}])`;
    forward.push({ comments, statement: `const ${value(n.id)} = ${expr};` });
  }

  const usedRuntime = new Set<string>(['NetworkModule']);
  for (const f of forward) for (const name of RUNTIME_NAMES) if (f.statement.includes(`${name}(`)) usedRuntime.add(name);
  const runtimeTypes = new Set<string>(['ForwardContext', 'ModuleOptions', ...layers.map((l) => l.typeName)]);

  const groups: GroupData[] = ir.groups.map((g) => ({
    name: g.name,
    id: g.id,
    width: g.width,
    structure: g.structure,
    maskable: g.maskable,
    canVanish: g.canVanish,
    members: g.members,
  }));

  return {
    name: ir.name,
    className: cls,
    configName: `${cls}Config`,
    layersTypeName: `${cls}Layers`,
    layerPathType: `${cls}LayerPath`,
    groupNameType: `${cls}GroupName`,
    specPath,
    specPathComment: commentText(specPath, 200),
    specUrl: opts.specUrlFromModule,
    header: [
      'Generated by archc — DO NOT EDIT.',
      `Source: ${commentText(specPath, 200)} (network ${commentText(ir.name)})`,
      `Regenerate: npx archc build ${commentText(shellWord(opts.command.spec), 200)} -o ${commentText(shellWord(opts.command.outDir), 200)}`,
      `Train: npx tsx ${commentText(shellWord(`${opts.command.outDir.replace(/\/+$/, '')}/${ir.name}.ts`), 200)} --help`,
    ],
    runtimeValues: [...usedRuntime].sort(),
    runtimeTypes: [...runtimeTypes].sort(),
    layers,
    forward,
    output: value(ir.output),
    layerPaths: ir.nodes.filter((n) => !isNetworkInput(n)).map((n) => n.path),
    groups,
    config: configFields(ir),
    irLiteral: irLiteral({ ...ir, file: specPath }),
    sourceLines: source.text.split('\n'),
  };
}

/** `s` as one shell word: bare when it is only safe characters, else single-quoted. */
function shellWord(s: string): string {
  return /^[\w./@%+=:,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function nodeExpression(
  n: IrNode,
  field: string | undefined,
  value: (id: number) => string,
  maskGroup: number | undefined,
  groupRef: (g: number) => string,
  gate: readonly number[] | undefined,
): string {
  return tsKind(n.kind).expression(n, {
    a: (i = 0) => value(n.inputs[i]!),
    all: () => `[${n.inputs.map((id) => value(id)).join(', ')}]`,
    field,
    maskGroup,
    groupRef,
    gate,
  });
}

/** The hyperparameters a run can override: each is a trainer flag of the same name (weightDecay: --weight-decay). */
function configFields(ir: IrNetwork): ConfigField[] {
  const t = ir.train;
  const dataDefault = t.data.path ?? t.data.kind;
  const nullable = (v: number | null): string => (v === null ? 'null' : numberLiteral(v));
  return [
    { name: 'data', type: 'string', doc: `Dataset path, or 'synthetic' (--data). The spec reads ${t.data.kind}.`, value: stringLiteral(dataDefault) },
    { name: 'epochs', type: 'number | null', doc: 'Planned epochs (--epochs); null when the run length is given in steps.', value: nullable(t.epochs) },
    { name: 'steps', type: 'number | null', doc: 'Planned steps (--steps); takes precedence over epochs.', value: nullable(t.steps) },
    { name: 'batch', type: 'number', doc: 'Examples (or sequences) per step (--batch).', value: numberLiteral(t.batch) },
    { name: 'lr', type: 'number', doc: `Learning rate of the weights (${t.optimizer.kind}) (--lr).`, value: numberLiteral(t.optimizer.lr) },
    { name: 'weightDecay', type: 'number', doc: 'Weight decay of the weight optimizer (--weight-decay).', value: numberLiteral(t.optimizer.weightDecay) },
    { name: 'lambda', type: 'number', doc: 'Sparsity strength lambda of every mask group (--lambda).', value: numberLiteral(ir.sparsify.lambda) },
    { name: 'seed', type: 'number', doc: 'Seed of weight init, masks, dropout and data order (--seed).', value: numberLiteral(t.seed) },
  ];
}

/**
 * The IR as a readable literal: one top-level property per line and one node or group per line, so a diff of a
 * regenerated file shows which layer changed.
 */
function irLiteral(ir: IrNetwork): string {
  const lines: string[] = ['{'];
  for (const [k, v] of Object.entries(ir)) {
    if ((k === 'nodes' || k === 'groups') && Array.isArray(v)) {
      lines.push(`${k}: [`);
      for (const item of v as PlainData[]) lines.push(`${dataLiteral(item)},`);
      lines.push('],');
    } else {
      lines.push(`${k}: ${dataLiteral(v as PlainData)},`);
    }
  }
  lines.push('}');
  return lines.join('\n');
}
