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
import { hasFusedLstm, lstmRecurrence } from '../backend/native-lstm.ts';
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
    return this.applyWith(x, mask, ctx, { kernel: this.kernel, recurrentKernel: this.recurrentKernel, bias: this.bias }, null);
  }

  /**
   * The layer on the units `units` only (int32 indices, ascending; null = all), with weights already sliced to them
   * (W [F', 4h'], U [h', 4h'], b [4h'], runtime/narrow) and `mask` [h']. The carried state stays full width [B, H]:
   * the run reads the computed units' entries and writes them back; units that were not computed carry h = 0 (as
   * their mask makes them at full width) and c = 0 (a full-width step would have carried their cell on).
   */
  applyWith(x: tf.Tensor, mask: tf.Tensor | null, ctx: ForwardContext, w: { kernel: tf.Tensor; recurrentKernel: tf.Tensor; bias: tf.Tensor }, units: tf.Tensor1D | null): tf.Tensor {
    const h = w.recurrentKernel.shape[0]!;
    const full = this.attrs.units;
    const [b, t, f] = x.shape as [number, number, number];
    const prev = ctx.carry?.get(this.path);
    const result = tf.tidy(() => {
      const xw = tf.reshape(tf.add(tf.matMul(tf.reshape(x, [b * t, f]) as tf.Tensor2D, w.kernel as tf.Tensor2D), w.bias), [b, t, 4 * h]);
      const from = (s: tf.Tensor2D): tf.Tensor2D => (units ? (tf.gather(s, units, 1) as tf.Tensor2D) : s);
      let hs: tf.Tensor2D = prev ? from(prev.h) : tf.zeros([b, h]);
      let cs: tf.Tensor2D = prev ? from(prev.c) : tf.zeros([b, h]);
      // The native backend runs the whole recurrence (forward and BPTT) in one call each way, same math.
      if (hasFusedLstm()) return lstmRecurrence(xw as tf.Tensor3D, w.recurrentKernel as tf.Tensor2D, mask, hs, cs);
      if (mask) hs = tf.mul(hs, mask);
      const outs: tf.Tensor2D[] = [];
      for (const z0 of tf.unstack(xw, 1) as tf.Tensor2D[]) {
        const z = tf.add(z0, tf.matMul(hs, w.recurrentKernel as tf.Tensor2D));
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
      const back = (s: tf.Tensor2D): tf.Tensor2D => tf.keep(units ? scatterColumns(s, units, full) : s.clone());
      ctx.carry.set(this.path, { h: back(result.h), c: back(result.c) });
    }
    result.h.dispose();
    result.c.dispose();
    return result.y;
  }
}

/** [B, k] → [B, width] with column i at `cols[i]` and zeros elsewhere (one gather over a zero-padded copy). */
function scatterColumns(x: tf.Tensor2D, cols: tf.Tensor1D, width: number): tf.Tensor2D {
  return tf.tidy(() => {
    const k = x.shape[1];
    const at = cols.dataSync();
    const src = new Int32Array(width).fill(k);
    for (let i = 0; i < at.length; i++) src[at[i]!] = i;
    const padded = tf.concat([x, tf.zeros([x.shape[0], 1])], 1);
    return tf.gather(padded, tf.tensor1d(src, 'int32'), 1) as tf.Tensor2D;
  });
}
