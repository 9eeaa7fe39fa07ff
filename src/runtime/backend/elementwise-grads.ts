// Gradients for ReLU and for the per-channel (mask) Multiply that run one native kernel where tfjs-core composes
// several: ReLU's is dy · cast(step(x)) (Step, Cast, Multiply: three passes over the activation and two
// temporaries), Multiply's for x ⊙ m with m a channel vector casts both operands (two copies), multiplies dy by x
// and sums the product over the leading axes. A conv net's training step runs one of each per masked layer, so
// these are about a tenth of its kernel calls. Used only where the backend has archc's native kernels
// (native-elementwise.ts) and the addon has the functions; everywhere else, and for every other broadcast or
// dtype, the stock gradient runs. The results are bit-identical to the stock gradients on the native backend
// (tested in test/runtime/backend/native-kernels.test.ts). Registered globally (gradients are
// backend-independent) by `registerArchcKernels`.
import * as tf from '@tensorflow/tfjs';
import { hasElementwiseGrads, isChannelVector, MIN_SIZE, RELU_GRAD, SCALE_COLUMNS_GRAD } from './native-elementwise.ts';

const nativeHere = (kernel: string): boolean => tf.getKernel(kernel, tf.getBackend()) !== undefined && hasElementwiseGrads();

/** ReLU's gradient as one native pass, dy · step(x); `stock` (tfjs-core's) elsewhere. */
export function reluGrad(stock: tf.GradConfig): tf.GradConfig {
  return {
    ...stock,
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as tf.Tensor[];
      const g = dy as tf.Tensor;
      if (x === undefined || x.dtype !== 'float32' || g.dtype !== 'float32' || !tf.util.arraysEqual(x.shape, g.shape) || !nativeHere(RELU_GRAD)) {
        return stock.gradFunc(dy, saved, attrs);
      }
      return { x: () => tf.engine().runKernel(RELU_GRAD, { dy: g, x }, {}) as tf.Tensor };
    },
  };
}

/**
 * Multiply's gradient where one operand is a channel vector m of the other, x (a mask, a gate per channel):
 * ∂x = dy · m (the native per-channel multiply) and ∂m = Σ dy · x over the leading axes in one native pass, with
 * no casts; `stock` (tfjs-core's) for every other case.
 */
export function multiplyGrad(stock: tf.GradConfig): tf.GradConfig {
  return {
    ...stock,
    gradFunc: (dy, saved, attrs) => {
      const [a, b] = saved as tf.Tensor[];
      const g = dy as tf.Tensor;
      const fast = a !== undefined && b !== undefined && [a, b, g].every((t) => t.dtype === 'float32') && g.size >= MIN_SIZE;
      if (fast && nativeHere(SCALE_COLUMNS_GRAD)) {
        const dm = (x: tf.Tensor, m: tf.Tensor) => () => tf.engine().runKernel(SCALE_COLUMNS_GRAD, { dy: g, x, m }, {}) as tf.Tensor;
        if (tf.util.arraysEqual(g.shape, a.shape) && isChannelVector(a, b)) return { a: () => tf.mul(g, b), b: dm(a, b) };
        if (tf.util.arraysEqual(g.shape, b.shape) && isChannelVector(b, a)) return { a: dm(b, a), b: () => tf.mul(g, a) };
      }
      return stock.gradFunc(dy, saved, attrs);
    },
  };
}
