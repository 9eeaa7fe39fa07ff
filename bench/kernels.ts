// Kernel benchmark for archc's backend layer: forward conv, conv dX/dW and transposed matMul, stock vs
// archc on wasm (cpu where wasm has no stock kernel), and one small conv-net training step, stock cpu vs
// archc wasm. `npm run bench` calls `benchKernels()`; `npx tsx bench/kernels.ts` prints the table alone.
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { batchNormTrain, initBackend, registerArchcKernels, unregisterArchcKernels } from '../src/runtime/backend/index.ts';

export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  /** archc over stock (higher is better), where both exist. */
  ratio?: number;
}

async function use(backend: string, archc: boolean): Promise<void> {
  await tf.setBackend(backend);
  if (archc) registerArchcKernels(backend);
  else unregisterArchcKernels(backend);
}

/** Median wall time in ms of `f` (a tidy'd computation; its outputs are read back to include all work). */
function time(f: () => tf.Tensor | tf.Tensor[], reps: number): number {
  const run = () => {
    const out = tf.tidy(f);
    for (const t of Array.isArray(out) ? out : [out]) t.dataSync();
    tf.dispose(out);
  };
  run(); // warm-up: XNNPACK operator creation, wasm heap growth
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    run();
    ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  return ts[Math.floor(ts.length / 2)];
}

const gflops = (flop: number, ms: number) => flop / ms / 1e6;

/** tfjs does not export an op for the filter gradient, so run the kernel the conv2d gradient uses. */
function filterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: number[]): tf.Tensor {
  return tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
    strides: 1, pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape,
  } as unknown as tf.NamedAttrMap) as tf.Tensor;
}

/** Conv layer [B,28,28,32] → 32, 3×3, stride 1, same: forward, dX, dW. */
async function convRows(reps: number): Promise<BenchRow[]> {
  const [H, C, K] = [28, 32, 3];
  const flopPerImage = 2 * H * H * K * K * C * C;
  const make = (b: number) => ({
    x: tf.randomNormal([b, H, H, C]) as tf.Tensor4D,
    w: tf.randomNormal([K, K, C, C]) as tf.Tensor4D,
    dy: tf.randomNormal([b, H, H, C]) as tf.Tensor4D,
  });
  const rows: BenchRow[] = [];
  const B = 64;

  await use('wasm', true);
  let t = make(B);
  const fwd = time(() => tf.conv2d(t.x, t.w, 1, 'same'), reps);
  rows.push({ name: `wasm conv2d forward [${B},${H},${H},${C}]→${C} 3×3`, value: gflops(flopPerImage * B, fwd), unit: 'GFLOP/s' });
  const dxOurs = time(() => tf.conv2dTranspose(t.dy, t.w, [B, H, H, C], 1, 'same'), reps);
  const dwOurs = time(() => filterGrad(t.x, t.dy, [K, K, C, C]), reps);
  await use('wasm', false);
  const dxStock = time(() => tf.conv2dTranspose(t.dy, t.w, [B, H, H, C], 1, 'same'), Math.max(1, reps >> 1));
  tf.dispose([t.x, t.w, t.dy]);
  rows.push({ name: 'wasm conv dX, stock', value: gflops(flopPerImage * B, dxStock), unit: 'GFLOP/s' });
  rows.push({ name: 'wasm conv dX, archc', value: gflops(flopPerImage * B, dxOurs), unit: 'GFLOP/s', ratio: dxStock / dxOurs });

  // Stock wasm has no Conv2DBackpropFilter: compare with stock cpu, at batch 2 because it runs at ~0.02 GFLOP/s.
  await use('cpu', false);
  const b2 = 2;
  t = make(b2);
  const dwCpu = time(() => filterGrad(t.x, t.dy, [K, K, C, C]), 1);
  tf.dispose([t.x, t.w, t.dy]);
  const cpuRate = gflops(flopPerImage * b2, dwCpu);
  const oursRate = gflops(flopPerImage * B, dwOurs);
  rows.push({ name: 'conv dW, stock cpu (wasm has none)', value: cpuRate, unit: 'GFLOP/s' });
  rows.push({ name: 'wasm conv dW, archc', value: oursRate, unit: 'GFLOP/s', ratio: oursRate / cpuRate });
  return rows;
}

/** matMul(a, b, false, true) as tfjs-core's gradient issues it: [1024,512]×[512,512]ᵀ. */
async function matMulRows(reps: number): Promise<BenchRow[]> {
  const flop = 2 * 1024 * 512 * 512;
  const run = async (archc: boolean) => {
    await use('wasm', archc);
    const a = tf.randomNormal([1024, 512]), b = tf.randomNormal([512, 512]);
    const ms = time(() => tf.matMul(a, b, false, true), reps);
    tf.dispose([a, b]);
    return ms;
  };
  const stock = await run(false);
  const ours = await run(true);
  return [
    { name: 'wasm matMul transposeB, stock', value: gflops(flop, stock), unit: 'GFLOP/s' },
    { name: 'wasm matMul transposeB, archc', value: gflops(flop, ours), unit: 'GFLOP/s', ratio: stock / ours },
  ];
}

/**
 * One SGD step of a small conv net on 28×28×1: conv16 → conv32/2 → conv32 → conv64/2, each followed by
 * BN + ReLU, then global average pooling and a dense layer to 10 classes. Returns ms per step.
 */
function trainStep(batch: number, ourBn: boolean, reps: number): number {
  const widths = [1, 16, 32, 32, 64];
  const strides = [1, 2, 1, 2];
  const vars: tf.Variable[] = [];
  const v = (t: tf.Tensor) => {
    const x = tf.variable(t);
    vars.push(x);
    return x;
  };
  const layers = strides.map((s, i) => ({
    w: v(tf.mul(tf.randomNormal([3, 3, widths[i], widths[i + 1]]), Math.sqrt(2 / (9 * widths[i])))),
    g: v(tf.ones([widths[i + 1]])),
    b: v(tf.zeros([widths[i + 1]])),
    s,
  }));
  const dense = v(tf.mul(tf.randomNormal([64, 10]), 0.1));
  const x = tf.randomNormal([batch, 28, 28, 1]) as tf.Tensor4D;
  const labels = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32') as tf.Tensor1D, 10);
  const opt = tf.train.momentum(0.05, 0.9);
  const loss = () => {
    let h: tf.Tensor4D = x;
    for (const l of layers) {
      const c = tf.conv2d(h, l.w as tf.Variable<tf.Rank.R4>, l.s, 'same');
      let n: tf.Tensor;
      if (ourBn) n = batchNormTrain(c, l.g as tf.Variable<tf.Rank.R1>, l.b as tf.Variable<tf.Rank.R1>).y;
      else {
        const { mean, variance } = tf.moments(c, [0, 1, 2]);
        n = tf.batchNorm(c, mean, variance, l.b as tf.Variable<tf.Rank.R1>, l.g as tf.Variable<tf.Rank.R1>, 1e-5);
      }
      h = tf.relu(n) as tf.Tensor4D;
    }
    const pooled = tf.mean(h, [1, 2]);
    return tf.losses.softmaxCrossEntropy(labels, tf.matMul(pooled, dense)) as tf.Scalar;
  };
  const ms = time(() => {
    const { value, grads } = tf.variableGrads(loss);
    opt.applyGradients(grads as unknown as Parameters<typeof opt.applyGradients>[0]);
    return [value, ...Object.values(grads)];
  }, reps);
  opt.dispose();
  tf.dispose([...vars, x, labels]);
  return ms;
}

async function trainRows(reps: number): Promise<BenchRow[]> {
  await use('wasm', true);
  const bOurs = 64;
  const ours = (bOurs / trainStep(bOurs, true, reps)) * 1000;
  await use('cpu', false);
  const bCpu = 4; // stock cpu's filter gradient makes larger batches take minutes
  const stock = (bCpu / trainStep(bCpu, false, 1)) * 1000;
  await use('cpu', true);
  const cpuOurs = (16 / trainStep(16, true, 1)) * 1000;
  return [
    { name: `train step, stock cpu (batch ${bCpu})`, value: stock, unit: 'img/s' },
    { name: 'train step, archc cpu (batch 16)', value: cpuOurs, unit: 'img/s', ratio: cpuOurs / stock },
    { name: `train step, archc wasm (batch ${bOurs})`, value: ours, unit: 'img/s', ratio: ours / stock },
  ];
}

/** Runs every kernel benchmark (about a minute on 2 cores) and returns the rows; leaves wasm + archc active. */
export async function benchKernels(opts: { reps?: number } = {}): Promise<BenchRow[]> {
  const reps = opts.reps ?? 5;
  await initBackend('wasm');
  const rows = [...(await convRows(reps)), ...(await matMulRows(reps)), ...(await trainRows(reps))];
  await use('wasm', true);
  return rows;
}

export function formatRows(rows: BenchRow[]): string {
  const w = Math.max(...rows.map((r) => r.name.length));
  return rows
    .map((r) => `${r.name.padEnd(w)}  ${r.value.toFixed(2).padStart(9)} ${r.unit.padEnd(8)}${r.ratio === undefined ? '' : `  ×${r.ratio.toFixed(1)}`}`)
    .join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await benchKernels();
  console.log(formatRows(rows));
}
