// `gru(units)`: one GRU layer over a sequence [T, F] → [T, units] (the paper's footnote 1: the method applies to GRUs).
// The tfjs-layers cell (Cho et al. 2014 with the reset gate before the recurrent product): z = σ(x W_z + h U_z + b_z),
// r = σ(x W_r + h U_r + b_r), h̃ = tanh(x W_h + (r ⊙ h) U_h + b_h), h' = z ⊙ h + (1 − z) ⊙ h̃. Its hidden units are one
// structure set shared by the three gate blocks [z | r | h] of W [in, 3h], U [h, 3h] and b [3h]; the mask multiplies
// h_t inside the cell, so a masked unit neither outputs nor feeds the others (its row of U multiplies 0).

import { LIMITS } from '../defaults.ts';
import type { GruAttrs, NodeOf } from '../ir.ts';
import { describeInput, width } from './args.ts';
import type { KindEntry, LayerKindDef } from './entry.ts';
import { gateColumns } from './lstm.ts';

/** Trainable parameters: W, U and one bias vector, each over the three gate blocks. */
export const gruParams = (f: number, h: number): number => 3 * h * (f + h + 1);
/** MACs per sequence step: x·W and h·U for the three gates. */
export const gruMacsPerStep = (f: number, h: number): number => 3 * h * (f + h);

const gru: LayerKindDef = {
  name: 'gru',
  irKind: 'gru',
  maskable: 'hidden',
  widthArg: { arg: 'units', limit: LIMITS.maxWidth },
  schema: [{ name: 'units', type: { t: 'number' }, positional: true, required: true }],
  build(ctx) {
    const units = width(ctx, 'units', LIMITS.maxWidth);
    const s = ctx.input.shape;
    if (units === undefined) return undefined;
    if (!s) return { attrs: { inFeatures: 0, units }, shape: undefined };
    if (s.length !== 2 || ctx.input.tokens) {
      ctx.sink.report('wrongInputRank', ctx.span, ['gru', 'a sequence [T, F]', describeInput(ctx.input)]);
      return undefined;
    }
    return { attrs: { inFeatures: s[1]!, units }, shape: [s[0]!, units] };
  },
};

const attrsOf = (a: Record<string, unknown>): GruAttrs => a as unknown as GruAttrs;

export const gruEntry: KindEntry = {
  kind: 'gru',
  surfaces: [gru],
  group: (a) => ({ role: 'produces', structure: 'hidden', width: attrsOf(a).units ?? 0 }),
  count(node, inputShapes) {
    const a = (node as NodeOf<'gru'>).attrs;
    const steps = inputShapes[0]?.[0] ?? 0;
    return { params: gruParams(a.inFeatures, a.units), macs: gruMacsPerStep(a.inFeatures, a.units) * steps };
  },
  // Its own units count their input row, recurrent row and recurrent column: T·3·(in + 2h); an input feature its row
  // of W: T·3·h.
  structureMacs(attrs, macs, w, total) {
    const { inFeatures: inF, units: h } = attrsOf(attrs);
    const ownSteps = macs / (3 * (inF * w + w * w));
    const steps = macs / (3 * (inF * h + h * h));
    return { own: ownSteps * 3 * (inF + 2 * w), perInput: (steps * 3 * h * inF) / total };
  },
  costTerms(node, input, sink) {
    const { inFeatures: f, units: h } = (node as NodeOf<'gru'>).attrs;
    const g = node.group;
    sink.perSegment(input, (node.macs * f) / (f + h), [g], 'macs');
    sink.term((node.macs * h) / (f + h), [g, g], 'macs');
    sink.perSegment(input, 3 * h * f, [g], 'params');
    sink.term(3 * h * h, [g, g], 'params');
    sink.term(3 * h, [g], 'params');
  },
  mask: 'in-cell',
  weights(node) {
    const { inFeatures: f, units: h } = (node as NodeOf<'gru'>).attrs;
    const gates = (out: number[] | null) => (out ? gateColumns(h, out, 3) : null);
    return [
      { leaf: 'kernel', tfjs: 'kernel', shape: [f, 3 * h], axes: (s) => [s.in, gates(s.out)] },
      { leaf: 'recurrentKernel', tfjs: 'recurrent_kernel', shape: [h, 3 * h], axes: (s) => [s.out, gates(s.out)] },
      { leaf: 'bias', tfjs: 'bias', shape: [3 * h], axes: (s) => [gates(s.out)] },
    ];
  },
  // Hidden unit j: the three gate columns j, h+j, 2h+j of W and U.
  structureWeights: () => [
    { leaf: 'kernel', axis: 1, blocks: 3 },
    { leaf: 'recurrentKernel', axis: 1, blocks: 3 },
  ],
  ownWidth: (a) => attrsOf(a).units,
  compactAttrs: (a, width, inW) => ({ ...a, inFeatures: inW, units: width }),
};
