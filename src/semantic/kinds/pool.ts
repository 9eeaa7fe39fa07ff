// `maxpool(size, stride, padding)`, `avgpool(…)`, and `gap` (alias `globalavgpool`): spatial pooling of a feature
// map; they pass their input's group through and keep its value range.

import { LAYER_DEFAULTS } from '../defaults.ts';
import * as S from '../shapes.ts';
import { word } from '../values.ts';
import { image, padding, posPair, windowFits } from './args.ts';
import type { KindEntry, LayerKindDef } from './entry.ts';

function surface(name: 'maxpool' | 'avgpool'): LayerKindDef {
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

export const maxpoolEntry: KindEntry = {
  kind: 'maxpool',
  surfaces: [surface('maxpool')],
  group: () => ({ role: 'passes' }),
  mask: 'never',
  zeroPreserving: true,
  valueBound: (input) => input(0),
};

export const avgpoolEntry: KindEntry = {
  kind: 'avgpool',
  surfaces: [surface('avgpool')],
  group: () => ({ role: 'passes' }),
  mask: 'never',
  zeroPreserving: true,
  valueBound: (input) => input(0),
};

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

export const gapEntry: KindEntry = {
  kind: 'gap',
  surfaces: [gap],
  group: () => ({ role: 'passes' }),
  mask: 'never',
  valueBound: (input) => input(0),
};
