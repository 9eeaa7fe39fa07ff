// The native SGD update (one kernel per variable) against optim.ts's tfjs path on the same wasm backend: after
// several steps with momentum, Nesterov, none, weight decay and a gradient scale (clipping's factor), weights and
// momentum buffers are bit-identical; sizes include one over 65,536 floats and one over 2^18 (the threaded loop).
// And the fused path is taken: one kernel per variable. The squared global norm's native pass agrees with tfjs's.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, loadNative } from '../../../src/runtime/backend/index.ts';
import { SGD_UPDATE } from '../../../src/runtime/backend/native-kernels.ts';
import { Optimizer, globalNorm, type OptimizerConfig } from '../../../src/runtime/optim.ts';
import { on, randArray, rng } from './helpers.ts';

const native = loadNative();
const skipWhy = 'reason' in native ? ` (skipped: native backend unavailable: ${native.reason})` : '';
const run = 'addon' in native ? describe : describe.skip;

beforeAll(async () => {
  await initBackend(skipWhy ? 'wasm' : 'native');
});

const SIZES = [7, 300, 70_001, 300_007];

/** Four optimizer steps on three variables; returns the weights, then the momentum buffers. */
function steps(config: OptimizerConfig, seed: number, gradScale = 1): () => tf.Tensor[] {
  return () => {
    const r = rng(seed);
    const vars = SIZES.map((n, i) => tf.variable(tf.tensor1d(randArray(r, n)), true, `w${seed}_${i}_${Math.random()}`));
    const opt = new Optimizer();
    for (let s = 0; s < 4; s++) {
      const items = vars.map((v, i) => ({ name: `w${i}`, variable: v, grad: tf.tensor1d(randArray(r, v.size)), config }));
      opt.apply(items, 0.5 + 0.25 * s, gradScale);
      for (const it of items) it.grad.dispose();
    }
    const state = opt.getState();
    const buffers = config.kind === 'sgd' && config.momentum !== 0 ? SIZES.map((_, i) => tf.tensor1d(state.slots['momentum']![`w${i}`]!)) : [];
    const out = [...vars.map((v) => v.clone()), ...buffers];
    opt.dispose();
    for (const v of vars) v.dispose();
    return out;
  };
}

const CONFIGS: [string, OptimizerConfig, number][] = [
  ['momentum 0.9, weight decay 1e-4', { kind: 'sgd', lr: 0.1, momentum: 0.9, nesterov: false, weightDecay: 1e-4 }, 1],
  ['Nesterov 0.9, no weight decay', { kind: 'sgd', lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0 }, 1],
  ['Nesterov 0.5, weight decay 5e-4, gradients scaled by 0.37', { kind: 'sgd', lr: 0.3, momentum: 0.5, nesterov: true, weightDecay: 5e-4 }, 0.37],
  ['no momentum (an LM\'s plain SGD), gradients scaled by 0.0123', { kind: 'sgd', lr: 20, momentum: 0, nesterov: false, weightDecay: 0 }, 0.0123],
  ['no momentum, weight decay 1e-3', { kind: 'sgd', lr: 0.2, momentum: 0, nesterov: false, weightDecay: 1e-3 }, 1],
];

run(`native SGD update${skipWhy}`, () => {
  it.each(CONFIGS.map(([l, c, scale], i) => [l, c, scale, i] as const))('%s: bit-identical to the tfjs path', async (_l, c, scale, i) => {
    const got = await on('wasm', 'native', steps(c, 50 + i, scale));
    const ref = await on('wasm', 'archc', steps(c, 50 + i, scale));
    expect(got.length).toBe((c.kind === 'sgd' && c.momentum !== 0 ? 2 : 1) * SIZES.length);
    for (let k = 0; k < got.length; k++) expect(Buffer.from(got[k]!.buffer).equals(Buffer.from(ref[k]!.buffer)), `output ${k}`).toBe(true);
    // And the update moved the weights (the comparison is not between two no-ops).
    const start = randArray(rng(50 + i), SIZES[0]!);
    expect(Math.max(...got[0]!.map((x, j) => Math.abs(x - start[j]!)))).toBeGreaterThan(1e-3);
  });

  it('issues one kernel per variable and step', async () => {
    await tf.setBackend('wasm');
    await on('wasm', 'native', () => []);
    const p = await tf.profile(() => {
      const out = steps(CONFIGS[0]![1], 7)();
      tf.dispose(out);
    });
    const names = p.kernels.map((k) => k.name);
    expect(names.filter((n) => n === SGD_UPDATE).length).toBe(4 * SIZES.length);
    expect(names.filter((n) => n === 'Multiply').length).toBe(0);
  });

  it('the global norm: one native pass per tensor, in double (closer to the exact norm than the float32 tfjs ops)', async () => {
    const data = () => {
      const r = rng(9);
      return [7, 70_001, 300_007].map((n) => randArray(r, n).map((v) => v * 3));
    };
    let exact = 0;
    for (const a of data()) for (const v of a) exact += Math.fround(v) * Math.fround(v);
    exact = Math.sqrt(exact);
    const norm = (backend: string, mode: 'native' | 'archc') => on(backend, mode, () => [tf.scalar(globalNorm(data().map((a) => tf.tensor1d(a))))]);
    const [native] = await norm('wasm', 'native');
    const [wasm] = await norm('wasm', 'archc');
    expect(Math.abs(native![0]! - exact)).toBeLessThan(1e-6 * exact);
    expect(Math.abs(wasm![0]! - exact)).toBeLessThan(1e-4 * exact);
  });
});
