// `flatten`: [H, W, C] → [H·W·C] (NHWC: feature (h·W + w)·C + c, channels innermost), so its input's group is
// carried with every kept channel repeated once per position.

import * as S from '../shapes.ts';
import { describeInput } from './args.ts';
import type { KindEntry, LayerKindDef } from './entry.ts';

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

export const flattenEntry: KindEntry = {
  kind: 'flatten',
  surfaces: [flatten],
  group: () => ({ role: 'flattens' }),
  mask: 'never',
  valueBound: (input) => input(0),
};
