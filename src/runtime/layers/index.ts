// The layer library generated modules and the IR interpreter build networks from.
export { Conv2d } from './conv.ts';
export { BatchNorm } from './batchnorm.ts';
export { Dense } from './dense.ts';
export { Embedding } from './embedding.ts';
export { Lstm } from './lstm.ts';
export { dropout } from './dropout.ts';
export * from './ops.ts';
export { VariableStore, type NamedVariable } from './store.ts';
export { RecurrentCarry, type ForwardContext, type LstmState } from './context.ts';
