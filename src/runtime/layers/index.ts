// The layer library generated modules and the IR interpreter build networks from.
export { Conv2d } from './conv.ts';
export { BatchNorm } from './batchnorm.ts';
export { Dense } from './dense.ts';
export { Embedding } from './embedding.ts';
export { Lstm } from './lstm.ts';
export { Gru } from './gru.ts';
export { dropout } from './dropout.ts';
export * from './ops.ts';
export { VariableStore, type NamedVariable } from './store.ts';
export { RecurrentCarry, type ForwardContext, type LstmState } from './context.ts';
export { applyGate, applyMask, applySegmentMask } from './masking.ts';

import type { BatchNorm } from './batchnorm.ts';
import type { Conv2d } from './conv.ts';
import type { Dense } from './dense.ts';
import type { Embedding } from './embedding.ts';
import type { Lstm } from './lstm.ts';
import type { Gru } from './gru.ts';
/** A layer that owns variables. */
export type Layer = Conv2d | BatchNorm | Dense | Lstm | Gru | Embedding;
