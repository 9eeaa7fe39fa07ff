// The checker: AST → checked IrNetwork. Collects the network's declarations, parses the settings, runs the
// expander (names, arguments, shapes), resolves `bias auto`, counts params/MACs, finds mask groups and their
// sparsify settings, and checks what needs the whole network (the head vs the dataset, size limits). It
// reports every error it can in one run; the IR is returned only when there are no errors.
//
// `bias auto` (the default for conv and dense): no bias when the layer's only consumer is a bn (whose β makes
// a bias redundant), else a bias.
//
// A `widths` section (per-instance width overrides) costs one extra expansion: the spec is expanded once
// without overrides to check the entries' paths and fix how `add(shortcut)`s resolve (widths.ts), then again
// with them, and everything below (counts, groups, head) reads the overridden graph.

import { diag, hasErrors, type Diagnostic, type Result, type Span } from '../diagnostics/index.ts';
import type { ArchFile, BlockDecl, InputDecl, LayersSection, Section, WidthsSection } from '../syntax/ast.ts';
import { DATASETS, LIMITS } from './defaults.ts';
import { Expander } from './expand.ts';
import type { GNode, Graph } from './graph.ts';
import { analyzeGroups, type GroupResult } from './groups.ts';
import type { ConcatAttrs, InputSpec, IrNetwork, IrNode, MaskGroup, SparsifyConfig } from './ir.ts';
import { ARGUMENT_WORDS, countNode, kindEntry, LAYER_KINDS, roleOf, width } from './registry.ts';
import { checkOverrideTargets, resolveBudget } from './budget.ts';
import { datasetSpelling, parseSparsify, parseTrain, resolveSparsify, sectionAsCall, type Plan, type SparsifyPartial } from './settings.ts';
import { fmtShape, numel } from './shapes.ts';
import { bindArgs, EMPTY_ENV, Sink } from './values.ts';
import { planWidths, type WidthPlan } from './widths.ts';

export function checkArch(file: ArchFile, fileName: string): Result<IrNetwork | undefined> {
  const sink = new Sink();
  const value = checkInto(file, fileName, sink);
  const diagnostics = dedupeByPosition(sink.diagnostics);
  for (const d of diagnostics) d.file = fileName;
  diagnostics.sort((a, b) => a.span.start - b.span.start);
  return { value: hasErrors(diagnostics) ? undefined : value, diagnostics };
}

function checkInto(file: ArchFile, fileName: string, sink: Sink): IrNetwork | undefined {
  const net = file.network;
  if (!net) {
    sink.report('missingNetwork', file.span);
    return undefined;
  }
  // --- collect declarations ---
  let inputDecl: InputDecl | undefined;
  let layers: LayersSection | undefined;
  let sparsifySection: Section | undefined;
  let trainSection: Section | undefined;
  let widthsSection: WidthsSection | undefined;
  const blocks = new Map<string, BlockDecl>();
  for (const item of net.items) {
    switch (item.kind) {
      case 'Input':
        if (inputDecl) sink.report('duplicateSection', item.span, ['input']);
        else inputDecl = item;
        break;
      case 'Layers':
        if (layers) sink.report('duplicateSection', item.span, ['layers']);
        else layers = item;
        break;
      case 'Section': {
        const n = item.name.name;
        if (n === 'sparsify' || n === 'train') {
          if ((n === 'sparsify' ? sparsifySection : trainSection) !== undefined) sink.report('duplicateSection', item.name.span, [n]);
          else if (n === 'sparsify') sparsifySection = item;
          else trainSection = item;
        } else sink.report('unknownSection', item.name.span, [n, "'sparsify', 'train' or 'widths'"]);
        break;
      }
      case 'Widths':
        // Reported on the keyword: a second table could only contradict or repeat the first.
        if (widthsSection) sink.report('duplicateSection', { start: item.span.start, end: item.span.start + 'widths'.length }, ['widths']);
        else widthsSection = item;
        break;
      case 'Block': {
        const name = item.name.name;
        if (LAYER_KINDS.has(name)) sink.report('blockShadowsLayer', item.name.span, [name]);
        else if (blocks.has(name)) sink.report('duplicateBlock', item.name.span, [name]);
        else blocks.set(name, item);
        const seen = new Set<string>();
        for (const p of item.params) {
          if (seen.has(p.name.name)) sink.report('duplicateParam', p.name.span, [p.name.name, name]);
          // Inside the block the parameter would win over the word, and `padding same` would be read as its value.
          const word = ARGUMENT_WORDS.get(p.name.name);
          if (word) sink.report('paramHidesWord', p.name.span, [p.name.name, name, word]);
          seen.add(p.name.name);
        }
        break;
      }
    }
  }
  if (!inputDecl) sink.report('missingInput', net.name.span, [net.name.name]);
  if (!layers) sink.report('missingLayers', net.name.span, [net.name.name]);
  const input = inputDecl ? parseInput(inputDecl, sink) : undefined;
  const train = parseTrain(trainSection, input, sink);
  const netSparsify: SparsifyPartial[] = sparsifySection ? [parseSparsify(sectionAsCall(sparsifySection), EMPTY_ENV, sink)] : [];
  if (!input || !layers) return undefined;

  // --- expand (twice with a widths section: nominally, to plan the overrides; then with them) ---
  let plan: WidthPlan | undefined;
  if (widthsSection) {
    // The nominal pass's own diagnostics are dropped: the real pass reports the same ones.
    const nominal = new Expander(blocks, input, new Sink());
    const g = nominal.run(layers.body, inputDecl!.span, netSparsify);
    plan = planWidths(widthsSection, g, nominal.shortcutModes, sink);
  }
  const graph = new Expander(blocks, input, sink, plan).run(layers.body, inputDecl!.span, netSparsify);
  // Output -1: expansion stopped at the layer limit, which has its own error; 0: the layers produced nothing.
  if (graph.output < 0) return undefined;
  if (graph.output === 0) {
    sink.report('missingLayers', net.name.span, [net.name.name]);
    return undefined;
  }
  resolveBias(graph);
  const overrides = [...new Set(graph.nodes.flatMap((n) => n.sparsify))].filter((p) => p !== netSparsify[0]);
  checkOverrideTargets(overrides, sink);
  const counts = graph.nodes.map((n) => (n.shape ? countNode(toIrNode(n, null), n.inputs.map((i) => graph.nodes[i]!.shape ?? [])) : { params: 0, macs: 0 }));
  const params = counts.reduce((a, c) => a + c.params, 0);
  const macs = counts.reduce((a, c) => a + c.macs, 0);

  // --- whole-network checks ---
  const outNode = graph.nodes[graph.output]!;
  const task: IrNetwork['task'] = input.kind === 'tokens' ? 'language-model' : 'classification';
  const outputs = checkHead(outNode, input, train.config.data.kind, train.dataSpan, sink);
  if (params > LIMITS.maxParams) sink.report('tooManyParams', net.name.span, [params.toExponential(3), LIMITS.maxParams.toExponential(0)]);
  const acts = graph.nodes.reduce((a, n) => a + (n.shape ? numel(n.shape) : 0), 0);
  if (acts > LIMITS.maxActivationFloats) {
    sink.report('activationMemory', net.name.span, [acts.toExponential(3), `${((acts * 4) / 2 ** 30).toFixed(1)} GiB`, `${LIMITS.maxActivationFloats.toExponential(3)} (1 GiB)`]);
  }

  // --- mask groups ---
  const gr = analyzeGroups(graph, counts.map((c) => c.macs));
  const outGroup = gr.nodeGroup[graph.output];
  const netConfig = resolveSparsify(netSparsify, train.plan, sink);
  checkTiedChannels(graph, gr, outGroup, sink);
  const groups: MaskGroup[] = gr.groups.map((g) => {
    if (g.id === outGroup) {
      for (const m of g.marked) sink.report('maskableOutput', graph.nodes[m]!.maskSpan ?? graph.nodes[m]!.span, [graph.nodes[m]!.path, g.width]);
    } else if (g.pinnedBy !== null && g.marked.length > 0) {
      const m = graph.nodes[g.marked[0]!]!;
      sink.report('maskablePinned', m.maskSpan ?? m.span, [m.path, graph.nodes[g.pinnedBy]!.path]);
    }
    return {
      id: g.id,
      name: g.name,
      width: g.width,
      structure: g.structure,
      members: g.members.map((m) => graph.nodes[m]!.path),
      maskable: g.marked.length > 0 && g.id !== outGroup && g.pinnedBy === null,
      sparsify: g.marked.length > 0 ? groupSparsify(g.name, g.marked.map((m) => graph.nodes[m]!), train.plan, sink) : netConfig,
      macsPerStructure: round(g.macsPerStructure),
      canVanish: g.canVanish,
    };
  });

  if (hasErrors(sink.diagnostics)) return undefined;
  const nodes: IrNode[] = graph.nodes.map((n) => {
    const ir = toIrNode(n, gr.nodeGroup[n.id] ?? null);
    ir.params = counts[n.id]!.params;
    ir.macs = counts[n.id]!.macs;
    if (roleOf(ir) === 'concatenates') {
      const segs = gr.segments.get(n.id);
      if (segs) (ir.attrs as ConcatAttrs).segments = segs;
    }
    return ir;
  });
  const ir: IrNetwork = {
    name: net.name.name,
    file: fileName,
    input,
    task,
    outputs,
    nodes,
    output: graph.output,
    groups,
    sparsify: netConfig,
    train: train.config,
    params,
    macs,
  };
  // Budget targets need the finished IR (dense size, groups, minWidth); see budget.ts.
  const budget = resolveBudget(ir, netSparsify[0], overrides, sink);
  if (hasErrors(sink.diagnostics)) return undefined;
  return budget ? { ...ir, budget } : ir;
}

function parseInput(decl: InputDecl, sink: Sink): InputSpec | undefined {
  const call = decl.value;
  const name = call.callee.name;
  if (name === 'image') {
    const b = bindArgs(
      call,
      [
        { name: 'height', type: { t: 'number' }, positional: true, required: true },
        { name: 'width', type: { t: 'number' }, positional: true, required: true },
        { name: 'channels', type: { t: 'number' }, positional: true, required: true },
      ],
      EMPTY_ENV,
      sink,
      'image',
    );
    const ctx = { args: b, span: call.span, sink };
    const h = width(ctx, 'height', LIMITS.maxSpatial);
    const w = width(ctx, 'width', LIMITS.maxSpatial);
    const c = width(ctx, 'channels', LIMITS.maxWidth);
    return h && w && c ? { kind: 'image', height: h, width: w, channels: c } : undefined;
  }
  if (name === 'tokens') {
    const b = bindArgs(
      call,
      [
        { name: 'vocab', type: { t: 'number' }, positional: true, required: true },
        { name: 'seq', type: { t: 'number' }, positional: true, required: true },
      ],
      EMPTY_ENV,
      sink,
      'tokens',
    );
    const ctx = { args: b, span: call.span, sink };
    const vocab = width(ctx, 'vocab', LIMITS.maxVocab);
    const seq = width(ctx, 'seq', LIMITS.maxSeq);
    return vocab && seq ? { kind: 'tokens', vocab, seq } : undefined;
  }
  sink.report('unknownInputKind', call.callee.span, [name]);
  return undefined;
}

/**
 * A node whose channels are tied to its groups (a grouped conv, entry `tiesChannels`) cannot have its input or output
 * channels in a maskable group: pruning them one structure at a time would leave its groups at unequal widths.
 */
function checkTiedChannels(graph: Graph, gr: GroupResult, outGroup: number | null | undefined, sink: Sink): void {
  const maskable = (g: number | null): boolean => {
    const info = g === null ? undefined : gr.groups[g];
    return info !== undefined && info.marked.length > 0 && info.id !== outGroup && info.pinnedBy === null;
  };
  for (const n of graph.nodes) {
    const why = kindEntry(n.kind).tiesChannels?.(n.attrs);
    if (!why) continue;
    const sides: [string, readonly { group: number | null }[]][] = [
      ['input', gr.outSegments[n.inputs[0]!] ?? []],
      ['output', gr.outSegments[n.id] ?? []],
    ];
    for (const [side, segs] of sides) {
      const g = segs.find((s) => maskable(s.group))?.group;
      if (g === undefined || g === null) continue;
      const info = gr.groups[g]!;
      // Marked itself: the builder's ARCH3013 says so already.
      const by = info.marked.find((m) => m !== n.id);
      if (by === undefined) continue;
      const marked = graph.nodes[by]!;
      sink.report('tiedChannelsMasked', n.span, [n.path, why, side, info.name, marked.path]);
    }
  }
}

/** conv/dense `bias auto`: no bias when the only consumer normalises (a bn). */
function resolveBias(graph: Graph): void {
  const consumers = new Map<number, GNode[]>();
  for (const n of graph.nodes) for (const i of n.inputs) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  for (const n of graph.nodes) {
    if (!n.biasAuto) continue;
    const c = consumers.get(n.id) ?? [];
    n.attrs['bias'] = !(c.length === 1 && kindEntry(c[0]!.kind).normalises === true);
  }
}

/** The output must be class scores [C] (classification) or per-step vocabulary scores [T, V] (LM). */
function checkHead(out: GNode, input: InputSpec, data: keyof typeof DATASETS, dataSpan: Span | undefined, sink: Sink): number {
  const ds = DATASETS[data];
  const span = out.span;
  const name = datasetSpelling(data);
  if (input.kind === 'image') {
    if (ds.task === 'language-model' && dataSpan) sink.report('taskMismatch', dataSpan, [name, 'language modelling', 'an image']);
    if (ds.image && dataSpan && (ds.image[0] !== input.height || ds.image[1] !== input.width || ds.image[2] !== input.channels)) {
      sink.report('datasetInputMismatch', dataSpan, [name, `images ${fmtShape(ds.image)}`, `image ${fmtShape([input.height, input.width, input.channels])}`]);
    }
    if (!out.shape) return ds.classes ?? 0;
    if (out.shape.length !== 1) {
      sink.report('badOutputShape', span, ['a vector of class scores [C] (end with gap or flatten, then dense)', fmtShape(out.shape)]);
      return ds.classes ?? 0;
    }
    const c = out.shape[0]!;
    if (ds.classes !== null && c !== ds.classes) sink.report('headMismatch', span, [c, name, ds.classes]);
    return ds.classes ?? c;
  }
  if (ds.task === 'classification' && dataSpan) sink.report('taskMismatch', dataSpan, [name, 'image classification', 'tokens']);
  if (!out.shape) return input.vocab;
  if (out.shape.length !== 2) {
    sink.report('badOutputShape', span, ['per-step vocabulary scores [T, V] (end with dense(vocab))', fmtShape(out.shape)]);
    return input.vocab;
  }
  if (out.shape[1] !== input.vocab) sink.report('lmHeadMismatch', span, [out.shape[1]!, input.vocab]);
  return input.vocab;
}

/** network ← block ← layer, per marked member; members of one group must agree. */
function groupSparsify(name: string, marked: GNode[], plan: Plan, sink: Sink): SparsifyConfig {
  const configs = marked.map((m) => resolveSparsify(m.sparsify, plan, sink));
  const first = configs[0]!;
  for (let i = 1; i < configs.length; i++) {
    const diff = differingFields(first, configs[i]!);
    if (diff.length > 0) {
      const a = marked[0]!;
      const b = marked[i]!;
      sink.diagnostics.push({
        ...diag('sparsifyConflict', b.maskSpan ?? b.span, [name, a.path, b.path, diff.join(', ')]),
        related: [{ message: `'${a.path}' is in the same group`, span: a.maskSpan ?? a.span }],
      });
      break;
    }
  }
  return first;
}

function differingFields(a: SparsifyConfig, b: SparsifyConfig): string[] {
  const out: string[] = [];
  for (const k of Object.keys(a) as (keyof SparsifyConfig)[]) {
    if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) out.push(k);
  }
  return out;
}

function toIrNode(n: GNode, group: number | null): IrNode {
  return {
    id: n.id,
    path: n.path,
    kind: n.kind,
    inputs: n.inputs,
    shape: n.shape ?? [],
    params: 0,
    macs: 0,
    maskable: n.maskable,
    group,
    span: n.span,
    callSites: n.callSites,
    attrs: n.attrs,
  } as IrNode;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Same code at the same position once (a block instantiated many times repeats its errors). */
function dedupeByPosition(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const k = `${d.span.start}:${d.span.end}:${d.code}:${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
