// `dense(units, bias, activation)`: a fully connected layer on the last axis of a vector [F] or of every step of a
// sequence [T, F]. It produces `units` structures.

import { LIMITS } from '../defaults.ts';
import type { DenseAttrs, NodeOf } from '../ir.ts';
import * as S from '../shapes.ts';
import { word } from '../values.ts';
import { biasOf, biasSpec, describeInput, width } from './args.ts';
import type { KindEntry, LayerKindDef, WeightSpec } from './entry.ts';

const dense: LayerKindDef = {
  name: 'dense',
  irKind: 'dense',
  maskable: 'units',
  widthArg: { arg: 'units', limit: LIMITS.maxUnits },
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

const attrsOf = (a: Record<string, unknown>): DenseAttrs => a as unknown as DenseAttrs;

export const denseEntry: KindEntry = {
  kind: 'dense',
  surfaces: [dense],
  group: (a) => ({ role: 'produces', structure: 'units', width: attrsOf(a).units ?? 0 }),
  count(node) {
    const a = (node as NodeOf<'dense'>).attrs;
    const steps = node.shape.length === 2 ? node.shape[0]! : 1;
    return { params: S.denseParams(a.inFeatures, a.units, a.bias), macs: S.denseMacs(a.inFeatures, a.units, steps) };
  },
  structureMacs: (_a, macs, w, total) => ({ own: macs / w, perInput: macs / total }),
  costTerms(node, input, sink) {
    const a = (node as NodeOf<'dense'>).attrs;
    sink.perSegment(input, node.macs, [node.group], 'macs');
    sink.perSegment(input, a.inFeatures * a.units, [node.group], 'params');
    if (a.bias) sink.term(a.units, [node.group], 'params');
  },
  mask: 'output',
  affine: true,
  weights(node) {
    const a = (node as NodeOf<'dense'>).attrs;
    const out: WeightSpec[] = [{ leaf: 'kernel', tfjs: 'kernel', shape: [a.inFeatures, a.units], axes: (s) => [s.in, s.out] }];
    if (a.bias) out.push({ leaf: 'bias', tfjs: 'bias', shape: [a.units], axes: (s) => [s.out] });
    return out;
  },
  structureWeights: () => [{ leaf: 'kernel', axis: 1, blocks: 1 }],
  ownWidth: (a) => attrsOf(a).units,
  compactAttrs: (a, width, inW) => ({ ...a, inFeatures: inW, units: width }),
};
