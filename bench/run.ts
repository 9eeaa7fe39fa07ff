// `npm run bench [-- --json] [-- --rounds N] [-- --only TEXT]`: the native backend's kernels against archc's wasm backend, then
// archc training steps against PyTorch (Debian's python3-torch on OpenBLAS) on the same nets, batch, machine and
// thread count, in alternating rounds of one run; then archc's build time. Prints a table, or with --json one
// JSON object per row ({"name", "value", "unit", "ratio"}). ARCHC_THREADS sets both sides' threads.
// `--only TEXT` runs just the training rows whose label contains TEXT (e.g. `--only kjv-lstm`). Timing targets
// live here, never in unit tests.
import { availableParallelism, loadavg } from 'node:os';
import { configureNative, loadNative, nativeOptionsFromEnv, nativeThreads } from '../src/runtime/backend/index.ts';
import { benchKernels, type BenchRow } from './kernels.ts';
import { benchNarrow } from './narrow.ts';
import { benchStartupIsolated } from './startup.ts';
import { benchTorchTarget } from './torch_target.ts';
import { describeConfig, TorchYardstick } from './torch.ts';
import { benchTrain } from './train.ts';

const argv = process.argv.slice(2);
const json = argv.includes('--json');
const roundsAt = argv.indexOf('--rounds');
const rounds = roundsAt >= 0 ? Math.max(1, Number(argv[roundsAt + 1]) || 3) : 3;
const onlyAt = argv.indexOf('--only');
const only = onlyAt >= 0 ? argv[onlyAt + 1] : undefined;

configureNative(nativeOptionsFromEnv(process.env));
const threads = nativeThreads();
const notes: string[] = [];
const native = loadNative();
if ('reason' in native) notes.push(`native backend unavailable (${native.reason}): archc rows use wasm`);

const t0 = Date.now();
const rows: BenchRow[] = [];
if (only === undefined) rows.push(...(await benchKernels()));
// PyTorch yardsticks in every configuration that decides its speed here (OpenMP threads passive or spinning,
// OpenBLAS's pool at its default or one thread): archc is compared with the fastest (bench/torch.ts).
const yardsticks: TorchYardstick[] = [];
for (const waitPolicy of ['PASSIVE', 'default'] as const) {
  for (const blasThreads of [null, 1]) {
    const y = await TorchYardstick.start(threads, { waitPolicy, blasThreads });
    if (typeof y === 'string') {
      notes.push(y);
      break;
    }
    yardsticks.push(y);
  }
  if (yardsticks.length === 0) break;
}
const first = yardsticks[0];
if (first) notes.push(`PyTorch ${first.info.torch}, ${first.info.threads} threads, BLAS ${first.info.blas}; ${yardsticks.map((y) => describeConfig(y.info)).join(' | ')}`);
const torch = yardsticks[0] ?? 'PyTorch not available';
try {
  rows.push(...(await benchTrain({ backend: 'addon' in native ? 'native' : 'wasm', rounds, torch: yardsticks, ...(only !== undefined ? { only } : {}) })));
} finally {
  for (const y of yardsticks) y.stop();
}
if (only === undefined) {
  const build = (await import('./build.ts')) as { benchBuild?: () => Promise<BenchRow[]> };
  if (build.benchBuild) rows.push(...(await build.benchBuild()));
  // Narrow vs full-width step (issue 11), CLI startup (issue 14), the PyTorch target vs a hand-written model (issue 17).
  rows.push(...(await benchNarrow({ backend: 'addon' in native ? 'native' : 'wasm' })));
  // The same for a language model, where narrow's cost is the vocabulary projection's sliced inputs.
  rows.push(...(await benchNarrow({ backend: 'addon' in native ? 'native' : 'wasm', spec: 'specs/kjv-lstm.arch', batch: 20, share: 0.5 })));
  rows.push(...benchStartupIsolated());
  if (typeof torch !== 'string') rows.push(...(await benchTorchTarget({ threads })));
}
const load = loadavg()[0]!.toFixed(1);
notes.push(
  `${threads} threads on ${availableParallelism()} cores; ${rounds} alternating rounds (medians); load average ${load} at the end ` +
    `(other load skews absolute numbers more than the in-run ratios); ${((Date.now() - t0) / 1000).toFixed(0)} s`,
);

if (json) {
  // Stdout stays machine-readable; the notes (PyTorch's BLAS, threads, load) go to stderr.
  for (const n of notes) console.error(n);
  for (const r of rows) {
    console.log(JSON.stringify({ name: r.name, value: Number.isFinite(r.value) ? r.value : null, unit: r.unit, ratio: r.ratio ?? null }));
  }
} else {
  const fmt = (v: number) => (!Number.isFinite(v) ? '-' : Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2));
  const cells = rows.map((r) => [r.name, fmt(r.value), r.unit, r.ratio === undefined ? '' : `×${r.ratio.toFixed(2)}`]);
  const head = ['benchmark', 'value', 'unit', 'ratio'];
  const w = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `${c[0]!.padEnd(w[0]!)}  ${c[1]!.padStart(w[1]!)}  ${c[2]!.padEnd(w[2]!)}  ${c[3]!.padStart(w[3]!)}`;
  console.log([line(head), '-'.repeat(line(head).length), ...cells.map(line)].join('\n'));
  console.log('ratio: native/wasm for kernel rows, archc/PyTorch for training rows (higher is better)');
  for (const n of notes) console.log(n);
}
