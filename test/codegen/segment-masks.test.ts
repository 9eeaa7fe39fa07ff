// Issue 15: in DenseNet-BC a pre-activation BN reads a concat, so its output spans several mask groups and no one
// group's mask fits it (semantic/placement.ts `segmentMaskPlacement`). The generated TypeScript module masks it with
// the concatenated segment masks exactly where `IrModule` does: it type-checks and computes the interpreter's
// function for the same weights, in evaluation (1[s > 0]) and in training (sampled masks); the PyTorch module passes
// the same segments to the BN. (Exactness of the compacted network: test/compaction/concat.test.ts; narrow
// execution: test/runtime/narrow/equivalence.test.ts; PyTorch vs IrModule: test/codegen/pytorch/equivalence.test.ts.)

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateModule, typecheckModules } from '../../src/codegen/index.ts';
import { generatePytorchModule } from '../../src/codegen/pytorch/index.ts';
import { makeRunnable } from '../../src/codegen/runnable.ts';
import { initBackend } from '../../src/runtime/backend/index.ts';
import { IrModule, NetworkModule, makeContext } from '../../src/runtime/index.ts';
import { Rng } from '../../src/runtime/rng.ts';
import { compileText } from '../../src/semantic/compile.ts';
import type { IrNetwork } from '../../src/semantic/ir.ts';
import { segmentMaskPlacement } from '../../src/semantic/placement.ts';
import { inputFor, randomWeights } from '../compaction/helpers.ts';

const TEXT = readFileSync(join(import.meta.dirname, '..', 'compaction', 'cases', 'densenet-bc.arch'), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'archc-segments-'));

beforeAll(async () => {
  await initBackend('cpu');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('segmented masks (BNs that read concats)', () => {
  const c = compileText(TEXT, 'densenet-bc.arch');
  const ir = c.ir!;

  it('are placed on every BN that reads a concat, with one segment per group of its channels', () => {
    expect(c.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const seg = segmentMaskPlacement(ir);
    const readsConcat = ir.nodes.filter((n) => n.kind === 'bn' && ir.nodes[n.inputs[0]!]!.kind === 'concat');
    // block1's 2nd and 3rd dense layers, the transition, block2's 2nd dense layer and the final BN.
    expect(readsConcat.length).toBe(5);
    for (const n of readsConcat) {
      const s = seg.get(n.id);
      expect(s, n.path).toBeDefined();
      expect(s!.reduce((a, x) => a + x.width, 0), n.path).toBe(n.shape[n.shape.length - 1]);
      expect(s!.some((x) => x.group !== null && ir.groups[x.group]!.maskable), n.path).toBe(true);
    }
    // Nowhere else: nodes with one group use maskPlacement.
    expect([...seg.keys()].sort((a, b) => a - b)).toEqual(readsConcat.map((n) => n.id));
  });

  it('the generated module type-checks and computes what IrModule computes', async () => {
    const m = generateModule(ir, c.source, { specPath: 'densenet-bc.arch', specFile: join(dir, 'densenet-bc.arch'), outDir: dir });
    expect(m.text).toContain('applySegmentMask(');
    expect(typecheckModules([m])[0]!.diagnostics).toEqual([]);
    writeFileSync(join(dir, 'densenet-bc.arch'), TEXT);
    writeFileSync(join(dir, m.fileName), m.text);
    makeRunnable(dir);
    const mod = (await import(pathToFileURL(join(dir, m.fileName)).href)) as Record<string, unknown>;
    const Gen = Object.values(mod).find((v): v is new (ir: IrNetwork, o: { seed: number }) => NetworkModule => typeof v === 'function' && v.prototype instanceof NetworkModule)!;
    const gen = new Gen(ir, { seed: 3 });
    const ref = new IrModule(ir, { seed: 4 });
    const w = randomWeights(ir, 6);
    gen.setWeights(w);
    ref.setWeights(w);
    const x = inputFor(ir, 3, 6);
    try {
      for (const training of [false, true]) {
        const masks = training ? gen.masks.trainingMasks() : gen.masks.evalMasks();
        if (!training) expect([...masks.values()].some((mk) => mk.dataSync().some((v) => v === 0)), 'some structure off').toBe(true);
        const a = tf.tidy(() => gen.forward(x, makeContext({ training, masks, rng: new Rng(17) })));
        const b = tf.tidy(() => ref.forward(x, makeContext({ training, masks, rng: new Rng(17) })));
        expect(tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!), `training=${training}`).toBeLessThanOrEqual(1e-6);
        tf.dispose([a, b, ...masks.values()]);
      }
    } finally {
      x.dispose();
      gen.dispose();
      ref.dispose();
    }
  }, 180_000);

  it('the PyTorch module passes the segments to each such BN', () => {
    const py = generatePytorchModule(ir, c.source, { specPath: 'densenet-bc.arch' });
    const calls = py.text.match(/ops\.segment_mask\(m, \[[^\]]*\]\)/g) ?? [];
    expect(calls.length).toBe(segmentMaskPlacement(ir).size);
    expect(calls[0]).toMatch(/^ops\.segment_mask\(m, \[\((None|\d+), \d+\)(, \((None|\d+), \d+\))+\]\)$/);
  });
});
