// The native backend's kernel table: tfjs-wasm kernels replaced by (or added as) calls into archc's oneDNN addon.
// register.ts installs these on the 'wasm' backend for the 'native' plan. Each group lives in its own file:
// convolutions and pooling (native-conv.ts), matmul (native-matmul.ts), batch norm, reductions and small
// helpers (native-norm.ts), the per-channel Multiply (native-elementwise.ts), the SGD update (native-optim.ts), the
// fused LSTM recurrence (native-lstm.ts) and softmax cross-entropy (native-xent.ts). FusedConv2D is left to wasm:
// archc's layers never issue it.
import type { Info } from './kernel-utils.ts';
import { CONV_POOL_KERNELS } from './native-conv.ts';
import { ELEMENTWISE_KERNELS } from './native-elementwise.ts';
import type { Args } from './native-heap.ts';
import { LSTM_KERNELS } from './native-lstm.ts';
import { XENT_KERNELS } from './native-xent.ts';
import { MATMUL_KERNELS } from './native-matmul.ts';
import { NORM_KERNELS } from './native-norm.ts';
import { OPTIM_KERNELS } from './native-optim.ts';

export { BN_TRAIN, BN_TRAIN_GRAD } from './native-norm.ts';
export { SGD_UPDATE } from './native-optim.ts';

export const NATIVE_KERNELS: Record<string, (args: Args) => Info | Info[]> = {
  ...CONV_POOL_KERNELS,
  ...MATMUL_KERNELS,
  ...NORM_KERNELS,
  ...OPTIM_KERNELS,
  ...LSTM_KERNELS,
  ...XENT_KERNELS,
  ...ELEMENTWISE_KERNELS,
};
