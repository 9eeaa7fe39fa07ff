// The `gru` kind end to end (issue 13): params 3h(in + h + 1) and MACs T·3h(in + h) counted; two training steps move
// every weight; a masked GRU equals the sliced narrower GRU that compaction builds (all three gate blocks and the next
// layer's input rows sliced), and its pruned .arch re-checks; the tfjs-layers export (`tf.layers.gru`) loads and
// predicts what the compacted network computes, and reads back weight for weight.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { emitChecked } from '../../src/compaction/compact-and-write.ts';
import { compact } from '../../src/compaction/compact.ts';
import { loadTfjsWeights, readTfjsArtifacts, saveTfjsModel } from '../../src/compaction/tfjs-format.ts';
import { initBackend } from '../../src/runtime/backend/index.ts';
import { IrModule, makeContext } from '../../src/runtime/module.ts';
import { Rng } from '../../src/runtime/rng.ts';
import { taskLoss } from '../../src/runtime/train/loss.ts';
import { compileText } from '../../src/semantic/compile.ts';
import { compileSpec, evalOutputs, inputFor, maxAbsDiff, randomWeights, TRAIN } from './helpers.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

const GRU = `network glm {
  input tokens(vocab 40, seq 5)
  ${TRAIN}
  layers {
    embedding(12)
    dropout(0.2)
    maskable gru(10)
    dropout(0.2)
    maskable gru(8)
    dense(40)
  }
}
`;

describe('gru', () => {
  it('counts 3h(in + h + 1) parameters and T·3h(in + h) MACs, and refuses what is not a sequence', () => {
    const ir = compileSpec(GRU);
    const g1 = ir.nodes.find((n) => n.path === 'gru1')!;
    expect(g1.params).toBe(3 * 10 * (12 + 10 + 1));
    expect(g1.macs).toBe(5 * 3 * 10 * (12 + 10));
    expect(ir.groups.map((g) => `${g.name}:${g.structure}:${g.maskable}`)).toEqual(['g0:gru1:hidden:true', 'g1:gru2:hidden:true', 'g2:dense1:units:false']);
    const bad = compileText(GRU.replace('embedding(12)', 'embedding(12)\n    flatten'), 'g.arch').diagnostics.map((d) => d.code);
    expect(bad).toContain('ARCH3009');
  });

  it('trains: two steps move every GRU weight', () => {
    const ir = compileSpec(GRU);
    const m = new IrModule(ir, { seed: 2 });
    const before = m.getWeights();
    const x = inputFor(ir, 3, 1);
    const labels = tf.mod(tf.add(x, tf.scalar(3, 'int32')), tf.scalar(40, 'int32'));
    const opt = tf.train.sgd(0.5);
    for (let step = 0; step < 2; step++) {
      m.masks.sample(new Rng(step));
      const { grads, value } = tf.variableGrads(() => {
        const ctx = makeContext({ training: true, masks: m.masks.trainingMasks(), rng: new Rng(step) });
        return taskLoss(m.forward(x, ctx), labels, ir.task, 'mean').loss as tf.Scalar;
      }, m.weightVariables().map((v) => v.variable));
      expect(Number.isFinite(value.dataSync()[0]!)).toBe(true);
      opt.applyGradients(grads);
      value.dispose();
      for (const g of Object.values(grads)) g.dispose();
    }
    const after = m.getWeights();
    for (const p of ['gru1', 'gru2']) for (const leaf of ['kernel', 'recurrentKernel', 'bias']) {
      expect(maxAbsDiff(before[`${p}/${leaf}`]!.data, after[`${p}/${leaf}`]!.data), `${p}/${leaf}`).toBeGreaterThan(0);
    }
    m.dispose();
    tf.dispose([x, labels]);
  });

  it('a masked GRU equals the sliced narrower GRU; the pruned .arch re-checks; tf.layers.gru predicts the same', async () => {
    const compiled = compileText(GRU, 'glm.arch');
    const ir = compiled.ir!;
    // Units 1, 4, 7 of gru1 and 0, 5 of gru2 off.
    const logits = { 'g0:gru1': Array.from({ length: 10 }, (_, j) => ([1, 4, 7].includes(j) ? -1 : 1)), 'g1:gru2': Array.from({ length: 8 }, (_, j) => ([0, 5].includes(j) ? -1 : 1)) };
    const w = randomWeights(ir, 13, logits);
    const c = compact(ir, w);
    expect(c.compacted.ir.groups.map((g) => g.width)).toEqual([7, 6, 40]);
    expect(c.weights['gru1/kernel']!.shape).toEqual([12, 21]);
    expect(c.weights['gru2/kernel']!.shape).toEqual([7, 18]);
    expect(c.weights['gru2/recurrentKernel']!.shape).toEqual([6, 18]);
    expect(c.weights['dense1/kernel']!.shape).toEqual([6, 40]);
    const x = inputFor(ir, 3, 4);
    const masked = evalOutputs(ir, w, x);
    const narrow = evalOutputs(c.compacted.ir, c.weights, x);
    expect(maxAbsDiff(masked, narrow)).toBeLessThan(1e-5);
    const { check } = emitChecked(GRU, compiled.ast!, c, 'glm.pruned.arch');
    expect(check.problems).toEqual([]);
    expect(check.matches).toBe(true);

    const dir = mkdtempSync(join(tmpdir(), 'archc-tfjs-gru-'));
    await saveTfjsModel(dir, c.compacted.ir, c.weights);
    const model = await tf.loadLayersModel(tf.io.fromMemory(await readTfjsArtifacts(dir)));
    const theirs = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync() as Float32Array);
    expect(maxAbsDiff(narrow, theirs)).toBeLessThanOrEqual(1e-4);
    model.dispose();
    const back = await loadTfjsWeights(dir, c.compacted.ir);
    for (const [name, t] of Object.entries(back)) expect(Array.from(t.data)).toEqual(Array.from(c.weights[name]!.data));
    x.dispose();
  });
});
