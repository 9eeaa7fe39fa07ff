// `gru(units)`: one GRU layer over a sequence [T, F] → [T, units] (the paper's footnote 1: the method applies to GRUs).
// The tfjs-layers cell (Cho et al. 2014 with the reset gate before the recurrent product): z = σ(x W_z + h U_z + b_z),
// r = σ(x W_r + h U_r + b_r), h̃ = tanh(x W_h + (r ⊙ h) U_h + b_h), h' = z ⊙ h + (1 − z) ⊙ h̃. Its hidden units are one
// structure set shared by the three gate blocks [z | r | h] of W [in, 3h], U [h, 3h] and b [3h]; the mask multiplies
// h_t inside the cell, so a masked unit neither outputs nor feeds the others (its row of U multiplies 0).

import type { KindEntry } from './entry.ts';
import { gatedRecurrentEntry, recurrentSurface } from './recurrent.ts';

/** Three gate blocks [z | r | h]. */
export const gruEntry: KindEntry = gatedRecurrentEntry('gru', 3, recurrentSurface('gru'));
