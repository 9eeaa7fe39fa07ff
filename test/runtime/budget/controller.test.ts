// The budget controller (src/runtime/budget.ts) on a small synthetic problem: a run with a MACs target and one with
// a params target end with the deterministic architecture 1[s > 0] within the tolerance, deterministically; metrics
// lines carry the target, λ and the gap; a run too short to get there says NOT MET and by how much; and a resumed
// run continues the controller exactly. A plant model with dead time (logits that travel from s0 to 0 before the
// judged cost moves, a group's logits close together) checks that the loop neither winds up nor undershoots.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/runtime/backend/index.ts';
import { BUDGET_CONTROLLER, BudgetController, describeOutcome, protectedIndices } from '../../../src/runtime/budget.ts';
import { buildCostModel } from '../../../src/runtime/macs.ts';
import { assignData } from '../../../src/runtime/tensor-utils.ts';
import { costPerStructure } from '../../../src/semantic/budget.ts';
import { resolveMaskLr } from '../../../src/semantic/defaults.ts';
import { openDataset, type Dataset } from '../../../src/runtime/data/index.ts';
import { IrModule } from '../../../src/runtime/module.ts';
import { Trainer, train } from '../../../src/runtime/train/trainer.ts';
import { plainCnnIr, testSparsify, testTrain } from '../../../src/runtime/testing/ir-fixtures.ts';
import type { BudgetTarget, IrNetwork } from '../../../src/semantic/ir.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

function data(ir: IrNetwork): Dataset {
  return openDataset({ kind: 'synthetic', path: null }, { input: ir.input, classes: ir.outputs, seed: 3, synthetic: { train: 256, test: 64, valid: 64 } });
}
const quiet = { log: () => {}, isTTY: false } as const;

function net(budget: BudgetTarget, steps: number): IrNetwork {
  // archc's defaults where they matter: s0 0.5, mask lr auto, β to 10, with a wider net so 2 points are resolvable.
  const sparsify = testSparsify({ init: 0.5, maskOptimizer: { kind: 'sgd', lr: 'auto', momentum: 0.9, nesterov: false }, scheduler: { kind: 'structurewise', gamma: null, betaFinal: 10, p: 0.7, beta0: 1, betaMax: 100, every: 1 } });
  const ir = plainCnnIr({ c1: 16, c2: 24, hidden: 16, sparsify, train: testTrain({ steps, batch: 16 }) });
  return { ...ir, budget };
}

async function run(ir: IrNetwork, seed = 1, log: (l: string) => void = () => {}) {
  const module = new IrModule(ir, { seed });
  try {
    const r = await train({ ir, module, dataset: data(ir), seed, outDir: null, ...quiet, log, logEvery: 20, evalLimit: 32, bnRecalibration: 0 });
    return r;
  } finally {
    module.dispose();
  }
}

describe('budget controller', () => {
  it('steers a MACs target: the kept network ends within the tolerance, the same every time', async () => {
    const ir = net({ metric: 'macs', fraction: 0.5, tolerance: 0.02, written: '50%' }, 120);
    const a = await run(ir);
    const f = a.final;
    expect(Math.abs(f.archMacs / f.denseMacs - 0.5)).toBeLessThanOrEqual(0.02);
    expect(f.budget).toMatchObject({ metric: 'macs', target: 0.5, tolerance: 0.02, met: true });
    expect(Math.abs(f.budget!.gap - (f.archMacs / f.denseMacs - 0.5))).toBeLessThan(1e-9);
    // Every line logs the target, λ and the gap; λ moved.
    expect(a.history.every((l) => l.budget !== undefined && Number.isFinite(l.budget.lambda))).toBe(true);
    expect(a.history.some((l) => l.budget!.lambda !== 0)).toBe(true);
    const b = await run(ir);
    expect(b.final.kept).toEqual(f.kept);
    expect(b.final.budget).toEqual(f.budget);
  }, 120_000);

  it('steers a params target with the params-weighted penalty', async () => {
    const ir = net({ metric: 'params', fraction: 0.6, tolerance: 0.02, written: '60%' }, 120);
    const f = (await run(ir)).final;
    expect(Math.abs(f.archParams / f.denseParams - 0.6)).toBeLessThanOrEqual(0.02);
    expect(f.budget?.met).toBe(true);
  }, 120_000);

  it('a run too short to reach its target says NOT MET and by how much', async () => {
    const ir = net({ metric: 'macs', fraction: 0.2, tolerance: 0.02, written: '20%' }, 3);
    const lines: string[] = [];
    const f = (await run(ir, 1, (l) => lines.push(l))).final;
    expect(f.budget?.met).toBe(false);
    expect(f.budget!.gap).toBeGreaterThan(0.02);
    const pts = (100 * f.budget!.gap).toFixed(1);
    expect(lines.join('\n')).toContain(`NOT MET, ${pts} points above the target`);
    expect(describeOutcome({ metric: 'macs', target: 0.2, final: 0.2 + f.budget!.gap, gap: f.budget!.gap, tolerance: 0.02, met: false })).toMatch(/NOT MET/);
  }, 60_000);

  it('resumes the controller exactly from the trainer state', async () => {
    const ir = net({ metric: 'macs', fraction: 0.5, tolerance: 0.02, written: '50%' }, 40);
    const whole = await run(ir);
    const m1 = new IrModule(ir, { seed: 1 });
    const t1 = new Trainer({ ir, module: m1, dataset: data(ir), seed: 1, outDir: null, ...quiet, logEvery: 20, evalLimit: 32, bnRecalibration: 0 });
    for (let i = 0; i < 17; i++) t1.trainStep();
    const state = t1.getState();
    expect(state.budget?.lambda).toBeTypeOf('number');
    t1.dispose();
    m1.dispose();
    const m2 = new IrModule(ir, { seed: 1 });
    const t2 = new Trainer({ ir, module: m2, dataset: data(ir), seed: 1, outDir: null, ...quiet, logEvery: 20, evalLimit: 32, bnRecalibration: 0, state });
    const resumed = await t2.run();
    t2.dispose();
    m2.dispose();
    expect(resumed.final.kept).toEqual(whole.final.kept);
    expect(resumed.final.budget).toEqual(whole.final.budget);
  }, 120_000);
});

/**
 * A plant with dead time, no training: mask logits under momentum SGD (the mask lr `auto`, μ 0.9, β rising to 10) pushed
 * down by the controller's penalty λ·w_g·β and up by a fixed task push per structure. The push is written as the
 * drive (the controller's normalised output) that holds the structure still, spread ±40% around a per-group value, so
 * a structure is pruned when the drive exceeds its holding drive, after its logit has travelled from s0 = 0.5 to 0:
 * the judged cost stays at 100% for the first part of the ramp, and a group's logits approach 0 close together.
 * Returns the judged cost 1[s > 0] after every step; decide() is not called.
 */
function plantRun(target: number, steps: number, opts: { zeroSum?: boolean; floor?: number } = {}): { trajectory: number[]; controller: BudgetController; kept: number[]; widths: number[]; dispose: () => void } {
  const sparsify = testSparsify({ init: 0.5, maskOptimizer: { kind: 'sgd', lr: 'auto', momentum: 0.9, nesterov: false } });
  const base = plainCnnIr({ c1: 64, c2: 64, hidden: 32, sparsify, train: testTrain({ steps, batch: 16 }) });
  const ir: IrNetwork = { ...base, budget: { metric: 'macs', fraction: target, tolerance: 0.02, written: `${100 * target}%` } };
  const module = new IrModule(ir, { seed: 1 });
  const model = buildCostModel(ir);
  const controller = new BudgetController(ir, ir.budget!, module.masks, model, steps, opts.floor);
  const lr = resolveMaskLr('auto', steps);
  const mu = 0.9;
  const per = costPerStructure(ir, model.macs);
  const groups = module.masks.groups;
  const w = groups.map((g) => (per.get(g.group.id) ?? 0) / model.denseMacs);
  const G = groups.reduce((a, g, k) => a + w[k]! * w[k]! * g.width, 0);
  // Drive → penalty gradient per unit β (the controller's normalisation, README "Budget targets").
  const unit = (G * lr * steps) / (1 - mu);
  // zeroSum: the task push only redistributes within a group (Σ_j push = 0), as for a group followed by BatchNorm.
  const pattern = (g: { width: number }, j: number) => (((j * 7) % g.width) + 0.5) / g.width;
  const hold = groups.map((g, k) => Float32Array.from({ length: g.width }, (_, j) => (opts.zeroSum ? 0.2 * (pattern(g, j) - 0.5) : (0.6 + 0.5 * k) * (0.6 + 0.8 * pattern(g, j)))));
  const velocity = groups.map((g) => new Float32Array(g.width));
  const trajectory: number[] = [];
  for (let step = 1; step <= steps; step++) {
    groups.forEach((g, k) => {
      const s = Float32Array.from(g.logits());
      const coef = controller.coefficient(g);
      for (let j = 0; j < s.length; j++) {
        const grad = g.betaState.beta[j]! * coef[j]! - (hold[k]![j]! * w[k]!) / unit;
        velocity[k]![j] = mu * velocity[k]![j]! + grad;
        s[j] = s[j]! - lr * velocity[k]![j]!;
      }
      assignData(g.s, s);
      g.betaState.beta.fill(1 + (9 * step) / steps);
    });
    controller.update(step, lr, 1, mu);
    trajectory.push(controller.measure());
  }
  const kept = groups.map((g) => g.deterministic().reduce((a, b) => a + b, 0));
  return { trajectory, controller, kept, widths: groups.map((g) => g.width), dispose: () => module.dispose() };
}

describe('budget controller on a plant with dead time', () => {
  for (const target of [0.25, 0.5, 0.75]) {
    it(`${100 * target}%: no windup (never more than 5 points below the target) and ends within ±2 points without the end correction`, () => {
      const steps = 300;
      // The loop dynamics alone (floor 0): the floor is tested on its own below.
      const { trajectory, controller, dispose } = plantRun(target, steps, { floor: 0 });
      try {
        // The dead time is real: the judged cost has not moved a tenth of the way into the ramp.
        expect(trajectory[Math.floor(0.1 * BUDGET_CONTROLLER.rampEnd * steps)]).toBe(1);
        const lowest = Math.min(...trajectory);
        expect(lowest).toBeGreaterThanOrEqual(target - 0.05);
        const end = trajectory[steps - 1]!;
        expect(Math.abs(end - target)).toBeLessThanOrEqual(0.02);
        // decide() has nothing to do: the controller reached the target itself.
        expect(controller.decide()).toMatchObject({ off: 0, on: 0 });
      } finally {
        dispose();
      }
    }, 60_000);
  }
});

describe('budget controller on groups whose task gradient cannot resist a uniform shrink', () => {
  // Every group's task push sums to zero (a group followed by BatchNorm: scaling its masks together does not change
  // the loss), so only the penalty decides how far each group shrinks. Without a floor the push stays on until a
  // group is nearly empty (fashion-resnet's residual streams at a 30% target: 1 of 16, 2 of 32 channels); with the
  // default floor the top quarter of every group (largest s) carries no penalty and stays.
  const steps = 300;
  const target = 0.1;
  it('without a floor a group is pushed below a quarter of its width', () => {
    const r = plantRun(target, steps, { zeroSum: true, floor: 0 });
    try {
      expect(Math.min(...r.kept.map((k, i) => k / r.widths[i]!))).toBeLessThan(0.25);
    } finally {
      r.dispose();
    }
  }, 60_000);
  it('with the default floor every group keeps a quarter of its width and the target is met', () => {
    expect(BUDGET_CONTROLLER.floor).toBe(0.25);
    const r = plantRun(target, steps, { zeroSum: true });
    try {
      r.kept.forEach((k, i) => expect(k).toBeGreaterThanOrEqual(Math.ceil(0.25 * r.widths[i]!)));
      expect(Math.abs(r.trajectory[steps - 1]! - target)).toBeLessThanOrEqual(0.02);
      expect(r.controller.decide()).toMatchObject({ off: 0 });
    } finally {
      r.dispose();
    }
  }, 60_000);
  it('the floor is the largest logits, ties to the lower index; the coefficient is 0 there and λ·w elsewhere', () => {
    expect(protectedIndices([0.1, 0.5, -0.2, 0.5, 0.3, 0, 0.2, 0.4], 0.25).sort()).toEqual([1, 3]);
    expect(protectedIndices([1, 1, 1], 0.25)).toEqual([0]);
    expect(protectedIndices([1, 2, 3], 0)).toEqual([]);
  });
});
