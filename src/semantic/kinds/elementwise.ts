// `relu` and `relu6`: elementwise, they pass their input's group through. Both map 0 to 0 with a zero gradient
// there (an off structure's task gradient stops at them) and bound their output (≥ 0, [0, 6]).

import type { KindEntry, LayerKindDef } from './entry.ts';
import { describeInput } from './args.ts';

function surface(name: 'relu' | 'relu6'): LayerKindDef {
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

export const reluEntry: KindEntry = {
  kind: 'relu',
  surfaces: [surface('relu')],
  group: () => ({ role: 'passes' }),
  mask: 'never',
  zeroPreserving: true,
  stopsGradientAtZero: true,
  valueBound: () => Infinity,
  // The identity on a non-negative input.
  identityOn: (b) => b !== null,
};

export const relu6Entry: KindEntry = {
  kind: 'relu6',
  surfaces: [surface('relu6')],
  group: () => ({ role: 'passes' }),
  mask: 'never',
  zeroPreserving: true,
  stopsGradientAtZero: true,
  valueBound: () => 6,
  // The identity on an input in [0, 6].
  identityOn: (b) => b === 6,
};
