// Batch normalisation over the last (channel) axis. Variables: `${path}/gamma`, `${path}/beta` (trainable),
// `${path}/movingMean`, `${path}/movingVariance` (not trainable). Training uses batch statistics through the
// backend's analytic-gradient `batchNormTrain` and updates the moving averages Keras-style:
// moving ← momentum·moving + (1 − momentum)·batch (momentum is the decay of the old value, e.g. 0.99).

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

  apply(x: tf.Tensor, training: boolean): tf.Tensor {
    if (!training) {
      return tf.tidy(() =>
        tf.batchNorm(x, this.movingMean, this.movingVariance, this.beta, this.gamma, this.attrs.epsilon),
      );
    }
    return this.trainWith(x, this.gamma, this.beta, null);
  }

  /**
   * Training-mode BN on the channels `channels` (int32 indices into this layer's channels; null = all) with the
   * given γ, β of those channels (narrow execution passes slices). Only those channels' moving statistics move;
   * the others keep their values (a channel that was not computed has no batch statistics).
   */
  trainWith(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, channels: tf.Tensor1D | null): tf.Tensor {
    const { y, mean, variance } = batchNormTrain(x, gamma as tf.Tensor1D, beta as tf.Tensor1D, this.attrs.epsilon);
    const mom = this.momentumOverride ?? this.attrs.momentum;
    tf.tidy(() => {
      const move = (v: tf.Variable, batch: tf.Tensor): tf.Tensor => {
        if (!channels) return tf.add(tf.mul(v, mom), tf.mul(batch, 1 - mom));
        // v + scatter(channels, (1 − mom)·(batch − v[channels])): the same update, on the computed channels only.
        const delta = tf.mul(tf.sub(batch, tf.gather(v, channels)), 1 - mom);
        return tf.add(v, tf.scatterND(tf.reshape(channels, [-1, 1]), delta, [this.attrs.channels]));
      };
      this.movingMean.assign(move(this.movingMean, mean));
      this.movingVariance.assign(move(this.movingVariance, variance));
    });
    mean.dispose();
    variance.dispose();
    return y;
  }
}
