// Grouped convolution `conv(f, kernel k, groups g)`: each of the g groups of filters sees its own in/g input
// channels (kernel [kh, kw, in/g, f], params kh·kw·(in/g)·f). The checker accepted it and training then threw in
// src/runtime/layers/conv.ts (issue 13): now it trains (two steps move the weights), equals a full conv with the
// block-diagonal kernel, compacts exactly (the pruned .arch re-checks), exports to tfjs-layers as that block-diagonal
// conv2d and reads back. Its channels are coupled within a group, so a mask group may not prune them freely: a
// grouped conv whose input or output channels lie in a maskable group is refused with a diagnostic.

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
import { compileText } from '../../src/semantic/compile.ts';
import { compileSpec, evalOutputs, inputFor, maxAbsDiff, randomWeights, TRAIN } from './helpers.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

const GROUPED = `network grouped {
  input image(8, 8, 4)
  ${TRAIN}
  layers {
    conv(8, kernel 3)  bn  relu
    g2: conv(8, kernel 3, groups 2)  bn  relu
    g4: conv(12, kernel 1, groups 4, bias true)  relu
    gap
    maskable dense(9, activation relu)
    dense(10)
  }
}
`;

describe('grouped convolution', () => {
  it('counts kh·kw·(in/g)·f parameters and MACs per output position', () => {
    const ir = compileSpec(GROUPED);
    const g2 = ir.nodes.find((n) => n.path === 'g2')!;
    expect(g2.params).toBe(3 * 3 * (8 / 2) * 8);
    expect(g2.macs).toBe(8 * 8 * 3 * 3 * (8 / 2) * 8);
    const g4 = ir.nodes.find((n) => n.path === 'g4')!;
    expect(g4.params).toBe(1 * 1 * (8 / 4) * 12 + 12);
  });

  it('trains: two steps of gradient descent run and move every weight of the grouped convs', () => {
    const ir = compileSpec(GROUPED);
    const m = new IrModule(ir, { seed: 3 });
    const before = m.getWeights();
    expect(before['g2/kernel']!.shape).toEqual([3, 3, 4, 8]);
    const x = inputFor(ir, 4, 5);
    const labels = tf.oneHot(tf.tensor1d([1, 2, 3, 4], 'int32'), 10);
    const opt = tf.train.sgd(0.1);
    for (let step = 0; step < 2; step++) {
      m.masks.sample(new Rng(step));
      const vars = m.weightVariables().map((v) => v.variable);
      const { grads, value } = tf.variableGrads(() => {
        const ctx = makeContext({ training: true, masks: m.masks.trainingMasks(), rng: new Rng(10 + step) });
        return tf.losses.softmaxCrossEntropy(labels, m.forward(x, ctx)) as tf.Scalar;
      }, vars);
      expect(Number.isFinite(value.dataSync()[0]!)).toBe(true);
      opt.applyGradients(grads);
      value.dispose();
      for (const g of Object.values(grads)) g.dispose();
    }
    const after = m.getWeights();
    for (const name of ['g2/kernel', 'g4/kernel', 'g4/bias']) expect(maxAbsDiff(before[name]!.data, after[name]!.data)).toBeGreaterThan(0);
    m.dispose();
    x.dispose();
    labels.dispose();
  });

  it('computes the full conv with the block-diagonal kernel', () => {
    const ir = compileSpec(GROUPED);
    const w = randomWeights(ir, 5);
    const m = new IrModule(ir, { seed: 1 });
    m.setWeights(w);
    const x = tf.tidy(() => tf.randomNormal([2, 6, 6, 8], 0, 1, 'float32', 9));
    const k = w['g2/kernel']!;
    // Block b of the 8 filters (4 each) reads input channels 4b..4b+3.
    const full = new Float32Array(3 * 3 * 8 * 8);
    for (let p = 0; p < 9; p++) for (let ci = 0; ci < 4; ci++) for (let o = 0; o < 8; o++) {
      const b = Math.floor(o / 4);
      full[(p * 8 + b * 4 + ci) * 8 + o] = k.data[(p * 4 + ci) * 8 + o]!;
    }
    const layer = m.layerAt('g2') as { apply(x: tf.Tensor): tf.Tensor };
    const ours = tf.tidy(() => layer.apply(x).dataSync() as Float32Array);
    const ref = tf.tidy(() => tf.conv2d(x as tf.Tensor4D, tf.tensor4d(full, [3, 3, 8, 8]), 1, 'same').dataSync() as Float32Array);
    expect(maxAbsDiff(ours, ref)).toBeLessThan(1e-5);
    m.dispose();
    x.dispose();
  });

  it('compacts exactly around it, the pruned .arch re-checks, and the tfjs-layers export predicts the same and reads back', async () => {
    const text = GROUPED;
    const compiled = compileText(text, 'grouped.arch');
    const ir = compiled.ir!;
    const dense = ir.groups.find((g) => g.maskable)!;
    const logits = Array.from({ length: dense.width }, (_, j) => (j % 3 === 0 ? -1 : 1));
    const w = randomWeights(ir, 11, { [dense.name]: logits });
    const c = compact(ir, w);
    expect(c.compacted.ir.groups.find((g) => g.name === dense.name)?.width).toBe(6);
    const x = inputFor(ir, 3, 4);
    expect(maxAbsDiff(evalOutputs(ir, w, x), evalOutputs(c.compacted.ir, c.weights, x))).toBeLessThan(1e-5);
    const { check } = emitChecked(text, compiled.ast!, c, 'grouped.pruned.arch');
    expect(check.problems).toEqual([]);
    expect(check.matches).toBe(true);

    const dir = mkdtempSync(join(tmpdir(), 'archc-tfjs-grouped-'));
    await saveTfjsModel(dir, c.compacted.ir, c.weights);
    const model = await tf.loadLayersModel(tf.io.fromMemory(await readTfjsArtifacts(dir)));
    const theirs = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync() as Float32Array);
    expect(maxAbsDiff(evalOutputs(c.compacted.ir, c.weights, x), theirs)).toBeLessThanOrEqual(1e-4);
    model.dispose();
    const back = await loadTfjsWeights(dir, c.compacted.ir);
    for (const [name, t] of Object.entries(back)) expect(Array.from(t.data)).toEqual(Array.from(c.weights[name]!.data));
    x.dispose();
  });

  it('is refused where a maskable group would prune its coupled channels', () => {
    const spec = (body: string) => `network g {
  input image(8, 8, 4)
  ${TRAIN}
  block res() { maskable conv(8, kernel 3)  bn  add }
  layers {
${body}
    gap
    dense(10)
  }
}
`;
    const codes = (body: string) => compileText(spec(body), 'g.arch').diagnostics.map((d) => `${d.code} ${d.message}`);
    // Its input channels are a maskable conv's.
    const input = codes('    maskable conv(8, kernel 3)  relu\n    conv(8, kernel 3, groups 2)');
    expect(input).toHaveLength(1);
    expect(input[0]).toMatch(/^ARCH3023 .*groups 2.*input channels.*maskable/);
    // Its output channels join a maskable group through a residual add.
    const output = codes('    conv(8, kernel 3)  relu\n    conv(8, kernel 3, groups 2)\n    res()');
    expect(output).toHaveLength(1);
    expect(output[0]).toMatch(/^ARCH3023 .*groups 2.*output channels.*maskable group g1:res1 \(marked at 'res1.conv1'\)/);
    // Marked itself (the existing rule).
    expect(codes('    maskable conv(8, kernel 3, groups 2)')[0]).toMatch(/^ARCH3013 /);
    // Unmasked on both sides it is accepted.
    expect(codes('    conv(8, kernel 3)  relu\n    conv(8, kernel 3, groups 2)  relu')).toEqual([]);
  });
});
