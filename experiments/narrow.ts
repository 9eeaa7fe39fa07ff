// The narrow-execution comparison behind README "Narrow execution": real Fashion-MNIST, a spec trained with the
// full-width step against narrow variants (narrow with a full-width step every K steps; K = 0: never), for some
// seeds, short runs. Appends one JSON line per run to experiments/results/narrow-runs.jsonl and keeps each run's
// metrics.jsonl under runs/narrow/. Usage:
//   nice -n 10 npx tsx experiments/narrow.ts <steps> <batch> <seeds,…> <variants,…> <spec> [<spec> …]
//   variants: full | narrow<K> (e.g. narrow4, narrow0)
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { initBackend } from '../src/runtime/backend/index.ts';
import { openDataset } from '../src/runtime/data/index.ts';
import { IrModule } from '../src/runtime/module.ts';
import { train, type ExecutionConfig } from '../src/runtime/train/trainer.ts';
import { compileText } from '../src/semantic/compile.ts';

const [stepsS = '200', batchS = '64', seedsS = '1', variantsS = 'full,narrow4', ...specs] = process.argv.slice(2);
const sel = await initBackend('wasm');
const out = 'experiments/results/narrow-runs.jsonl';
mkdirSync('experiments/results', { recursive: true });

function execution(v: string): ExecutionConfig {
  if (v === 'full') return { mode: 'full', fullEvery: 0 };
  const m = /^narrow(\d+)$/.exec(v);
  if (!m) throw new Error(`variant '${v}': expected full or narrow<K>`);
  return { mode: 'narrow', fullEvery: Number(m[1]) };
}

for (const seed of seedsS.split(',').map(Number)) {
  for (const spec of specs) {
    const r = compileText(readFileSync(spec, 'utf8'), spec);
    if (!r.ir) throw new Error(`${spec} does not check`);
    const ir = r.ir;
    for (const variant of variantsS.split(',')) {
      const dataset = openDataset(ir.train.data, { input: ir.input, classes: ir.outputs, seed });
      const module = new IrModule(ir, { seed });
      const dir = `runs/narrow/${basename(spec, '.arch')}-${variant}-s${seed}`;
      const t0 = Date.now();
      const res = await train({
        ir, module, dataset, seed, outDir: dir, log: (l) => console.log(`[${basename(spec)} ${variant} s${seed}] ${l}`), isTTY: false,
        steps: Number(stepsS), batch: Number(batchS), logEvery: 50, evalLimit: 1000, execution: execution(variant),
      });
      module.dispose();
      const h = res.history;
      const row = {
        spec, variant, seed, steps: Number(stepsS), batch: Number(batchS), backend: sel.name, data: dataset.description.split(':')[0],
        accuracy: res.final.evalAccuracy, macsKept: res.final.archMacs / res.final.denseMacs, paramsKept: res.final.archParams / res.final.denseParams,
        trainMacs: res.final.sampledMacsTotal / res.final.denseMacsTotal, regrown: h.reduce((a, l) => a + (l.regrown ?? 0), 0),
        msPerStepEarly: h[0]?.stepMs, msPerStepLate: h[h.length - 1]?.stepMs,
        sampledEarly: (h[0]?.sampledMacs ?? 0) / res.final.denseMacs, sampledLate: (h[h.length - 1]?.sampledMacs ?? 0) / res.final.denseMacs,
        trainSeconds: h.reduce((a, l, i) => a + (l.stepMs ?? 0) * (l.step - (h[i - 1]?.step ?? 0)), 0) / 1000, seconds: (Date.now() - t0) / 1000,
      };
      console.log('RESULT', JSON.stringify(row));
      appendFileSync(out, JSON.stringify(row) + '\n');
    }
  }
}
