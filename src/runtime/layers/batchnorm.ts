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
    const { y, mean, variance } = batchNormTrain(x, this.gamma as tf.Tensor1D, this.beta as tf.Tensor1D, this.attrs.epsilon);
    const mom = this.momentumOverride ?? this.attrs.momentum;
    tf.tidy(() => {
      this.movingMean.assign(tf.add(tf.mul(this.movingMean, mom), tf.mul(mean, 1 - mom)));
      this.movingVariance.assign(tf.add(tf.mul(this.movingVariance, mom), tf.mul(variance, 1 - mom)));
    });
    mean.dispose();
    variance.dispose();
    return y;
  }
}
