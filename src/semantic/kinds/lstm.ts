// `lstm(units)`: one LSTM layer over a sequence [T, F] → [T, units] (a stack is one statement per layer). Its
// hidden units are one structure set, shared by the four gate blocks [i | f | c | o] of W [in, 4h], U [h, 4h] and
// b [4h]; the mask multiplies h_t inside the cell.

import { LIMITS } from '../defaults.ts';
import * as S from '../shapes.ts';
import { describeInput, width } from './args.ts';
import type { KindEntry, LayerKindDef } from './entry.ts';
import { gatedRecurrentEntry } from './recurrent.ts';


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

/** Four gate blocks [i | f | c | o]. */
export const lstmEntry: KindEntry = gatedRecurrentEntry('lstm', 4, lstm);
