// `lstm(units)`: one LSTM layer over a sequence [T, F] → [T, units] (a stack is one statement per layer). Its
// hidden units are one structure set, shared by the four gate blocks [i | f | c | o] of W [in, 4h], U [h, 4h] and
// b [4h]; the mask multiplies h_t inside the cell.

import { LIMITS } from '../defaults.ts';
import type { LstmAttrs, NodeOf } from '../ir.ts';
import * as S from '../shapes.ts';
import { describeInput, width } from './args.ts';
import type { KindEntry, LayerKindDef } from './entry.ts';

/** Columns of `blocks` gate blocks of width h for kept units `k` (LSTM: [i | f | c | o]). */
export function gateColumns(h: number, k: readonly number[], blocks = 4): number[] {
  const cols: number[] = [];
  for (let b = 0; b < blocks; b++) for (const j of k) cols.push(b * h + j);
  return cols;
}

const lstm: LayerKindDef = {
  name: 'lstm',
  irKind: 'lstm',
  maskable: 'hidden',
  widthArg: { arg: 'units', limit: LIMITS.maxWidth },
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

const attrsOf = (a: Record<string, unknown>): LstmAttrs => a as unknown as LstmAttrs;

export const lstmEntry: KindEntry = {
  kind: 'lstm',
  surfaces: [lstm],
  group: (a) => ({ role: 'produces', structure: 'hidden', width: attrsOf(a).units ?? 0 }),
  count(node, inputShapes) {
    const a = (node as NodeOf<'lstm'>).attrs;
    const steps = inputShapes[0]?.[0] ?? 0;
    return { params: S.lstmParams(a.inFeatures, a.units), macs: S.lstmMacsPerStep(a.inFeatures, a.units) * steps };
  },
  // Its own units count their input row, recurrent row and recurrent column: T·4·(in + 2h); an input feature its
  // row of W: T·4·h.
  structureMacs(attrs, macs, w, total) {
    const { inFeatures: inF, units: h } = attrsOf(attrs);
    const ownSteps = macs / (4 * (inF * w + w * w));
    const steps = macs / (4 * (inF * h + h * h));
    return { own: ownSteps * 4 * (inF + 2 * w), perInput: (steps * 4 * h * inF) / total };
  },
  costTerms(node, input, sink) {
    const { inFeatures: f, units: h } = (node as NodeOf<'lstm'>).attrs;
    const g = node.group;
    sink.perSegment(input, (node.macs * f) / (f + h), [g], 'macs');
    sink.term((node.macs * h) / (f + h), [g, g], 'macs');
    sink.perSegment(input, 4 * h * f, [g], 'params');
    sink.term(4 * h * h, [g, g], 'params');
    sink.term(4 * h, [g], 'params');
  },
  mask: 'in-cell',
  weights(node) {
    const { inFeatures: f, units: h } = (node as NodeOf<'lstm'>).attrs;
    const gates = (out: number[] | null) => (out ? gateColumns(h, out) : null);
    return [
      { leaf: 'kernel', tfjs: 'kernel', shape: [f, 4 * h], axes: (s) => [s.in, gates(s.out)] },
      { leaf: 'recurrentKernel', tfjs: 'recurrent_kernel', shape: [h, 4 * h], axes: (s) => [s.out, gates(s.out)] },
      { leaf: 'bias', tfjs: 'bias', shape: [4 * h], axes: (s) => [gates(s.out)] },
    ];
  },
  // Hidden unit j: the four gate columns j, h+j, 2h+j, 3h+j of W and U.
  structureWeights: () => [
    { leaf: 'kernel', axis: 1, blocks: 4 },
    { leaf: 'recurrentKernel', axis: 1, blocks: 4 },
  ],
  ownWidth: (a) => attrsOf(a).units,
  compactAttrs: (a, width, inW) => ({ ...a, inFeatures: inW, units: width }),
};
