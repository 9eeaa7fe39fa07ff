// BN recalibration: moving statistics become the plain mean of batch statistics over in-order train batches, and
// the saved statistics restore exactly.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/runtime/backend/index.ts';
import { evalBatches, openDataset } from '../../../src/runtime/data/index.ts';
import { IrModule } from '../../../src/runtime/module.ts';
import { recalibrateBatchNorm, restoreBatchNorm } from '../../../src/runtime/train/evaluate.ts';
import { IrBuilder } from '../../../src/runtime/testing/ir-fixtures.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('recalibrateBatchNorm', () => {
  it('sets moving stats to the mean over calibration batches under 1[s>0], and restores', async () => {
    const b = new IrBuilder();
    const g = b.group('g0:c', 3, 'channels');
    const x0 = b.input({ kind: 'image', height: 4, width: 4, channels: 1 });
    b.bn('bn', b.conv('conv', x0, { filters: 3 }, g), g);
    const ir = b.build('convbn', 'classification', 3);
    const ds = openDataset({ kind: 'synthetic', path: null }, { input: ir.input, classes: 3, seed: 1, synthetic: { train: 20, test: 8 } });
    const m = new IrModule(ir, { seed: 1 });
    const conv = m.variables().find((v) => v.name === 'conv/kernel')!.variable;
    // Expected: mean over the two first batches (of 8) of the per-channel batch mean of the conv output.
    if (ds.kind !== 'image') throw new Error('synthetic image data expected');
    const batches = [...evalBatches(ds.train, 8, ds.norm)].slice(0, 2);
    const means = batches.map((bt) => tf.tidy(() => tf.mean(tf.conv2d(tf.tensor4d(bt.x, bt.shape), conv as tf.Tensor4D, 1, 'same'), [0, 1, 2]).arraySync() as number[]));
    const expected = [0, 1, 2].map((c) => (means[0]![c]! + means[1]![c]!) / 2);
    const before = m.getWeights()['bn/movingMean']!.data;
    const saved = await recalibrateBatchNorm(m, ds, { batches: 2, batch: 8 });
    const after = Array.from(m.getWeights()['bn/movingMean']!.data);
    after.forEach((v, c) => expect(v).toBeCloseTo(expected[c]!, 5));
    restoreBatchNorm(m, saved);
    expect(m.getWeights()['bn/movingMean']!.data).toEqual(before);
    expect(m.bnLayers[0]!.momentumOverride).toBeNull();
    m.dispose();
  });
});
