// One GRU layer, [B, T, F] → [B, T, H], as tfjs-layers' GRU computes it (reset gate before the recurrent product,
// sigmoid gates, one bias vector), so exported weights load there: `${path}/kernel` [F, 3H], `${path}/recurrentKernel`
// [H, 3H], `${path}/bias` [3H], gate blocks z (update), r (reset), h (candidate). Init: U(±1/√H) (PyTorch's rule).
//
// Masking: with g_t = z ⊙ h_{t−1} + (1 − z) ⊙ h̃, the layer emits y_t = m ⊙ g_t and carries h_t = 1[m > 0] ⊙ g_t.
// For m_j = 0, h_j = 0 at every step, so unit j's row of U multiplies zero (in z, r and, through r ⊙ h, the
// candidate) and it outputs nothing: removing unit j's rows and columns is exactly equivalent. A fractional
// training mask σ(βs)·q scales only what the unit emits (and its gradient reaches s through that): carried, it
// would compound over the window (h decays like m^t through z ⊙ h), which the evaluation mask 1[s > 0] never does
// — on kjv that gap took a 50%-MACs GRU LM to valid perplexity 529 against the dense 153 (stop 30). At evaluation
// (m ∈ {0, 1}) both are the same. The LSTM (layers/lstm.ts) masks its output h only; its cell state is unmasked.
// Every window starts from h = 0 (no state is carried across windows, in training and evaluation alike; the
// exported tfjs model is the same stateless layer).

import * as tf from '@tensorflow/tfjs';
import type { GruAttrs } from '../../semantic/ir.ts';
import type { Rng } from '../rng.ts';
import type { ForwardContext } from './context.ts';
import { uniform } from './init.ts';
import type { VariableStore } from './store.ts';

export class Gru {
  readonly kernel: tf.Variable;
  readonly recurrentKernel: tf.Variable;
  readonly bias: tf.Variable;

  constructor(
    store: VariableStore,
    rng: Rng,
    readonly path: string,
    readonly attrs: GruAttrs,
  ) {
    const { inFeatures: f, units: h } = attrs;
    const lim = 1 / Math.sqrt(h);
    this.kernel = store.create(`${path}/kernel`, [f, 3 * h], uniform(rng, f * 3 * h, lim));
    this.recurrentKernel = store.create(`${path}/recurrentKernel`, [h, 3 * h], uniform(rng, h * 3 * h, lim));
    this.bias = store.create(`${path}/bias`, [3 * h], uniform(rng, 3 * h, lim));
  }

  /** x [B, T, F]; `mask` [H] or null. */
  apply(x: tf.Tensor, mask: tf.Tensor | null, ctx: ForwardContext): tf.Tensor {
    return this.applyWith(x, mask, ctx, { kernel: this.kernel, recurrentKernel: this.recurrentKernel, bias: this.bias });
  }

  /** The layer with given weights: its own, or sliced to the step's active units (W [F', 3h'], U [h', 3h'], b [3h'],
   * runtime/narrow) with `mask` [h']. */
  applyWith(x: tf.Tensor, mask: tf.Tensor | null, _ctx: ForwardContext, w: { kernel: tf.Tensor; recurrentKernel: tf.Tensor; bias: tf.Tensor }): tf.Tensor {
    const h = w.recurrentKernel.shape[0]!;
    const [b, t, f] = x.shape as [number, number, number];
    return tf.tidy(() => {
      const xw = tf.reshape(tf.add(tf.matMul(tf.reshape(x, [b * t, f]) as tf.Tensor2D, w.kernel as tf.Tensor2D), w.bias), [b, t, 3 * h]);
      const steps = tf.unstack(xw, 1) as tf.Tensor2D[];
      const [uzr, uh] = tf.split(w.recurrentKernel as tf.Tensor2D, [2 * h, h], 1) as [tf.Tensor2D, tf.Tensor2D];
      let hs: tf.Tensor2D = tf.zeros([b, h]);
      const outs: tf.Tensor2D[] = [];
      // The carried state's mask 1[m > 0] (see the header): tf.step's gradient is zero, and it stays on the backend.
      const on = mask ? tf.step(mask) : null;
      for (const x0 of steps) {
        const [xz, xr, xh] = tf.split(x0, 3, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        const [rz, rr] = tf.split(tf.matMul(hs, uzr), 2, 1) as [tf.Tensor2D, tf.Tensor2D];
        const z = tf.sigmoid(tf.add(xz, rz));
        const r = tf.sigmoid(tf.add(xr, rr));
        const cand = tf.tanh(tf.add(xh, tf.matMul(tf.mul(r, hs), uh)));
        const g = tf.add(tf.mul(z, hs), tf.mul(tf.sub(1, z), cand)) as tf.Tensor2D;
        hs = on ? tf.mul(g, on) : g;
        outs.push(mask ? (tf.mul(g, mask) as tf.Tensor2D) : g);
      }
      return tf.stack(outs, 1);
    });
  }
}
