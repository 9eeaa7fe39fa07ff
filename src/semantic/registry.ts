// The layer-kind registry: one entry per surface layer kind with its argument schema, maskable axis and a
// builder that validates arguments against the input shape and returns IR attributes and the output shape.
// Parameter and MAC counts per IR kind live in `countNode` so that every consumer counts the same way.
// Depthwise convolution is its own surface kind, `dwconv(kernel, stride, padding)` (channel multiplier 1),
// lowered to an IR `conv` with `depthwise: true` and `groups = filters = inChannels`.

import type { Span } from '../diagnostics/index.ts';
import { LAYER_DEFAULTS, LIMITS } from './defaults.ts';
import type { IrNode, LayerKind, Shape } from './ir.ts';
import * as S from './shapes.ts';
import { argSpanOf, num, pair, spanOf, word, type BoundArgs, type ParamSpec, type Sink } from './values.ts';

/** What flows between layers during expansion: a node's output, with its shape (undefined = poisoned). */
export interface TensorInfo {
  shape: Shape | undefined;
  /** True for the integer token ids of a `tokens` input (only an embedding may consume them). */
  tokens: boolean;
}

export interface BuildCtx {
  args: BoundArgs;
  input: TensorInfo;
  /** The layer call (`conv(…)`), for diagnostics that concern the whole layer. */
  span: Span;
  sink: Sink;
}

export interface Built {
  attrs: Record<string, unknown>;
  /** Undefined when the output shape cannot be known (an error was reported, or the input was poisoned). */
  shape: Shape | undefined;
  /** `bias auto`: resolved once the graph is known (no bias when the only consumer is a bn). */
  biasAuto?: boolean;
}

export interface LayerKindDef {
  /** Surface name as written in .arch. */
  name: string;
  irKind: LayerKind;
  schema: ParamSpec[];
  /** The structure a `maskable` mark refers to, or null when the kind has no maskable structures. */
  maskable: 'channels' | 'units' | 'hidden' | null;
  build(ctx: BuildCtx): Built | undefined;
}

const padding = { name: 'padding', type: { t: 'enum', words: ['same', 'valid'] } } as const satisfies ParamSpec;
const biasSpec = { name: 'bias', type: { t: 'enum', words: ['auto', 'true', 'false'] } } as const satisfies ParamSpec;

// ---------------------------------------------------------------------------------------------------------
// Validation helpers shared by the builders. Each reports on the argument and returns undefined on error.

function image(ctx: BuildCtx, kind: string): [number, number, number] | undefined {
  const s = ctx.input.shape;
  if (!s) return undefined;
  if (s.length === 3 && !ctx.input.tokens) return s as [number, number, number];
  ctx.sink.report('wrongInputRank', ctx.span, [kind, 'a feature map [H, W, C]', describeInput(ctx.input)]);
  return undefined;
}

/** What a layer got, with the usual way out (`hint` false: the caller gives its own). */
export function describeInput(t: TensorInfo, hint = true): string {
  const s = S.fmtShape(t.shape);
  if (t.tokens) return `token ids ${s}${hint ? ' (add an embedding first)' : ''}`;
  if (t.shape?.length === 1) return `a vector ${s}`;
  if (t.shape?.length === 2) return `a sequence ${s}`;
  if (t.shape?.length === 3) return `a feature map ${s}${hint ? ' (add flatten or gap first)' : ''}`;
  return s;
}

/** A positive integer width no larger than `limit` (filters, units, …). */
export function width(ctx: { args: BoundArgs; span: Span; sink: Sink }, name: string, limit: number, what = name): number | undefined {
  const v = num(ctx.args, name);
  if (v === undefined) return undefined;
  const sp = argSpanOf(ctx.args, name, ctx.span);
  if (!Number.isInteger(v) || v < 1) {
    ctx.sink.report('notPositiveInt', sp, [what, v]);
    return undefined;
  }
  if (v > limit) {
    ctx.sink.report('sizeTooLarge', sp, [what, v, limit]);
    return undefined;
  }
  return v;
}

function posPair(ctx: BuildCtx, name: string, dflt: [number, number]): [number, number] | undefined {
  const p = pair(ctx.args, name, dflt);
  const sp = argSpanOf(ctx.args, name, ctx.span);
  for (const v of p) {
    if (!Number.isInteger(v) || v < 1) {
      ctx.sink.report('notPositiveInt', sp, [name, v]);
      return undefined;
    }
    if (v > LIMITS.maxKernel) {
      ctx.sink.report('sizeTooLarge', sp, [name, v, LIMITS.maxKernel]);
      return undefined;
    }
  }
  return p;
}

/** "kernel larger than its input" applies to 'valid' windows: 'same' pads any window to fit. */
function windowFits(ctx: BuildCtx, what: string, argName: string, win: [number, number], pad: 'same' | 'valid', inp: [number, number, number]): boolean {
  if (pad === 'same') return true;
  if (win[0] <= inp[0] && win[1] <= inp[1]) return true;
  ctx.sink.report('kernelTooLarge', argSpanOf(ctx.args, argName, ctx.span), [what, `${win[0]}x${win[1]}`, `${inp[0]}x${inp[1]}`]);
  return false;
}

function biasOf(args: BoundArgs): { bias: boolean; biasAuto: boolean } {
  const b = word<'auto' | 'true' | 'false'>(args, 'bias', 'auto');
  return { bias: b !== 'false', biasAuto: b === 'auto' };
}

// ---------------------------------------------------------------------------------------------------------

const conv: LayerKindDef = {
  name: 'conv',
  irKind: 'conv',
  maskable: 'channels',
  schema: [
    { name: 'filters', type: { t: 'number' }, positional: true, required: true },
    { name: 'kernel', type: { t: 'pair' }, positional: true, required: true },
    { name: 'stride', type: { t: 'pair' } },
    padding,
    { name: 'groups', type: { t: 'number' } },
    biasSpec,
  ],
  build(ctx) {
    const filters = width(ctx, 'filters', LIMITS.maxWidth);
    const kernel = posPair(ctx, 'kernel', [1, 1]);
    const stride = posPair(ctx, 'stride', [1, 1]);
    const groups = num(ctx.args, 'groups', 1);
    const pad = word(ctx.args, 'padding', LAYER_DEFAULTS.convPadding);
    const inp = image(ctx, 'conv');
    if (groups < 1 || !Number.isInteger(groups)) {
      ctx.sink.report('notPositiveInt', argSpanOf(ctx.args, 'groups', ctx.span), ['groups', groups]);
      return undefined;
    }
    if (filters === undefined || !kernel || !stride) return undefined;
    const { bias, biasAuto } = biasOf(ctx.args);
    if (!inp) return { attrs: { inChannels: 0, filters, kernel, stride, padding: pad, groups, depthwise: false, bias }, shape: undefined, biasAuto };
    if (inp[2] % groups !== 0 || filters % groups !== 0) {
      ctx.sink.report('badGroups', argSpanOf(ctx.args, 'groups', ctx.span), [groups, inp[2], filters]);
      return undefined;
    }
    const fits = windowFits(ctx, 'kernel', 'kernel', kernel, pad, inp);
    const depthwise = groups > 1 && groups === inp[2] && groups === filters;
    return {
      attrs: { inChannels: inp[2], filters, kernel, stride, padding: pad, groups, depthwise, bias },
      shape: fits ? S.conv2dShape(inp, filters, kernel, stride, pad) : undefined,
      biasAuto,
    };
  },
};

const dwconv: LayerKindDef = {
  name: 'dwconv',
  irKind: 'conv',
  maskable: 'channels',
  schema: [{ name: 'kernel', type: { t: 'pair' }, positional: true, required: true }, { name: 'stride', type: { t: 'pair' } }, padding, biasSpec],
  build(ctx) {
    const kernel = posPair(ctx, 'kernel', [1, 1]);
    const stride = posPair(ctx, 'stride', [1, 1]);
    const pad = word(ctx.args, 'padding', LAYER_DEFAULTS.convPadding);
    const inp = image(ctx, 'dwconv');
    if (!kernel || !stride || !inp) return undefined;
    const { bias, biasAuto } = biasOf(ctx.args);
    const c = inp[2];
    const fits = windowFits(ctx, 'kernel', 'kernel', kernel, pad, inp);
    return {
      attrs: { inChannels: c, filters: c, kernel, stride, padding: pad, groups: c, depthwise: true, bias },
      shape: fits ? S.conv2dShape(inp, c, kernel, stride, pad) : undefined,
      biasAuto,
    };
  },
};

const bn: LayerKindDef = {
  name: 'bn',
  irKind: 'bn',
  maskable: null,
  schema: [
    { name: 'epsilon', type: { t: 'number' } },
    { name: 'momentum', type: { t: 'number' } },
  ],
  build(ctx) {
    const s = ctx.input.shape;
    const epsilon = num(ctx.args, 'epsilon', LAYER_DEFAULTS.bnEpsilon);
    const momentum = num(ctx.args, 'momentum', LAYER_DEFAULTS.bnMomentum);
    if (epsilon <= 0) ctx.sink.report('outOfRange', argSpanOf(ctx.args, 'epsilon', ctx.span), ['epsilon', '> 0', epsilon]);
    if (momentum < 0 || momentum >= 1) ctx.sink.report('outOfRange', argSpanOf(ctx.args, 'momentum', ctx.span), ['momentum', 'in [0, 1)', momentum]);
    if (!s) return { attrs: { channels: 0, epsilon, momentum }, shape: undefined };
    if (ctx.input.tokens) {
      ctx.sink.report('wrongInputRank', ctx.span, ['bn', 'features', describeInput(ctx.input)]);
      return undefined;
    }
    return { attrs: { channels: s[s.length - 1]!, epsilon, momentum }, shape: s };
  },
};

function elementwise(name: 'relu' | 'relu6'): LayerKindDef {
  return {
    name,
    irKind: name,
    maskable: null,
    schema: [],
    build(ctx) {
      if (ctx.input.tokens) {
        ctx.sink.report('wrongInputRank', ctx.span, [name, 'features', describeInput(ctx.input)]);
        return undefined;
      }
      return { attrs: {}, shape: ctx.input.shape };
    },
  };
}

function pool(name: 'maxpool' | 'avgpool'): LayerKindDef {
  return {
    name,
    irKind: name,
    maskable: null,
    schema: [{ name: 'size', type: { t: 'pair' }, positional: true }, { name: 'stride', type: { t: 'pair' } }, { ...padding }],
    build(ctx) {
      const size = posPair(ctx, 'size', [LAYER_DEFAULTS.poolSize, LAYER_DEFAULTS.poolSize]);
      if (!size) return undefined;
      const stride = posPair(ctx, 'stride', size); // Keras: the stride defaults to the window size
      const pad = word(ctx.args, 'padding', LAYER_DEFAULTS.poolPadding);
      const inp = image(ctx, name);
      if (!stride || !inp) return undefined;
      const fits = windowFits(ctx, `${name} size`, 'size', size, pad, inp);
      return { attrs: { size, stride, padding: pad }, shape: fits ? S.poolShape(inp, size, stride, pad) : undefined };
    },
  };
}

const gap: LayerKindDef = {
  name: 'gap',
  irKind: 'gap',
  maskable: null,
  schema: [],
  build(ctx) {
    const inp = image(ctx, 'gap');
    return inp ? { attrs: {}, shape: [inp[2]] } : undefined;
  },
};

const flatten: LayerKindDef = {
  name: 'flatten',
  irKind: 'flatten',
  maskable: null,
  schema: [],
  build(ctx) {
    const s = ctx.input.shape;
    if (!s) return undefined;
    if (ctx.input.tokens) {
      ctx.sink.report('wrongInputRank', ctx.span, ['flatten', 'features', describeInput(ctx.input)]);
      return undefined;
    }
    return { attrs: {}, shape: [S.numel(s)] };
  },
};

const dense: LayerKindDef = {
  name: 'dense',
  irKind: 'dense',
  maskable: 'units',
  schema: [
    { name: 'units', type: { t: 'number' }, positional: true, required: true },
    biasSpec,
    { name: 'activation', type: { t: 'enum', words: ['none', 'relu'] } },
  ],
  build(ctx) {
    const units = width(ctx, 'units', LIMITS.maxUnits);
    const { bias, biasAuto } = biasOf(ctx.args);
    const activation = word(ctx.args, 'activation', 'none');
    const s = ctx.input.shape;
    if (units === undefined) return undefined;
    if (!s) return { attrs: { inFeatures: 0, units, bias, activation }, shape: undefined, biasAuto };
    // A dense layer applies to the last axis: a vector [F] or every step of a sequence [T, F].
    if (ctx.input.tokens || (s.length !== 1 && s.length !== 2)) {
      ctx.sink.report('wrongInputRank', ctx.span, ['dense', 'a vector [F] or a sequence [T, F]', describeInput(ctx.input)]);
      return undefined;
    }
    const shape = s.length === 1 ? [units] : [s[0]!, units];
    return { attrs: { inFeatures: s[s.length - 1]!, units, bias, activation }, shape, biasAuto };
  },
};

const dropout: LayerKindDef = {
  name: 'dropout',
  irKind: 'dropout',
  maskable: null,
  schema: [{ name: 'rate', type: { t: 'number' }, positional: true, required: true }],
  build(ctx) {
    const rate = num(ctx.args, 'rate');
    if (rate !== undefined && (rate < 0 || rate >= 1)) {
      ctx.sink.report('outOfRange', spanOf(ctx.args, 'rate', ctx.span), ['dropout rate', 'in [0, 1) (the fraction dropped)', rate]);
    }
    if (ctx.input.tokens) {
      ctx.sink.report('wrongInputRank', ctx.span, ['dropout', 'features', describeInput(ctx.input)]);
      return undefined;
    }
    return { attrs: { rate: rate ?? 0 }, shape: ctx.input.shape };
  },
};

const embedding: LayerKindDef = {
  name: 'embedding',
  irKind: 'embedding',
  maskable: null,
  schema: [{ name: 'dim', type: { t: 'number' }, positional: true, required: true }],
  build(ctx) {
    const dim = width(ctx, 'dim', LIMITS.maxWidth);
    const s = ctx.input.shape;
    if (dim === undefined || !s) return undefined;
    if (!ctx.input.tokens) {
      // No reshaping makes an image (or features) into token ids: point at the input, not at flatten or gap.
      const why = 'an embedding looks up integer token ids, so it comes right after `input tokens(vocab V, seq T)`; for images or features use conv or dense layers';
      ctx.sink.report('wrongInputRank', ctx.span, ['embedding', 'token ids from a tokens(...) input', `${describeInput(ctx.input, false)}: ${why}`]);
      return undefined;
    }
    return { attrs: { vocab: 0 /* filled in from the input by the expander */, dim }, shape: [s[0]!, dim] };
  },
};

const lstm: LayerKindDef = {
  name: 'lstm',
  irKind: 'lstm',
  maskable: 'hidden',
  schema: [{ name: 'units', type: { t: 'number' }, positional: true, required: true }],
  build(ctx) {
    const units = width(ctx, 'units', LIMITS.maxWidth);
    const s = ctx.input.shape;
    if (units === undefined) return undefined;
    if (!s) return { attrs: { inFeatures: 0, units }, shape: undefined };
    if (s.length === 3 && !ctx.input.tokens) {
      ctx.sink.report('lstmNeedsSequence', ctx.span, [S.fmtShape(s)]);
      return undefined;
    }
    if (s.length !== 2 || ctx.input.tokens) {
      ctx.sink.report('wrongInputRank', ctx.span, ['lstm', 'a sequence [T, F]', describeInput(ctx.input)]);
      return undefined;
    }
    // Each layer of a stack is its own statement and returns the whole sequence [T, units].
    return { attrs: { inFeatures: s[1]!, units }, shape: [s[0]!, units] };
  },
};

/** `add` and `concat` combine several tensors; the expander builds them, the registry only holds their schemas. */
const add: LayerKindDef = {
  name: 'add',
  irKind: 'add',
  maskable: null,
  schema: [{ name: 'shortcut', type: { t: 'enum', words: ['identity', 'shortcut', 'projection'] }, positional: true }],
  build() {
    throw new Error('add is built by the expander');
  },
};
const concat: LayerKindDef = {
  name: 'concat',
  irKind: 'concat',
  maskable: null,
  schema: [],
  build() {
    throw new Error('concat is built by the expander');
  },
};

const ALL: LayerKindDef[] = [conv, dwconv, bn, elementwise('relu'), elementwise('relu6'), pool('maxpool'), pool('avgpool'), gap, flatten, dense, dropout, embedding, lstm, add, concat];

/** Long spellings accepted for readability; the printer keeps what was written. */
const ALIASES: Record<string, string> = { batchnorm: 'bn', globalavgpool: 'gap' };

export const LAYER_KINDS: ReadonlyMap<string, LayerKindDef> = new Map([
  ...ALL.map((d) => [d.name, d] as const),
  ...Object.entries(ALIASES).map(([alias, target]) => [alias, ALL.find((d) => d.name === target)!] as const),
]);

/**
 * The words layer arguments take as values (`padding same`, `add(shortcut)`, `activation relu`), each with the
 * first place it is written. A block parameter of that name would hide the word inside the block.
 */
export const ARGUMENT_WORDS: ReadonlyMap<string, string> = (() => {
  const out = new Map<string, string>();
  for (const def of LAYER_KINDS.values()) {
    for (const p of def.schema) {
      if (p.type.t !== 'enum') continue;
      for (const w of p.type.words) if (!out.has(w)) out.set(w, p.positional ? `${def.name}(${w})` : `${p.name} ${w}`);
    }
  }
  return out;
})();

export function lookupKind(name: string): LayerKindDef | undefined {
  return LAYER_KINDS.get(name);
}

// ---------------------------------------------------------------------------------------------------------

/** Params and MACs of one IR node from its attrs, input shapes and output shape (the one counting convention). */
export function countNode(node: IrNode, inputShapes: readonly Shape[]): { params: number; macs: number } {
  switch (node.kind) {
    case 'conv': {
      const a = node.attrs;
      return {
        params: S.convParams(a.inChannels, a.filters, a.kernel, a.groups, a.bias),
        macs: S.convMacs(node.shape as [number, number, number], a.inChannels, a.kernel, a.groups),
      };
    }
    case 'bn':
      return { params: S.bnParams(node.attrs.channels), macs: 0 };
    case 'dense': {
      const a = node.attrs;
      const steps = node.shape.length === 2 ? node.shape[0]! : 1;
      return { params: S.denseParams(a.inFeatures, a.units, a.bias), macs: S.denseMacs(a.inFeatures, a.units, steps) };
    }
    case 'embedding':
      return { params: S.embeddingParams(node.attrs.vocab, node.attrs.dim), macs: 0 };
    case 'lstm': {
      const steps = inputShapes[0]?.[0] ?? 0;
      return { params: S.lstmParams(node.attrs.inFeatures, node.attrs.units), macs: S.lstmMacsPerStep(node.attrs.inFeatures, node.attrs.units) * steps };
    }
    default:
      return { params: 0, macs: 0 };
  }
}
