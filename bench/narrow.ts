// Narrow execution benchmark: one training step of the real archc trainer with about 40% of the network's MACs
// sampled (the same structures on in every step), narrow (only the sampled sub-network computed) against full
// width (0/1 samples multiplied in), same network, same weights, timed in alternating rounds of one run.
// `benchNarrow()` returns table rows for `npm run bench`; `npx tsx bench/narrow.ts [spec] [batch] [shares]` prints
// them (shares: e.g. 0.9,0.6,0.4,0.25 — the sampled share of the MACs, one table each; backend: native when the
// addon loads, else wasm).
// Target on an idle machine: narrow ≤ 0.55× the full-width step on specs/fashion-resnet.arch at batch 64.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { configureNative, initBackend, loadNative, nativeOptionsFromEnv, type BackendChoice } from '../src/runtime/backend/index.ts';
import { openDataset } from '../src/runtime/data/index.ts';
import { buildCostModel, evalCost } from '../src/runtime/macs.ts';
import { IrModule } from '../src/runtime/module.ts';
import { Trainer } from '../src/runtime/train/trainer.ts';
import { compileText } from '../src/semantic/compile.ts';
import type { IrNetwork } from '../src/semantic/ir.ts';
import type { BenchRow } from './kernels.ts';

export const NARROW_TARGET = 0.55;

function loadIr(path: string): IrNetwork {
  const r = compileText(readFileSync(path, 'utf8'), path);
  if (!r.ir) throw new Error(`bench: ${path} does not check`);
  return r.ir;
}

/** The kept share f of every maskable group at which the network's MACs are `share` of dense (bisection). */
function uniformShare(ir: IrNetwork, share: number): number {
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
function makeTrainer(ir: IrNetwork, batch: number, steps: number, f: number, mode: 'narrow' | 'full'): { t: Trainer; m: IrModule } {
  const dataset = openDataset({ kind: 'synthetic', path: null }, { input: ir.input, classes: ir.outputs, seed: 1, synthetic: { train: batch * (steps + 2), test: 64, valid: 64 } });
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

export async function benchNarrow(opts: { spec?: string; batch?: number; rounds?: number; backend?: BackendChoice; share?: number } = {}): Promise<BenchRow[]> {
  const spec = opts.spec ?? 'specs/fashion-resnet.arch';
  const batch = opts.batch ?? 64;
  const rounds = opts.rounds ?? 6;
  const sel = await initBackend(opts.backend ?? 'wasm');
  const ir = loadIr(spec);
  const f = uniformShare(ir, opts.share ?? 0.4);
  const narrow = makeTrainer(ir, batch, rounds + 2, f, 'narrow');
  const full = makeTrainer(ir, batch, rounds + 2, f, 'full');
  const times = { narrow: [] as number[], full: [] as number[] };
  let sampled = 0;
  try {
    // One warm-up step each (kernel caches, optimizer slots), then alternating timed steps.
    narrow.t.trainStep();
    full.t.trainStep();
    for (let r = 0; r < rounds; r++) {
      for (const [k, x] of [['narrow', narrow], ['full', full]] as const) {
        const t0 = performance.now();
        x.t.trainStep();
        times[k].push(performance.now() - t0);
      }
    }
    const model = buildCostModel(ir);
    sampled = evalCost(model.macs, new Map(narrow.m.masks.groups.map((g) => [g.group.id, g.q.reduce((a, b) => a + b, 0) / g.width]))) / model.denseMacs;
  } finally {
    for (const x of [narrow, full]) {
      x.t.dispose();
      x.m.dispose();
    }
  }
  const n = median(times.narrow);
  const w = median(times.full);
  const name = `train step ${ir.name}, ${(100 * sampled).toFixed(0)}% MACs sampled, batch ${batch}, ${sel.name}`;
  return [
    { name: `${name}: full width`, value: w, unit: 'ms/step' },
    { name: `${name}: narrow`, value: n, unit: 'ms/step' },
    // ratio: narrow over full (lower is better; target ≤ NARROW_TARGET on an idle machine).
    { name: `${name}: narrow/full (target ≤ ${NARROW_TARGET})`, value: n / w, unit: 'ratio' },
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  // [spec] [batch] [share,share,…]: one table per sampled share of the MACs (default 0.4).
  // [backend]: native when the addon loads (as `npm run bench`), else wasm; ARCHC_THREADS sets oneDNN's threads.
  configureNative(nativeOptionsFromEnv(process.env));
  const shares = (process.argv[4] ?? '0.4').split(',').map(Number);
  const backend = (process.argv[5] as BackendChoice | undefined) ?? ('addon' in loadNative() ? 'native' : 'wasm');
  for (const share of shares) {
    const rows = await benchNarrow({ ...(process.argv[2] ? { spec: process.argv[2] } : {}), ...(process.argv[3] ? { batch: Number(process.argv[3]) } : {}), share, backend, rounds: shares.length > 1 ? 3 : 6 });
    for (const r of rows) console.log(`${r.name.padEnd(90)} ${r.value.toFixed(r.unit === 'ratio' ? 3 : 1)} ${r.unit}`);
  }
}
