// The training loop on synthetic data (cpu backend, tiny shapes): determinism (same seed ⇒ identical s and widths,
// another seed differs), no tensor leaks across steps, metrics.jsonl lines, and resume from plain-data state.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/runtime/backend/index.ts';
import { openDataset, type Dataset } from '../../../src/runtime/data/index.ts';
import { IrModule } from '../../../src/runtime/module.ts';
import { Trainer, train } from '../../../src/runtime/train/trainer.ts';
import { lstmLmIr, plainCnnIr, testTrain } from '../../../src/runtime/testing/ir-fixtures.ts';
import type { IrNetwork } from '../../../src/semantic/ir.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

function data(ir: IrNetwork): Dataset {
  return openDataset({ kind: 'synthetic', path: null }, { input: ir.input, classes: ir.outputs, seed: 3, synthetic: { train: 64, test: 32, valid: 300 } });
}
const quiet = { log: () => {}, isTTY: false } as const;

async function run(seed: number, steps = 6) {
  const ir = plainCnnIr({ train: testTrain({ steps }) });
  const module = new IrModule(ir, { seed });
  const r = await train({ ir, module, dataset: data(ir), seed, outDir: null, ...quiet, evalLimit: 16 });
  const s = module.masks.groups.map((g) => Array.from(g.logits()));
  module.dispose();
  return { s, kept: r.final.kept, loss: r.final.loss };
}

describe('trainer', () => {
  it('is deterministic: the same seed gives identical mask logits and widths; another seed differs', async () => {
    const a = await run(11);
    const b = await run(11);
    const c = await run(12);
    expect(b.s).toEqual(a.s);
    expect(b.kept).toEqual(a.kept);
    expect(b.loss).toBe(a.loss);
    expect(c.s).not.toEqual(a.s);
  });

  it('does not leak tensors across steps (CNN and LSTM LM)', () => {
    for (const ir of [plainCnnIr(), lstmLmIr({ train: testTrain({ batch: 4 }) })]) {
      const module = new IrModule(ir, { seed: 1 });
      const t = new Trainer({ ir, module, dataset: data(ir), seed: 1, outDir: null, ...quiet, steps: 8 });
      t.trainStep();
      t.trainStep(); // optimizer slots and the LSTM carry exist from here on
      const n = tf.memory().numTensors;
      for (let i = 0; i < 4; i++) t.trainStep();
      expect(tf.memory().numTensors).toBe(n);
      t.dispose();
      module.dispose();
    }
  });

  it('writes one complete JSON line per epoch / log interval with the documented fields', async () => {
    const ir = plainCnnIr({ train: testTrain({ steps: 6 }) });
    const dir = mkdtempSync(join(tmpdir(), 'archc-train-'));
    const module = new IrModule(ir, { seed: 1 });
    await train({ ir, module, dataset: data(ir), seed: 1, outDir: dir, ...quiet, logEvery: 3, evalLimit: 16 });
    const lines = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.step)).toEqual([3, 6]);
    const l = lines[1];
    for (const k of ['step', 'epoch', 'loss', 'taskLoss', 'lambdaTerm', 'trainAccuracy', 'evalAccuracy', 'beta', 'kept', 'sampledMacs', 'expectedMacs', 'sampledMacsTotal', 'expectedMacsTotal', 'denseMacsTotal', 'archParams', 'archMacs', 'lr', 'wallTime']) {
      expect(l).toHaveProperty(k);
    }
    expect(Object.keys(l.beta)).toEqual(['g0:block1', 'g1:block2', 'g2:fc', 'all']);
    expect(l.denseMacsTotal).toBe(ir.macs * 8 * 6);
    module.dispose();
  });

  it('resumes from getState() exactly where an uninterrupted run would be', async () => {
    const ir = plainCnnIr({ train: testTrain({ steps: 6 }) });
    const ds = data(ir);
    const full = new IrModule(ir, { seed: 5 });
    const tFull = new Trainer({ ir, module: full, dataset: ds, seed: 5, outDir: null, ...quiet });
    for (let i = 0; i < 6; i++) tFull.trainStep();

    const first = new IrModule(ir, { seed: 5 });
    const t1 = new Trainer({ ir, module: first, dataset: ds, seed: 5, outDir: null, ...quiet });
    for (let i = 0; i < 3; i++) t1.trainStep();
    const state = structuredClone(t1.getState());
    const second = new IrModule(ir, { seed: 99 }); // different init: everything must come from the state
    const t2 = new Trainer({ ir, module: second, dataset: ds, seed: 5, outDir: null, ...quiet, state });
    for (let i = 0; i < 3; i++) t2.trainStep();
    expect(second.getWeights()).toEqual(full.getWeights());
    for (const m of [full, first, second]) m.dispose();
    for (const t of [tFull, t1, t2]) t.dispose();
  });
});

describe('runTraining', () => {
  it('inits the backend, opens synthetic data, trains, evaluates and returns kept widths', async () => {
    const { runTraining } = await import('../../../src/runtime/index.ts');
    const ir = lstmLmIr({ train: testTrain({ steps: 4, batch: 4 }) });
    const lines: string[] = [];
    const r = await runTraining({ ir, data: 'synthetic', overrides: { synthetic: { train: 400, valid: 200, test: 200 } }, outDir: null, backend: 'cpu', log: (l) => lines.push(l) });
    expect(r.backend.name).toBe('cpu');
    expect(Object.keys(r.keptWidths)).toEqual(['g0:lstm1']);
    expect(r.finalMetrics.evalPerplexity).toBeGreaterThan(1);
    expect(r.state.step).toBe(4);
    expect(lines[0]).toMatch(/^backend: cpu/);
  });
});
