// Training on the native backend: the same seed and thread count give identical mask logits, widths and loss
// (oneDNN's kernels are deterministic for a fixed thread count), for a CNN and an LSTM LM; and a short CNN run
// agrees with the wasm backend's to float tolerance, so switching backends does not change what is learned.
// Skips, saying why, only when the addon is not built or ARCHC_NATIVE=0 turned it off.
import { describe, expect, it } from 'vitest';
import { initBackend, loadNative } from '../../../src/runtime/backend/index.ts';
import { openDataset } from '../../../src/runtime/data/index.ts';
import { IrModule } from '../../../src/runtime/module.ts';
import { train } from '../../../src/runtime/train/trainer.ts';
import { lstmLmIr, plainCnnIr, testTrain } from '../../../src/runtime/testing/ir-fixtures.ts';
import type { IrNetwork } from '../../../src/semantic/ir.ts';

const native = loadNative();
const skipWhy = 'reason' in native ? ` (skipped: native backend unavailable: ${native.reason})` : '';
const run = 'addon' in native ? describe : describe.skip;

async function trainOnce(ir: IrNetwork, seed: number, backend: 'native' | 'wasm') {
  await initBackend(backend);
  const dataset = openDataset({ kind: 'synthetic', path: null }, {
    input: ir.input, classes: ir.outputs, seed: 3, synthetic: { train: 400, test: 32, valid: 300 },
  });
  const module = new IrModule(ir, { seed });
  const r = await train({ ir, module, dataset, seed, outDir: null, log: () => {}, isTTY: false, evalLimit: 16 });
  const s = module.masks.groups.map((g) => Array.from(g.logits()));
  module.dispose();
  return { s, kept: r.final.kept, loss: r.final.loss };
}

run(`training on the native backend${skipWhy}`, () => {
  it('is deterministic for a CNN: same seed and threads give the same logits, widths and loss', async () => {
    const ir = plainCnnIr({ train: testTrain({ steps: 6 }) });
    const a = await trainOnce(ir, 11, 'native');
    const b = await trainOnce(ir, 11, 'native');
    expect(b.s).toEqual(a.s);
    expect(b.kept).toEqual(a.kept);
    expect(b.loss).toBe(a.loss);
  });

  it('is deterministic for an LSTM LM', async () => {
    const ir = lstmLmIr({ train: testTrain({ steps: 4, batch: 4 }) });
    const a = await trainOnce(ir, 5, 'native');
    const b = await trainOnce(ir, 5, 'native');
    expect(b.s).toEqual(a.s);
    expect(b.kept).toEqual(a.kept);
  });

  it('learns what the wasm backend learns (same widths, loss within 1e-3)', async () => {
    const ir = plainCnnIr({ train: testTrain({ steps: 6 }) });
    const n = await trainOnce(ir, 11, 'native');
    const w = await trainOnce(ir, 11, 'wasm');
    expect(n.kept).toEqual(w.kept);
    expect(Math.abs(n.loss - w.loss)).toBeLessThan(1e-3 * (1 + Math.abs(w.loss)));
  });
});
