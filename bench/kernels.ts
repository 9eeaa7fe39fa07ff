// Per-kernel benchmark of the native backend (tfjs-wasm + archc's oneDNN addon) against archc's wasm backend:
// convolution forward / dX / dW on ResNet-20's layer shapes, depthwise forward, the LSTM's gate matmuls in the
// transpose forms their gradients use, and the training batch norm. Also measures what zero-copy buys: the same
// native convolution with its operands copied out of and back into the wasm heap, as a non-heap design would.
import * as tf from '@tensorflow/tfjs';
import { batchNormTrain, initBackend, loadNative, registerArchcKernels } from '../src/runtime/backend/index.ts';

export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  /** The row's comparison (higher is better): native / wasm here, archc / PyTorch for training rows. */
  ratio?: number;
}

/**
 * Median wall time in ms of `f` (a tidy'd computation). Outputs are not read back: wasm and native kernels run
 * synchronously inside the op call, and a read-back copies the output into a fresh ArrayBuffer whose page faults
 * (~10 µs each on these machines, ~1,000 for a 4 MB tensor) would be timed as the kernel's (that made the
 * [64,32,32,16] forward row read 27 GFLOP/s, 11 ms, against 2 ms for the convolution itself).
 */
function time(f: () => tf.Tensor | tf.Tensor[], reps: number): number {
  const run = () => tf.dispose(tf.tidy(f));
  run(); // warm-up: XNNPACK operator and oneDNN primitive creation, wasm heap growth
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    run();
    ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  return ts[Math.floor(ts.length / 2)]!;
}

const gflops = (flop: number, ms: number) => flop / ms / 1e6;

interface Kernel {
  name: string;
  /** FLOPs of one call, or null for a memory-bound op reported in ms. */
  flop: number | null;
  setup: () => tf.Tensor[];
  run: (t: tf.Tensor[]) => tf.Tensor | tf.Tensor[];
}

function convKernels(b: number, h: number, c: number, k: number): Kernel[] {
  const flop = 2 * b * h * h * k * k * c * c;
  const setup = () => [tf.randomNormal([b, h, h, c]), tf.randomNormal([k, k, c, c]), tf.randomNormal([b, h, h, c])];
  const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined } as const;
  const shape = `[${b},${h},${h},${c}]→${c} ${k}×${k}`;
  return [
    { name: `conv forward ${shape}`, flop, setup, run: ([x, w]) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same') },
    { name: `conv dX ${shape}`, flop, setup, run: ([, w, dy]) => tf.conv2dTranspose(dy as tf.Tensor4D, w as tf.Tensor4D, [b, h, h, c], 1, 'same') },
    {
      name: `conv dW ${shape}`, flop, setup,
      run: ([x, , dy]) => tf.engine().runKernel('Conv2DBackpropFilter', { x: x!, dy: dy! }, { ...attrs, filterShape: [k, k, c, c] } as unknown as tf.NamedAttrMap) as tf.Tensor,
    },
  ];
}

const KERNELS: Kernel[] = [
  ...convKernels(64, 32, 16, 3),
  ...convKernels(64, 8, 64, 3),
  {
    name: 'depthwise forward [64,16,16,32] 3×3', flop: 2 * 64 * 16 * 16 * 9 * 32,
    setup: () => [tf.randomNormal([64, 16, 16, 32]), tf.randomNormal([3, 3, 32, 1])],
    run: ([x, w]) => tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'),
  },
  {
    name: 'matMul [700,200]×[200,800] (LSTM gates)', flop: 2 * 700 * 200 * 800,
    setup: () => [tf.randomNormal([700, 200]), tf.randomNormal([200, 800])],
    run: ([a, w]) => tf.matMul(a as tf.Tensor2D, w as tf.Tensor2D),
  },
  {
    name: 'matMul transposeA [700,200]ᵀ×[700,800] (dW)', flop: 2 * 700 * 200 * 800,
    setup: () => [tf.randomNormal([700, 200]), tf.randomNormal([700, 800])],
    run: ([a, dy]) => tf.matMul(a as tf.Tensor2D, dy as tf.Tensor2D, true, false),
  },
  {
    name: 'matMul transposeB [700,800]×[200,800]ᵀ (dX)', flop: 2 * 700 * 200 * 800,
    setup: () => [tf.randomNormal([700, 800]), tf.randomNormal([200, 800])],
    run: ([dy, w]) => tf.matMul(dy as tf.Tensor2D, w as tf.Tensor2D, false, true),
  },
  {
    name: 'matMul [20,200]×[200,800] (one recurrent step)', flop: 2 * 20 * 200 * 800,
    setup: () => [tf.randomNormal([20, 200]), tf.randomNormal([200, 800])],
    run: ([a, w]) => tf.matMul(a as tf.Tensor2D, w as tf.Tensor2D),
  },
  {
    name: 'batch norm train fwd+bwd [64,32,32,16]', flop: null,
    setup: () => [tf.randomNormal([64, 32, 32, 16]), tf.ones([16]), tf.zeros([16])],
    run: ([x, g, b]) => tf.grads((xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => tf.sum(batchNormTrain(xx, gg as tf.Tensor1D, bb as tf.Tensor1D).y))([x!, g!, b!]),
  },
];

async function measure(plan: 'native' | 'wasm', k: Kernel, reps: number): Promise<number> {
  await tf.setBackend('wasm');
  registerArchcKernels('wasm', plan);
  const inputs = k.setup();
  try {
    return time(() => k.run(inputs), reps);
  } finally {
    tf.dispose(inputs);
  }
}

/**
 * The [64,32,32,16] 3×3 forward conv through the addon with operands copied: x and w read out of the heap into
 * fresh arrays, the result written back into a new wasm tensor. Against the zero-copy kernel it shows what the
 * heap-offset design saves.
 */
async function copyingConvMs(reps: number): Promise<number> {
  const native = loadNative();
  if ('reason' in native) return NaN;
  await tf.setBackend('wasm');
  registerArchcKernels('wasm', 'native');
  const [b, h, c] = [64, 32, 16];
  const x = tf.randomNormal([b, h, h, c]), w = tf.randomNormal([3, 3, c, c]);
  const dims = [b, h, h, c, h, h, c, 3, 3, 1, 1, 0, 0, 1, 1, 1, 1, 1];
  try {
    return time(() => {
      const xs = x.dataSync() as Float32Array, ws = w.dataSync() as Float32Array;
      const y = new Float32Array(b * h * h * c);
      native.addon.conv2d(0, undefined, dims, xs.slice(), ws.slice(), y);
      return tf.tensor4d(y, [b, h, h, c]);
    }, reps);
  } finally {
    tf.dispose([x, w]);
  }
}

/** Every kernel on native and on wasm (about a minute on 2 cores); leaves the native plan active if it loaded. */
export async function benchKernels(opts: { reps?: number } = {}): Promise<BenchRow[]> {
  const reps = opts.reps ?? 5;
  const rows: BenchRow[] = [];
  const native = loadNative();
  await initBackend('wasm');
  for (const k of KERNELS) {
    const wasm = await measure('wasm', k, k.flop !== null && k.flop > 5e8 ? Math.max(1, reps >> 1) : reps);
    const nat = 'addon' in native ? await measure('native', k, reps) : NaN;
    if (k.flop === null) {
      rows.push({ name: `${k.name}, wasm`, value: wasm, unit: 'ms' });
      rows.push({ name: `${k.name}, native`, value: nat, unit: 'ms', ratio: wasm / nat });
    } else {
      rows.push({ name: `${k.name}, wasm`, value: gflops(k.flop, wasm), unit: 'GFLOP/s' });
      rows.push({ name: `${k.name}, native`, value: gflops(k.flop, nat), unit: 'GFLOP/s', ratio: wasm / nat });
    }
  }
  if ('addon' in native) {
    const zero = await measure('native', KERNELS[0]!, reps);
    const copy = await copyingConvMs(reps);
    rows.push({ name: 'conv forward [64,32,32,16] native, zero-copy', value: zero, unit: 'ms' });
    rows.push({ name: 'conv forward [64,32,32,16] native, operands copied', value: copy, unit: 'ms', ratio: zero / copy });
    await initBackend('native');
  }
  return rows;
}
