// `dropout(rate)`: passes its input's group through; the identity at evaluation, and 0 stays 0 in training.

import { num, spanOf } from '../values.ts';
import { describeInput } from './args.ts';
import type { KindEntry, LayerKindDef } from './entry.ts';

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

export const dropoutEntry: KindEntry = {
  kind: 'dropout',
  surfaces: [dropout],
  group: () => ({ role: 'passes' }),
  mask: 'never',
  zeroPreserving: true,
  valueBound: (input) => input(0),
  identityOn: () => true,
};
