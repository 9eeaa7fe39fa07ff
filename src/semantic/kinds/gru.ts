// `gru(units)`: one GRU layer over a sequence [T, F] → [T, units] (the paper's footnote 1: the method applies to GRUs).
// The tfjs-layers cell (Cho et al. 2014 with the reset gate before the recurrent product): z = σ(x W_z + h U_z + b_z),
// r = σ(x W_r + h U_r + b_r), h̃ = tanh(x W_h + (r ⊙ h) U_h + b_h), h' = z ⊙ h + (1 − z) ⊙ h̃. Its hidden units are one
// structure set shared by the three gate blocks [z | r | h] of W [in, 3h], U [h, 3h] and b [3h]; the mask multiplies
// h_t inside the cell, so a masked unit neither outputs nor feeds the others (its row of U multiplies 0).

import { LIMITS } from '../defaults.ts';
import { describeInput, width } from './args.ts';
import type { KindEntry, LayerKindDef } from './entry.ts';
import { gatedRecurrentEntry } from './recurrent.ts';

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

/** Three gate blocks [z | r | h]. */
export const gruEntry: KindEntry = gatedRecurrentEntry('gru', 3, gru);
