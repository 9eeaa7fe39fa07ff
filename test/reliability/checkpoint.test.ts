// The checkpoint file: a real trainer state round-trips bit-exactly (typed arrays, NaN in metrics), a crash
// between writing and renaming leaves the previous checkpoint usable, and damage is detected with a clear error.

import { existsSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/runtime/backend/index.ts';
import { openDataset } from '../../src/runtime/data/index.ts';
import { IrModule } from '../../src/runtime/module.ts';
import { CheckpointError, readCheckpoint, specHash, writeCheckpoint, type Checkpoint } from '../../src/runtime/train/checkpoint.ts';
import { Trainer, type TrainerState } from '../../src/runtime/train/trainer.ts';
import { lstmLmIr, plainCnnIr, testTrain } from '../../src/runtime/testing/ir-fixtures.ts';
import { tempDir } from './helpers.ts';

let state: TrainerState;
const ir = plainCnnIr({ train: testTrain({ steps: 6 }) });

beforeAll(async () => {
  await initBackend('cpu');
  const module = new IrModule(ir, { seed: 2 });
  const ds = openDataset({ kind: 'synthetic', path: null }, { input: ir.input, classes: ir.outputs, seed: 3, synthetic: { train: 32, test: 16, valid: 16 } });
  const t = new Trainer({ ir, module, dataset: ds, seed: 2, outDir: null, log: () => {}, isTTY: false, evalLimit: 8 });
  for (let i = 0; i < 3; i++) t.trainStep();
  await t.writeMetrics();
  t.trainStep();
  state = t.getState();
  t.dispose();
  module.dispose();
});

function ckpt(step: number): Checkpoint {
  const s = { ...state, step };
  return { meta: { specHash: specHash(ir), specName: ir.name, seed: 2, step, epoch: 0.5, plannedSteps: 6, run: { seed: 2, steps: 6 }, createdAt: 'now' }, state: s };
}

describe('checkpoint file', () => {
  it('round-trips the whole trainer state exactly, including typed arrays and non-finite metrics', () => {
    const dir = tempDir();
    const p = join(dir, 'c.archckpt');
    const withNaN = ckpt(4);
    withNaN.state = { ...withNaN.state, history: [{ ...withNaN.state.history[0]!, trainAccuracy: NaN, evalLoss: Infinity }] };
    writeCheckpoint(p, withNaN);
    const back = readCheckpoint(p);
    expect(back.meta).toEqual(withNaN.meta);
    expect(back.state).toEqual(withNaN.state);
    const w = Object.keys(state.weights)[0]!;
    expect(back.state.weights[w]!.data).toBeInstanceOf(Float32Array);
    expect(Array.from(back.state.weights[w]!.data)).toEqual(Array.from(state.weights[w]!.data));
    const g = Object.keys(state.masks.groups)[0]!;
    expect(back.state.masks.groups[g]!.counts).toBeInstanceOf(Float64Array);
    expect(back.state.history[0]!.trainAccuracy).toBeNaN();
    expect(back.state.interval).toEqual(state.interval);
    expect(readdirSync(dir)).toEqual(['c.archckpt']); // no temp files left
  });

  it('a crash after writing the temp file but before the rename leaves the previous checkpoint usable', () => {
    const dir = tempDir();
    const p = join(dir, 'c.archckpt');
    writeCheckpoint(p, ckpt(3));
    expect(() =>
      writeCheckpoint(p, ckpt(6), {
        beforeRename: (tmp) => {
          // A torn write: the temp file is garbled and truncated, then the process "dies".
          writeFileSync(tmp, readFileSync(tmp).subarray(0, 100));
          throw new Error('simulated crash');
        },
      }),
    ).toThrow('simulated crash');
    expect(readCheckpoint(p).meta.step).toBe(3);
    expect(readdirSync(dir)).toEqual(['c.archckpt']);
  });

  it('detects truncation, a flipped byte, and foreign files, naming the file', () => {
    const dir = tempDir();
    const p = join(dir, 'c.archckpt');
    writeCheckpoint(p, ckpt(3));
    const good = readFileSync(p);

    const flipped = Buffer.from(good);
    flipped[flipped.length - 5]! ^= 0x40;
    writeFileSync(p, flipped);
    expect(() => readCheckpoint(p)).toThrow(CheckpointError);
    expect(() => readCheckpoint(p)).toThrow(`${p}: checksum mismatch: the checkpoint is corrupt`);

    writeFileSync(p, good);
    truncateSync(p, good.length - 10);
    expect(() => readCheckpoint(p)).toThrow(/truncated or corrupt: expected \d+ bytes, found \d+/);

    writeFileSync(p, '{"not": "a checkpoint"}');
    expect(() => readCheckpoint(p)).toThrow(/not an archc checkpoint/);
    expect(() => readCheckpoint(join(dir, 'missing'))).toThrow(/no checkpoint here/);
    expect(existsSync(p)).toBe(true);
  });

  it('hashes the spec by what it computes, not where it came from', () => {
    const moved = { ...ir, file: 'elsewhere.arch', nodes: ir.nodes.map((n) => ({ ...n, span: { start: 5, end: 9 } })) };
    expect(specHash(moved)).toBe(specHash(ir));
    expect(specHash({ ...ir, train: { ...ir.train, batch: ir.train.batch + 1 } })).not.toBe(specHash(ir));
  });

  it('an LSTM LM resumed from a checkpoint file mid-epoch continues bit-exactly (the carried h, c included)', () => {
    const lm = lstmLmIr({ train: testTrain({ batch: 4, steps: 6 }) });
    const ds = openDataset({ kind: 'synthetic', path: null }, { input: lm.input, seed: 3, synthetic: { train: 2000, valid: 200, test: 200 } });
    const make = () => new IrModule(lm, { seed: 4 });
    const quiet = { log: () => {}, isTTY: false, outDir: null, seed: 4, ir: lm, dataset: ds } as const;
    const fullM = make();
    const full = new Trainer({ ...quiet, module: fullM });
    const losses: number[] = [];
    for (let i = 0; i < 6; i++) losses.push(full.trainStep().loss);

    const aM = make();
    const a = new Trainer({ ...quiet, module: aM });
    for (let i = 0; i < 3; i++) a.trainStep();
    expect(Object.keys(a.getState().carry ?? {})).not.toHaveLength(0);
    const p = join(tempDir(), 'lm.archckpt');
    writeCheckpoint(p, { meta: { ...ckpt(3).meta, specHash: specHash(lm) }, state: a.getState() });
    const bM = make();
    const b = new Trainer({ ...quiet, module: bM, state: readCheckpoint(p).state });
    const resumed: number[] = [];
    for (let i = 0; i < 3; i++) resumed.push(b.trainStep().loss);
    expect(resumed).toEqual(losses.slice(3));
    expect(bM.getWeights()).toEqual(fullM.getWeights());
    for (const [t, m] of [[full, fullM], [a, aM], [b, bM]] as const) {
      t.dispose();
      m.dispose();
    }
  });
});
