// LSTM: tfjs-layers weight layout and gate order (i, f, c, o), and the Eq. 2 mask: a masked hidden unit has zero
// output at every step and no influence on the other units, so removing it (compaction) changes nothing.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/runtime/backend/index.ts';
import { Lstm } from '../../../src/runtime/layers/lstm.ts';
import { VariableStore } from '../../../src/runtime/layers/store.ts';
import { makeContext } from '../../../src/runtime/module.ts';
import { Rng } from '../../../src/runtime/rng.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

const F = 3;
const H = 4;
const B = 2;
const T = 5;
const ctx = makeContext({ training: true, masks: new Map(), rng: new Rng(0) });

function make(seed = 1) {
  const store = new VariableStore();
  return { store, lstm: new Lstm(store, new Rng(seed), 'lstm1', { inFeatures: F, units: H }) };
}
const x = () => tf.tensor3d(new Rng(5).fillNormal(B * T * F), [B, T, F]);
const close = (a: tf.Tensor, b: tf.Tensor, tol = 1e-5) => {
  const d = tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;
  expect(d).toBeLessThanOrEqual(tol);
};

describe('LSTM layer', () => {
  it('names and shapes its variables like tfjs-layers and starts the forget bias at 1', () => {
    const { store } = make();
    expect(store.all().map((v) => [v.name, v.variable.shape])).toEqual([
      ['lstm1/kernel', [F, 4 * H]],
      ['lstm1/recurrentKernel', [H, 4 * H]],
      ['lstm1/bias', [4 * H]],
    ]);
    const b = store.get('lstm1/bias')!.dataSync();
    expect(Array.from(b.slice(H, 2 * H))).toEqual([1, 1, 1, 1]);
    store.dispose();
  });

  it('matches a tfjs-layers LSTM (sigmoid recurrent activation) given the same weights', () => {
    const { store, lstm } = make();
    const ref = tf.layers.lstm({ units: H, returnSequences: true, recurrentActivation: 'sigmoid', inputShape: [T, F] });
    const input = x();
    ref.apply(input); // builds the layer
    ref.setWeights([lstm.kernel, lstm.recurrentKernel, lstm.bias]);
    close(lstm.apply(input, null, ctx), ref.apply(input) as tf.Tensor);
    store.dispose();
  });

  it('a masked unit outputs zero at every step and does not influence the others', () => {
    const { store, lstm } = make();
    const input = x();
    const m = tf.tensor1d([1, 0, 1, 1]);
    const y = lstm.apply(input, m, ctx);
    const unit1 = tf.slice(y, [0, 0, 1], [B, T, 1]);
    expect(tf.max(tf.abs(unit1)).dataSync()[0]).toBe(0);
    // Perturb everything unit 1 owns: its outgoing recurrent row and its incoming columns in all four gates.
    const rk = lstm.recurrentKernel.arraySync() as number[][];
    rk[1] = rk[1]!.map((v) => v + 5);
    const k = lstm.kernel.arraySync() as number[][];
    for (const row of k) for (let g = 0; g < 4; g++) row[g * H + 1] = 7;
    lstm.recurrentKernel.assign(tf.tensor2d(rk));
    lstm.kernel.assign(tf.tensor2d(k));
    close(lstm.apply(input, m, ctx), y, 0);
    store.dispose();
  });

  it('is exactly a narrower LSTM without the masked unit (what compaction relies on)', () => {
    const { store, lstm } = make();
    const input = x();
    const keep = [0, 2, 3];
    const y = lstm.apply(input, tf.tensor1d([1, 0, 1, 1]), ctx);
    const cols = [0, 1, 2, 3].flatMap((g) => keep.map((j) => g * H + j));
    const small = new VariableStore();
    const narrow = new Lstm(small, new Rng(9), 'lstm1', { inFeatures: F, units: 3 });
    narrow.kernel.assign(tf.gather(lstm.kernel, cols, 1));
    narrow.recurrentKernel.assign(tf.gather(tf.gather(lstm.recurrentKernel, keep, 0), cols, 1));
    narrow.bias.assign(tf.gather(lstm.bias, cols));
    close(narrow.apply(input, null, ctx), tf.gather(y, keep, 2));
    store.dispose();
    small.dispose();
  });
});
