// Structured masks of the paper's continuous sparsification (Eq. 1, 2, 6): one logit vector `s` per maskable IR
// mask group, the hard sigmoid σ(βs) = clip(βs + 0.5, 0, 1), Bernoulli samples q ~ Bern(σ(βs)) drawn once per
// structure and step (outside the gradient tape), the effective training mask σ(βs)·q, the λ penalty with its
// normalisations, and the deterministic evaluation mask 1[s > 0] (the architecture that compaction keeps).

import * as tf from '@tensorflow/tfjs';
import type { IrNetwork, MaskGroup, SparsifyConfig } from '../semantic/ir.ts';
import type { Rng } from './rng.ts';
import { assignData, makeVariable } from './tensor-utils.ts';
import { initialBetaState, resolveGamma, schedulerStep, type BetaState } from './schedulers.ts';

export type MaskGradient = SparsifyConfig['gradient'];

/** clip(x + 0.5, 0, 1) — the paper's hard sigmoid (its footnote 2 variant). Plain tfjs ops, exact gradient. */
export function hardSigmoid(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.clipByValue(tf.add(x, 0.5), 0, 1));
}

/** Scalar version for host-side arithmetic (sampling, metrics). */
export function hardSigmoidScalar(x: number): number {
  return Math.min(1, Math.max(0, x + 0.5));
}

type MaskOp = (s: tf.Tensor, beta: tf.Tensor, q: tf.Tensor) => tf.Tensor;

/**
 * Builds the differentiable mask op value = σ(β⊙s) (⊙ q when `withQ`), with the gradient w.r.t. s chosen by
 * `gradient` (β and q get zero gradients: β is a schedule, q a sample):
 *  - 'clip' (the paper, exact): ∂value/∂s = β·1[−0.5 < βs < 0.5] (· q when withQ). A structure whose βs leaves
 *    the window gets no gradient again, and one with q = 0 gets no task gradient that step.
 *  - 'ste' (straight-through): ∂value/∂s = β everywhere, and the task path also ignores q: the gradient is what
 *    turning the structure's mask up would do, even when it is off (σ = 0 or q = 0) this step. The pre-mask
 *    activation is always computed at full width, so ∂L/∂m is a real first-order signal. This is what lets a
 *    saturated structure regrow (σ: 0 → >0) or be pruned from σ = 1.
 */
function makeMaskOp(gradient: MaskGradient, withQ: boolean): MaskOp {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const s = args[0] as tf.Tensor;
    const beta = args[1] as tf.Tensor;
    const q = args[2] as tf.Tensor;
    const save = args[3] as tf.GradSaveFunc;
    const z = tf.mul(beta, s);
    const sig = tf.clipByValue(tf.add(z, 0.5), 0, 1);
    const value = withQ ? tf.mul(sig, q) : sig;
    save([z, beta, q]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [zS, betaS, qS] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        let ds: tf.Tensor;
        if (gradient === 'clip') {
          const inside = tf.cast(tf.logicalAnd(tf.greater(zS, -0.5), tf.less(zS, 0.5)), 'float32');
          ds = tf.mul(tf.mul(dy, betaS), inside);
          if (withQ) ds = tf.mul(ds, qS);
        } else {
          ds = tf.mul(dy, betaS);
        }
        return [ds, tf.zerosLike(betaS), tf.zerosLike(qS)];
      },
    };
  });
  return (s, beta, q) => f(s, beta, q);
}

const ops = new Map<string, MaskOp>();
function maskOp(gradient: MaskGradient, withQ: boolean): MaskOp {
  const key = `${gradient}:${withQ}`;
  let op = ops.get(key);
  if (!op) {
    op = makeMaskOp(gradient, withQ);
    ops.set(key, op);
  }
  return op;
}

/**
 * The same op with σ and its gradient computed on the host, for backends whose tensors live in host memory (cpu,
 * wasm and the native backend on it): a mask group is at most a few thousand structures, and this replaces about a
 * dozen tiny kernels per group and step (β and q uploads, mul, add, clip, mul, and in the backward a mul and two
 * zerosLike) by one upload each way. Every float operation is the tfjs op's, rounded to float32 in the same order
 * (Math.fround of a product or sum of two float32 values is the IEEE float32 result), so the values and gradients
 * are bit-identical to `makeMaskOp`'s. β and q are constants here (they get no gradient there either).
 */
function hostMaskOp(s: tf.Tensor, beta: ArrayLike<number>, q: ArrayLike<number> | null, gradient: MaskGradient): tf.Tensor {
  const f = Math.fround;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = args[0] as tf.Tensor;
    const sv = x.dataSync() as Float32Array;
    const n = sv.length;
    const z = new Float32Array(n);
    const value = new Float32Array(n);
    for (let j = 0; j < n; j++) {
      z[j] = f(beta[j]! * sv[j]!);
      const sig = Math.min(1, Math.max(0, f(z[j]! + 0.5)));
      value[j] = q ? f(sig * q[j]!) : sig;
    }
    return {
      value: tf.tensor(value, x.shape, 'float32'),
      gradFunc: (dy: tf.Tensor) => {
        const d = dy.dataSync() as Float32Array;
        const ds = new Float32Array(n);
        for (let j = 0; j < n; j++) {
          let g = f(d[j]! * beta[j]!);
          if (gradient === 'clip') {
            const inside = z[j]! > -0.5 && z[j]! < 0.5 ? 1 : 0;
            // Signed zeros as the tensor op gives them: with q, (dy·β)·inside·q keeps the product's sign; without,
            // its zero outside the window reaches the tape as +0.
            g = q ? f(f(g * inside) * q[j]!) : inside ? g : 0;
          }
          ds[j] = g;
        }
        return tf.tensor(ds, x.shape, 'float32');
      },
    };
  });
  return op(s);
}

/** Which implementation of the mask op: the host one, the tensor-op one, or by backend ('auto'; tests pin one). */
export type MaskImpl = 'auto' | 'host' | 'tensor';

/** Whether the current backend keeps tensors in host memory (the host mask op is then the cheaper one). */
const hostBackend = (): boolean => {
  const b = tf.getBackend();
  return b === 'cpu' || b === 'wasm';
};

/** σ(β⊙s) with the chosen gradient (penalty path). */
export function maskProbability(s: tf.Tensor, beta: tf.Tensor | Float32Array, gradient: MaskGradient, impl: MaskImpl = 'auto'): tf.Tensor {
  if (impl === 'host' || (impl === 'auto' && hostBackend())) return hostMaskOp(s, beta instanceof Float32Array ? beta : (beta.dataSync() as Float32Array), null, gradient);
  const b = beta instanceof Float32Array ? tf.tensor1d(beta) : beta;
  const ones = tf.onesLike(s);
  const out = maskOp(gradient, false)(s, b, ones);
  ones.dispose();
  if (b !== beta) b.dispose();
  return out;
}

/** σ(β⊙s)·q with the chosen gradient (task path, Eq. 6). */
export function effectiveMask(s: tf.Tensor, beta: tf.Tensor | Float32Array, q: tf.Tensor | Float32Array, gradient: MaskGradient, impl: MaskImpl = 'auto'): tf.Tensor {
  if (impl === 'host' || (impl === 'auto' && hostBackend())) {
    return hostMaskOp(s, beta instanceof Float32Array ? beta : (beta.dataSync() as Float32Array), q instanceof Float32Array ? q : (q.dataSync() as Float32Array), gradient);
  }
  const b = beta instanceof Float32Array ? tf.tensor1d(beta) : beta;
  const qt = q instanceof Float32Array ? tf.tensor1d(q) : q;
  const out = maskOp(gradient, true)(s, b, qt);
  if (b !== beta) b.dispose();
  if (qt !== q) qt.dispose();
  return out;
}

/** q_j ~ Bern(p_j) from our RNG: q_j = 1 iff u_j < p_j, so p = 0 never fires and p = 1 always does. */
export function sampleBernoulli(p: ArrayLike<number>, rng: Rng): Float32Array {
  const q = new Float32Array(p.length);
  for (let j = 0; j < p.length; j++) q[j] = rng.uniform() < p[j]! ? 1 : 0;
  return q;
}

/**
 * Indices kept by the deterministic mask: s_j > 0 (a tie s_j = 0 counts as OFF, matching sign(s) of Eq. 4 which
 * leaves 0 undefined; a spec that starts at s0 = 0 therefore evaluates an empty group until s moves).
 * A group that cannot vanish (`canVanish` false: chains, the stem, LSTM layers) keeps at least `minWidth`
 * structures: the largest s first, ties to the lower index. Compaction must slice with this same function.
 */
export function keptIndices(s: ArrayLike<number>, group: Pick<MaskGroup, 'canVanish' | 'sparsify'>): number[] {
  const kept: number[] = [];
  for (let j = 0; j < s.length; j++) if (s[j]! > 0) kept.push(j);
  const min = group.canVanish ? 0 : Math.min(s.length, Math.max(0, group.sparsify.minWidth));
  if (kept.length >= min) return kept;
  return topIndices(s, min).sort((a, b) => a - b);
}

/** The indices of the `k` largest s (ties to the lower index), largest first: minWidth's and the budget floor's pick. */
export function topIndices(s: ArrayLike<number>, k: number): number[] {
  if (k <= 0) return [];
  return Array.from({ length: s.length }, (_, j) => j)
    .sort((a, b) => s[b]! - s[a]! || a - b)
    .slice(0, k);
}

/** 0/1 vector of `keptIndices`. */
export function deterministicMask(s: ArrayLike<number>, group: Pick<MaskGroup, 'canVanish' | 'sparsify'>): Float32Array {
  const m = new Float32Array(s.length);
  for (const j of keptIndices(s, group)) m[j] = 1;
  return m;
}

/** Everything about one maskable group during training; plain arrays except the logits variable. */
export class MaskGroupState {
  readonly group: MaskGroup;
  /** Logical variable name (weights/optimizer key): `masks/${group.name}/s`. */
  readonly name: string;
  readonly s: tf.Variable;
  betaState: BetaState;
  /** γ in use (resolved from the spec's γ or βfinal and the planned steps at train start). */
  gamma: number;
  /** Latest Bernoulli sample (all ones before the first step). */
  q: Float32Array;

  constructor(group: MaskGroup, tfName: string) {
    this.group = group;
    this.name = `masks/${group.name}/s`;
    this.s = makeVariable(new Float32Array(group.width).fill(group.sparsify.init), [group.width], tfName);
    this.betaState = initialBetaState(group.width, group.sparsify.scheduler);
    this.gamma = group.sparsify.scheduler.gamma ?? 0;
    this.q = new Float32Array(group.width).fill(1);
  }

  get width(): number {
    return this.group.width;
  }
  get config(): SparsifyConfig {
    return this.group.sparsify;
  }

  /** Current logits on the host. */
  logits(): Float32Array {
    return this.s.dataSync() as Float32Array;
  }

  /** σ(β⊙s) on the host. */
  probabilities(): Float32Array {
    const s = this.logits();
    const p = new Float32Array(s.length);
    for (let j = 0; j < s.length; j++) p[j] = hardSigmoidScalar(this.betaState.beta[j]! * s[j]!);
    return p;
  }

  /** Draws this step's q (outside any tape). */
  sample(rng: Rng): Float32Array {
    this.q = sampleBernoulli(this.probabilities(), rng);
    return this.q;
  }

  deterministic(): Float32Array {
    return deterministicMask(this.logits(), this.group);
  }
}

/** Plain-data snapshot of all mask groups (checkpoint). */
export interface MaskSetState {
  groups: Record<string, { s: Float32Array; beta: Float32Array; counts: Float64Array; q: Float32Array; gamma: number }>;
}

/** All maskable groups of a network, keyed by IR group id. Groups with `maskable: false` have no state. */
export class MaskSet {
  readonly groups: MaskGroupState[];
  private readonly byId = new Map<number, MaskGroupState>();
  /** Total structures over maskable groups (the 'mean' penalty's denominator). */
  readonly totalStructures: number;
  private readonly totalMacs: number;
  /**
   * With a budget target, the controller owns λ (runtime/budget.ts): this gives each group's per-structure
   * coefficients (λ·w_g, 0 on the group's floor) in place of the spec's λ_g·penaltyWeight(g). Null without a target.
   */
  coefficient: ((g: MaskGroupState) => Float32Array) | null = null;

  constructor(ir: IrNetwork, tfNamePrefix: string) {
    this.groups = ir.groups
      .filter((g) => g.maskable)
      .map((g) => new MaskGroupState(g, `${tfNamePrefix}masks/${g.name}/s`));
    for (const g of this.groups) this.byId.set(g.group.id, g);
    this.totalStructures = this.groups.reduce((a, g) => a + g.width, 0);
    this.totalMacs = ir.macs;
  }

  get(groupId: number): MaskGroupState | undefined {
    return this.byId.get(groupId);
  }

  /** Resolves γ of every group for a run of `totalSteps` planned steps (see `resolveGamma`). */
  planRun(totalSteps: number): void {
    for (const g of this.groups) g.gamma = resolveGamma(g.config.scheduler, totalSteps);
  }

  /** Samples q for every group; returns them by group id. */
  sample(rng: Rng): Map<number, Float32Array> {
    const out = new Map<number, Float32Array>();
    for (const g of this.groups) out.set(g.group.id, g.sample(rng));
    return out;
  }

  /** Scheduler bookkeeping after step `step` (1-based), using each group's latest q. */
  afterStep(step: number): void {
    for (const g of this.groups) schedulerStep(g.betaState, g.config.scheduler, g.gamma, step, g.q);
  }

  /**
   * Training masks σ(βs)·q per group for this step, built from the variables so a surrounding
   * `tf.variableGrads` differentiates them. Call inside the differentiated function.
   */
  trainingMasks(): Map<number, tf.Tensor> {
    const out = new Map<number, tf.Tensor>();
    for (const g of this.groups) out.set(g.group.id, effectiveMask(g.s, g.betaState.beta, g.q, g.config.gradient));
    return out;
  }

  /** Evaluation masks 1[s > 0] (+ minWidth), as new tensors the caller disposes. */
  evalMasks(): Map<number, tf.Tensor> {
    const out = new Map<number, tf.Tensor>();
    for (const g of this.groups) out.set(g.group.id, tf.tensor1d(g.deterministic()));
    return out;
  }

  /** Per-structure weight of σ in the penalty for group `g` (λ excluded). */
  penaltyWeight(g: MaskGroupState): number {
    switch (g.config.penalty) {
      case 'sum':
        return 1;
      case 'mean':
        return 1 / Math.max(1, this.totalStructures);
      case 'group-mean':
        return 1 / Math.max(1, g.width);
      case 'macs':
        return this.totalMacs > 0 ? g.group.macsPerStructure / this.totalMacs : 0;
    }
  }

  /**
   * Σ_g λ_g·w_g·Σ_j σ(β_gj s_gj) as a scalar tensor (Eq. 6's second term with the spec's normalisation):
   * 'sum' w = 1 (paper); 'mean' w = 1/(all maskable structures); 'group-mean' w = 1/width_g (a mean per group,
   * summed over groups); 'macs' w = macsPerStructure_g / total MACs (≈ the kept fraction of the network's MACs).
   * Returns zero when there are no maskable groups. Call inside the differentiated function.
   *
   * Calibration note (why λ is a budget over the run, not a per-step price): when a group's channels reach a
   * later BatchNorm through positively homogeneous ops only (ReLU, max-pool, a bias-free conv), the loss is
   * invariant to scaling the whole group's mask, so Σ_j m_j·∂L/∂m_j = 0: the task gradient only redistributes
   * between a group's structures and never resists the penalty's uniform push. Such a group then shrinks by
   * D ≈ λ·w·lr_mask/(1 − momentum)·Σ_t lrFactor(t)·β(t) in s over the run; structures die where s0 − D plus their
   * task signal falls below 0. Pick λ so that D is about s0 for the amount of pruning wanted.
   */
  penalty(): tf.Scalar {
    let total: tf.Scalar = tf.scalar(0);
    for (const g of this.groups) {
      const coef = this.coefficient ? this.coefficient(g) : g.config.lambda * this.penaltyWeight(g);
      if (typeof coef === 'number' ? coef === 0 : coef.every((x) => x === 0)) continue;
      const sig = maskProbability(g.s, g.betaState.beta, g.config.gradient);
      total = tf.add(total, typeof coef === 'number' ? tf.mul(tf.sum(sig), coef) : tf.sum(tf.mul(sig, tf.tensor1d(coef))));
    }
    return total;
  }

  getState(): MaskSetState {
    const groups: MaskSetState['groups'] = {};
    for (const g of this.groups) {
      groups[g.group.name] = {
        s: Float32Array.from(g.logits()),
        beta: Float32Array.from(g.betaState.beta),
        counts: Float64Array.from(g.betaState.counts),
        q: Float32Array.from(g.q),
        gamma: g.gamma,
      };
    }
    return { groups };
  }

  setState(state: MaskSetState): void {
    for (const g of this.groups) {
      const st = state.groups[g.group.name];
      if (!st) throw new Error(`mask state has no entry for group ${g.group.name}: was it saved from another spec?`);
      if (st.s.length !== g.width) {
        throw new Error(`mask state for ${g.group.name} has width ${st.s.length}, the network has ${g.width}`);
      }
      assignData(g.s, Float32Array.from(st.s));
      g.betaState = { beta: Float32Array.from(st.beta), counts: Float64Array.from(st.counts) };
      g.q = Float32Array.from(st.q);
      g.gamma = st.gamma;
    }
  }

  dispose(): void {
    for (const g of this.groups) g.s.dispose();
  }
}
