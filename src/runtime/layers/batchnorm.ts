// Batch normalisation over the last (channel) axis. Variables: `${path}/gamma`, `${path}/beta` (trainable),
// `${path}/movingMean`, `${path}/movingVariance` (not trainable). Training uses batch statistics through the
// backend's analytic-gradient `batchNormTrain` and updates the moving averages Keras-style:
// moving ← momentum·moving + (1 − momentum)·batch (momentum is the decay of the old value, e.g. 0.99).
// A mask group's mask at a BN's output is folded into the affine parameters, BN(x)·m = x̂·(γ·m) + β·m (inside the
// native BN kernels; elsewhere two [C] products), instead of a full-size multiply forward and two full-size passes
// (∂x, ∂m) backward; a ReLU the BN computes for its consumer (runtime/fusion.ts) is applied the same way.

import * as tf from '@tensorflow/tfjs';
import type { BnAttrs } from '../../semantic/ir.ts';
import { batchNormTrain } from '../backend/index.ts';
import { constant } from './init.ts';
import type { VariableStore } from './store.ts';

export class BatchNorm {
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
  readonly movingMean: tf.Variable;
  readonly movingVariance: tf.Variable;
  /**
   * When set, replaces `attrs.momentum` for the moving-average update. BN recalibration sets 1 − 1/k on its k-th
   * batch so the moving statistics become the plain mean over the calibration batches.
   */
  momentumOverride: number | null = null;

  constructor(
    store: VariableStore,
    readonly path: string,
    readonly attrs: BnAttrs,
  ) {
    const c = attrs.channels;
    this.gamma = store.create(`${path}/gamma`, [c], constant(c, 1));
    this.beta = store.create(`${path}/beta`, [c], constant(c, 0));
    this.movingMean = store.create(`${path}/movingMean`, [c], constant(c, 0), false);
    this.movingVariance = store.create(`${path}/movingVariance`, [c], constant(c, 1), false);
  }

  /**
   * BN(x) ⊙ mask over the channels (mask null: BN(x)), then a ReLU when `relu`; batch statistics when training,
   * else the moving ones.
   */
  apply(x: tf.Tensor, training: boolean, mask: tf.Tensor | null = null, relu = false): tf.Tensor {
    if (!training) {
      return tf.tidy(() => {
        const [gamma, beta] = masked(this.gamma, this.beta, mask);
        const y = tf.batchNorm(x, this.movingMean, this.movingVariance, beta, gamma, this.attrs.epsilon);
        return relu ? tf.relu(y) : y;
      });
    }
    return this.trainWith(x, this.gamma, this.beta, null, mask, relu);
  }

  /**
   * Training-mode BN on the channels `channels` (indices into this layer's channels, ascending; null = all) with
   * the given γ, β of those channels (narrow execution passes slices). Only those channels' moving statistics
   * move; the others keep their values (a channel that was not computed has no batch statistics). `mask` (of those
   * channels, or null) multiplies the output; `relu` applies a ReLU after it (in the same kernels when native).
   */
  trainWith(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, channels: tf.Tensor1D | readonly number[] | null, mask: tf.Tensor | null = null, relu = false): tf.Tensor {
    const { y, mean, variance } = batchNormTrain(x, gamma as tf.Tensor1D, beta as tf.Tensor1D, this.attrs.epsilon, mask, relu);
    const idx = channels === null || Array.isArray(channels) ? (channels as readonly number[] | null) : Array.from((channels as tf.Tensor1D).dataSync());
    this.moveStatistics(this.movingMean, mean.dataSync() as Float32Array, idx);
    this.moveStatistics(this.movingVariance, variance.dataSync() as Float32Array, idx);
    mean.dispose();
    variance.dispose();
    return y;
  }

  /**
   * moving ← mom·moving + (1 − mom)·batch on the channels `idx` (null = all), on the host: the statistics are
   * C floats, and this keeps a gather, a scatter and five elementwise ops per statistic off the step. Rounds like
   * the float32 tensor ops it replaces (each product and the sum rounded to float32), so a full-width step gives
   * the same bits as before.
   */
  private moveStatistics(v: tf.Variable, batch: Float32Array, idx: readonly number[] | null): void {
    const mom = Math.fround(this.momentumOverride ?? this.attrs.momentum);
    const rest = Math.fround(1 - (this.momentumOverride ?? this.attrs.momentum));
    const cur = v.dataSync() as Float32Array;
    const next = Float32Array.from(cur);
    const f = Math.fround;
    if (idx === null) {
      for (let j = 0; j < next.length; j++) next[j] = f(f(cur[j]! * mom) + f(batch[j]! * rest));
    } else {
      // v + scatter(idx, (1 − mom)·(batch − v[idx])): the narrow update of the computed channels only.
      for (let k = 0; k < idx.length; k++) {
        const j = idx[k]!;
        next[j] = f(cur[j]! + f(f(batch[k]! - cur[j]!) * rest));
      }
    }
    const t = tf.tensor1d(next, 'float32');
    v.assign(t);
    t.dispose();
  }
}

/** (γ·m, β·m): BN's affine parameters with an output mask folded in; (γ, β) when there is no mask. */
function masked(gamma: tf.Tensor, beta: tf.Tensor, mask: tf.Tensor | null): [tf.Tensor, tf.Tensor] {
  return mask ? [tf.mul(gamma, mask), tf.mul(beta, mask)] : [gamma, beta];
}
