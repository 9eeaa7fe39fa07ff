// One LSTM layer, [B, T, F] → [B, T, H], with the paper's hidden-unit mask (Eq. 2). Variables match tfjs-layers'
// LSTM so exported weights load there: `${path}/kernel` [F, 4H], `${path}/recurrentKernel` [H, 4H],
// `${path}/bias` [4H], gate blocks in the order i, f, c (candidate), o. Init: U(±1/√H) for all three (PyTorch's
// rule) except the forget-gate bias block, which starts at 1 (Keras `unitForgetBias`, Jozefowicz et al. 2015).
//
// Masking. Eq. 2 masks W ⊙ (e mᵀ) and U ⊙ (m mᵀ). We instead mask the hidden output: h_t = m ⊙ o_t ⊙ tanh(c_t),
// and the carried initial state h_0 ← m ⊙ h_0. For m_j = 0: h_j = 0 at every step, so row j of U (unit j's
// influence on every other unit, the first m of m mᵀ) multiplies zero, which is U ⊙ (m 1ᵀ); and unit j's own
// pre-activations (W's and U's column j, the second m) only shape c_j, which never leaves the unit because its
// output is zeroed. Hence every unmasked unit computes exactly what Eq. 2 computes, and a masked unit neither feeds
// the others nor outputs anything — the stronger property compaction needs (Eq. 2 taken literally would leave a
// masked unit emitting o·tanh(c) driven by its biases into the next layer). Removing unit j's rows/columns is then
// exactly equivalent. For a fractional mask σ·q ∈ (0,1) it scales the unit's output and its recurrent influence.

import * as tf from '@tensorflow/tfjs';
import type { LstmAttrs } from '../../semantic/ir.ts';
import type { Rng } from '../rng.ts';
import type { ForwardContext } from './context.ts';
import { uniform } from './init.ts';
import type { VariableStore } from './store.ts';

export class Lstm {
  readonly kernel: tf.Variable;
  readonly recurrentKernel: tf.Variable;
  readonly bias: tf.Variable;

  constructor(
    store: VariableStore,
    rng: Rng,
    readonly path: string,
    readonly attrs: LstmAttrs,
  ) {
    const { inFeatures: f, units: h } = attrs;
    const lim = 1 / Math.sqrt(h);
    this.kernel = store.create(`${path}/kernel`, [f, 4 * h], uniform(rng, f * 4 * h, lim));
    this.recurrentKernel = store.create(`${path}/recurrentKernel`, [h, 4 * h], uniform(rng, h * 4 * h, lim));
    const b = uniform(rng, 4 * h, lim);
    b.fill(1, h, 2 * h); // forget gate block
    this.bias = store.create(`${path}/bias`, [4 * h], b);
  }

  /** x [B, T, F]; `mask` [H] or null. Reads/writes `ctx.carry` when present (truncated BPTT). */
  apply(x: tf.Tensor, mask: tf.Tensor | null, ctx: ForwardContext): tf.Tensor {
    const h = this.attrs.units;
    const [b, t] = x.shape as [number, number, number];
    const prev = ctx.carry?.get(this.path);
    const result = tf.tidy(() => {
      const xw = tf.reshape(
        tf.add(tf.matMul(tf.reshape(x, [b * t, this.attrs.inFeatures]) as tf.Tensor2D, this.kernel as tf.Tensor2D), this.bias),
        [b, t, 4 * h],
      );
      const steps = tf.unstack(xw, 1) as tf.Tensor2D[];
      let hs: tf.Tensor2D = prev ? prev.h : tf.zeros([b, h]);
      let cs: tf.Tensor2D = prev ? prev.c : tf.zeros([b, h]);
      if (mask) hs = tf.mul(hs, mask);
      const outs: tf.Tensor2D[] = [];
      for (const z0 of steps) {
        const z = tf.add(z0, tf.matMul(hs, this.recurrentKernel as tf.Tensor2D));
        const [zi, zf, zc, zo] = tf.split(z, 4, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        cs = tf.add(tf.mul(tf.sigmoid(zf), cs), tf.mul(tf.sigmoid(zi), tf.tanh(zc)));
        hs = tf.mul(tf.sigmoid(zo), tf.tanh(cs));
        if (mask) hs = tf.mul(hs, mask);
        outs.push(hs);
      }
      return { y: tf.stack(outs, 1), h: hs, c: cs };
    });
    if (ctx.carry) {
      // The carried state is a constant for the next window (no gradient flows back across windows).
      ctx.carry.set(this.path, { h: tf.keep(result.h.clone()), c: tf.keep(result.c.clone()) });
    }
    result.h.dispose();
    result.c.dispose();
    return result.y;
  }
}
