// Training-throughput benchmark: steps of the real archc trainer (masks sampled, penalty, both optimizers) on
// ResNet-20 (batch 64, 32×32×3), specs/fashion-cnn.arch (batch 64) and specs/kjv-lstm.arch (batch 20, T 35) on
// synthetic data, against PyTorch on the same nets, batch and thread count, in alternating rounds of one run.
// A round's timed interval excludes the last step, whose callback comes after the final evaluation.
import { readFileSync } from 'node:fs';
import { compileText } from '../src/semantic/compile.ts';
import type { IrNetwork } from '../src/semantic/ir.ts';
import { initBackend, type BackendChoice } from '../src/runtime/backend/index.ts';
import { openDataset } from '../src/runtime/data/index.ts';
import { IrModule } from '../src/runtime/module.ts';
import { train } from '../src/runtime/train/trainer.ts';
import type { BenchRow } from './kernels.ts';
import { describeConfig, type TorchYardstick } from './torch.ts';

function loadIr(path: string): IrNetwork {
  const r = compileText(readFileSync(path, 'utf8'), path);
  if (!r.ir) throw new Error(`bench: ${path} does not check`);
  return r.ir;
}

/** Synthetic data for `steps` training steps of `ir` at `batch`, sized so that no epoch ends inside them (a token
 * window is seq + 1 tokens); the benches' one recipe. */
export function benchDataset(ir: IrNetwork, batch: number, steps: number): ReturnType<typeof openDataset> {
  const window = ir.input.kind === 'tokens' ? ir.input.seq + 1 : 1;
  return openDataset({ kind: 'synthetic', path: null }, {
    input: ir.input,
    ...(ir.task === 'classification' ? { classes: ir.outputs } : {}),
    seed: 1,
    synthetic: { train: batch * (steps + 2) * window, test: 64 * window, valid: 2000 },
  });
}

/**
 * Runs the real trainer for `warm + steps + 1` steps on synthetic data sized so that no epoch ends (and no
 * evaluation runs) inside them, and returns each step's end time (performance.now()). `onStep(k)` is called after
 * the k-th step (1-based), before its stamp is taken.
 */
export async function stepStamps(ir: IrNetwork, batch: number, warm: number, steps: number, onStep?: (k: number) => void): Promise<number[]> {
  const total = warm + steps + 1;
  const dataset = benchDataset(ir, batch, total);
  const module = new IrModule(ir, { seed: 1 });
  const stamps: number[] = [];
  try {
    await train({
      ir, module, dataset, seed: 1, outDir: null, log: () => {}, isTTY: false, batch, steps: total, evalLimit: 1,
      onStep: () => {
        onStep?.(stamps.length + 1);
        stamps.push(performance.now());
      },
    });
  } finally {
    module.dispose();
  }
  return stamps;
}

/** Items per second over `steps` timed steps after `warm` warm-up steps of the real trainer. */
export async function throughput(ir: IrNetwork, batch: number, warm: number, steps: number): Promise<number> {
  const seq = ir.input.kind === 'tokens' ? ir.input.seq : 1;
  const stamps = await stepStamps(ir, batch, warm, steps);
  const dt = (stamps[warm + steps - 1]! - stamps[warm - 1]!) / 1000;
  return (batch * seq * steps) / dt;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

interface Net {
  label: string;
  spec: string;
  torch: 'resnet20' | 'fashion_cnn' | 'kjv_lstm';
  batch: number;
  steps: number;
  unit: string;
}

const NETS: Net[] = [
  { label: 'ResNet-20 train step (32×32×3, batch 64)', spec: 'specs/resnet20.arch', torch: 'resnet20', batch: 64, steps: 3, unit: 'img/s' },
  { label: 'fashion-cnn train step (batch 64)', spec: 'specs/fashion-cnn.arch', torch: 'fashion_cnn', batch: 64, steps: 8, unit: 'img/s' },
  { label: 'kjv-lstm train step (batch 20, T 35)', spec: 'specs/kjv-lstm.arch', torch: 'kjv_lstm', batch: 20, steps: 4, unit: 'tok/s' },
];

/**
 * For each net: `rounds` alternating rounds of archc (on `backend`) and each PyTorch yardstick; rows carry the
 * medians and ratio = archc / the fastest yardstick's median (absent when PyTorch is not available). `only`:
 * just the nets whose label contains it.
 */
export async function benchTrain(opts: { backend: BackendChoice; rounds: number; torch: readonly TorchYardstick[]; only?: string }): Promise<BenchRow[]> {
  const sel = await initBackend(opts.backend);
  const rows: BenchRow[] = [];
  for (const net of NETS.filter((n) => opts.only === undefined || n.label.includes(opts.only))) {
    const ir = loadIr(net.spec);
    const ours: number[] = [];
    const theirs: number[][] = opts.torch.map(() => []);
    for (let r = 0; r < opts.rounds; r++) {
      ours.push(await throughput(ir, net.batch, 1, net.steps));
      for (const [i, y] of opts.torch.entries()) theirs[i]!.push(await y.measure(net.torch, net.steps));
    }
    const a = median(ours);
    const medians = theirs.map(median);
    const best = medians.length > 0 ? Math.max(...medians) : 0;
    rows.push({ name: `${net.label}, archc ${sel.name}`, value: a, unit: net.unit, ...(best > 0 ? { ratio: a / best } : {}) });
    for (const [i, y] of opts.torch.entries()) {
      rows.push({ name: `${net.label}, PyTorch (${describeConfig(y.info)})`, value: medians[i]!, unit: net.unit });
    }
  }
  return rows;
}
