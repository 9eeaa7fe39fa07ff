// The seedable RNG (determinism, state save/restore, ranges) and the synthetic sets built on it (deterministic
// by seed, balanced and learnable labels, Markov token streams without <unk>).

import { describe, expect, it } from 'vitest';
import { Rng, deriveSeed, syntheticImages, syntheticTokens } from '../../../src/runtime/data/index.ts';

describe('Rng', () => {
  it('is deterministic by seed and differs between seeds', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const xs = Array.from({ length: 8 }, () => a.nextU32());
    expect(Array.from({ length: 8 }, () => b.nextU32())).toEqual(xs);
    expect(Array.from({ length: 8 }, () => c.nextU32())).not.toEqual(xs);
  });

  it('state()/setState() resumes the exact stream, through JSON', () => {
    const r = new Rng(7);
    for (let i = 0; i < 100; i++) r.nextU32();
    const saved = JSON.parse(JSON.stringify(r.state())) as number[];
    const rest = Array.from({ length: 20 }, () => r.nextFloat());
    const r2 = new Rng(999);
    r2.setState(saved);
    expect(Array.from({ length: 20 }, () => r2.nextFloat())).toEqual(rest);
    expect(() => r2.setState([1, 2, 3])).toThrow(/invalid RNG state/);
  });

  it('nextInt stays in range and covers it evenly', () => {
    const r = new Rng(1);
    const counts = new Array<number>(7).fill(0);
    for (let i = 0; i < 70_000; i++) counts[r.nextInt(7)]!++;
    for (const k of counts) expect(Math.abs(k - 10_000)).toBeLessThan(500);
    const f = Array.from({ length: 1000 }, () => r.nextFloat());
    expect(Math.min(...f)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...f)).toBeLessThan(1);
  });

  it('normals have mean 0 and variance 1', () => {
    const r = new Rng(3);
    const xs = Array.from({ length: 20_000 }, () => r.nextNormal());
    const m = xs.reduce((s, x) => s + x, 0) / xs.length;
    const v = xs.reduce((s, x) => s + (x - m) ** 2, 0) / xs.length;
    expect(Math.abs(m)).toBeLessThan(0.03);
    expect(Math.abs(v - 1)).toBeLessThan(0.05);
  });

  it('deriveSeed separates streams', () => {
    expect(deriveSeed(1, 0)).not.toBe(deriveSeed(1, 1));
    expect(deriveSeed(1, 5)).toBe(deriveSeed(1, 5));
  });
});

describe('synthetic images', () => {
  const opts = { height: 6, width: 5, channels: 3, classes: 4, count: 200, seed: 11, split: 'train' as const };

  it('is deterministic by seed, with balanced labels', () => {
    const a = syntheticImages(opts);
    expect(syntheticImages(opts).pixels).toEqual(a.pixels);
    expect(syntheticImages({ ...opts, seed: 12 }).pixels).not.toEqual(a.pixels);
    expect([a.count, a.height, a.width, a.channels]).toEqual([200, 6, 5, 3]);
    const perClass = [0, 1, 2, 3].map((k) => a.labels.filter((l) => l === k).length);
    expect(perClass).toEqual([50, 50, 50, 50]);
  });

  it('labels are learnable: nearest class mean from train classifies test well', () => {
    const train = syntheticImages(opts);
    const test = syntheticImages({ ...opts, split: 'test', count: 100 });
    expect(test.pixels).not.toEqual(train.pixels.subarray(0, test.pixels.length));
    const per = 6 * 5 * 3;
    const means = Array.from({ length: 4 }, () => new Float64Array(per));
    for (let i = 0; i < train.count; i++) for (let p = 0; p < per; p++) means[train.labels[i]!]![p]! += train.pixels[i * per + p]! / 50;
    let correct = 0;
    for (let i = 0; i < test.count; i++) {
      let best = -1;
      let bestD = Infinity;
      for (let k = 0; k < 4; k++) {
        let d = 0;
        for (let p = 0; p < per; p++) d += (test.pixels[i * per + p]! - means[k]![p]!) ** 2;
        if (d < bestD) [best, bestD] = [k, d];
      }
      if (best === test.labels[i]) correct++;
    }
    expect(correct / test.count).toBeGreaterThan(0.9);
  });
});

describe('synthetic tokens', () => {
  it('is deterministic, in range, never <unk>, and low-entropy', () => {
    const a = syntheticTokens(50, { train: 5000, valid: 500, test: 500 }, 5);
    expect(syntheticTokens(50, { train: 5000, valid: 500, test: 500 }, 5).train).toEqual(a.train);
    expect(a.vocab.size).toBe(50);
    expect([a.train.length, a.valid.length, a.test.length]).toEqual([5000, 500, 500]);
    expect(a.train.every((t) => t >= 0 && t < 50 && t !== a.vocab.unk)).toBe(true);
    // Each word has at most 3 successors.
    const succ = new Map<number, Set<number>>();
    for (let i = 0; i + 1 < a.train.length; i++) {
      const s = succ.get(a.train[i]!) ?? new Set<number>();
      s.add(a.train[i + 1]!);
      succ.set(a.train[i]!, s);
    }
    for (const s of succ.values()) expect(s.size).toBeLessThanOrEqual(3);
  });
});
