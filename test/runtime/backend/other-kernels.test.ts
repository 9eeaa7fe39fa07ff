// Checks archc's non-convolution kernels against the cpu backend's stock results: untransposed matMul
// (forward and gradients), the gather/embedding gradient (UnsortedSegmentSum), the broadcasting BatchNorm
// gradients (batchNormTrain and patched tf.batchNorm), and the corrected wasm MaxPoolGrad.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchNormTrain, initBackend, loadNative, unregisterArchcKernels } from '../../../src/runtime/backend/index.ts';
import { expectClose, int, on, randArray, rng } from './helpers.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('matMul without transposed kernels', () => {
  const shapes = [
    { a: [5, 7], b: [7, 3] },
    { a: [1, 4], b: [4, 9] },
    { a: [3, 6, 4], b: [3, 4, 2] },
    // (broadcast batch dims are left out: tfjs-core's own matMul gradient rejects them on every backend)
  ];
  for (const s of shapes) {
    for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      it(`a${JSON.stringify(s.a)} b${JSON.stringify(s.b)} tA=${tA} tB=${tB}`, async () => {
        const r = rng(s.a.length * 31 + (tA ? 1 : 0) + (tB ? 2 : 0));
        const swap = (sh: number[]): number[] => [...sh.slice(0, -2), sh[sh.length - 1]!, sh[sh.length - 2]!];
        const aShape = tA ? swap(s.a) : s.a, bShape = tB ? swap(s.b) : s.b;
        const as = randArray(r, aShape.reduce((p, q) => p * q, 1)), bs = randArray(r, bShape.reduce((p, q) => p * q, 1));
        const f = () => {
          const a = tf.tensor(as, aShape), b = tf.tensor(bs, bShape);
          const mm = (x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y, tA, tB);
          const y = mm(a, b);
          const w = tf.tensor(randArray(rng(7), y.size), y.shape);
          return [y, ...tf.grads((x: tf.Tensor, z: tf.Tensor) => tf.sum(tf.mul(mm(x, z), w)))([a, b])];
        };
        const ref = await on('cpu', 'stock', f);
        expectClose(await on('wasm', 'archc', f), ref, 'matMul');
      });
    }
  }

  it('fused matMul with transposes, bias and relu', async () => {
    const r = rng(3);
    const as = randArray(r, 6 * 4), bs = randArray(r, 5 * 6), cs = randArray(r, 5);
    const f = () => {
      const a = tf.tensor2d(as, [6, 4]), b = tf.tensor2d(bs, [5, 6]), bias = tf.tensor1d(cs);
      return tf.grads((x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) =>
        tf.sum(tf.square(tf.fused.matMul({ a: x as tf.Tensor2D, b: y as tf.Tensor2D, transposeA: true, transposeB: true, bias: z, activation: 'relu' }))),
      )([a, b, bias]);
    };
    const ref = await on('cpu', 'stock', f);
    expectClose(await on('wasm', 'archc', f), ref, 'fused matMul');
  });
});

describe('gather gradient (UnsortedSegmentSum)', () => {
  for (const [v, d, n] of [[11, 4, 30], [50, 1, 7], [3, 6, 40]] as const) {
    it(`embedding V=${v} D=${d} N=${n} with repeated indices`, async () => {
      const r = rng(v * d + n);
      const table = randArray(r, v * d);
      const idx = Int32Array.from({ length: n }, () => int(r, 0, v - 1));
      const wts = randArray(r, n * d);
      const f = () => {
        const t = tf.tensor2d(table, [v, d]);
        const i = tf.tensor1d(idx, 'int32');
        const w = tf.tensor2d(wts, [n, d]);
        return tf.grads((e: tf.Tensor) => tf.sum(tf.mul(tf.gather(e, i), w)))([t]);
      };
      const ref = await on('cpu', 'stock', f);
      const wasm = await on('wasm', 'archc', f);
      expectClose(wasm, ref, 'gather grad wasm');
      expectClose(await on('cpu', 'archc', f), ref, 'gather grad cpu');
      // The native backend's in-heap version (and its row gather) gives the wasm version's sums bit for bit.
      if ('addon' in loadNative()) expect(Array.from((await on('wasm', 'native', f))[0]!)).toEqual(Array.from(wasm[0]!));
    });
  }

  it('gather on axis 1 with 2-D indices', async () => {
    const r = rng(9);
    const xs = randArray(r, 3 * 8 * 2);
    const idx = Int32Array.from({ length: 6 }, () => int(r, 0, 7));
    const f = () => {
      const x = tf.tensor3d(xs, [3, 8, 2]);
      const i = tf.tensor2d(idx, [2, 3], 'int32');
      const y0 = tf.gather(x, i, 1);
      const w = tf.tensor(randArray(rng(1), y0.size), y0.shape);
      return tf.grads((e: tf.Tensor) => tf.sum(tf.mul(tf.gather(e, i, 1), w)))([x]);
    };
    const ref = await on('cpu', 'stock', f);
    expectClose(await on('wasm', 'archc', f), ref, 'gather axis 1');
  });
});

describe('BatchNorm', () => {
  const shapes = [[4, 5, 5, 3], [2, 3, 7, 1], [16, 6], [1, 4, 4, 2]];
  for (const shape of shapes) {
    it(`batchNormTrain matches tf.moments + tf.batchNorm (stock gradient) for ${JSON.stringify(shape)}`, async () => {
      const r = rng(shape.length * 100 + shape[0]!);
      const c = shape[shape.length - 1]!;
      const size = shape.reduce((p, q) => p * q, 1);
      const xs = randArray(r, size).map((v) => v * 3 + 1), gs = randArray(r, c), bs = randArray(r, c), ws = randArray(r, size);
      const inputs = () => [tf.tensor(xs, shape), tf.tensor1d(gs), tf.tensor1d(bs), tf.tensor(ws, shape)] as const;
      const reference = () => {
        const [x, g, b, w] = inputs();
        const axes = shape.slice(0, -1).map((_, i) => i);
        const loss = (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => {
          const { mean, variance } = tf.moments(xx, axes);
          return tf.sum(tf.mul(tf.batchNorm(xx, mean, variance, bb as tf.Tensor1D, gg as tf.Tensor1D, 1e-3), w));
        };
        const { mean, variance } = tf.moments(x, axes);
        return [tf.batchNorm(x, mean, variance, b, g, 1e-3), mean, variance, ...tf.grads(loss)([x, g, b])];
      };
      const ours = () => {
        const [x, g, b, w] = inputs();
        const loss = (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) =>
          tf.sum(tf.mul(batchNormTrain(xx, gg as tf.Tensor1D, bb as tf.Tensor1D, 1e-3).y, w));
        const o = batchNormTrain(x, g, b, 1e-3);
        return [o.y, o.mean, o.variance, ...tf.grads(loss)([x, g, b])];
      };
      const ref = await on('cpu', 'stock', reference);
      expectClose(await on('wasm', 'archc', ours), ref, 'batchNormTrain wasm');
      expectClose(await on('cpu', 'archc', ours), ref, 'batchNormTrain cpu');
      // The patched FusedBatchNorm gradient (broadcast instead of tile) must not change tf.batchNorm's result.
      expectClose(await on('wasm', 'archc', reference), ref, 'tf.batchNorm with patched gradient');
    });
  }

  it('batchNormTrain on a scalar (no channel axis) says so instead of running', async () => {
    for (const backend of ['wasm', 'cpu']) {
      await tf.setBackend(backend);
      const x = tf.scalar(2), g = tf.tensor1d([1]), b = tf.tensor1d([0]);
      expect(() => batchNormTrain(x, g, b)).toThrow('archc: batchNormTrain needs a tensor of rank 1 or more (channels last), got a scalar');
      tf.dispose([x, g, b]);
    }
    await tf.setBackend('wasm');
  });
});

describe('maxPool gradient', () => {
  // All-negative windows: the stock wasm kernel sends each window's gradient to its first element.
  const xs = Float32Array.from([-5, -1, -3, -2, -4, -6, -7, -8, -0.5, -9, -2, -3, -1, -4, -6, -7]);
  const f = () => {
    const x = tf.tensor4d(xs, [1, 4, 4, 1]);
    return tf.grads((a: tf.Tensor) => tf.sum(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid')))([x]);
  };

  it('documents the stock wasm bug on all-negative windows', async () => {
    const ref = await on('cpu', 'stock', f);
    const stock = await on('wasm', 'stock', f);
    expect(Array.from(stock[0]!)).not.toEqual(Array.from(ref[0]!));
  });

  it('archc kernel routes the gradient to the argmax like cpu', async () => {
    const ref = await on('cpu', 'stock', f);
    expectClose(await on('wasm', 'archc', f), ref, 'maxPool negative');
  });

  for (const [h, k, s, pad] of [[7, 3, 2, 'same'], [6, 2, 2, 'valid'], [5, 3, 1, 'same'], [9, 3, 2, 'valid']] as const) {
    it(`random input ${h}×${h} k${k} s${s} ${pad}`, async () => {
      const r = rng(h * k + s);
      const data = randArray(r, 2 * h * h * 3);
      const g = () => {
        const x = tf.tensor4d(data, [2, h, h, 3]);
        const y0 = tf.maxPool(x, k, s, pad);
        const w = tf.tensor(randArray(rng(4), y0.size), y0.shape);
        return tf.grads((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, k, s, pad), w)))([x]);
      };
      const ref = await on('cpu', 'stock', g);
      expectClose(await on('wasm', 'archc', g), ref, 'maxPool random');
    });
  }
});

describe('no leaks', () => {
  it('matMul, gather, batchNormTrain and maxPool gradients leave tensors and buffers flat', async () => {
    await on('wasm', 'archc', () => []);
    const be = tf.backend() as unknown as { numDataIds(): number };
    const step = () =>
      tf.tidy(() => {
        const a = tf.randomNormal([6, 5]), b = tf.randomNormal([6, 4]);
        const e = tf.randomNormal([10, 3]), i = tf.tensor1d([1, 1, 4, 9], 'int32');
        const x = tf.randomNormal([2, 4, 4, 3]), g = tf.ones([3]) as tf.Tensor1D, bb = tf.zeros([3]) as tf.Tensor1D;
        tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.matMul(p, q, true, false)))([a, b]);
        tf.grads((t: tf.Tensor) => tf.sum(tf.gather(t, i)))([e]);
        tf.grads((t: tf.Tensor, gg: tf.Tensor) => tf.sum(tf.square(batchNormTrain(t, gg as tf.Tensor1D, bb).y)))([x, g]);
        tf.grads((t: tf.Tensor) => tf.sum(tf.maxPool(t as tf.Tensor4D, 2, 2, 'same')))([x]);
      });
    step();
    const tensors = tf.memory().numTensors, ids = be.numDataIds();
    for (let k = 0; k < 5; k++) step();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(be.numDataIds()).toBe(ids);
  });

  it('unregistering restores the stock kernels', async () => {
    unregisterArchcKernels('wasm');
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    await initBackend('wasm');
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });
});
