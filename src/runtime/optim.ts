// Our own optimizers (not tf.train) so that their state is plain data a checkpoint can hold and compaction can
// slice: SGD with momentum (optionally Nesterov) and coupled L2 weight decay (PyTorch `torch.optim.SGD`
// semantics, which the paper's hyperparameters assume), and Adam with decoupled weight decay (AdamW).
// Slots are keyed by the variable's logical name. Also: the learning-rate schedules and global-norm clipping.

import * as tf from '@tensorflow/tfjs';
import { resolveMaskLr } from '../semantic/defaults.ts';
import type { SparsifyConfig, TrainConfig } from '../semantic/ir.ts';
import { hasSumSquares, SGD_UPDATE, SUM_SQUARES } from './backend/native-optim.ts';

export type OptimizerConfig = TrainConfig['optimizer'];
export type LrSchedule = TrainConfig['lrSchedule'];

/**
 * The optimizer config of the mask logits (no weight decay; Adam uses the usual 0.9/0.999/1e-8). `lr auto` is
 * resolved against the run's planned steps (semantic `resolveMaskLr`).
 */
export function maskOptimizerConfig(m: SparsifyConfig['maskOptimizer'], plannedSteps: number): OptimizerConfig {
  const lr = resolveMaskLr(m.lr, plannedSteps);
  return m.kind === 'sgd'
    ? { kind: 'sgd', lr, momentum: m.momentum, nesterov: m.nesterov, weightDecay: 0 }
    : { kind: 'adam', lr, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 };
}

/**
 * Multiplier of the base learning rate at 0-based step `step`:
 * constant 1; 'step' = factor^(milestones passed) with milestones in epochs (×stepsPerEpoch) or steps;
 * 'cosine' = linear warm-up (step+1)/warmupSteps, then minLr/base + (1 − minLr/base)·½(1 + cos(π·progress)).
 * The mask optimizer multiplies its own base lr by the same factor (so it follows the weights' schedule, as the
 * paper does); `baseLr` is the weights' base lr, used to turn cosine's absolute minLr into a ratio.
 */
export function lrFactor(
  schedule: LrSchedule,
  step: number,
  stepsPerEpoch: number,
  totalSteps: number,
  baseLr: number,
): number {
  switch (schedule.kind) {
    case 'constant':
      return 1;
    case 'step': {
      const unit = schedule.unit === 'epoch' ? stepsPerEpoch : 1;
      const passed = schedule.milestones.filter((m) => step >= m * unit).length;
      return Math.pow(schedule.factor, passed);
    }
    case 'cosine': {
      if (step < schedule.warmupSteps) return (step + 1) / schedule.warmupSteps;
      const span = Math.max(1, totalSteps - schedule.warmupSteps);
      const progress = Math.min(1, (step - schedule.warmupSteps) / span);
      const floor = baseLr > 0 ? schedule.minLr / baseLr : 0;
      return floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
  }
}

/** Plain-data optimizer state: a step counter and slot buffers keyed slot → variable name. */
export interface OptimizerState {
  step: number;
  /** 'momentum' (SGD) or 'm' and 'v' (Adam) → logical variable name → values in the variable's layout. */
  slots: Record<string, Record<string, Float32Array>>;
}

export interface OptimizerItem {
  name: string;
  variable: tf.Variable;
  grad: tf.Tensor;
  config: OptimizerConfig;
}

/**
 * Applies SGD/Adam updates to named variables. One instance per parameter family (weights, masks); each item
 * carries its own hyperparameters so groups with different mask settings share one state object.
 */
export class Optimizer {
  private step = 0;
  private readonly slots = new Map<string, Map<string, tf.Tensor>>();

  private slot(kind: string, name: string, like: tf.Tensor): tf.Tensor {
    let m = this.slots.get(kind);
    if (!m) {
      m = new Map();
      this.slots.set(kind, m);
    }
    let t = m.get(name);
    if (!t) {
      t = tf.keep(tf.zerosLike(like));
      m.set(name, t);
    }
    return t;
  }

  private setSlot(kind: string, name: string, t: tf.Tensor): void {
    const m = this.slots.get(kind)!;
    m.get(name)?.dispose();
    m.set(name, tf.keep(t));
  }

  /**
   * One update of every item with learning rate `config.lr × lrScale`, each gradient multiplied by `gradScale` first
   * (global-norm clipping's factor: `clipScale`). Gradients are not disposed here.
   */
  apply(items: OptimizerItem[], lrScale: number, gradScale = 1): void {
    this.step += 1;
    const t = this.step;
    // The native backend updates an SGD variable in one kernel, the gradient scale included (bit-identical to the
    // ops below).
    const fused = tf.getKernel(SGD_UPDATE, tf.getBackend()) !== undefined;
    for (const it of items) {
      const c = it.config;
      const lr = c.lr * lrScale;
      tf.tidy(() => {
        const w = it.variable;
        if (c.kind === 'sgd' && fused) {
          const attrs = { lr, weightDecay: c.weightDecay, momentum: c.momentum, nesterov: c.nesterov, gradScale };
          if (c.momentum !== 0) {
            const inputs = { w, g: it.grad, buf: this.slot('momentum', it.name, w) };
            const [next, buf] = tf.engine().runKernel(SGD_UPDATE, inputs, attrs) as [tf.Tensor, tf.Tensor];
            this.setSlot('momentum', it.name, buf);
            w.assign(next);
          } else {
            const [next] = tf.engine().runKernel(SGD_UPDATE, { w, g: it.grad }, attrs) as [tf.Tensor];
            w.assign(next);
          }
          return;
        }
        const g = gradScale !== 1 ? tf.mul(it.grad, gradScale) : it.grad;
        if (c.kind === 'sgd') {
          // PyTorch SGD: d = g + wd·w (coupled L2); buf = μ·buf + d; step = nesterov ? d + μ·buf : buf.
          const d = c.weightDecay !== 0 ? tf.add(g, tf.mul(w, c.weightDecay)) : g;
          let update: tf.Tensor = d;
          if (c.momentum !== 0) {
            const buf = tf.add(tf.mul(this.slot('momentum', it.name, w), c.momentum), d);
            this.setSlot('momentum', it.name, buf);
            update = c.nesterov ? tf.add(d, tf.mul(buf, c.momentum)) : buf;
          }
          w.assign(tf.sub(w, tf.mul(update, lr)));
        } else {
          // Adam with bias correction; decoupled weight decay w ← w − lr·wd·w (AdamW).
          const m = tf.add(tf.mul(this.slot('m', it.name, w), c.beta1), tf.mul(g, 1 - c.beta1));
          const v = tf.add(tf.mul(this.slot('v', it.name, w), c.beta2), tf.mul(tf.square(g), 1 - c.beta2));
          this.setSlot('m', it.name, m);
          this.setSlot('v', it.name, v);
          const mHat = tf.div(m, 1 - Math.pow(c.beta1, t));
          const vHat = tf.div(v, 1 - Math.pow(c.beta2, t));
          let next = tf.sub(w, tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), c.epsilon)), lr));
          if (c.weightDecay !== 0) next = tf.sub(next, tf.mul(w, lr * c.weightDecay));
          w.assign(next);
        }
      });
    }
  }

  getState(): OptimizerState {
    const slots: OptimizerState['slots'] = {};
    for (const [kind, m] of this.slots) {
      slots[kind] = {};
      for (const [name, t] of m) slots[kind]![name] = Float32Array.from(t.dataSync() as Float32Array);
    }
    return { step: this.step, slots };
  }

  /** Restores a state; `shapes` gives each variable's shape (slots share their variable's layout). */
  setState(state: OptimizerState, shapes: ReadonlyMap<string, number[]>): void {
    this.dispose();
    this.step = state.step;
    for (const [kind, byName] of Object.entries(state.slots)) {
      const m = new Map<string, tf.Tensor>();
      for (const [name, data] of Object.entries(byName)) {
        const shape = shapes.get(name);
        if (!shape) throw new Error(`optimizer state has slot '${kind}' for unknown variable '${name}'`);
        m.set(name, tf.keep(tf.tensor(Float32Array.from(data), shape, 'float32')));
      }
      this.slots.set(kind, m);
    }
  }

  dispose(): void {
    for (const m of this.slots.values()) for (const t of m.values()) t.dispose();
    this.slots.clear();
  }
}

/**
 * ‖g‖₂ over all tensors. On the native backend one read-only pass per tensor, accumulated in double (the tfjs path
 * writes a full-size square first and sums in float32, so the two can differ in the last bits).
 */
export function globalNorm(grads: Iterable<tf.Tensor>): number {
  const gs = [...grads];
  if (hasSumSquares()) {
    let total = 0;
    for (const g of gs) {
      const t = tf.engine().runKernel(SUM_SQUARES, { x: g }) as tf.Tensor;
      total += t.dataSync()[0]!;
      t.dispose();
    }
    return Math.sqrt(total);
  }
  const sq = tf.tidy(() => tf.addN(gs.map((g) => tf.sum(tf.square(g))).concat([tf.scalar(0)])));
  const norm = Math.sqrt(sq.dataSync()[0]!);
  sq.dispose();
  return norm;
}

/** The factor global-norm clipping multiplies every gradient by: maxNorm/‖g‖ above maxNorm, else 1. */
export function clipScale(norm: number, maxNorm: number): number {
  return norm > maxNorm && norm > 0 ? maxNorm / norm : 1;
}

/**
 * Global-norm clipping (tf.clip_by_global_norm): if ‖g‖₂ over all tensors exceeds maxNorm, every gradient is
 * scaled by maxNorm/‖g‖. Returns new tensors (the caller disposes both maps) and the norm before clipping.
 */
export function clipByGlobalNorm(
  grads: ReadonlyMap<string, tf.Tensor>,
  maxNorm: number,
): { grads: Map<string, tf.Tensor>; norm: number } {
  const norm = globalNorm(grads.values());
  const scale = clipScale(norm, maxNorm);
  const out = new Map<string, tf.Tensor>();
  for (const [k, g] of grads) out.set(k, tf.mul(g, scale));
  return { grads: out, norm };
}
