// `lstm(units)`: one LSTM layer over a sequence [T, F] → [T, units] (a stack is one statement per layer). Its
// hidden units are one structure set, shared by the four gate blocks [i | f | c | o] of W [in, 4h], U [h, 4h] and
// b [4h]; the mask multiplies h_t inside the cell.

import type { KindEntry } from './entry.ts';
import { gatedRecurrentEntry, recurrentSurface } from './recurrent.ts';

/** Four gate blocks [i | f | c | o]. */
export const lstmEntry: KindEntry = gatedRecurrentEntry('lstm', 4, recurrentSurface('lstm'));
