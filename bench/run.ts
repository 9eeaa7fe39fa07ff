// `npm run bench`: runs every benchmark module in one process and prints one table, with ratios computed inside
// the same run (stock vs archc kernels, archc vs PyTorch 1.13 CPU when python3-torch is installed).
// Timing targets live here, never in unit tests.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { benchKernels, type BenchRow } from './kernels.ts';
import { benchTrain } from './train.ts';

interface TorchRef {
  torch: string;
  resnet20_img_s: number;
  lstm_tok_s: number;
}

/** PyTorch's figures for the same two models, or the reason there are none. */
function torchReference(): TorchRef | string {
  const py = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
  if (!py) return 'python3-torch not installed (apt-get install python3-torch libopenblas0-pthread)';
  const r = spawnSync(py, ['bench/torch_ref.py', '2'], { encoding: 'utf8', timeout: 300_000 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as TorchRef;
  } catch {
    return `PyTorch reference failed: ${r.stderr.trim().split('\n').pop() ?? 'no output'}`;
  }
}

function table(rows: { name: string; value: string; unit: string; ratio: string; torch: string }[]): string {
  const head = { name: 'benchmark', value: 'value', unit: 'unit', ratio: 'archc/stock', torch: 'archc/PyTorch' };
  const all = [head, ...rows];
  const w = (k: keyof typeof head) => Math.max(...all.map((r) => r[k].length));
  const line = (r: typeof head) =>
    `${r.name.padEnd(w('name'))}  ${r.value.padStart(w('value'))}  ${r.unit.padEnd(w('unit'))}  ${r.ratio.padStart(w('ratio'))}  ${r.torch.padStart(w('torch'))}`;
  return [line(head), '-'.repeat(line(head).length), ...rows.map(line)].join('\n');
}

const t0 = Date.now();
const rows: BenchRow[] = [];
const notes: string[] = [];
rows.push(...(await benchKernels()));
rows.push(...(await benchTrain()));
if (existsSync(new URL('./build.ts', import.meta.url))) {
  const mod = (await import(new URL('./build.ts', import.meta.url).href)) as { benchBuild?: () => Promise<BenchRow[]> };
  if (mod.benchBuild) rows.push(...(await mod.benchBuild()));
}
const ref = torchReference();
if (typeof ref === 'string') notes.push(ref);
else notes.push(`PyTorch ${ref.torch} CPU, 2 threads: ResNet-20 ${ref.resnet20_img_s.toFixed(1)} img/s, LSTM LM ${ref.lstm_tok_s.toFixed(1)} tok/s`);

const vsTorch = (r: BenchRow): string => {
  if (typeof ref === 'string' || !Number.isFinite(r.value)) return '';
  if (r.name.startsWith('train ResNet-20, archc')) return (r.value / ref.resnet20_img_s).toFixed(3);
  if (r.name.startsWith('train 2x200 LSTM LM, archc')) return (r.value / ref.lstm_tok_s).toFixed(3);
  return '';
};
console.log(
  table(
    rows.map((r) => ({
      name: r.name,
      value: Number.isFinite(r.value) ? (Math.abs(r.value) >= 100 ? r.value.toFixed(0) : r.value.toFixed(2)) : '-',
      unit: r.unit,
      ratio: r.ratio !== undefined ? `×${r.ratio.toFixed(1)}` : '',
      torch: vsTorch(r),
    })),
  ),
);
for (const n of notes) console.log(n);
console.log(`bench finished in ${((Date.now() - t0) / 1000).toFixed(0)} s (2-core machine; other load on it skews absolute numbers, not the in-run ratios much)`);
