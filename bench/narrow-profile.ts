// Per-kernel tf.profile of one narrow and one full-width training step (issue 11): `npx tsx bench/narrow-profile.ts
// [narrow,full]`; SHAPES=1 splits kernels by input shapes, TOP=N rows. The bench setup of bench/narrow.ts (40% of
// the MACs on fashion-resnet, batch 64, native).
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { initBackend } from '../src/runtime/backend/index.ts';
import { openDataset } from '../src/runtime/data/index.ts';
import { IrModule } from '../src/runtime/module.ts';
import { Trainer } from '../src/runtime/train/trainer.ts';
import { compileText } from '../src/semantic/compile.ts';
await initBackend('native');
const spec = 'specs/fashion-resnet.arch';
const ir = compileText(readFileSync(spec, 'utf8'), spec).ir!;
const f = 0.625;
function mk(mode: 'narrow' | 'full') {
  const batch = 64;
  const dataset = openDataset({ kind: 'synthetic', path: null }, { input: ir.input, classes: ir.outputs, seed: 1, synthetic: { train: batch * 20, test: 64, valid: 64 } });
  const m = new IrModule(ir, { seed: 1 });
  for (const g of m.masks.groups) {
    const on = Math.max(1, Math.round(f * g.width));
    g.s.assign(tf.tensor1d(Array.from({ length: g.width }, (_, j) => (j < on ? 2 : -2))));
  }
  return new Trainer({ ir, module: m, dataset, seed: 1, outDir: null, log: () => {}, isTTY: false, batch, steps: 20, execution: { mode, fullEvery: 0 } });
}
const which = (process.argv[2] ?? 'narrow,full').split(',');
for (const mode of which as ('narrow' | 'full')[]) {
  const t = mk(mode);
  t.trainStep(); t.trainStep();
  const agg = new Map<string, { n: number; ms: number }>();
  const reps = 3;
  let wall = 0;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    const info = await tf.profile(() => { t.trainStep(); });
    wall += performance.now() - t0;
    for (const k of info.kernels) {
      const key = process.env['SHAPES'] ? `${k.name} ${JSON.stringify(k.inputShapes)}` : k.name;
      const a = agg.get(key) ?? { n: 0, ms: 0 };
      a.n += 1; a.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      agg.set(key, a);
    }
  }
  const rows = [...agg].sort((a, b) => b[1].ms - a[1].ms);
  let tot = 0, calls = 0;
  for (const [, a] of rows) { tot += a.ms; calls += a.n; }
  console.log(`== ${mode}: wall ${(wall / reps).toFixed(1)} ms/step, kernels ${calls / reps} / ${(tot / reps).toFixed(1)} ms`);
  for (const [k, a] of rows.slice(0, Number(process.env['TOP'] ?? 25))) console.log(`${k.padEnd(process.env['SHAPES'] ? 70 : 28)} ${String(a.n / reps).padStart(6)} ${(a.ms / reps).toFixed(2).padStart(8)}`);
}
