// The binder/expander: resolves block names, binds block arguments, evaluates expressions, unrolls `repeat`,
// expands residual shortcuts and concat branches, and infers each layer's shape, producing a flat graph with
// stable paths. It keeps going after an error: a layer whose shape cannot be known passes a poisoned
// (undefined) shape on, which later layers accept silently, so one mistake gives one diagnostic.
//
// Paths (README "Paths"): within a scope, a layer is `<kind><k>` and a block instance `<block><k>`, numbered
// from 1 per kind / block name among the unlabelled statements of that scope. `label: layer` names the layer,
// `label: block(...)` names the instance, `label: repeat N x` and `label: { … }` open a group scope. Block
// instances and groups are scopes: `stage2.basic3.bn2`. A projection shortcut expands to
// `<instance>.shortcut.conv` and `<instance>.shortcut.bn`. `concat(a(32), maxpool(3, stride 1))` applies each
// operand (a block call or a single layer call) to the concat's input; the branches live under the concat's
// path (`concat1.a1.conv1`, `concat1.maxpool1`) and the concat node joins them on the last axis.
//
// Width overrides (the network's `widths` section, planned in widths.ts) replace a conv's `filters` or a
// dense/lstm's `units` as the layer is built, so everything downstream sees the new width. `add(shortcut)`
// then resolves as it did without overrides (the plan records that), so an override that breaks an identity
// shortcut is the ordinary residual mismatch, related to the overrides that set each operand's width.

import { diag, type RelatedInfo, type Span } from '../diagnostics/index.ts';
import type { BlockDecl, CallExpr, LayerStmt, Section, Statement, WidthEntry } from '../syntax/ast.ts';
import { LIMITS } from './defaults.ts';
import type { GNode, Graph, ResidualRecord } from './graph.ts';
import type { InputSpec, LayerKind, Shape } from './ir.ts';
import { ARGUMENT_WORDS, kindEntry, LAYER_KINDS, lookupKind, roleOf, type LayerKindDef } from './registry.ts';
import { parseSparsify, sectionAsCall, type SparsifyPartial } from './settings.ts';
import { fmtShape } from './shapes.ts';
import { bindArgs, didYouMean, evaluate, word, type Env, type ParamSpec, type Sink, type Value } from './values.ts';
import { overrideRelated, type ShortcutMode, type WidthPlan } from './widths.ts';

interface Tensor {
  node: number;
  shape: Shape | undefined;
  tokens: boolean;
}

/** A naming scope: its path prefix and per-name counters. */
interface Scope {
  prefix: string;
  counters: Map<string, number>;
}

interface Instance {
  input: Tensor;
  path: string;
  start: number;
  shortcuts: number;
}

interface Frame {
  env: Env;
  scope: Scope;
  instance: Instance | undefined;
  sparsify: SparsifyPartial[];
  related: RelatedInfo[];
  callSites: Span[];
  blocks: string[];
}

export class Expander {
  readonly nodes: GNode[] = [];
  readonly residuals: ResidualRecord[] = [];
  /** How each `add(shortcut)` resolved, by the add's path (a nominal expansion's record becomes the plan's). */
  readonly shortcutModes = new Map<string, ShortcutMode>();
  private readonly used = new Map<string, Span>();
  /** Paths given automatically, with the kind they count (so a clash with a label can say so). */
  private readonly autoNamed = new Map<string, string>();
  private tooMany = false;

  constructor(
    private readonly blocks: ReadonlyMap<string, BlockDecl>,
    private readonly input: InputSpec,
    private readonly sink: Sink,
    /** Width overrides to apply; absent for a spec without a `widths` section (and for the nominal pass). */
    private readonly widths?: WidthPlan,
  ) {}

  /** Expand the top-level `layers` body. `sparsify` is the network-level chain (the network section). */
  run(body: Statement[], inputSpan: Span, sparsify: SparsifyPartial[]): Graph {
    const shape = this.input.kind === 'image' ? [this.input.height, this.input.width, this.input.channels] : [this.input.seq];
    const inp = this.emit({ kind: 'input', surface: 'input', path: 'input', inputs: [], shape, tokens: this.input.kind === 'tokens', attrs: { ...this.input }, span: inputSpan }, rootFrame(sparsify));
    this.used.set('input', inputSpan);
    const frame = rootFrame(sparsify);
    const out = this.body(body, frame, inp);
    return { nodes: this.nodes, residuals: this.residuals, output: out.node };
  }

  // -------------------------------------------------------------------------------------------------------

  private body(stmts: Statement[], frame: Frame, input: Tensor): Tensor {
    // A `sparsify` statement applies to the whole body, wherever it stands.
    let chain = frame.sparsify;
    let seen: Section | undefined;
    for (const s of stmts) {
      if (s.kind !== 'Section') continue;
      if (s.name.name !== 'sparsify') {
        this.sink.report('unknownSection', s.name.span, [s.name.name, "a 'sparsify' section (train settings belong to the network)"]);
        continue;
      }
      if (seen) {
        this.sink.report('duplicateSection', s.name.span, ['sparsify']);
        continue;
      }
      seen = s;
      chain = [...chain, parseSparsify(sectionAsCall(s), frame.env, this.sink)];
    }
    const f: Frame = { ...frame, sparsify: chain };
    let cur = input;
    for (const s of stmts) {
      if (this.tooMany) break;
      switch (s.kind) {
        case 'Section':
          break;
        case 'Layer':
          cur = this.layerStmt(s, f, cur);
          break;
        case 'Group': {
          const path = this.claim(f.scope, s.label.name, s.label.span);
          cur = this.body(s.body, { ...f, scope: newScope(path) }, cur);
          break;
        }
        case 'Repeat': {
          const n = evaluate(s.count, f.env, this.sink);
          let count: number | undefined;
          if (n !== undefined) {
            if (n.k !== 'num' || !Number.isInteger(n.v) || n.v < 1 || n.v > LIMITS.maxRepeat) {
              this.sink.report('repeatCount', s.count.span, [LIMITS.maxRepeat, describeValue(n)]);
            } else count = n.v;
          }
          const scope = s.label ? newScope(this.claim(f.scope, s.label.name, s.label.span)) : f.scope;
          const inner: Frame = { ...f, scope };
          for (let i = 0; i < (count ?? 1) && !this.tooMany; i++) cur = this.call(s.call, undefined, undefined, inner, cur);
          break;
        }
      }
    }
    return cur;
  }

  private layerStmt(s: LayerStmt, frame: Frame, input: Tensor): Tensor {
    return this.call(s.call, s.label, s.maskable ? { span: s.maskable.span, args: s.maskable.args } : undefined, frame, input, s.span);
  }

  /** A layer or block call (a statement, a repeat body, or a concat branch). */
  private call(
    call: CallExpr,
    label: { name: string; span: Span } | undefined,
    maskable: { span: Span; args: CallExpr['args'] } | undefined,
    frame: Frame,
    input: Tensor,
    stmtSpan: Span = call.span,
  ): Tensor {
    const name = call.callee.name;
    const block = this.blocks.get(name);
    if (block) {
      if (maskable) this.sink.report('maskableBlock', maskable.span, [name]);
      return this.instantiate(block, call, label, frame, input);
    }
    const def = lookupKind(name);
    if (!def) {
      this.sink.report('unknownLayer', call.callee.span, [name, didYouMean(name, [...LAYER_KINDS.keys(), ...this.blocks.keys()])]);
      return poisoned(input);
    }
    let maskPartial: SparsifyPartial | undefined;
    if (maskable) {
      if (!def.maskable) this.sink.report('notMaskableKind', maskable.span, [name]);
      else if (maskable.args.length > 0) maskPartial = parseSparsify({ callee: { kind: 'Identifier', name: 'maskable', span: maskable.span }, args: maskable.args, span: maskable.span }, frame.env, this.sink);
    }
    const path = label ? this.claim(frame.scope, label.name, label.span) : this.auto(frame.scope, def.name, call.callee.span);
    const extra = {
      maskable: Boolean(maskable && def.maskable),
      maskSpan: maskable?.span,
      sparsify: maskPartial ? [...frame.sparsify, maskPartial] : frame.sparsify,
    };
    // Kinds with operands are built from them here: a residual add unions its operands' groups, a concat lists them.
    const role = kindEntry(def.irKind).group({}).role;
    if (role === 'unions') return this.add(def, call, path, frame, input, stmtSpan);
    if (role === 'concatenates') return this.concat(call, path, frame, input, stmtSpan);

    const args = bindArgs(call, def.schema, frame.env, this.sink, name);
    const override = this.widths?.byPath.get(path);
    const widthArg = def.widthArg;
    if (override && widthArg) {
      // Keep the written argument's spans: problems the new width causes inside the layer (e.g. `groups`)
      // are the layer's; the override entry is named in the diagnostics that compare widths.
      const written = args.get(widthArg.arg);
      args.set(widthArg.arg, { value: { k: 'num', v: override.width }, span: written?.span ?? override.entry.width.span, arg: written?.arg });
    }
    const vocab = this.input.kind === 'tokens' ? this.input.vocab : null;
    const built = def.build({ args, input: { shape: input.shape, tokens: input.tokens }, span: call.span, sink: this.sink, vocab, maskSpan: extra.maskable ? maskable?.span : undefined });
    const attrs = built?.attrs ?? {};
    return this.emit(
      {
        kind: def.irKind,
        surface: def.name,
        path,
        inputs: [input.node],
        shape: input.shape && built ? built.shape : undefined,
        tokens: false,
        attrs,
        span: stmtSpan,
        biasAuto: built?.biasAuto ?? false,
        widthOverride: override && widthArg ? override.entry : undefined,
        ...extra,
      },
      frame,
    );
  }

  private instantiate(block: BlockDecl, call: CallExpr, label: { name: string; span: Span } | undefined, frame: Frame, input: Tensor): Tensor {
    const name = block.name.name;
    if (frame.blocks.includes(name)) {
      const cycle = [...frame.blocks.slice(frame.blocks.indexOf(name)), name].join(' → ');
      this.sink.report('recursiveBlock', call.callee.span, [name, cycle]);
      return poisoned(input);
    }
    if (frame.blocks.length >= LIMITS.maxInstantiationDepth) {
      this.sink.report('nestingTooDeep', call.callee.span, [LIMITS.maxInstantiationDepth]);
      return poisoned(input);
    }
    // Bind arguments in the caller's environment; defaults in the block's, so they may use earlier params.
    const schema: ParamSpec[] = block.params.map((p) => ({ name: p.name.name, type: { t: 'any' }, positional: true, required: p.default === undefined }));
    const bound = bindArgs(call, schema, frame.env, this.sink, name);
    const env = new Map<string, Value>();
    for (const p of block.params) {
      // A parameter that hides an argument word is an error on its declaration (check.ts); leaving it unbound
      // lets `padding same` inside the block mean the word, so the user's correct text is not reported too.
      if (ARGUMENT_WORDS.has(p.name.name)) continue;
      const b = bound.get(p.name.name);
      if (b) env.set(p.name.name, b.value);
      else if (p.default) {
        const v = evaluate(p.default, env, this.sink);
        if (v) env.set(p.name.name, v);
      }
    }
    const path = label ? this.claim(frame.scope, label.name, label.span) : this.auto(frame.scope, name, call.callee.span);
    const inner: Frame = {
      env,
      scope: newScope(path),
      instance: { input, path, start: this.nodes.length, shortcuts: 0 },
      sparsify: frame.sparsify,
      related: [{ message: `in block '${name}' instantiated here`, span: call.span }, ...frame.related],
      callSites: [...frame.callSites, call.span],
      blocks: [...frame.blocks, name],
    };
    const saved = this.sink.related;
    this.sink.related = inner.related;
    try {
      return this.body(block.body, inner, input);
    } finally {
      this.sink.related = saved;
    }
  }

  private add(def: LayerKindDef, call: CallExpr, path: string, frame: Frame, input: Tensor, stmtSpan: Span): Tensor {
    const args = bindArgs(call, def.schema, frame.env, this.sink, 'add');
    const mode = word<'identity' | 'shortcut' | 'projection'>(args, 'shortcut', 'identity');
    const inst = frame.instance;
    if (!inst) {
      this.sink.report('addOutsideBlock', call.span);
      return poisoned(input);
    }
    const skip = inst.input;
    const base = { kind: 'add' as LayerKind, surface: 'add', path, span: stmtSpan, tokens: false };
    if (!input.shape || !skip.shape) return this.emit({ ...base, inputs: [input.node, skip.node], shape: undefined, attrs: { shortcut: 'identity' } }, frame);
    const same = sameShape(input.shape, skip.shape);
    // With overrides, `add(shortcut)` keeps the nominal decision (see the file header).
    const planned = mode === 'shortcut' ? this.widths?.shortcuts.get(path) : undefined;
    const identity = mode === 'identity' || (mode === 'shortcut' && (planned ? planned === 'identity' : same));
    if (mode === 'shortcut') this.shortcutModes.set(path, identity ? 'identity' : 'projection');
    if (identity) {
      if (!same) {
        const branchCauses = this.overridesBehind(input.node);
        const skipCauses = this.overridesBehind(skip.node);
        // A branch without a producer of its own reaches the skip's overrides too: list each entry once.
        const causes = [...new Set([...branchCauses, ...skipCauses])].sort((a, b) => a.span.start - b.span.start);
        this.sink.diagnostics.push(diag('residualMismatch', call.span, [fmtShape(input.shape), fmtShape(skip.shape)], [...causes.map(overrideRelated), ...this.sink.related]));
        // Go on with the branch's shape: the mistake is the add's, what follows is probably meant for it.
        // Unless only the branch's width comes from an override: then the skip has the width the rest of the
        // chain agrees on, and going on with it keeps one bad override to one diagnostic.
        const goOn = branchCauses.length > 0 && skipCauses.length === 0 ? skip.shape : input.shape;
        return this.emit({ ...base, inputs: [input.node, skip.node], shape: goOn, attrs: { shortcut: 'identity' } }, frame);
      }
      const out = this.emit({ ...base, inputs: [input.node, skip.node], shape: input.shape, attrs: { shortcut: 'identity' } }, frame);
      this.residuals.push({ add: out.node, start: inst.start });
      return out;
    }
    // Projection: a 1x1 conv (stride as needed, no bias) + bn on the block input, as explicit nodes.
    const [b, s] = [input.shape, skip.shape];
    const stride = b.length === 3 && s.length === 3 ? projectionStride(s, b) : undefined;
    if (!stride) {
      this.sink.report('projectionImpossible', call.span, [fmtShape(s), fmtShape(b)]);
      return this.emit({ ...base, inputs: [input.node, skip.node], shape: input.shape, attrs: { shortcut: 'projection' } }, frame);
    }
    inst.shortcuts++;
    const sc = `${inst.path}.shortcut${inst.shortcuts === 1 ? '' : inst.shortcuts}`;
    this.used.set(sc, stmtSpan);
    const conv = this.emit(
      {
        kind: 'conv',
        surface: 'conv',
        path: this.claimPath(`${sc}.conv`, stmtSpan),
        inputs: [skip.node],
        shape: [b[0]!, b[1]!, b[2]!],
        tokens: false,
        attrs: { inChannels: s[2]!, filters: b[2]!, kernel: [1, 1], stride, padding: 'same', groups: 1, depthwise: false, bias: false },
        span: stmtSpan,
        shortcut: true,
      },
      frame,
    );
    const bn = this.emit(
      { kind: 'bn', surface: 'bn', path: this.claimPath(`${sc}.bn`, stmtSpan), inputs: [conv.node], shape: conv.shape, tokens: false, attrs: { channels: b[2]!, epsilon: 1e-3, momentum: 0.99 }, span: stmtSpan, shortcut: true },
      frame,
    );
    const out = this.emit({ ...base, inputs: [input.node, bn.node], shape: input.shape, attrs: { shortcut: 'projection' } }, frame);
    this.residuals.push({ add: out.node, start: inst.start });
    return out;
  }

  private concat(call: CallExpr, path: string, frame: Frame, input: Tensor, stmtSpan: Span): Tensor {
    const scope = newScope(path);
    const outs: Tensor[] = [];
    for (const arg of call.args) {
      if (arg.name) {
        this.sink.report('unknownArg', arg.name.span, [arg.name.name, 'concat', '']);
        continue;
      }
      const v = arg.value;
      const branch: CallExpr | undefined =
        v.kind === 'Call' ? v : v.kind === 'Name' ? { kind: 'Call', callee: { kind: 'Identifier', name: v.name, span: v.span }, args: [], hasParens: false, span: v.span } : undefined;
      if (!branch) {
        this.sink.report('invalidBranch', arg.span);
        continue;
      }
      outs.push(this.call(branch, undefined, undefined, { ...frame, scope }, input, branch.span));
    }
    if (call.args.length < 2) this.sink.report('concatTooFew', call.span);
    let shape: Shape | undefined;
    if (outs.length > 0 && outs.every((o) => o.shape)) {
      const first = outs[0]!.shape!;
      shape = [...first];
      for (const o of outs.slice(1)) {
        const s = o.shape!;
        if (s.length !== first.length || s.slice(0, -1).some((d, i) => d !== first[i])) {
          this.sink.report('concatMismatch', call.span, [fmtShape(first), fmtShape(s)]);
          shape = undefined;
          break;
        }
        shape[shape.length - 1]! += s[s.length - 1]!;
      }
    }
    return this.emit({ kind: 'concat', surface: 'concat', path, inputs: outs.map((o) => o.node), shape, tokens: false, attrs: { axis: -1 }, span: stmtSpan }, frame);
  }

  /**
   * The width overrides that decided a tensor's channel count: the overridden producers reached from it
   * through layers that keep the width, adds (both operands: a residual chain shares one width) and concat
   * branches. Empty when no override is involved, so specs without `widths` get unchanged diagnostics.
   */
  private overridesBehind(start: number): WidthEntry[] {
    const found: WidthEntry[] = [];
    const seen = new Set<number>();
    const stack = [start];
    while (stack.length > 0) {
      const id = stack.pop()!;
      const n = this.nodes[id];
      if (!n || seen.has(id)) continue;
      seen.add(id);
      if (n.widthOverride) found.push(n.widthOverride);
      const role = roleOf(n);
      if (role !== 'produces' && role !== 'source') stack.push(...n.inputs);
    }
    return found;
  }

  // -------------------------------------------------------------------------------------------------------

  private emit(
    n: Pick<GNode, 'kind' | 'surface' | 'path' | 'inputs' | 'shape' | 'tokens' | 'attrs' | 'span'> & Partial<Pick<GNode, 'maskable' | 'maskSpan' | 'sparsify' | 'biasAuto' | 'shortcut' | 'widthOverride'>>,
    frame: Frame,
  ): Tensor {
    if (this.nodes.length >= LIMITS.maxNodes) {
      if (!this.tooMany) this.sink.report('tooManyNodes', n.span, [LIMITS.maxNodes]);
      this.tooMany = true;
      return { node: -1, shape: undefined, tokens: false };
    }
    const id = this.nodes.length;
    this.nodes.push({
      id,
      callSites: frame.callSites,
      maskable: false,
      maskSpan: undefined,
      sparsify: frame.sparsify,
      biasAuto: false,
      shortcut: false,
      widthOverride: undefined,
      ...n,
      inputs: n.inputs.filter((i) => i >= 0),
    });
    return { node: id, shape: n.shape, tokens: n.tokens };
  }

  /** Next automatic name `<base><k>` in a scope (skipping names a label already took). */
  private auto(scope: Scope, base: string, span: Span): string {
    const k = (scope.counters.get(base) ?? 0) + 1;
    scope.counters.set(base, k);
    return this.claimPath(scope.prefix + base + k, span, base);
  }

  private claim(scope: Scope, label: string, span: Span): string {
    return this.claimPath(scope.prefix + label, span);
  }

  /** Take a path for a layer; `autoKind` is the kind when the name is automatic (`conv` for `conv3`). */
  private claimPath(path: string, span: Span, autoKind?: string): string {
    const earlier = this.used.get(path);
    if (earlier) {
      const name = path.slice(path.lastIndexOf('.') + 1);
      const earlierAuto = this.autoNamed.get(path);
      if (autoKind !== undefined && earlierAuto === undefined) this.labelClash(name, autoKind, earlier, span);
      else if (autoKind === undefined && earlierAuto !== undefined) this.labelClash(name, earlierAuto, span, earlier);
      else this.sink.report('duplicateName', span, [name, path]);
      // Keep paths unique so later passes stay sound; the diagnostic already fails the check.
      let i = 2;
      while (this.used.has(`${path}~${i}`)) i++;
      path = `${path}~${i}`;
    }
    this.used.set(path, span);
    if (autoKind !== undefined) this.autoNamed.set(path, autoKind);
    return path;
  }

  /**
   * A label and an automatic name collide. The user chose the label, so the error is on the label, whichever
   * comes first, and points at the unlabelled layer: "duplicate" alone, on a line with no name, would not say why.
   */
  private labelClash(name: string, kind: string, labelSpan: Span, autoSpan: Span): void {
    const related = [{ message: `the unlabelled '${kind}' that is named '${name}' automatically`, span: autoSpan }, ...this.sink.related];
    this.sink.diagnostics.push(diag('labelIsAutoName', labelSpan, [name, kind], related));
  }
}

function rootFrame(sparsify: SparsifyPartial[]): Frame {
  return { env: new Map(), scope: newScope(''), instance: undefined, sparsify, related: [], callSites: [], blocks: [] };
}

function newScope(path: string): Scope {
  return { prefix: path === '' ? '' : `${path}.`, counters: new Map() };
}

function poisoned(input: Tensor): Tensor {
  return { node: input.node, shape: undefined, tokens: false };
}

function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** The stride s with ceil(in / s) = out on both axes ('same' 1x1 conv), or undefined. */
export function projectionStride(inp: Shape, out: Shape): [number, number] | undefined {
  const res: number[] = [];
  for (const ax of [0, 1]) {
    const i = inp[ax]!;
    const o = out[ax]!;
    if (o > i) return undefined;
    const s = Math.round(i / o);
    if (s < 1 || Math.ceil(i / s) !== o) return undefined;
    res.push(s);
  }
  return [res[0]!, res[1]!];
}

function describeValue(v: Value): string {
  return v.k === 'num' ? String(v.v) : v.k === 'word' ? v.v : v.k;
}
