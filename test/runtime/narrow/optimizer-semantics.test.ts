// What a narrow training step does to the whole state, against the full-width masked step (cpu, tiny nets):
// - weights: every trainable weight, on or off, gets the same update: the gradient of a structure that was off is
//   exactly 0 in both (it is scattered back as 0), so SGD momentum keeps carrying it and weight decay keeps
//   shrinking it, as at full width (several steps, momentum 0.9, weight decay 1e-4, 'clip' mask gradient);
// - mask logits: equal with the 'clip' gradient; with 'ste' a structure that was off gets only the λ term narrow,
//   where full width also gives it ∂L/∂m of the computed but masked output — which is 0 when a ReLU follows the
//   mask (BN → mask → ReLU: the off channel sits at the kink), so they differ only for e.g. dense(relu) units;
// - BN moving statistics: the channels that were off keep their values narrow (full width moves them).
// Also: the LSTM carry and a full-width step every K steps (fullEvery), and regrowth counted in metrics.

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/runtime/backend/index.ts';
import { openDataset, type Dataset } from '../../../src/runtime/data/index.ts';
import { IrModule } from '../../../src/runtime/module.ts';
import { Trainer, type ExecutionConfig } from '../../../src/runtime/train/trainer.ts';
import { plainCnnIr, residualIr, testSparsify, testTrain } from '../../../src/runtime/testing/ir-fixtures.ts';
import type { IrNetwork } from '../../../src/semantic/ir.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

const quiet = { log: () => {}, isTTY: false } as const;
function data(ir: IrNetwork): Dataset {
  return openDataset({ kind: 'synthetic', path: null }, { input: ir.input, classes: ir.outputs, seed: 3, synthetic: { train: 64, test: 16, valid: 16 } });
}

function trainer(ir: IrNetwork, execution: ExecutionConfig): { t: Trainer; m: IrModule } {
  const m = new IrModule(ir, { seed: 5 });
  return { t: new Trainer({ ir, module: m, dataset: data(ir), seed: 9, outDir: null, ...quiet, steps: 10, execution }), m };
}

const weights = (m: IrModule) => m.getWeights();
const NARROW: ExecutionConfig = { mode: 'narrow', fullEvery: 0 };
const FULL: ExecutionConfig = { mode: 'full', fullEvery: 0 };

function maxRelDiff(a: Float32Array, b: Float32Array): number {
  let scale = 1e-6;
  for (const x of a) scale = Math.max(scale, Math.abs(x));
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d / scale;
}

describe('narrow step state semantics', () => {
  for (const [name, make] of [['plain CNN', plainCnnIr], ['ResNet', residualIr]] as const) {
    it(`${name}, clip gradient: 4 narrow steps leave every weight, momentum-carried and decayed ones included, and every mask logit as 4 full-width steps do`, () => {
      const ir = make({ sparsify: testSparsify({ gradient: 'clip' }), train: testTrain({ steps: 10 }) });
      const n = trainer(ir, NARROW);
      const f = trainer(ir, FULL);
      let offMoved = 0;
      for (let step = 0; step < 4; step++) {
        const before = weights(n.m);
        n.t.trainStep();
        f.t.trainStep();
        const wn = weights(n.m);
        const wf = weights(f.m);
        for (const v of n.m.weightVariables()) expect(maxRelDiff(wn[v.name]!.data, wf[v.name]!.data), `${v.name} after step ${step + 1}`).toBeLessThanOrEqual(1e-5);
        for (const g of n.m.masks.groups) {
          expect(maxRelDiff(wn[g.name]!.data, wf[g.name]!.data), g.name).toBeLessThanOrEqual(1e-5);
          expect(Array.from(g.q)).toEqual(Array.from(f.m.masks.get(g.group.id)!.q));
        }
        // A BN γ of a channel that was off this step still moved (momentum and decay), as at full width.
        for (const g of n.m.masks.groups) {
          for (const path of g.group.members) {
            const gamma = `${path}/gamma`;
            if (!wn[gamma]) continue;
            g.q.forEach((q, j) => {
              if (q === 0 && wn[gamma]!.data[j] !== before[gamma]!.data[j]) offMoved++;
            });
          }
        }
      }
      expect(offMoved).toBeGreaterThan(0);
      // Moving statistics: equal on channels computed at every step, unchanged narrow where a channel was never on.
      const wn = weights(n.m);
      const wf = weights(f.m);
      let differs = 0;
      for (const [k, v] of Object.entries(wn)) if (k.endsWith('/movingMean') && maxRelDiff(v.data, wf[k]!.data) > 1e-5) differs++;
      expect(differs).toBeGreaterThan(0);
      for (const x of [n, f]) {
        x.t.dispose();
        x.m.dispose();
      }
    });
  }

  it('ste gradient: after one step weights agree; mask logits agree except on off structures whose masked output still carries a gradient', () => {
    // The CNN's masked dense(relu) multiplies the mask after its ReLU, so an off unit's ∂L/∂m is nonzero at full
    // width. Its conv groups are BN → mask → ReLU: an off channel sits at the ReLU's kink, whose gradient is 0, so
    // the full-width straight-through gradient of an off channel is 0 too and narrow execution matches it exactly.
    const ir = plainCnnIr({ train: testTrain({ steps: 10 }) });
    const n = trainer(ir, NARROW);
    const f = trainer(ir, FULL);
    n.t.trainStep();
    f.t.trainStep();
    const wn = weights(n.m);
    const wf = weights(f.m);
    for (const v of n.m.weightVariables()) expect(maxRelDiff(wn[v.name]!.data, wf[v.name]!.data), v.name).toBeLessThanOrEqual(1e-5);
    const offDiffer: string[] = [];
    for (const g of n.m.masks.groups) {
      g.q.forEach((q, j) => {
        const d = Math.abs(wn[g.name]!.data[j]! - wf[g.name]!.data[j]!);
        if (q === 1 || g.group.structure !== 'units') expect(d, `${g.name}[${j}]`).toBeLessThanOrEqual(1e-6);
        else if (d > 1e-7) offDiffer.push(`${g.name}[${j}]`);
      });
    }
    expect(offDiffer.length).toBeGreaterThan(0);
    for (const x of [n, f]) {
      x.t.dispose();
      x.m.dispose();
    }
  });

  it('fullEvery K runs every K-th step at full width and no tensors leak', () => {
    const ir = residualIr({ train: testTrain({ steps: 10 }) });
    const n = trainer(ir, { mode: 'narrow', fullEvery: 3 });
    expect([0, 1, 2, 3, 4, 5].map((i) => n.t.isNarrowStep(i))).toEqual([true, true, false, true, true, false]);
    n.t.trainStep();
    n.t.trainStep();
    n.t.trainStep();
    const count = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) n.t.trainStep();
    expect(tf.memory().numTensors).toBe(count);
    n.t.dispose();
    n.m.dispose();
  });
});
