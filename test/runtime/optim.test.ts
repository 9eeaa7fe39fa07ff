// Optimizer updates against hand computation (SGD momentum, Nesterov, coupled L2; Adam with decoupled decay),
// LR schedules, global-norm clipping, and the plain-data state round trip.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/runtime/backend/index.ts';
import { Optimizer, clipByGlobalNorm, lrFactor, type OptimizerConfig } from '../../src/runtime/optim.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

function run(config: OptimizerConfig, steps: number, grad = 0.5, w0 = 1): { w: number; opt: Optimizer; v: tf.Variable } {
  const v = tf.variable(tf.scalar(w0), true, `opt-${Math.random()}`);
  const opt = new Optimizer();
  for (let i = 0; i < steps; i++) {
    const g = tf.scalar(grad);
    opt.apply([{ name: 'w', variable: v, grad: g, config }], 1);
    g.dispose();
  }
  return { w: v.dataSync()[0]!, opt, v };
}

describe('SGD', () => {
  const sgd = (nesterov: boolean): OptimizerConfig => ({ kind: 'sgd', lr: 0.1, momentum: 0.9, nesterov, weightDecay: 0.1 });
  it('momentum with coupled L2 decay', () => {
    // step 1: d = 0.5 + 0.1·1 = 0.6; buf = 0.6; w = 1 − 0.06 = 0.94
    expect(run(sgd(false), 1).w).toBeCloseTo(0.94, 6);
    // step 2: d = 0.5 + 0.094 = 0.594; buf = 0.54 + 0.594 = 1.134; w = 0.94 − 0.1134 = 0.8266
    expect(run(sgd(false), 2).w).toBeCloseTo(0.8266, 6);
  });
  it('nesterov', () => {
    // step 1: d = 0.6, buf = 0.6, update = d + 0.9·buf = 1.14; w = 1 − 0.114 = 0.886
    expect(run(sgd(true), 1).w).toBeCloseTo(0.886, 6);
  });
});

describe('Adam', () => {
  it('bias-corrected step and decoupled decay', () => {
    // m = 0.05, v = 0.00025; m̂ = 0.5, v̂ = 0.25; step = 0.1·0.5/0.5 = 0.1 → 0.9; decay 0.1·0.01·1 → 0.899
    const c: OptimizerConfig = { kind: 'adam', lr: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01 };
    expect(run(c, 1).w).toBeCloseTo(0.899, 6);
  });
});

describe('state', () => {
  it('round-trips as plain data and continues identically', () => {
    const c: OptimizerConfig = { kind: 'sgd', lr: 0.1, momentum: 0.9, nesterov: false, weightDecay: 0 };
    const a = run(c, 2);
    const st = a.opt.getState();
    expect(st.step).toBe(2);
    expect(st.slots['momentum']!['w']).toBeInstanceOf(Float32Array);
    const b = new Optimizer();
    b.setState(st, new Map([['w', []]]));
    const g = tf.scalar(0.5);
    a.opt.apply([{ name: 'w', variable: a.v, grad: g, config: c }], 1);
    const v2 = tf.variable(tf.scalar(a.w), true, `opt-b-${Math.random()}`);
    // b continues from a's state before a's third step: same start value as a had.
    v2.assign(tf.scalar(run(c, 2).w));
    b.apply([{ name: 'w', variable: v2, grad: g, config: c }], 1);
    expect(v2.dataSync()[0]).toBeCloseTo(a.v.dataSync()[0]!, 6);
  });
});

describe('LR schedules', () => {
  it('step milestones in epochs', () => {
    const s = { kind: 'step' as const, milestones: [2, 3], unit: 'epoch' as const, factor: 0.1 };
    expect(lrFactor(s, 19, 10, 100, 0.1)).toBe(1);
    expect(lrFactor(s, 20, 10, 100, 0.1)).toBeCloseTo(0.1, 12);
    expect(lrFactor(s, 30, 10, 100, 0.1)).toBeCloseTo(0.01, 12);
  });
  it('cosine with warm-up', () => {
    const s = { kind: 'cosine' as const, warmupSteps: 10, minLr: 0.01 };
    expect(lrFactor(s, 0, 5, 110, 0.1)).toBeCloseTo(0.1, 12); // (0+1)/10
    expect(lrFactor(s, 10, 5, 110, 0.1)).toBeCloseTo(1, 12);
    expect(lrFactor(s, 60, 5, 110, 0.1)).toBeCloseTo(0.1 + 0.9 * 0.5, 12); // halfway: floor + (1−floor)/2
    expect(lrFactor(s, 110, 5, 110, 0.1)).toBeCloseTo(0.1, 12); // ends at minLr/base
  });
});

describe('clipByGlobalNorm', () => {
  it('scales every gradient by maxNorm/‖g‖ when above', () => {
    const grads = new Map([['a', tf.tensor1d([3, 0])], ['b', tf.tensor1d([4])]]);
    const { grads: c, norm } = clipByGlobalNorm(grads, 1);
    expect(norm).toBeCloseTo(5, 6);
    expect(Array.from(c.get('a')!.dataSync())).toEqual([expect.closeTo(0.6, 6), 0]);
    expect(c.get('b')!.dataSync()[0]).toBeCloseTo(0.8, 6);
  });
});
