// β schedulers against hand-worked values: Eq. 7 (global), Eq. 8 (structure-wise, counters from 1, +1 where q = 1),
// updates every T steps, the βmax clamp, and γ derived from βfinal.
import { describe, expect, it } from 'vitest';
import { betaAt, initialBetaState, resolveGamma, schedulerStep } from '../../src/runtime/schedulers.ts';
import type { SchedulerConfig } from '../../src/semantic/ir.ts';

const cfg = (o: Partial<SchedulerConfig>): SchedulerConfig => ({ kind: 'global', gamma: 0.5, betaFinal: null, p: 2, beta0: 1, betaMax: 100, every: 2, ...o });

describe('global scheduler (Eq. 7)', () => {
  it('updates every T = 2 steps from n_iters and clamps at βmax', () => {
    const c = cfg({});
    const st = initialBetaState(3, c);
    const seen: number[] = [];
    for (let r = 1; r <= 20; r++) {
      schedulerStep(st, c, 0.5, r, [0, 0, 0]);
      seen[r] = st.beta[0]!;
    }
    expect(seen[1]).toBe(1); // r = 1: not a multiple of T, β stays β0
    expect(seen[2]).toBe(4); // (1 + 0.5·2)² = 4
    expect(seen[3]).toBe(4);
    expect(seen[4]).toBe(9); // (1 + 0.5·4)² = 9
    expect(seen[10]).toBe(36); // (1 + 5)² = 36
    expect(seen[18]).toBe(100); // (1 + 9)² = 100
    expect(seen[20]).toBe(100); // (1 + 10)² = 121 → clamped at 100
    expect(Array.from(st.beta)).toEqual([100, 100, 100]);
  });
});

describe('structure-wise scheduler (Eq. 8)', () => {
  it('counts q = 1 per structure and recomputes β every T steps', () => {
    const c = cfg({ kind: 'structurewise', gamma: 1, p: 1, beta0: 2, betaMax: 10, every: 2 });
    const st = initialBetaState(2, c);
    expect(Array.from(st.counts)).toEqual([1, 1]);
    schedulerStep(st, c, 1, 1, [1, 0]); // counts [2, 1]; r = 1: no β update
    expect(Array.from(st.counts)).toEqual([2, 1]);
    expect(Array.from(st.beta)).toEqual([2, 2]);
    schedulerStep(st, c, 1, 2, [1, 1]); // counts [3, 2]; β = 2·(1 + 3) = 8, 2·(1 + 2) = 6
    expect(Array.from(st.beta)).toEqual([8, 6]);
    schedulerStep(st, c, 1, 3, [0, 0]); // counts unchanged, no update
    schedulerStep(st, c, 1, 4, [0, 1]); // counts [3, 3]; β = [8, 8]
    expect(Array.from(st.beta)).toEqual([8, 8]);
    schedulerStep(st, c, 1, 5, [1, 1]);
    schedulerStep(st, c, 1, 6, [1, 0]); // counts [5, 4]; β = 2·6 = 12 → 10 (βmax), 2·5 = 10
    expect(Array.from(st.beta)).toEqual([10, 10]);
  });
});

describe('γ', () => {
  it('is the spec value when given', () => {
    expect(resolveGamma(cfg({ gamma: 0.0005 }), 1000)).toBe(0.0005);
  });
  it('is derived from βfinal and the planned steps: ((βf/β0)^(1/p) − 1)/N', () => {
    // β0 = 1, βfinal = 11, p = 0.5: 11² = 121 → γ = 120/100 = 1.2; check (1 + 1.2·100)^0.5 = 11.
    const c = cfg({ gamma: null, betaFinal: 11, p: 0.5 });
    const g = resolveGamma(c, 100);
    expect(g).toBeCloseTo(1.2, 12);
    expect(betaAt(100, 1, g, 0.5, 100)).toBeCloseTo(11, 10);
  });
  it('the paper γ = 5e-4, p = 0.7 gives β ≈ 1.2 after 600 steps (why βfinal exists)', () => {
    expect(betaAt(600, 1, 5e-4, 0.7, 100)).toBeCloseTo(Math.pow(1.3, 0.7), 12); // 1.2013…
  });
  it('needs gamma or betaFinal', () => {
    expect(() => resolveGamma(cfg({ gamma: null, betaFinal: null }), 10)).toThrow(/gamma or betaFinal/);
  });
});
