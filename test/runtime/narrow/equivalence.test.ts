// Narrow execution computes the masked full-width step: for a plain CNN, identity and projection ResNets, a
// depthwise net, a concat net, a small DenseNet-BC, a stacked LSTM and a stacked GRU (random weights, BN statistics included, random samples q with
// some groups entirely off and a residual branch closed), one narrow forward+backward gives the same loss and the
// same gradient on every weight as the full-width step within 1e-4 (relative to the largest gradient entry), a
// gradient of exactly 0 on weights of structures that were off, and the same mask-logit gradient on active
// structures — and on off ones too, except in the groups `groupsNeedingFullWidth` names (masks not followed by a
// ReLU). BN moving statistics move only on computed channels.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/runtime/backend/index.ts';
import { RecurrentCarry } from '../../../src/runtime/layers/context.ts';
import { IrModule, makeContext } from '../../../src/runtime/module.ts';
import { groupsNeedingFullWidth } from '../../../src/runtime/narrow/exactness.ts';
import { NarrowExecutor } from '../../../src/runtime/narrow/forward.ts';
import { NarrowView, activeSets } from '../../../src/runtime/narrow/view.ts';
import { Rng } from '../../../src/runtime/rng.ts';
import { taskLoss } from '../../../src/runtime/train/loss.ts';
import type { IrNetwork } from '../../../src/semantic/ir.ts';
import { SPECS, TRAIN, compileSpec, inputFor, randomWeights } from '../../compaction/helpers.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

const CONCAT = `network mix {
  input image(8, 8, 3)
  ${TRAIN}
  block branch(width, k = 1) {
    maskable conv(width, kernel k)  bn  relu
  }
  layers {
    maskable conv(6, kernel 3)  bn  relu
    mix: concat(branch(5), branch(4, k 3), maxpool(3, stride 1, padding same))
    maskable conv(7, kernel 1)  bn  relu
    flatten
    dense(10)
  }
}
`;

// DenseNet-BC: pre-activation BNs read concats, so their outputs span several groups (segmented masks).
const DENSENET_BC = readFileSync(join(import.meta.dirname, '..', '..', 'compaction', 'cases', 'densenet-bc.arch'), 'utf8');

const TOL = 1e-4;

interface StepOut {
  loss: number;
  /** Σ over nodes of the output features the narrow step computed (0 at full width). */
  computed: number;
  grads: Map<string, Float32Array>;
  stats: Map<string, Float32Array>;
}

/** One forward+backward of task loss + penalty at samples `q`, full width or narrow; BN statistics after it. */
function step(ir: IrNetwork, seed: number, q: Map<number, Float32Array>, narrow: boolean, carrySeed: boolean): StepOut {
  const m = new IrModule(ir, { seed: 1 });
  m.setWeights(randomWeights(ir, seed));
  for (const g of m.masks.groups) g.q = q.get(g.group.id)!;
  const x = inputFor(ir, 3, seed);
  // Classification: fixed labels; LM: the next token is (id + 3) mod vocab.
  const labels = ir.task === 'classification' ? tf.tensor1d([1, 4, 7], 'int32') : tf.mod(tf.add(x, tf.scalar(3, 'int32')), tf.scalar(ir.outputs, 'int32'));
  const carry = ir.task === 'language-model' ? new RecurrentCarry() : undefined;
  if (carry && carrySeed) {
    // A carried state from an earlier window, so the narrow step must read (and write) the right units.
    const rng = new Rng(seed + 5);
    for (const n of ir.nodes) {
      if (n.kind !== 'lstm') continue;
      const h = n.attrs.units;
      carry.set(n.path, { h: tf.tensor2d(rng.fillNormal(3 * h, 0, 0.5), [3, h]), c: tf.tensor2d(rng.fillNormal(3 * h, 0, 0.5), [3, h]) });
    }
  }
  const exec = narrow ? new NarrowExecutor(ir, m) : null;
  const view = narrow ? new NarrowView(ir, activeSets(m.masks, q)) : null;
  let computed = 0;
  for (const n of ir.nodes) computed += view ? view.features(n.id).length : 0;
  const vars = [...m.weightVariables().map((v) => v.variable), ...m.masks.groups.map((g) => g.s)];
  const { value, grads } = tf.variableGrads(() => {
    const masks = m.masks.trainingMasks();
    const ctx = makeContext({ training: true, masks, rng: new Rng(0), ...(carry ? { carry } : {}) });
    const logits = exec && view ? exec.forward(x, ctx, view) : m.forward(x, ctx);
    const t = taskLoss(logits, labels, ir.task, 'mean');
    return tf.add(t.loss, m.masks.penalty()) as tf.Scalar;
  }, vars);
  const byTf = new Map(m.variables().map((v) => [v.variable.name, v.name]));
  const out: StepOut = { loss: value.dataSync()[0]!, computed, grads: new Map(), stats: new Map() };
  for (const [k, g] of Object.entries(grads)) out.grads.set(byTf.get(k)!, Float32Array.from(g.dataSync()));
  for (const v of m.variables()) if (!v.trainable && !v.name.startsWith('masks/')) out.stats.set(v.name, Float32Array.from(v.variable.dataSync()));
  if (carry) for (const n of ir.nodes) if (n.kind === 'lstm') out.stats.set(`carry:${n.path}/h`, Float32Array.from(carry.get(n.path)!.h.dataSync()));
  tf.dispose([value, x, labels, ...Object.values(grads)]);
  carry?.reset();
  view?.dispose();
  m.dispose();
  return out;
}

/** Random samples with about a third of each group off; `off` groups entirely off. */
function samples(ir: IrNetwork, seed: number, off: string[]): Map<number, Float32Array> {
  const rng = new Rng(seed + 77);
  const q = new Map<number, Float32Array>();
  for (const g of ir.groups) {
    if (!g.maskable) continue;
    const v = new Float32Array(g.width);
    for (let j = 0; j < g.width; j++) v[j] = off.includes(g.name) ? 0 : rng.uniform() < 0.65 ? 1 : 0;
    if (!off.includes(g.name) && !v.includes(1)) v[0] = 1;
    q.set(g.id, v);
  }
  return q;
}

/** The active sets `activeSets` gives for logits from `w` (for a group entirely off: its largest logit). */
function activeSetsFromQ(ir: IrNetwork, q: Map<number, Float32Array>, w: ReturnType<typeof randomWeights>): Map<number, number[]> {
  const m = new IrModule(ir, { seed: 1 });
  m.setWeights(w);
  const a = activeSets(m.masks, q);
  m.dispose();
  return a;
}

const maxAbs = (a: Float32Array) => a.reduce((m, x) => Math.max(m, Math.abs(x)), 0);

const CASES: { name: string; spec: string; seed: number; off?: string[] }[] = [
  { name: 'plain CNN', spec: SPECS.cnn, seed: 1 },
  { name: 'plain CNN with a chain group entirely off', spec: SPECS.cnn, seed: 2, off: ['g2:conv3'] },
  { name: 'identity ResNet', spec: SPECS.identity, seed: 3 },
  { name: 'identity ResNet with a closed branch', spec: SPECS.identity, seed: 4, off: ['g2:stage1.basic2.conv1'] },
  { name: 'projection ResNet', spec: SPECS.projection, seed: 5 },
  { name: 'projection ResNet with a closed projection branch', spec: SPECS.projection, seed: 6, off: ['g3:stage2.basic1.conv1'] },
  { name: 'depthwise net', spec: SPECS.depthwise, seed: 7 },
  { name: 'concat net', spec: CONCAT, seed: 8 },
  { name: 'DenseNet-BC (BNs that read concats)', spec: DENSENET_BC, seed: 10 },
  { name: 'stacked LSTM', spec: SPECS.lstm.replaceAll('dropout(0.2)', 'dropout(0)'), seed: 9 },
  { name: 'stacked GRU', spec: SPECS.lstm.replaceAll('lstm(', 'gru(').replaceAll('dropout(0.2)', 'dropout(0)'), seed: 11 },
];

describe('a narrow step equals the masked full-width step', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const ir = compileSpec(c.spec);
      for (const name of c.off ?? []) expect(ir.groups.map((g) => g.name)).toContain(name);
      const q = samples(ir, c.seed, c.off ?? []);
      const needsFull = groupsNeedingFullWidth(ir);
      const full = step(ir, c.seed, q, false, true);
      const narrow = step(ir, c.seed, q, true, true);
      expect(Math.abs(narrow.loss - full.loss)).toBeLessThanOrEqual(TOL * Math.max(1, Math.abs(full.loss)));
      let checkedOff = 0;
      for (const [name, gFull] of full.grads) {
        const gNarrow = narrow.grads.get(name)!;
        expect(gNarrow.length, name).toBe(gFull.length);
        const scale = Math.max(1e-3, maxAbs(gFull));
        const mask = /^masks\/(.+)\/s$/.exec(name);
        const group = mask ? ir.groups.find((g) => g.name === mask[1])! : undefined;
        for (let j = 0; j < gFull.length; j++) {
          // Mask logits of structures that were off: the full-width straight-through gradient sees ∂L/∂m of a
          // computed channel; narrow execution did not compute it, so only the λ term reaches them. That ∂L/∂m is
          // 0 where the mask is followed by a ReLU (narrow/exactness.ts), so only the groups it names may differ.
          if (group && q.get(group.id)![j] === 0 && needsFull.includes(group.name)) continue;
          if (Math.abs(gNarrow[j]! - gFull[j]!) > TOL * scale) {
            expect.fail(`${name}[${j}]: narrow ${gNarrow[j]} vs full ${gFull[j]} (scale ${scale})`);
          }
          if (gFull[j] === 0) {
            expect(gNarrow[j], `${name}[${j}]`).toBe(0);
            checkedOff++;
          }
        }
      }
      // Weights of structures that were off get exactly zero at full width, and so they do narrow.
      expect(checkedOff).toBeGreaterThan(0);
      // The narrow network is narrower than the full one.
      expect(narrow.computed).toBeLessThan(ir.nodes.reduce((a, n) => a + (n.shape[n.shape.length - 1] ?? 1), 0));
      // BN moving statistics: computed channels move exactly as at full width; the others keep their values.
      const before = randomWeights(ir, c.seed);
      const active = activeSetsFromQ(ir, q, before);
      const layout = new NarrowView(ir, active);
      let kept = 0;
      for (const [name, sFull] of full.stats) {
        const sNarrow = narrow.stats.get(name)!;
        if (name.startsWith('carry:')) {
          // Carried h: equal where a unit was computed, 0 where not (its mask made it 0 at full width too).
          for (let j = 0; j < sFull.length; j++) expect(Math.abs(sNarrow[j]! - sFull[j]!), `${name}[${j}]`).toBeLessThanOrEqual(TOL);
          continue;
        }
        const node = ir.nodes.find((n) => name.startsWith(`${n.path}/`) && n.kind === 'bn')!;
        const on = new Set(layout.features(node.id));
        for (let j = 0; j < sFull.length; j++) {
          if (on.has(j)) expect(Math.abs(sNarrow[j]! - sFull[j]!), `${name}[${j}]`).toBeLessThanOrEqual(TOL);
          else {
            expect(sNarrow[j], `${name}[${j}]`).toBe(before[name]!.data[j]);
            kept++;
          }
        }
      }
      layout.dispose();
      if (ir.nodes.some((n) => n.kind === 'bn')) expect(kept).toBeGreaterThan(0);
    });
  }
});
