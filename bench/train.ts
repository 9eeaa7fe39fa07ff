// Training-throughput benchmark: steps of the real archc trainer (masks sampled, penalty, both optimizers) on a
// ResNet-20 (batch 64, 32×32×3) and a 2×200 LSTM LM (V 10k, T 35, B 20), on synthetic data, for each backend that
// loads. Stock tfjs on wasm cannot train a conv net at all (no Conv2DBackpropFilter), which is reported as such.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { compileText } from '../src/semantic/compile.ts';
import type { IrNetwork } from '../src/semantic/ir.ts';
import { initBackend, unregisterArchcKernels, registerArchcKernels, type BackendChoice } from '../src/runtime/backend/index.ts';
import { openDataset } from '../src/runtime/data/index.ts';
import { IrModule } from '../src/runtime/module.ts';
import { train } from '../src/runtime/train/trainer.ts';
import type { BenchRow } from './kernels.ts';

function loadIr(path: string): IrNetwork {
  const r = compileText(readFileSync(path, 'utf8'), path);
  if (!r.ir) throw new Error(`bench: ${path} does not check`);
  return r.ir;
}

/** Items per second over `steps` timed steps after `warm` warm-up steps of the real trainer. */
async function throughput(ir: IrNetwork, batch: number, itemsPerExample: number, warm: number, steps: number): Promise<number> {
  const dataset = openDataset({ kind: 'synthetic', path: null }, {
    input: ir.input,
    ...(ir.task === 'classification' ? { classes: ir.outputs } : {}),
    seed: 1,
    synthetic: { train: batch * (warm + steps + 1) * (ir.task === 'classification' ? 1 : ir.input.kind === 'tokens' ? ir.input.seq : 1), test: 64, valid: 2000 },
  });
  const module = new IrModule(ir, { seed: 1 });
  const stamps: number[] = [];
  try {
    await train({
      ir, module, dataset, seed: 1, outDir: null, log: () => {}, isTTY: false, batch, steps: warm + steps, evalLimit: 1,
      onStep: () => void stamps.push(performance.now()),
    });
  } finally {
    module.dispose();
  }
  const dt = (stamps[stamps.length - 1]! - stamps[warm - 1]!) / 1000;
  return (batch * itemsPerExample * steps) / dt;
}

export async function benchTrain(opts: { backends?: BackendChoice[] } = {}): Promise<BenchRow[]> {
  const resnet = loadIr('specs/resnet20.arch');
  const lstm = loadIr('specs/kjv-lstm.arch');
  const seq = lstm.input.kind === 'tokens' ? lstm.input.seq : 1;
  const rows: BenchRow[] = [];
  for (const b of opts.backends ?? ['node-gpu', 'node', 'wasm', 'cpu']) {
    let sel;
    try {
      sel = await initBackend(b);
    } catch (e) {
      rows.push({ name: `${b}: not available (${(e as Error).message.split('\n')[0]})`, value: NaN, unit: '' });
      continue;
    }
    // The pure-JS cpu backend is ~30× slower: fewer, smaller steps keep the bench short (per-item rates still compare).
    const slow = sel.tfBackend === 'cpu';
    rows.push({ name: `train ResNet-20, archc ${b} (batch ${slow ? 8 : 64})`, value: await throughput(resnet, slow ? 8 : 64, 1, 1, slow ? 2 : 4), unit: 'img/s' });
    rows.push({ name: `train 2x200 LSTM LM, archc ${b} (batch ${slow ? 4 : 20}, T ${seq})`, value: await throughput(lstm, slow ? 4 : 20, seq, 1, slow ? 2 : 4), unit: 'tok/s' });
    if (sel.tfBackend === 'wasm') {
      unregisterArchcKernels('wasm');
      try {
        const v = await throughput(resnet, 64, 1, 1, 2);
        rows.push({ name: 'train ResNet-20, stock tfjs wasm', value: v, unit: 'img/s' });
      } catch (e) {
        rows.push({ name: `train ResNet-20, stock tfjs wasm: cannot train (${(e as Error).message.split('\n')[0].slice(0, 80)})`, value: NaN, unit: '' });
      } finally {
        registerArchcKernels('wasm');
      }
    }
  }
  tf.disposeVariables();
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await benchTrain();
  for (const r of rows) console.log(`${r.name.padEnd(70)} ${Number.isFinite(r.value) ? r.value.toFixed(1) : '-'} ${r.unit}`);
}
