// β (bandwidth) schedulers of the hard-sigmoid masks: the global one (paper Eq. 7, one counter for every
// structure) and the structure-wise one (Eq. 8, a counter per structure that grows only when that structure's
// Bernoulli sample q is 1). Both update β every T steps (Algorithm 1) and clamp at βmax. Pure numbers, no tfjs.

import type { SchedulerConfig } from '../semantic/ir.ts';

/** Eq. 7/8: β = min(β0·(1 + γ·n)^p, βmax). */
export function betaAt(n: number, beta0: number, gamma: number, p: number, betaMax: number): number {
  return Math.min(beta0 * Math.pow(1 + gamma * n, p), betaMax);
}

/**
 * γ for a run: the spec's raw γ, or the γ that makes a structure sampled at every one of the planned `totalSteps`
 * steps reach `betaFinal` at the end: β0·(1 + γN)^p = βfinal ⇔ γ = ((βfinal/β0)^(1/p) − 1)/N.
 * For the structure-wise scheduler N is the expected final count of a structure that stays on (q = 1 every step,
 * counter 1 + N ≈ N); structures sampled less often end with a smaller β, which is Eq. 8's intent. For the global
 * scheduler N is the number of iterations.
 */
export function resolveGamma(cfg: SchedulerConfig, totalSteps: number): number {
  if (cfg.gamma !== null) return cfg.gamma;
  if (cfg.betaFinal === null) {
    throw new Error('sparsify scheduler: set either gamma or betaFinal (both are null)');
  }
  if (!(totalSteps > 0)) {
    throw new Error('sparsify scheduler: betaFinal needs a planned number of steps; set train steps or epochs');
  }
  if (cfg.betaFinal <= cfg.beta0) return 0;
  return (Math.pow(cfg.betaFinal / cfg.beta0, 1 / cfg.p) - 1) / totalSteps;
}

/** Scheduler state for one mask group: per-structure β and counters (plain arrays, checkpointable). */
export interface BetaState {
  beta: Float32Array;
  /** n_sampled_iters (structure-wise) — starts at 1 (Algorithm 1). Unused by the global scheduler. */
  counts: Float64Array;
}

export function initialBetaState(width: number, cfg: SchedulerConfig): BetaState {
  return { beta: new Float32Array(width).fill(cfg.beta0), counts: new Float64Array(width).fill(1) };
}

/**
 * Advances one group's scheduler after training step `step` (1-based: the r of Algorithm 1) with sample `q`.
 * Structure-wise: counts[j] += q[j]; when r % T == 0, β[j] = Eq. 8 of counts[j].
 * Global: when r % T == 0, β[·] = Eq. 7 of n_iters = r.
 */
export function schedulerStep(
  state: BetaState,
  cfg: SchedulerConfig,
  gamma: number,
  step: number,
  q: ArrayLike<number>,
): void {
  const every = Math.max(1, Math.floor(cfg.every));
  if (cfg.kind === 'structurewise') {
    for (let j = 0; j < state.counts.length; j++) if (q[j]! > 0) state.counts[j]! += 1;
    if (step % every === 0) {
      for (let j = 0; j < state.beta.length; j++) {
        state.beta[j] = betaAt(state.counts[j]!, cfg.beta0, gamma, cfg.p, cfg.betaMax);
      }
    }
  } else if (step % every === 0) {
    state.beta.fill(betaAt(step, cfg.beta0, gamma, cfg.p, cfg.betaMax));
  }
}
