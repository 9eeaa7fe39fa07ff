// What the gated recurrent kinds (`lstm`, `gru`) share: the hidden units are one structure set over `gates` gate
// blocks [g0 | g1 | …] of W [in, gates·h], U [h, gates·h] and b [gates·h], the mask multiplies h_t inside the cell,
// and counting, cost terms, weight layouts and compaction follow from the gate count alone. Each kind's file gives
// its surface syntax (schema, shape rule) and its gate count.

import { LIMITS } from '../defaults.ts';
import type { LstmAttrs, NodeOf } from '../ir.ts';
import * as S from '../shapes.ts';
import { describeInput, width } from './args.ts';
import type { KindEntry, LayerKindDef } from './entry.ts';

/** Columns of `blocks` gate blocks of width h for kept units `k` (LSTM: [i | f | c | o]; GRU: [z | r | h]). */
export function gateColumns(h: number, k: readonly number[], blocks = 4): number[] {
  const cols: number[] = [];
  for (let b = 0; b < blocks; b++) for (const j of k) cols.push(b * h + j);
  return cols;
}

/** Trainable parameters of one layer: W, U and one bias vector over the gate blocks. */
export const gatedParams = (gates: number, f: number, h: number): number => gates * (f * h + h * h + h);
/** MACs per sequence step: x·W and h·U for every gate. */
export const gatedMacsPerStep = (gates: number, f: number, h: number): number => gates * (f * h + h * h);

type RecurrentKind = 'lstm' | 'gru';

/**
 * The surface syntax both kinds share: `kind(units)` over a sequence [T, F] → [T, units] (each layer of a stack is
 * its own statement and returns the whole sequence); a feature map or token ids are refused with a diagnostic.
 */
export function recurrentSurface(kind: RecurrentKind): LayerKindDef {
  return {
    name: kind,
    irKind: kind,
    maskable: 'hidden',
    widthArg: { arg: 'units', limit: LIMITS.maxWidth },
    schema: [{ name: 'units', type: { t: 'number' }, positional: true, required: true }],
    build(ctx) {
      const units = width(ctx, 'units', LIMITS.maxWidth);
      const s = ctx.input.shape;
      if (units === undefined) return undefined;
      if (!s) return { attrs: { inFeatures: 0, units }, shape: undefined };
      if (s.length === 3 && !ctx.input.tokens) {
        ctx.sink.report('recurrentNeedsSequence', ctx.span, [S.fmtShape(s), kind]);
        return undefined;
      }
      if (s.length !== 2 || ctx.input.tokens) {
        ctx.sink.report('wrongInputRank', ctx.span, [kind, 'a sequence [T, F]', describeInput(ctx.input)]);
        return undefined;
      }
      return { attrs: { inFeatures: s[1]!, units }, shape: [s[0]!, units] };
    },
  };
}
const attrsOf = (a: Record<string, unknown>): LstmAttrs => a as unknown as LstmAttrs;

/** The registry entry of a gated recurrent kind with `gates` gate blocks and the surface `surface`. */
export function gatedRecurrentEntry(kind: RecurrentKind, gates: number, surface: LayerKindDef): KindEntry {
  return {
    kind,
    surfaces: [surface],
    group: (a) => ({ role: 'produces', structure: 'hidden', width: attrsOf(a).units ?? 0 }),
    count(node, inputShapes) {
      const a = (node as NodeOf<RecurrentKind>).attrs;
      const steps = inputShapes[0]?.[0] ?? 0;
      return { params: gatedParams(gates, a.inFeatures, a.units), macs: gatedMacsPerStep(gates, a.inFeatures, a.units) * steps };
    },
    // Its own units count their input row, recurrent row and recurrent column: T·gates·(in + 2h); an input feature
    // its row of W: T·gates·h.
    structureMacs(attrs, macs, w, total) {
      const { inFeatures: inF, units: h } = attrsOf(attrs);
      const ownSteps = macs / (gates * (inF * w + w * w));
      const steps = macs / (gates * (inF * h + h * h));
      return { own: ownSteps * gates * (inF + 2 * w), perInput: (steps * gates * h * inF) / total };
    },
    costTerms(node, input, sink) {
      const { inFeatures: f, units: h } = (node as NodeOf<RecurrentKind>).attrs;
      const g = node.group;
      sink.perSegment(input, (node.macs * f) / (f + h), [g], 'macs');
      sink.term((node.macs * h) / (f + h), [g, g], 'macs');
      sink.perSegment(input, gates * h * f, [g], 'params');
      sink.term(gates * h * h, [g, g], 'params');
      sink.term(gates * h, [g], 'params');
    },
    mask: 'in-cell',
    weights(node) {
      const { inFeatures: f, units: h } = (node as NodeOf<RecurrentKind>).attrs;
      const cols = (out: number[] | null) => (out ? gateColumns(h, out, gates) : null);
      return [
        { leaf: 'kernel', tfjs: 'kernel', shape: [f, gates * h], axes: (s) => [s.in, cols(s.out)] },
        { leaf: 'recurrentKernel', tfjs: 'recurrent_kernel', shape: [h, gates * h], axes: (s) => [s.out, cols(s.out)] },
        { leaf: 'bias', tfjs: 'bias', shape: [gates * h], axes: (s) => [cols(s.out)] },
      ];
    },
    // Hidden unit j: the gate columns j, h+j, 2h+j, … of W and U.
    structureWeights: () => [
      { leaf: 'kernel', axis: 1, blocks: gates },
      { leaf: 'recurrentKernel', axis: 1, blocks: gates },
    ],
    ownWidth: (a) => attrsOf(a).units,
    compactAttrs: (a, width, inW) => ({ ...a, inFeatures: inW, units: width }),
  };
}
