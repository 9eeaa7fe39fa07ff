// Whatever the checker accepts, the runtime runs (issue 13): for every surface kind in the registry and every argument
// it declares (every word of an enum argument), a tiny network that uses it checks, builds, trains two steps (the
// weights move and the loss stays finite), and compacts with random mask logits to a network whose outputs equal the
// masked network's and whose pruned .arch re-checks. The kinds come from the registry, so a new kind or argument
// without an example here fails the coverage test.

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { emitChecked } from '../../src/compaction/compact-and-write.ts';
import { compact } from '../../src/compaction/compact.ts';
import { initBackend } from '../../src/runtime/backend/index.ts';
import { IrModule, makeContext } from '../../src/runtime/module.ts';
import { Rng } from '../../src/runtime/rng.ts';
import { taskLoss } from '../../src/runtime/train/loss.ts';
import { compileText } from '../../src/semantic/compile.ts';
import { LAYER_KINDS } from '../../src/semantic/registry.ts';
import { evalOutputs, inputFor, maxAbsDiff, randomWeights, TRAIN } from './helpers.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

const IMAGE = 'image(8, 8, 4)';
const TOKENS = 'tokens(vocab 20, seq 4)';

/** Tiny networks: the input, optional blocks, and the layers (each ends in the head). */
const EXAMPLES: { name: string; input: string; blocks?: string; layers: string }[] = [
  { name: 'conv with every argument', input: IMAGE, layers: 'maskable conv(6, kernel 3, stride 2, padding valid, groups 1, bias true)  relu\n gap\n dense(10)' },
  { name: 'grouped conv, bias false', input: IMAGE, layers: 'conv(8, kernel 3, padding same, bias false)  relu\n conv(8, kernel 3, groups 2, bias auto)  bn  relu6\n gap\n maskable dense(5)\n dense(10)' },
  { name: 'dwconv with every argument', input: IMAGE, layers: 'maskable conv(6, kernel 1)\n dwconv(kernel 3, stride 2, padding valid, bias true)  bn  relu\n dwconv(kernel 3, padding same, bias auto)  batchnorm  relu6\n dwconv(kernel 1, bias false)  bn\n gap\n dense(10)' },
  { name: 'bn arguments and pools', input: IMAGE, layers: 'maskable conv(6, kernel 3)  bn(epsilon 1e-3, momentum 0.9)  relu\n maxpool(2, stride 1, padding same)  maxpool(2, padding valid)\n avgpool(size 3, stride 2, padding valid)  avgpool(2, stride 1, padding same)\n globalavgpool\n dense(10)' },
  { name: 'flatten, dense and dropout', input: IMAGE, layers: 'maskable conv(6, kernel 3)  relu  maxpool\n flatten\n dropout(0.3)\n maskable dense(7, bias false, activation relu)\n maskable dense(6, bias true, activation none)\n dense(6, bias auto)\n dense(10)' },
  { name: 'embedding, lstm and gru', input: TOKENS, layers: 'embedding(6)\n maskable lstm(5)\n dropout(0.1)\n maskable gru(4)\n dense(20)' },
  {
    name: 'residual adds (identity, shortcut, projection)',
    input: IMAGE,
    blocks: 'block b(w, s = 1) { maskable conv(w, kernel 3, stride s)  bn  relu  conv(w, kernel 3)  bn  add(shortcut)  relu }\n block p(w) { maskable conv(w, kernel 3)  bn  add(projection) }\n block i(w) { maskable conv(w, kernel 3)  bn  add(identity) }\n block plain(w) { maskable conv(w, kernel 3)  bn  add }',
    layers: 'conv(6, kernel 3)  bn  relu\n b(6)\n b(8, s 2)\n p(5)\n i(5)\n plain(5)\n gap\n dense(10)',
  },
  { name: 'concat', input: IMAGE, blocks: 'block br(w) { maskable conv(w, kernel 1)  relu }', layers: 'conv(6, kernel 3)  relu\n concat(br(3), br(4), maxpool(3, stride 1, padding same))\n gap\n dense(10)' },
];

function specOf(e: (typeof EXAMPLES)[number]): string {
  return `network t {\n  input ${e.input}\n  ${TRAIN}\n  ${e.blocks ?? ''}\n  layers {\n ${e.layers}\n  }\n}\n`;
}

/** The calls of surface kind `name` in an example (`name(…)` or a bare `name`). */
function calls(text: string, name: string): string[] {
  return [...text.matchAll(new RegExp(`(?<![\\w.])${name}(\\(([^()]|\\([^()]*\\))*\\))?(?![\\w(])`, 'g'))].map((m) => m[0]);
}

describe('every registry kind and argument checks, trains and compacts', () => {
  it('the examples use every surface kind, every argument and every word of an enum argument', () => {
    const text = EXAMPLES.map(specOf).join('\n');
    const missing: string[] = [];
    for (const [name, def] of LAYER_KINDS) {
      const cs = calls(text, name);
      if (cs.length === 0) {
        missing.push(name);
        continue;
      }
      if (name !== def.name) continue; // an alias: its arguments are its kind's
      for (const p of def.schema) {
        if (p.positional && p.type.t !== 'enum') continue;
        const words = p.type.t === 'enum' ? p.type.words : [null];
        for (const w of words) {
          const used = cs.some((c) => (p.positional && w !== null ? new RegExp(`\\(${w}\\b`).test(c) : new RegExp(`[(,\\s]${p.name}\\s+${w ?? ''}`).test(c)));
          if (!used) missing.push(`${name} ${p.name}${w === null ? '' : ` ${w}`}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  for (const e of EXAMPLES) {
    it(e.name, () => {
      const text = specOf(e);
      const compiled = compileText(text, 't.arch');
      expect(compiled.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
      const ir = compiled.ir!;
      // Two training steps.
      const m = new IrModule(ir, { seed: 4 });
      const before = m.getWeights();
      const x = inputFor(ir, 3, 2);
      const labels = ir.task === 'classification' ? tf.tensor1d([1, 4, 7], 'int32') : tf.mod(tf.add(x, tf.scalar(3, 'int32')), tf.scalar(ir.outputs, 'int32'));
      const opt = tf.train.sgd(0.1);
      for (let step = 0; step < 2; step++) {
        m.masks.sample(new Rng(step));
        const { grads, value } = tf.variableGrads(() => {
          const ctx = makeContext({ training: true, masks: m.masks.trainingMasks(), rng: new Rng(step) });
          return tf.add(taskLoss(m.forward(x, ctx), labels, ir.task, 'mean').loss, m.masks.penalty()) as tf.Scalar;
        });
        expect(Number.isFinite(value.dataSync()[0]!)).toBe(true);
        opt.applyGradients(grads);
        tf.dispose([value, ...Object.values(grads)]);
      }
      const after = m.getWeights();
      const moved = Object.keys(before).filter((k) => !k.endsWith('/movingMean') && !k.endsWith('/movingVariance') && maxAbsDiff(before[k]!.data, after[k]!.data) > 0);
      expect(moved.length).toBeGreaterThan(0);
      m.dispose();
      labels.dispose();
      // Compaction with random logits: exact, and the pruned spec re-checks.
      const w = randomWeights(ir, 8);
      const c = compact(ir, w);
      expect(maxAbsDiff(evalOutputs(ir, w, x), evalOutputs(c.compacted.ir, c.weights, x))).toBeLessThan(1e-4);
      const { check } = emitChecked(text, compiled.ast!, c, 't.pruned.arch');
      expect(check.problems).toEqual([]);
      x.dispose();
    });
  }
});
