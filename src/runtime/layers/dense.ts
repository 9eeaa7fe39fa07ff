// Fully connected layer on the last axis (any rank ≥ 2: [B, F] or [B, T, F]). Variables: `${path}/kernel`
// [in, out] (He normal) and `${path}/bias` [out]. The optional ReLU comes before the unit mask, which the module
// applies after this layer.

import * as tf from '@tensorflow/tfjs';
import type { DenseAttrs } from '../../semantic/ir.ts';
import type { Rng } from '../rng.ts';
import { constant, heNormal } from './init.ts';
import type { VariableStore } from './store.ts';

export class Dense {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable | null;

  constructor(
    store: VariableStore,
    rng: Rng,
    readonly path: string,
    readonly attrs: DenseAttrs,
  ) {
    const { inFeatures: i, units: o } = attrs;
    this.kernel = store.create(`${path}/kernel`, [i, o], heNormal(rng, i * o, i));
    this.bias = attrs.bias ? store.create(`${path}/bias`, [o], constant(o, 0)) : null;
  }

  apply(x: tf.Tensor): tf.Tensor {
    return this.applyWith(x, this.kernel, this.bias);
  }

  /** The layer's function with given weights [in', out'] (its own, or a narrow slice: runtime/narrow). */
  applyWith(x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor | null): tf.Tensor {
    return tf.tidy(() => {
      const [inF, units] = kernel.shape as [number, number];
      const lead = x.shape.slice(0, -1);
      const x2 = x.rank === 2 ? (x as tf.Tensor2D) : tf.reshape(x, [-1, inF]) as tf.Tensor2D;
      // One fused kernel: the bias (and ReLU) inside the matmul (on the native backend, in oneDNN's epilogue), not a
      // separate full-size Add over [rows, units] — 5 ms a step for an LM's [700, 10000] output layer.
      const y = tf.fused.matMul({
        a: x2,
        b: kernel as tf.Tensor2D,
        ...(bias ? { bias } : {}),
        activation: this.attrs.activation === 'relu' ? 'relu' : 'linear',
      });
      return x.rank === 2 ? y : tf.reshape(y, [...lead, units]);
    });
  }
}
