// Weights out and back in: the compacted network saved as tfjs layers files (model.json + weights.bin) loads with
// tf.loadLayersModel through an in-memory IO handler, and its predictions equal the compacted IrModule's (≤ 1e-4)
// for a CNN, a residual net with projections, a depthwise net and a stacked LSTM. Reading the weights back for a
// spec names the layer and both shapes when they do not match.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compact } from '../../src/compaction/compact.ts';
import { loadTfjsWeights, readTfjsArtifacts, saveTfjsModel } from '../../src/compaction/tfjs-format.ts';
import { initBackend } from '../../src/runtime/backend/index.ts';
import { SPECS, compileSpec, evalOutputs, inputFor, maxAbsDiff, randomWeights } from './helpers.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

const FAMILIES = ['cnn', 'projection', 'depthwise', 'lstm', 'identity'] as const;

describe('tfjs layers export', () => {
  for (const family of FAMILIES) {
    it(`${family}: tf.loadLayersModel loads the files and predicts what the compacted network computes`, async () => {
      const ir = compileSpec(SPECS[family]);
      const c = compact(ir, randomWeights(ir, 21));
      const dir = mkdtempSync(join(tmpdir(), `archc-tfjs-${family}-`));
      await saveTfjsModel(dir, c.compacted.ir, c.weights);
      const model = await tf.loadLayersModel(tf.io.fromMemory(await readTfjsArtifacts(dir)));
      const x = inputFor(ir, 2, 3);
      const ours = evalOutputs(c.compacted.ir, c.weights, x);
      const theirs = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync() as Float32Array);
      expect(maxAbsDiff(ours, theirs)).toBeLessThanOrEqual(1e-4);
      model.dispose();
      x.dispose();
      // And back: the spec's weights by logical name, identical to what was saved.
      const back = await loadTfjsWeights(dir, c.compacted.ir);
      for (const [name, t] of Object.entries(back)) expect(Array.from(t.data)).toEqual(Array.from(c.weights[name]!.data));
    });
  }

  it('labels that start with an underscore (`__proto__:`, `_x:`) export, load and read back (found by the valid-spec fuzzer)', async () => {
    // tfjs names must start with a letter or digit: before, the export threw "Not a valid tensor name:
    // '__proto__.conv1/kernel'" after training. Such a layer's tfjs name gets the prefix `0-`, which no path has.
    const ir = compileSpec(`network _under {
  input image(8, 8, 2)
  train { data synthetic  steps 1  batch 4 }
  block cbr(w) { maskable conv(w, kernel 3)  bn  relu }
  layers {
    __proto__: cbr(6)
    _x: maskable conv(5, kernel 3)
    constructor: { _y: bn  relu }
    gap
    _head: dense(10)
  }
}
`);
    const c = compact(ir, randomWeights(ir, 24));
    const dir = mkdtempSync(join(tmpdir(), 'archc-tfjs-underscore-'));
    await saveTfjsModel(dir, c.compacted.ir, c.weights);
    const art = await readTfjsArtifacts(dir);
    expect((art.weightSpecs ?? []).map((w) => w.name)).toEqual(expect.arrayContaining(['0-__proto__.conv1/kernel', '0-_x/kernel', 'constructor._y/gamma', '0-_head/kernel']));
    const model = await tf.loadLayersModel(tf.io.fromMemory(art));
    const x = inputFor(ir, 2, 5);
    const ours = evalOutputs(c.compacted.ir, c.weights, x);
    const theirs = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync() as Float32Array);
    expect(maxAbsDiff(ours, theirs)).toBeLessThanOrEqual(1e-4);
    model.dispose();
    x.dispose();
    const back = await loadTfjsWeights(dir, c.compacted.ir);
    expect(Object.keys(back).sort()).toEqual(Object.keys(c.weights).filter((k) => !k.startsWith('masks/')).sort());
    for (const [name, t] of Object.entries(back)) expect(Array.from(t.data), name).toEqual(Array.from(c.weights[name]!.data));
  });

  it('a projection block kept with a zeroed branch needs no gate in the exported model', async () => {
    const ir = compileSpec(SPECS.projection);
    const g = ir.groups.find((x) => x.name === 'g3:stage2.basic1.conv1')!;
    const c = compact(ir, randomWeights(ir, 23, { [g.name]: new Array<number>(g.width).fill(-1) }));
    expect(c.plan.dead.map((d) => `${d.instance}:${d.mode}`)).toEqual(['stage2.basic1:zeroed']);
    const dir = mkdtempSync(join(tmpdir(), 'archc-tfjs-zeroed-'));
    await saveTfjsModel(dir, c.compacted.ir, c.weights);
    const model = await tf.loadLayersModel(tf.io.fromMemory(await readTfjsArtifacts(dir)));
    const x = inputFor(ir, 2, 4);
    const masked = evalOutputs(ir, randomWeights(ir, 23, { [g.name]: new Array<number>(g.width).fill(-1) }), x);
    const theirs = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync() as Float32Array);
    expect(maxAbsDiff(masked, theirs)).toBeLessThanOrEqual(1e-4);
    model.dispose();
    x.dispose();
  });

  it('names the layer and both shapes when the weights belong to another width', async () => {
    const ir = compileSpec(SPECS.cnn);
    const c = compact(ir, randomWeights(ir, 22));
    const dir = mkdtempSync(join(tmpdir(), 'archc-tfjs-mismatch-'));
    await saveTfjsModel(dir, c.compacted.ir, c.weights);
    await expect(loadTfjsWeights(dir, ir)).rejects.toThrow(/layer 'conv1': 'conv1\/kernel' has shape \[3,3,2,\d\] but the spec needs \[3,3,2,8\]/);
  });
});
