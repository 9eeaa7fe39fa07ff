// Checks archc's convolution gradients (wasm, and cpu's Conv2DBackpropFilter) against the cpu backend's
// stock gradients on seeded random shapes: strides 1/2, same/valid/explicit padding, odd and even sizes,
// 1×1 and 3×3 filters, batch 1 and >1, depthwise with channel multiplier 1 and 2.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/runtime/backend/index.ts';
import { expectClose, int, on, pick, randArray, rng } from './helpers.ts';

type Pad = 'same' | 'valid' | number;

interface ConvCase {
  b: number; h: number; w: number; ci: number; co: number; k: number; s: number; pad: Pad; depthwise: boolean;
}

function cases(seed: number, n: number, depthwise: boolean): ConvCase[] {
  const r = rng(seed);
  const out: ConvCase[] = [];
  while (out.length < n) {
    const k = pick(r, [1, 3]);
    const c: ConvCase = {
      b: pick(r, [1, 2, 3]), h: int(r, 3, 9), w: int(r, 3, 9), ci: int(r, 1, 5),
      co: depthwise ? pick(r, [1, 2]) : int(r, 1, 5), k, s: pick(r, [1, 2]),
      pad: pick(r, ['same', 'valid', 1] as const), depthwise,
    };
    if (c.pad === 1 && k === 1) c.pad = 'same';
    out.push(c);
  }
  return out;
}

/** Gradients of Σ conv(x, w)·r w.r.t. x and w; r makes dy a random tensor rather than ones. */
function convGrads(c: ConvCase, seed: number): () => tf.Tensor[] {
  const r = rng(seed);
  const xs = randArray(r, c.b * c.h * c.w * c.ci);
  const ws = randArray(r, c.k * c.k * c.ci * c.co);
  return () => {
    const x = tf.tensor4d(xs, [c.b, c.h, c.w, c.ci]);
    const w = tf.tensor4d(ws, [c.k, c.k, c.ci, c.co]);
    const conv = (a: tf.Tensor4D, f: tf.Tensor4D) =>
      c.depthwise ? tf.depthwiseConv2d(a, f, c.s, c.pad) : tf.conv2d(a, f, c.s, c.pad);
    const yShape = conv(x, w).shape;
    const weights = tf.tensor(randArray(rng(seed + 1), yShape.reduce((p, q) => p * q, 1)), yShape);
    const g = tf.grads((a: tf.Tensor, f: tf.Tensor) => tf.sum(tf.mul(conv(a as tf.Tensor4D, f as tf.Tensor4D), weights)));
    return g([x, w]);
  };
}

const label = (c: ConvCase) =>
  `${c.depthwise ? 'depthwise' : 'conv'} x[${c.b},${c.h},${c.w},${c.ci}] k${c.k} ${c.depthwise ? 'm' : 'co'}${c.co} s${c.s} pad=${c.pad}`;

beforeAll(async () => {
  await initBackend('wasm');
});

describe('conv2d gradients', () => {
  it.each(cases(11, 40, false).map((c, i) => [label(c), c, i] as const))('%s', async (_l, c, i) => {
    const f = convGrads(c, 1000 + i);
    const ref = await on('cpu', 'stock', f);
    expectClose(await on('wasm', 'archc', f), ref, `wasm ${label(c)}`);
    expectClose(await on('cpu', 'archc', f), ref, `cpu ${label(c)}`);
  });
});

describe('depthwise conv2d gradients', () => {
  it.each(cases(23, 30, true).map((c, i) => [label(c), c, i] as const))('%s', async (_l, c, i) => {
    const f = convGrads(c, 2000 + i);
    const ref = await on('cpu', 'stock', f);
    expectClose(await on('wasm', 'archc', f), ref, `wasm ${label(c)}`);
    expectClose(await on('cpu', 'archc', f), ref, `cpu ${label(c)}`);
  });
});

describe('explicit asymmetric padding (exercises the crop paths)', () => {
  const pads: tf.backend_util.ExplicitPadding[] = [
    [[0, 0], [2, 0], [0, 3], [0, 0]],
    [[0, 0], [0, 1], [2, 2], [0, 0]],
  ];
  for (const [pi, pad] of pads.entries()) {
    for (const s of [1, 2]) {
      it(`pad ${JSON.stringify(pad)} stride ${s}`, async () => {
        const r = rng(pi * 10 + s);
        const xs = randArray(r, 2 * 7 * 6 * 3), ws = randArray(r, 3 * 3 * 3 * 2);
        const f = () => {
          const x = tf.tensor4d(xs, [2, 7, 6, 3]), w = tf.tensor4d(ws, [3, 3, 3, 2]);
          const y0 = tf.conv2d(x, w, s, pad);
          const wts = tf.tensor(randArray(rng(3), y0.size), y0.shape);
          return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, pad), wts)))([x, w]);
        };
        const ref = await on('cpu', 'stock', f);
        expectClose(await on('wasm', 'archc', f), ref, 'explicit pad wasm');
        expectClose(await on('cpu', 'archc', f), ref, 'explicit pad cpu');
      });
    }
  }
});

describe('fused conv2d (bias + relu) trains through the same kernels', () => {
  it('matches cpu', async () => {
    const r = rng(5);
    const xs = randArray(r, 2 * 7 * 7 * 3), ws = randArray(r, 3 * 3 * 3 * 4), bs = randArray(r, 4);
    const f = () => {
      const x = tf.tensor4d(xs, [2, 7, 7, 3]), w = tf.tensor4d(ws, [3, 3, 3, 4]), b = tf.tensor1d(bs);
      return tf.grads((a: tf.Tensor, fw: tf.Tensor, bb: tf.Tensor) =>
        tf.sum(tf.square(tf.fused.conv2d({ x: a as tf.Tensor4D, filter: fw as tf.Tensor4D, strides: 2, pad: 'same', bias: bb, activation: 'relu' }))),
      )([x, w, b]);
    };
    const ref = await on('cpu', 'stock', f);
    expectClose(await on('wasm', 'archc', f), ref, 'fused conv');
  });
});

describe('no leaks', () => {
  it('keeps tensors and backend buffers flat across repeated gradient calls', async () => {
    await on('wasm', 'archc', () => []);
    const be = tf.backend() as unknown as { numDataIds(): number };
    const c: ConvCase = { b: 2, h: 8, w: 8, ci: 3, co: 4, k: 3, s: 2, pad: 'same', depthwise: false };
    const d: ConvCase = { ...c, co: 2, depthwise: true };
    const step = () => {
      tf.dispose(tf.tidy(convGrads(c, 1)));
      tf.dispose(tf.tidy(convGrads(d, 2)));
    };
    step();
    const tensors = tf.memory().numTensors, ids = be.numDataIds();
    for (let i = 0; i < 5; i++) step();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(be.numDataIds()).toBe(ids);
  });
});
