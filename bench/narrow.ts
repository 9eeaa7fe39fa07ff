// Narrow execution benchmark: one training step of the real archc trainer with about 40% of the network's MACs
// sampled (the same structures on in every step), narrow (only the sampled sub-network computed) against full
// width (0/1 samples multiplied in), same network, same weights, timed in alternating rounds of one run.
// `benchNarrow()` returns table rows for `npm run bench`; `npx tsx bench/narrow.ts [spec] [batch] [shares]` prints
// them (shares: e.g. 0.9,0.6,0.4,0.25 — the sampled share of the MACs, one table each; backend: native when the
// addon loads, else wasm).
// Target on an idle machine: narrow ≤ 0.55× the full-width step on specs/fashion-resnet.arch at batch 64.
// Two more trainers in the same rounds give the floor any narrow step is bounded by: the network with `maskable`
// removed (dense, full width: what the masks cost) and that dense network physically sliced to the same widths
// (compaction of the spec to the sampled structures: no masks, no gathers, nothing but the smaller network).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compact, emitPrunedArch } from '../src/compaction/index.ts';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { configureNative, initBackend, loadNative, nativeOptionsFromEnv, nativeThreads, type BackendChoice } from '../src/runtime/backend/index.ts';
import { buildCostModel, evalCost } from '../src/runtime/macs.ts';
import { IrModule } from '../src/runtime/module.ts';
import { Trainer } from '../src/runtime/train/trainer.ts';
import { compileText } from '../src/semantic/compile.ts';
import type { IrNetwork } from '../src/semantic/ir.ts';
import { stripMaskable } from '../experiments/evidence/plan.ts';
import type { BenchRow } from './kernels.ts';
import { benchDataset } from './train.ts';

export const NARROW_TARGET = 0.55;

export function loadIr(path: string, text = readFileSync(path, 'utf8')): IrNetwork {
  const r = compileText(text, path);
  if (!r.ir) throw new Error(`bench: ${path} does not check${text === readFileSync(path, 'utf8') ? '' : ' after the bench edited it'}`);
  return r.ir;
}

/** `path`'s network without masks: at full width, or compacted to the first ⌈f·width⌉ structures of every group. */
export function denseIr(path: string, ir: IrNetwork, f: number | null): IrNetwork {
  const text = readFileSync(path, 'utf8');
  if (f === null) return loadIr(path, stripMaskable(text));
  const keep = new Map(ir.groups.filter((g) => g.maskable).map((g) => [g.id, Array.from({ length: Math.max(1, Math.round(f * g.width)) }, (_, j) => j)]));
  const m = new IrModule(ir, { seed: 1 });
  const c = compact(ir, m.getWeights(), { keep });
  m.dispose();
  const ast = compileText(text, path).ast!;
  return loadIr(path, stripMaskable(emitPrunedArch(text, ast, c.plan, c.compacted).text));
}

/** The kept share f of every maskable group at which the network's MACs are `share` of dense (bisection). */
export function uniformShare(ir: IrNetwork, share: number): number {
  const model = buildCostModel(ir);
  const at = (f: number) => evalCost(model.macs, new Map(ir.groups.filter((g) => g.maskable).map((g) => [g.id, Math.max(1, Math.round(f * g.width)) / g.width]))) / model.denseMacs;
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    if (at(mid) < share) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** A trainer whose masks sample exactly the first ⌈f·width⌉ structures of each group (σ = 1 on, σ = 0 off). */
export function makeTrainer(ir: IrNetwork, batch: number, steps: number, f: number, mode: 'narrow' | 'full'): { t: Trainer; m: IrModule } {
  const dataset = benchDataset(ir, batch, steps);
  const m = new IrModule(ir, { seed: 1 });
  for (const g of m.masks.groups) {
    const on = Math.max(1, Math.round(f * g.width));
    // β starts at β0 = 1, so σ = clip(s + 0.5): s = 2 keeps σ = 1 and s = −2 keeps σ = 0 over a short run.
    g.s.assign(tf.tensor1d(Array.from({ length: g.width }, (_, j) => (j < on ? 2 : -2))));
  }
  const t = new Trainer({ ir, module: m, dataset, seed: 1, outDir: null, log: () => {}, isTTY: false, batch, steps, execution: { mode, fullEvery: 0 } });
  return { t, m };
}

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;

/**
 * PyTorch's ratio for the same two networks (bench/torch_sliced.py; fashion-resnet only, whose PyTorch twin is
 * hand-written there): the same floor measured on another framework's kernels. No row without python3-torch.
 */
function torchSliced(ir: IrNetwork, f: number): BenchRow[] {
  if (ir.name !== 'fashion_resnet') return [];
  const py = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
  const name = `train step ${ir.name}, PyTorch, the same dense networks: sliced/full`;
  if (!py) return [{ name: `${name} (python3-torch not installed)`, value: NaN, unit: 'ratio' }];
  const widths = [16, 32, 64].map((w) => String(Math.max(1, Math.round(f * w))));
  const script = join(dirname(fileURLToPath(import.meta.url)), 'torch_sliced.py');
  const r = spawnSync(py, [script, String(nativeThreads()), ...widths], { encoding: 'utf8', env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' } });
  const out = r.status === 0 ? (JSON.parse(r.stdout.trim().split('\n').pop()!) as { full_ms: number; sliced_ms: number }) : null;
  if (!out) return [{ name: `${name} (bench/torch_sliced.py failed: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()})`, value: NaN, unit: 'ratio' }];
  return [
    { name: `train step ${ir.name}, PyTorch: full width / sliced to ${widths.join('/')}`, value: out.full_ms, unit: 'ms/step' },
    { name: `${name} ${widths.join('/')}`, value: out.sliced_ms / out.full_ms, unit: 'ratio' },
  ];
}

export async function benchNarrow(opts: { spec?: string; batch?: number; rounds?: number; backend?: BackendChoice; share?: number } = {}): Promise<BenchRow[]> {
  const spec = opts.spec ?? 'specs/fashion-resnet.arch';
  const batch = opts.batch ?? 64;
  const rounds = opts.rounds ?? 16; // narrow steps spread 52–88 ms on an idle machine (stop 30): medians need many rounds
  const sel = await initBackend(opts.backend ?? 'wasm');
  const ir = loadIr(spec);
  const f = uniformShare(ir, opts.share ?? 0.4);
  const trainers = {
    narrow: makeTrainer(ir, batch, rounds + 2, f, 'narrow'),
    full: makeTrainer(ir, batch, rounds + 2, f, 'full'),
    // No maskable group: these train dense whatever the mode.
    dense: makeTrainer(denseIr(spec, ir, null), batch, rounds + 2, f, 'full'),
    sliced: makeTrainer(denseIr(spec, ir, f), batch, rounds + 2, f, 'full'),
  };
  const kinds = Object.keys(trainers) as (keyof typeof trainers)[];
  const times = Object.fromEntries(kinds.map((k) => [k, [] as number[]])) as Record<keyof typeof trainers, number[]>;
  let sampled = 0;
  try {
    // One warm-up step each (kernel caches, optimizer slots), then alternating timed steps.
    for (const k of kinds) trainers[k].t.trainStep();
    for (let r = 0; r < rounds; r++) {
      // Each round starts with the next trainer, so that none always runs first (or after the same one).
      for (const k of [...kinds.slice(r % kinds.length), ...kinds.slice(0, r % kinds.length)]) {
        const t0 = performance.now();
        trainers[k].t.trainStep();
        times[k].push(performance.now() - t0);
      }
    }
    const model = buildCostModel(ir);
    sampled = evalCost(model.macs, new Map(trainers.narrow.m.masks.groups.map((g) => [g.group.id, g.q.reduce((a, b) => a + b, 0) / g.width]))) / model.denseMacs;
  } finally {
    for (const k of kinds) {
      trainers[k].t.dispose();
      trainers[k].m.dispose();
    }
  }
  const [n, w, d, sl] = [median(times.narrow), median(times.full), median(times.dense), median(times.sliced)];
  const name = `train step ${ir.name}, ${(100 * sampled).toFixed(0)}% MACs sampled, batch ${batch}, ${sel.name}`;
  return [
    { name: `${name}: full width`, value: w, unit: 'ms/step' },
    { name: `${name}: narrow`, value: n, unit: 'ms/step' },
    { name: `${name}: dense network (no masks), full width`, value: d, unit: 'ms/step' },
    { name: `${name}: dense network sliced to the sampled widths`, value: sl, unit: 'ms/step' },
    // The floor: a narrow step cannot cost less than the smaller network it computes.
    { name: `${name}: sliced dense/full (the floor for narrow/full)`, value: sl / w, unit: 'ratio' },
    ...torchSliced(ir, f),
    // ratio: narrow over full (lower is better; the issue's target, ≤ NARROW_TARGET on an idle machine, is for
    // fashion-resnet at batch 64).
    { name: `${name}: narrow/full${ir.name === 'fashion_resnet' && batch === 64 ? ` (target ≤ ${NARROW_TARGET})` : ''}`, value: n / w, unit: 'ratio' },
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  // [spec] [batch] [share,share,…]: one table per sampled share of the MACs (default 0.4).
  // [backend]: native when the addon loads (as `npm run bench`), else wasm; ARCHC_THREADS sets oneDNN's threads.
  configureNative(nativeOptionsFromEnv(process.env));
  const shares = (process.argv[4] ?? '0.4').split(',').map(Number);
  const backend = (process.argv[5] as BackendChoice | undefined) ?? ('addon' in loadNative() ? 'native' : 'wasm');
  try {
    for (const share of shares) {
      const rows = await benchNarrow({ ...(process.argv[2] ? { spec: process.argv[2] } : {}), ...(process.argv[3] ? { batch: Number(process.argv[3]) } : {}), share, backend, rounds: shares.length > 1 ? 8 : 16 });
      for (const r of rows) console.log(`${r.name.padEnd(90)} ${r.value.toFixed(r.unit === 'ratio' ? 3 : 1)} ${r.unit}`);
    }
  } catch (e) {
    // The message, not a stack trace (an uncaught error here prints the wasm backend's minified source line).
    console.error(`bench/narrow.ts: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  }
}
