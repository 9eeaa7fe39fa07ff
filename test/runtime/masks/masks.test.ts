// Hard sigmoid values and gradients (clip and straight-through), Bernoulli sampling rate and sharing, penalty
// normalisations, and the deterministic kept set (tie s = 0 is off; minWidth for groups that cannot vanish).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/runtime/backend/index.ts';
import { effectiveMask, hardSigmoid, keptIndices, maskProbability, sampleBernoulli, MaskSet } from '../../../src/runtime/masks.ts';
import { Rng } from '../../../src/runtime/rng.ts';
import { plainCnnIr, testSparsify } from '../../../src/runtime/testing/ir-fixtures.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

const arr = (t: tf.Tensor) => Array.from(t.dataSync());
function gradOf(f: (s: tf.Tensor) => tf.Tensor, s0: number[]): number[] {
  const s = tf.tensor1d(s0);
  const g = tf.grad((x: tf.Tensor) => tf.sum(f(x)))(s);
  const out = arr(g);
  tf.dispose([s, g]);
  return out;
}

describe('hard sigmoid', () => {
  it('is clip(x + 0.5, 0, 1)', () => {
    const y = hardSigmoid(tf.tensor1d([-2, -0.5, -0.2, 0, 0.3, 0.5, 3]));
    expect(arr(y).map((v) => +v.toFixed(6))).toEqual([0, 0, 0.3, 0.5, 0.8, 1, 1]);
  });

  const s = [-1, -0.2, 0, 0.3, 0.8];
  it("'clip' gradient is β inside |βs| < 0.5 and 0 outside", () => {
    // β = 1: βs = [-1, -0.2, 0, 0.3, 0.8] → inside for the middle three.
    expect(gradOf((x) => maskProbability(x, tf.fill([5], 1), 'clip'), s)).toEqual([0, 1, 1, 1, 0]);
    // β = 2: βs = [-2, -0.4, 0, 0.6, 1.6] → inside for -0.4 and 0 only; derivative 2 there.
    expect(gradOf((x) => maskProbability(x, tf.fill([5], 2), 'clip'), s)).toEqual([0, 2, 2, 0, 0]);
  });
  it("'ste' gradient is β everywhere, also where σ saturates", () => {
    expect(gradOf((x) => maskProbability(x, tf.fill([5], 2), 'ste'), s)).toEqual([2, 2, 2, 2, 2]);
  });
  it('the effective mask σ·q: clip passes gradient only where q = 1; ste ignores q (a dropped unit still learns)', () => {
    const q = tf.tensor1d([1, 0, 1, 0, 1]);
    const beta = tf.fill([5], 2);
    expect(arr(effectiveMask(tf.tensor1d(s), beta, q, 'clip')).map((v) => +v.toFixed(6))).toEqual([0, 0, 0.5, 0, 1]);
    expect(gradOf((x) => effectiveMask(x, beta, q, 'clip'), s)).toEqual([0, 0, 2, 0, 0]);
    expect(gradOf((x) => effectiveMask(x, beta, q, 'ste'), s)).toEqual([2, 2, 2, 2, 2]);
  });
});

describe('Bernoulli sampling', () => {
  it('matches σ within 4 standard errors over 20k draws', () => {
    const p = [0, 0.1, 0.5, 0.75, 1];
    const rng = new Rng(7);
    const n = 20000;
    const hits = new Array(p.length).fill(0);
    for (let i = 0; i < n; i++) sampleBernoulli(p, rng).forEach((q, j) => (hits[j] += q));
    p.forEach((pj, j) => {
      const se = Math.sqrt((pj * (1 - pj)) / n);
      expect(Math.abs(hits[j] / n - pj)).toBeLessThanOrEqual(4 * se + 1e-12);
    });
  });

  it('draws one q per structure per step, shared by every example of the batch', () => {
    const ir = plainCnnIr();
    const ms = new MaskSet(ir, 'tq/');
    const qs = ms.sample(new Rng(1));
    for (const g of ir.groups) expect(qs.get(g.id)!.length).toBe(g.width);
    const mask = ms.trainingMasks().get(0)!;
    expect(mask.shape).toEqual([ir.groups[0]!.width]); // [width]: broadcast over batch and space
    ms.dispose();
  });
});

describe('penalty normalisations', () => {
  const cases = ['sum', 'mean', 'group-mean', 'macs'] as const;
  for (const penalty of cases) {
    it(penalty, () => {
      const ir = plainCnnIr({ sparsify: testSparsify({ penalty, lambda: 0.2, init: 0.25 }) });
      const ms = new MaskSet(ir, `tp-${penalty}/`);
      // σ(1·0.25) = 0.75 for every structure; widths 4, 6, 5.
      const widths = ir.groups.map((g) => g.width);
      const expected = {
        sum: 0.2 * 15 * 0.75,
        mean: 0.2 * 0.75,
        'group-mean': 0.2 * 3 * 0.75,
        macs: 0.2 * ir.groups.reduce((a, g, i) => a + widths[i]! * 0.75 * (g.macsPerStructure / ir.macs), 0),
      }[penalty];
      expect(ms.penalty().dataSync()[0]).toBeCloseTo(expected, 5);
      ms.dispose();
    });
  }
});

describe('deterministic mask', () => {
  const g = (canVanish: boolean, minWidth: number) => ({ canVanish, sparsify: testSparsify({ minWidth }) });
  it('keeps s > 0 only; s = 0 is off', () => {
    expect(keptIndices([0.1, 0, -0.3, 2], g(true, 1))).toEqual([0, 3]);
  });
  it('keeps the largest-s minWidth structures of a group that cannot vanish (ties to the lower index)', () => {
    expect(keptIndices([-0.5, -0.1, -0.1, -2], g(false, 2))).toEqual([1, 2]);
    expect(keptIndices([0, 0, 0], g(false, 1))).toEqual([0]);
    expect(keptIndices([-1, -1], g(true, 1))).toEqual([]);
  });
});

describe('host mask op', () => {
  // Random logits, β in the range a schedule reaches, q a Bernoulli sample; the gradient of Σ w·mask with random w
  // (so dy is not all ones). The host op must give exactly the tensor op's bits, values and gradients.
  const r = new Rng(11);
  const n = 257;
  const s0 = Float32Array.from({ length: n }, () => 2 * r.uniform() - 1);
  const beta = Float32Array.from({ length: n }, () => 1 + 9 * r.uniform());
  const q = Float32Array.from({ length: n }, () => (r.uniform() < 0.6 ? 1 : 0));
  const w = Float32Array.from({ length: n }, () => 2 * r.uniform() - 1);
  const run = (f: (x: tf.Tensor) => tf.Tensor): [Float32Array, Float32Array] => {
    const x = tf.tensor1d(s0);
    const wt = tf.tensor1d(w);
    const value = f(x);
    const g = tf.grad((y: tf.Tensor) => tf.sum(tf.mul(f(y), wt)))(x);
    const out: [Float32Array, Float32Array] = [Float32Array.from(value.dataSync()), Float32Array.from(g.dataSync())];
    tf.dispose([x, wt, value, g]);
    return out;
  };
  const same = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer).equals(Buffer.from(b.buffer));
  for (const gradient of ['clip', 'ste'] as const) {
    it(`σ(βs)·q and σ(βs) (${gradient}): bit-identical to the tensor op, values and gradients`, () => {
      for (const withQ of [true, false]) {
        const f = (impl: 'host' | 'tensor') => (x: tf.Tensor) =>
          withQ ? effectiveMask(x, beta, q, gradient, impl) : maskProbability(x, beta, gradient, impl);
        const [vh, gh] = run(f('host'));
        const [vt, gt] = run(f('tensor'));
        expect(same(vh, vt), `values, q ${withQ}`).toBe(true);
        expect(same(gh, gt), `gradients, q ${withQ}`).toBe(true);
        // Not trivially equal: some values are strictly inside (0, 1), some gradients are 0 and some are not.
        expect(vh.some((v) => v > 0 && v < 1)).toBe(true);
        expect(gh.some((v) => v === 0) || gradient === 'ste').toBe(true);
        expect(gh.some((v) => v !== 0)).toBe(true);
      }
    });
  }
});
