// The budget controller (src/runtime/budget.ts) on a small synthetic problem: a run with a MACs target and one with
// a params target end with the deterministic architecture 1[s > 0] within the tolerance, deterministically; metrics
// lines carry the target, λ and the gap; a run too short to get there says NOT MET and by how much; and a resumed
// run continues the controller exactly.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/runtime/backend/index.ts';
import { describeOutcome } from '../../../src/runtime/budget.ts';
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
