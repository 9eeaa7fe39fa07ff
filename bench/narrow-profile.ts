// Per-kernel tf.profile of one training step of the trainers bench/narrow.ts times (issue 11): `npx tsx
// bench/narrow-profile.ts [narrow,full,dense,sliced] [share]`; SHAPES=1 splits kernels by input shapes, TOP=N rows.
// fashion-resnet, batch 64, native; share = the sampled share of the MACs (default 0.4). "host" is the step's wall
// time outside kernels (JS, host gathers, tape bookkeeping).
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/runtime/backend/index.ts';
import { denseIr, loadIr, makeTrainer, uniformShare } from './narrow.ts';
await initBackend('native');
const spec = 'specs/fashion-resnet.arch';
const ir = loadIr(spec);
const f = uniformShare(ir, Number(process.argv[3] ?? 0.4));
const make = {
  narrow: () => makeTrainer(ir, 64, 20, f, 'narrow'),
  full: () => makeTrainer(ir, 64, 20, f, 'full'),
  dense: () => makeTrainer(denseIr(spec, ir, null), 64, 20, f, 'full'),
  sliced: () => makeTrainer(denseIr(spec, ir, f), 64, 20, f, 'full'),
};
const which = (process.argv[2] ?? 'narrow,full,sliced').split(',') as (keyof typeof make)[];
for (const mode of which) {
  const { t, m } = make[mode]();
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
  console.log(`== ${mode} (f=${f.toFixed(3)}): wall ${(wall / reps).toFixed(1)} ms/step, kernels ${calls / reps} / ${(tot / reps).toFixed(1)} ms, host ${((wall - tot) / reps).toFixed(1)} ms`);
  for (const [k, a] of rows.slice(0, Number(process.env['TOP'] ?? 25))) console.log(`${k.padEnd(process.env['SHAPES'] ? 70 : 28)} ${String(a.n / reps).padStart(6)} ${(a.ms / reps).toFixed(2).padStart(8)}`);
  t.dispose(); m.dispose();
}
