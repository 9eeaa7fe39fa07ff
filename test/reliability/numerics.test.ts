// NaN/Inf guards: an absurd learning rate stops the run with an error naming the step, the layer, and the last
// good checkpoint (which must itself be finite); an injected NaN in one variable is traced to that layer.

import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/cli/io.ts';
import { controlledTraining } from '../../src/train/run-control.ts';
import { initBackend } from '../../src/runtime/backend/index.ts';
import { IrModule } from '../../src/runtime/module.ts';
import { readCheckpoint, CHECKPOINT_FILE } from '../../src/runtime/train/checkpoint.ts';
import { checkStep, firstNonFiniteVariable, NumericsError } from '../../src/runtime/train/numerics.ts';
import { runTraining } from '../../src/runtime/train/run-training.ts';
import { plainCnnIr, testTrain } from '../../src/runtime/testing/ir-fixtures.ts';
import { tempDir } from './helpers.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('numerics guard', () => {
  it('lr 1e30 stops the run: names the step, the first bad layer and the last good checkpoint', async () => {
    const ir = plainCnnIr({ train: testTrain({ steps: 10, optimizer: { kind: 'sgd', lr: 1e30, momentum: 0.9, nesterov: false, weightDecay: 0 } }) });
    const out = join(tempDir(), 'run');
    const err = await controlledTraining(
      { ir, specPath: join(out, '..', 'x.arch'), outDir: out, run: { seed: 1 }, checkpointEvery: 1, log: () => {}, signals: null },
      (hooks) => runTraining({ ir, data: 'synthetic', overrides: { synthetic: { train: 32, test: 16, valid: 16 }, evalLimit: 8 }, outDir: out, backend: 'cpu', log: () => {}, ...hooks }),
    ).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserError);
    const msg = (err as Error).message;
    const m = msg.match(/^non-finite values at step (\d+): .*first in layer '([^']+)' \(variable ([^)]+)\)\. Last good checkpoint: (\S+)\./);
    expect(m, msg).not.toBeNull();
    expect(m![2], 'the weights, not the mask logits they poison').not.toMatch(/^masks\//);
    const ckpt = readCheckpoint(join(out, CHECKPOINT_FILE));
    expect(m![4]).toBe(join(out, CHECKPOINT_FILE));
    expect(ckpt.meta.step).toBe(Number(m![1]) - 1);
    for (const w of Object.values(ckpt.state.weights)) expect(w.data.every(Number.isFinite)).toBe(true);
  });

  it('traces an injected NaN to its variable, and a finite model passes', () => {
    const ir = plainCnnIr();
    const module = new IrModule(ir, { seed: 1 });
    expect(firstNonFiniteVariable(module)).toBeNull();
    const vars = module.variables();
    const target = vars[Math.floor(vars.length / 2)]!;
    const data = target.variable.dataSync().slice() as Float32Array;
    data[data.length - 1] = NaN;
    target.variable.assign(tf.tensor(data, target.variable.shape));
    expect(firstNonFiniteVariable(module)).toBe(target.name);
    const info = { step: 7, epoch: 0, loss: 1, taskLoss: 1, lambdaTerm: 0, lastOfEpoch: false };
    expect(() => checkStep(info, module, 'runs/x/checkpoint.archckpt')).toThrow(NumericsError);
    expect(() => checkStep(info, module, null)).toThrow(/at step 7: the loss was finite but the weights are not; first in layer '.*'.*Last good checkpoint: none written yet/);
    // With weight checks every 5 steps, step 7 with a finite loss is not checked; a NaN loss always is.
    expect(() => checkStep(info, module, null, { weightsEvery: 5 })).not.toThrow();
    expect(() => checkStep({ ...info, loss: NaN }, module, null, { weightsEvery: 5 })).toThrow(/the loss is NaN/);
    module.dispose();
  });
});
