// Batch normalisation for training with an analytic, broadcasting gradient. tfjs-core's FusedBatchNorm
// gradient tiles rsqrt(var) to the full [B,H,W,C] shape (720 ms of a 2.6 s ResNet-20 step on wasm).
// `batchNormTrain` is the op archc layers use; `fusedBatchNormGrad` also fixes plain `tf.batchNorm`.
import * as tf from '@tensorflow/tfjs';
import { channelsLast } from './kernel-utils.ts';
import { BN_TRAIN, BN_TRAIN_GRAD } from './native-norm.ts';

export interface BatchNormTrainResult {
  /** Normalised, scaled and shifted x. */
  y: tf.Tensor;
  /** Batch mean over every axis but the last (channels), shape [C]. */
  mean: tf.Tensor1D;
  /** Biased batch variance (divided by N, as BN uses), shape [C]. */
  variance: tf.Tensor1D;
}

/**
 * y = (x - mean) / sqrt(var + eps) * gamma + beta with batch statistics over all axes but the last.
 * The gradient w.r.t. x includes the paths through the batch statistics, in closed form:
 *   dx = gamma·invStd · (dy − Σdy/N − x̂·Σ(dy·x̂)/N)
 * `mean` and `variance` are computed inside the op, off the gradient tape: they are meant for running
 * averages, and keeping them off the tape spares the backward pass several full-size passes.
 * `mask` ([C] or null) multiplies y per channel, folded into the affine parameters: x̂·(γ·m) + β·m. On the native
 * backend that happens inside the two kernels (no pass over x, no extra kernel); elsewhere as [C] products on the
 * tape. `relu`: y = relu(that); the native kernels apply it (and its gradient) in their own passes, bit for bit what
 * a separate ReLU computes; elsewhere it is tf.relu.
 */
export function batchNormTrain(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps = 1e-5, mask: tf.Tensor | null = null, relu = false): BatchNormTrainResult {
  const channels = channelsLast(x.shape, 'batchNormTrain');
  if (tf.getKernel(BN_TRAIN, tf.getBackend()) !== undefined) return batchNormTrainFused(x, gamma, beta, eps, mask, relu);
  if (relu) {
    const r = batchNormTrain(x, gamma, beta, eps, mask);
    return { ...r, y: tf.relu(r.y) };
  }
  if (mask) {
    gamma = tf.mul(gamma, mask);
    beta = tf.mul(beta, mask);
  }
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const n = x.size / channels;
  let mean: tf.Tensor1D | undefined;
  let variance: tf.Tensor1D | undefined;
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xi, gi, bi] = args as [tf.Tensor, tf.Tensor, tf.Tensor];
    const save = args[3] as tf.GradSaveFunc;
    const m = tf.mean(xi, axes) as tf.Tensor1D;
    const centered = tf.sub(xi, m);
    const v = tf.mean(tf.square(centered), axes) as tf.Tensor1D;
    const invStd = tf.rsqrt(tf.add(v, eps));
    const xhat = tf.mul(centered, invStd);
    // The engine runs this forward inside a tidy; keep the statistics alive past it (released below).
    mean = tf.keep(m);
    variance = tf.keep(v);
    save([xhat, invStd, gi]);
    return {
      value: tf.add(tf.mul(xhat, gi), bi),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xh, is, g] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        return tf.tidy(() => {
          const dBeta = tf.sum(dy, axes);
          const dGamma = tf.sum(tf.mul(dy, xh), axes);
          const dx = tf.mul(tf.sub(tf.sub(dy, tf.mul(xh, tf.div(dGamma, n))), tf.div(dBeta, n)), tf.mul(g, is));
          return [dx, dGamma, dBeta];
        });
      },
    };
  });
  const y = op(x, gamma, beta);
  // Hand the caller scope-tracked clones (same buffers, no copy) so its tidy disposes them as usual.
  const keptMean = mean as tf.Tensor1D, keptVar = variance as tf.Tensor1D;
  const out = { y, mean: keptMean.clone(), variance: keptVar.clone() };
  keptMean.dispose();
  keptVar.dispose();
  return out;
}

/**
 * The same op as two kernels (the native backend's: one pass for the statistics and one for y, and one for the
 * whole gradient) instead of ~10 tfjs ops each way.
 */
function batchNormTrainFused(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number, mask: tf.Tensor | null, relu: boolean): BatchNormTrainResult {
  let mean: tf.Tensor1D | undefined;
  let variance: tf.Tensor1D | undefined;
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const masked = args.length === 5;
    const [xi, gi, bi] = args as [tf.Tensor, tf.Tensor, tf.Tensor];
    const mi = masked ? (args[3] as tf.Tensor) : undefined;
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const inputs: tf.NamedTensorMap = mi ? { x: xi, gamma: gi, beta: bi, mask: mi } : { x: xi, gamma: gi, beta: bi };
    const [y, m, v] = tf.engine().runKernel(BN_TRAIN, inputs, { eps, relu }) as [tf.Tensor, tf.Tensor, tf.Tensor];
    mean = tf.keep(m as tf.Tensor1D);
    variance = tf.keep(v as tf.Tensor1D);
    // Saved: x, γ, the statistics, then y when the ReLU is fused, then β and the mask when masked.
    save([xi, gi, m, v, ...(relu ? [y] : []), ...(mi ? [bi, mi] : [])]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, g, ms, vs, ...rest] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, ...tf.Tensor[]];
        const ys = relu ? rest.shift() : undefined;
        const [bs, mks] = rest;
        const grads: tf.NamedTensorMap = { dy, x: xs, gamma: g, mean: ms, variance: vs, ...(ys ? { y: ys } : {}), ...(bs && mks ? { beta: bs, mask: mks } : {}) };
        return tf.engine().runKernel(BN_TRAIN_GRAD, grads, { eps }) as tf.Tensor[];
      },
    };
  });
  const y = mask ? op(x, gamma, beta, mask) : op(x, gamma, beta);
  const keptMean = mean as tf.Tensor1D, keptVar = variance as tf.Tensor1D;
  const out = { y, mean: keptMean.clone(), variance: keptVar.clone() };
  keptMean.dispose();
  keptVar.dispose();
  return out;
}

/**
 * tfjs-core's FusedBatchNorm gradient with the Tile replaced by broadcasting; the other four partials are
 * the stock formulas. Registered globally (gradients are backend-independent) by `registerArchcKernels`.
 */
export const fusedBatchNormGrad: tf.GradConfig = {
  kernelName: tf.FusedBatchNorm,
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dy, saved, attrs) => {
    const g = dy as tf.Tensor;
    const eps = attrs['varianceEpsilon'] as number;
    // inputsToSave above: FusedBatchNorm always has x, mean and variance; scale is optional.
    const [x, mean, variance, scaleIn] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor | undefined];
    const scale = scaleIn ?? tf.scalar(1);
    const axes = tf.broadcast_util.getReductionAxes(mean.shape, x.shape);
    const reduce = (t: tf.Tensor) => (mean.rank === 1 ? tf.sum(t, axes) : t).reshape(mean.shape);
    const invStd = tf.rsqrt(tf.add(variance, tf.scalar(eps)));
    const xMinusMean = tf.sub(x, mean);
    const dyScaled = tf.mul(g, scale);
    return {
      x: () => tf.mul(g, tf.mul(invStd, scale)).reshape(x.shape),
      mean: () => reduce(tf.mul(tf.neg(invStd), dyScaled)),
      variance: () => reduce(tf.mul(tf.mul(tf.mul(tf.pow(invStd, 3), -0.5), xMinusMean), dyScaled)),
      scale: () => reduce(tf.mul(g, tf.mul(xMinusMean, invStd))),
      offset: () => reduce(g),
    };
  },
};
