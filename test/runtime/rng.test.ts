// The runtime RNG: reproducible streams, order-independent forks, checkpointable state.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/runtime/rng.ts';

describe('Rng', () => {
  it('forks by label without advancing the parent', () => {
    const r = new Rng(3);
    const a = r.fork('conv1').fillUniform(4);
    r.fork('conv2').fillUniform(10);
    expect(r.fork('conv1').fillUniform(4)).toEqual(a);
    expect(r.fork('conv2').fillUniform(4)).not.toEqual(a);
  });
  it('resumes from state()', () => {
    const r = new Rng(9);
    r.normal();
    const st = r.state();
    const x = [r.uniform(), r.normal(), r.next()];
    const s = Rng.fromState(st);
    expect([s.uniform(), s.normal(), s.next()]).toEqual(x);
  });
  it('normal() has mean ≈ 0 and std ≈ 1', () => {
    const v = new Rng(1).fillNormal(20000);
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(sd - 1)).toBeLessThan(0.03);
  });
});
