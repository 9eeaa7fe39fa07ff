// `bn(epsilon, momentum)` (alias `batchnorm`): batch normalisation over the last axis. It joins its input's group
// and masks it (a mask before a BN would be normalised away); a conv/dense `bias auto` before it is dropped.

import { LAYER_DEFAULTS } from '../defaults.ts';
import type { NodeOf } from '../ir.ts';
import * as S from '../shapes.ts';
import { argSpanOf, num } from '../values.ts';
import { describeInput } from './args.ts';
import type { KindEntry, LayerKindDef, WeightSpec } from './entry.ts';

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

export const bnEntry: KindEntry = {
  kind: 'bn',
  surfaces: [bn],
  group: () => ({ role: 'joins' }),
  count: (node) => ({ params: S.bnParams((node as NodeOf<'bn'>).attrs.channels), macs: 0 }),
  costTerms: (node, input, sink) => sink.perSegment(input, 2 * (node as NodeOf<'bn'>).attrs.channels, [], 'params'),
  mask: 'output',
  normalises: true,
  compactAttrs: (a, _width, inW) => ({ ...a, channels: inW }),
  affine: true,
  weights(node) {
    const c = (node as NodeOf<'bn'>).attrs.channels;
    const v = (leaf: string, tfjs: string): WeightSpec => ({ leaf, tfjs, shape: [c], axes: (s) => [s.in] });
    return [v('gamma', 'gamma'), v('beta', 'beta'), v('movingMean', 'moving_mean'), v('movingVariance', 'moving_variance')];
  },
};
