// Throughput probe: a few steps of a spec through runTraining, to size the experiments.
import { compileFile } from '../src/semantic/compile.ts';
import { runTraining } from '../src/runtime/index.ts';
const [spec, steps = '10', out = 'runs/probe'] = process.argv.slice(2);
const c = await compileFile(spec!);
if (!c.ir) { console.error(c.diagnostics); process.exit(1); }
const t0 = Date.now();
const r = await runTraining({ ir: c.ir, data: c.ir.train.data.kind === 'fashion-mnist' ? { kind: 'fashion-mnist', path: null } : c.ir.train.data, outDir: out, log: (l) => console.log(l), overrides: { steps: Number(steps), logEvery: Math.max(1, Math.floor(Number(steps) / 4)), evalLimit: 1000 } });
console.log('wall', (Date.now() - t0) / 1000, 'final', r.finalMetrics.evalAccuracy, r.keptWidths);
