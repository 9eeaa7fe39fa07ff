// The oneDNN kernels of the native backend against tfjs's cpu reference (stock kernels) on seeded random
// shapes: conv and depthwise forward + both gradients (strides 1/2, same/valid/explicit padding, dilation 2,
// odd sizes, 1×1/3×3/5×5, batch 1–3), matmul in every transpose form with batch broadcasting, fused matmul
// with bias + ReLU, max/avg pooling and their gradients, and the training batch norm (y, batch statistics and
// the full gradient) against tf.moments + tf.batchNorm with tfjs's own gradient. Tolerance: max|Δ| ≤ 1e-4·(1 + max|ref|) (helpers.ts).
// Skips, saying why, only when the addon is not built or ARCHC_NATIVE=0 turned it off.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchNormTrain, initBackend, loadNative } from '../../../src/runtime/backend/index.ts';
import { expectClose, int, on, pick, randArray, rng } from './helpers.ts';

const native = loadNative();
const skipWhy = 'reason' in native ? ` (skipped: native backend unavailable: ${native.reason})` : '';
const run = 'addon' in native ? describe : describe.skip;

type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
interface ConvCase {
  b: number; h: number; w: number; ci: number; co: number; k: number; s: number; d: number; pad: Pad; depthwise: boolean;
}

function convCases(seed: number, n: number, depthwise: boolean): ConvCase[] {
  const r = rng(seed);
  const out: ConvCase[] = [];
  while (out.length < n) {
    const k = pick(r, [1, 3, 5]);
    const s = pick(r, [1, 2]);
    const pads: Pad[] = ['same', 'valid', 1, [[0, 0], [int(r, 0, 2), int(r, 0, 2)], [int(r, 0, 2), int(r, 0, 2)], [0, 0]]];
    const c: ConvCase = {
      b: int(r, 1, 3), h: int(r, 5, 12), w: int(r, 5, 12), ci: int(r, 1, 6), co: depthwise ? pick(r, [1, 2]) : int(r, 1, 7),
      k, s, d: s === 1 && r() < 0.2 ? 2 : 1, pad: pick(r, pads), depthwise,
    };
    if ((c.k - 1) * c.d + 1 > Math.min(c.h, c.w) && c.pad === 'valid') continue;
    out.push(c);
  }
  return out;
}

/** Forward output plus the gradients of Σ conv(x, w)·r w.r.t. x and w (r makes dy random). */
function convFwdGrads(c: ConvCase, seed: number): () => tf.Tensor[] {
  const r = rng(seed);
  const xs = randArray(r, c.b * c.h * c.w * c.ci);
  const ws = randArray(r, c.k * c.k * c.ci * c.co);
  return () => {
    const x = tf.tensor4d(xs, [c.b, c.h, c.w, c.ci]);
    const w = tf.tensor4d(ws, [c.k, c.k, c.ci, c.co]);
    const conv = (a: tf.Tensor4D, f: tf.Tensor4D) =>
      c.depthwise ? tf.depthwiseConv2d(a, f, c.s, c.pad as 'same', 'NHWC', c.d) : tf.conv2d(a, f, c.s, c.pad as 'same', 'NHWC', c.d);
    const y = conv(x, w);
    const weights = tf.tensor(randArray(rng(seed + 1), y.size), y.shape);
    // tfjs-core has no gradient for dilated convolutions: those cases check the forward only.
    if (c.d > 1) return [y];
    const g = tf.grads((a: tf.Tensor, f: tf.Tensor) => tf.sum(tf.mul(conv(a as tf.Tensor4D, f as tf.Tensor4D), weights)));
    return [y, ...g([x, w])];
  };
}

const convLabel = (c: ConvCase) =>
  `${c.depthwise ? 'depthwise' : 'conv'} x[${c.b},${c.h},${c.w},${c.ci}] k${c.k} ${c.depthwise ? 'm' : 'co'}${c.co} s${c.s} d${c.d} pad=${JSON.stringify(c.pad)}`;

beforeAll(async () => {
  await initBackend(skipWhy ? 'wasm' : 'native');
});

run(`native conv2d: forward, dX, dW${skipWhy}`, () => {
  it.each(convCases(101, 36, false).map((c, i) => [convLabel(c), c, i] as const))('%s', async (_l, c, i) => {
    const f = convFwdGrads(c, 3000 + i);
    expectClose(await on('wasm', 'native', f), await on('cpu', 'stock', f), convLabel(c));
  });
});

run(`native depthwise conv2d: forward, dX, dW${skipWhy}`, () => {
  it.each(convCases(202, 24, true).map((c, i) => [convLabel(c), c, i] as const))('%s', async (_l, c, i) => {
    const f = convFwdGrads(c, 4000 + i);
    expectClose(await on('wasm', 'native', f), await on('cpu', 'stock', f), convLabel(c));
  });
});

run(`native matMul${skipWhy}`, () => {
  const shapes = [
    { a: [5, 7], b: [7, 3] },
    { a: [3, 4, 6], b: [3, 6, 5] },
    { a: [1, 4, 6], b: [3, 6, 5] },
    { a: [2, 3, 4, 6], b: [6, 5] },
    { a: [33, 17], b: [17, 65] },
  ];
  for (const s of shapes) {
    for (const tA of [false, true]) {
      for (const tB of [false, true]) {
        it(`a${JSON.stringify(s.a)} b${JSON.stringify(s.b)} tA=${tA} tB=${tB}`, async () => {
          const sw = (sh: number[], t: boolean) => (t ? [...sh.slice(0, -2), sh[sh.length - 1]!, sh[sh.length - 2]!] : sh);
          const aShape = sw(s.a, tA), bShape = sw(s.b, tB);
          const r = rng(aShape.length * 7 + bShape[0]! + (tA ? 1 : 0) + (tB ? 2 : 0));
          const as = randArray(r, aShape.reduce((p, q) => p * q, 1)), bs = randArray(r, bShape.reduce((p, q) => p * q, 1));
          const f = () => {
            const a = tf.tensor(as, aShape), b = tf.tensor(bs, bShape);
            const mm = (x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y, tA, tB);
            const out = mm(a, b);
            // tfjs-core's matMul gradient does not reduce broadcast batch dims: those shapes check the forward.
            if (JSON.stringify(s.a.slice(0, -2)) !== JSON.stringify(s.b.slice(0, -2))) return [out];
            const wts = tf.tensor(randArray(rng(9), out.size), out.shape);
            return [out, ...tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(mm(x, y), wts)))([a, b])];
          };
          expectClose(await on('wasm', 'native', f), await on('cpu', 'stock', f), 'matMul');
        });
      }
    }
  }

  it('fused matMul with bias and relu, every transpose form', async () => {
    for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      const r = rng(77);
      const as = randArray(r, 6 * 4), bs = randArray(r, 4 * 5), cs = randArray(r, 5);
      const f = () => {
        const a = tf.tensor2d(as, tA ? [4, 6] : [6, 4]), b = tf.tensor2d(bs, tB ? [5, 4] : [4, 5]), bias = tf.tensor1d(cs);
        return [tf.fused.matMul({ a, b, transposeA: tA, transposeB: tB, bias, activation: 'relu' })];
      };
      expectClose(await on('wasm', 'native', f), await on('cpu', 'stock', f), `fused tA=${tA} tB=${tB}`);
    }
  });
});

run(`native pooling and pooling gradients${skipWhy}`, () => {
  const cases: Array<[number, number, number, 'same' | 'valid']> = [
    [9, 2, 2, 'valid'], [9, 3, 2, 'same'], [8, 3, 1, 'same'], [7, 2, 2, 'same'], [10, 3, 3, 'valid'],
  ];
  for (const pool of ['max', 'avg'] as const) {
    for (const [h, k, s, pad] of cases) {
      it(`${pool}Pool ${h}×${h + 1} k${k} s${s} ${pad}, including all-negative windows`, async () => {
        const r = rng(h * 31 + k * 7 + s);
        // Shifted below zero on half the channels: the stock wasm max-pool gradient gets those wrong.
        const xs = randArray(r, 2 * h * (h + 1) * 3).map((v, i) => (i % 3 === 0 ? v - 2 : v));
        const f = () => {
          const x = tf.tensor4d(xs, [2, h, h + 1, 3]);
          const p = (a: tf.Tensor) => (pool === 'max' ? tf.maxPool(a as tf.Tensor4D, k, s, pad) : tf.avgPool(a as tf.Tensor4D, k, s, pad));
          const y = p(x);
          const wts = tf.tensor(randArray(rng(5), y.size), y.shape);
          return [y, tf.grad((a: tf.Tensor) => tf.sum(tf.mul(p(a), wts)))(x)];
        };
        expectClose(await on('wasm', 'native', f), await on('cpu', 'stock', f), `${pool}Pool`);
      });
    }
  }
});

run(`native max-pool gradient on ties${skipWhy}`, () => {
  it('sends dy to the first maximum of a window (row-major), as tfjs does, for ReLU zeros and repeated values', async () => {
    // Values from {−1, 0, 0.5}, then a ReLU: most windows tie (all zeros, or several 0.5s); overlapping 3×3/s2.
    // 5 and 21 channels: a partial block of the native kernel's 16-channel blocks, and a full one plus a tail.
    for (const [k, s, pad, c] of [[2, 2, 'valid', 5], [3, 2, 'same', 5], [3, 1, 'valid', 5], [2, 2, 'valid', 21], [3, 2, 'same', 21]] as const) {
      const xs = Array.from({ length: 2 * 9 * 9 * c }, (_, i) => [-1, 0, 0.5][(i * 7 + (i >> 3)) % 3]!);
      const f = () => {
        const h = tf.relu(tf.tensor4d(xs, [2, 9, 9, c]));
        const p = (a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, k, s, pad);
        const wts = tf.tensor(randArray(rng(7), p(h).size), p(h).shape);
        return [tf.grad((a: tf.Tensor) => tf.sum(tf.mul(p(a), wts)))(h)];
      };
      expectClose(await on('wasm', 'native', f), await on('cpu', 'stock', f), `maxPool ties k${k} s${s} ${pad} C${c}`);
    }
  });
});

run(`native reductions over leading axes and identity${skipWhy}`, () => {
  const shapes = [[4, 5, 5, 3], [16, 6], [2, 3, 7, 1], [3, 9, 7, 37], [8, 17, 9, 16], [4096, 3]];
  for (const shape of shapes) {
    it(`sum and mean over all but the last axis of ${JSON.stringify(shape)} and over every axis (keepDims both ways); other axes stock`, async () => {
      const xs = randArray(rng(shape[0]! * 13 + shape.length), shape.reduce((p, q) => p * q, 1));
      const lead = shape.slice(0, -1).map((_, i) => i);
      const f = () => {
        const x = tf.tensor(xs, shape);
        return [
          tf.sum(x, lead), tf.mean(x, lead, true), tf.sum(x, shape.length - 1), tf.sum(x, -1, true), tf.sum(x),
          tf.mean(x, undefined, true), tf.mean(x, [0]), tf.max(x, -1), tf.max(x, -1, true), tf.max(x, 0),
        ];
      };
      expectClose(await on('wasm', 'native', f), await on('cpu', 'stock', f), 'reduce');
    });
  }

  it('exp of a big tensor, and softmax / logSumExp with their gradients over a wide last axis', async () => {
    const xs = randArray(rng(41), 70 * 1000).map((v) => v * 4);
    const f = () => {
      const x = tf.tensor2d(xs, [70, 1000]);
      const wts = tf.tensor2d(randArray(rng(42), 70 * 1000), [70, 1000]);
      const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.logSoftmax(a), wts)))(x);
      return [tf.exp(x), tf.softmax(x), tf.logSumExp(x, -1), g];
    };
    expectClose(await on('wasm', 'native', f), await on('cpu', 'stock', f), 'exp/softmax');
  });

  it('per-channel Multiply ([…, C]·[C] either order, [1,1,C], odd C) equals the stock product bit for bit, and its gradients', async () => {
    for (const shape of [[8, 9, 9, 10], [4, 7, 7, 40], [33, 130]]) {
      const c = shape[shape.length - 1]!;
      const size = shape.reduce((p, q) => p * q, 1);
      const xs = randArray(rng(44 + c), size), ms = randArray(rng(45 + c), c);
      const f = () => {
        const x = tf.tensor(xs, shape), m = tf.tensor1d(ms);
        const m3 = tf.reshape(m, [...shape.slice(0, -1).map(() => 1), c]);
        const [gx, gm] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.mul(a, b), a)))([x, m]);
        return [tf.mul(x, m), tf.mul(m, x), tf.mul(x, m3), gx!, gm!];
      };
      const got = await on('wasm', 'native', f), ref = await on('wasm', 'stock', f);
      expect(got.slice(0, 3)).toEqual(ref.slice(0, 3));
      expectClose(got, await on('cpu', 'stock', f), `channel multiply ${JSON.stringify(shape)}`);
    }
  });

  it('ReLU, same-shape Add/Multiply/AddN and the native ReLU and mask-Multiply gradients equal the stock compositions bit for bit', async () => {
    // The stock gradients (tfjs-core's Step·Cast·Multiply and Cast·Multiply·Sum) run on the same native kernels,
    // so "bit for bit" compares the fusion alone; the cpu backend is the independent reference.
    const stock = await (async () => {
      let grads: tf.GradConfig[] = [];
      await on('wasm', 'stock', () => { grads = [tf.getGradient('Relu')!, tf.getGradient('Multiply')!]; return []; });
      return grads;
    })();
    // Negative zeros, exact zeros at ReLU's kink and off (0) mask entries: the cases a fused kernel gets wrong.
    for (const shape of [[8, 9, 9, 10], [4, 7, 7, 40], [33, 130], [3, 5]]) {
      const c = shape[shape.length - 1]!;
      const size = shape.reduce((p, q) => p * q, 1);
      const r = rng(46 + c);
      const xs = randArray(r, size).map((v, i) => (i % 7 === 0 ? 0 : i % 11 === 0 ? -0 : v));
      const ys = randArray(r, size), ws = randArray(r, size);
      const ms = randArray(r, c).map((v, j) => (j % 3 === 0 ? 0 : Math.abs(v)));
      const f = () => {
        const x = tf.tensor(xs, shape), y = tf.tensor(ys, shape), w = tf.tensor(ws, shape), m = tf.tensor1d(ms);
        const loss = (a: tf.Tensor, b: tf.Tensor, mm: tf.Tensor) => {
          const h = tf.relu(tf.mul(tf.add(a, b), mm)); // Add, per-channel Multiply, ReLU
          // a used twice (AddN in the gradient), same-shape Multiply.
          return tf.sum(tf.mul(tf.addN([h, tf.relu(a), tf.mul(a, b)]), w));
        };
        const [ga, gb, gm] = tf.grads(loss)([x, y, m]);
        return [tf.relu(x), tf.add(x, y), tf.mul(x, y), tf.addN([x, y, x]), ga!, gb!, gm!];
      };
      const got = await on('wasm', 'native', f);
      // The same native kernels with tfjs-core's gradients put back for one run (`on` would re-register archc's).
      const mine = stock.map((g) => tf.getGradient(g.kernelName)!);
      expect(mine.every((g, i) => g !== stock[i])).toBe(true);
      for (const g of stock) tf.registerGradient(g);
      let ref: Float32Array[];
      try {
        const outs = tf.tidy(f);
        ref = outs.map((t) => t.dataSync() as Float32Array);
        tf.dispose(outs);
      } finally {
        for (const g of mine) tf.registerGradient(g);
      }
      expect(got).toEqual(ref);
      expectClose(got, await on('cpu', 'stock', f), `elementwise ${JSON.stringify(shape)}`);
    }
  });

  it('unstack (Unpack) on every axis, float32 and int32, with the stack gradient back', async () => {
    const shape = [3, 5, 4];
    const xs = randArray(rng(43), 60);
    for (let axis = 0; axis < 3; axis++) {
      const f = () => {
        const x = tf.tensor3d(xs, shape as [number, number, number]);
        const parts = tf.unstack(x, axis);
        const ints = tf.unstack(tf.cast(tf.mul(x, 10), 'int32'), axis).map((t) => tf.cast(t, 'float32'));
        const wts = parts.map((p, i) => tf.mul(p, i + 1));
        const g = tf.grad((a: tf.Tensor) => tf.addN(tf.unstack(a, axis).map((p, i) => tf.sum(tf.mul(p, wts[i]!)))))(x);
        return [...parts, ...ints, g];
      };
      expectClose(await on('wasm', 'native', f), await on('cpu', 'stock', f), `unstack axis ${axis}`);
    }
  });

  it('gather of rows (an embedding lookup): 1-, 2- and 3-d tables, repeated and edge indices, int32 too, other axes, and the gradient', async () => {
    const xs = randArray(rng(44), 7 * 6 * 2);
    const f = () => {
      const t2 = tf.tensor2d(xs.slice(0, 42), [7, 6]);
      const t3 = tf.tensor3d(xs, [7, 6, 2]);
      const t1 = tf.tensor1d(xs.slice(0, 7));
      const idx = tf.tensor2d([0, 6, 3, 3, 1, 6], [2, 3], 'int32');
      const flat = tf.tensor1d([5, 0, 0, 2], 'int32');
      const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.gather(a, idx), tf.range(1, 37).reshape([2, 3, 6]))))(t2);
      return [
        tf.gather(t2, idx), tf.gather(t3, flat), tf.gather(t1, idx),
        tf.cast(tf.gather(tf.cast(tf.mul(t2, 10), 'int32'), flat), 'float32'),
        tf.gather(t3, flat, 1), g,
      ];
    };
    expectClose(await on('wasm', 'native', f), await on('cpu', 'stock', f), 'gather rows');
  });

  it('identity (clone) shares the buffer and survives disposing the original', async () => {
    await on('wasm', 'native', () => []);
    const a = tf.tensor([1, 2, 3]);
    const b = a.clone();
    a.dispose();
    expect(Array.from(b.dataSync())).toEqual([1, 2, 3]);
    b.dispose();
  });
});

run(`native training batch norm${skipWhy}`, () => {
  const shapes = [[4, 5, 5, 3], [2, 3, 7, 1], [16, 6], [1, 4, 4, 2], [3, 9, 7, 37]];
  for (const shape of shapes) {
    it(`batchNormTrain ${JSON.stringify(shape)}: y, mean, variance, dx, dgamma, dbeta`, async () => {
      const r = rng(shape.length * 100 + shape[0]! + shape[shape.length - 1]!);
      const c = shape[shape.length - 1]!;
      const size = shape.reduce((p, q) => p * q, 1);
      // An offset mean (|mean| ≫ std) checks the variance is not computed as a cancelling E[x²]−E[x]².
      const xs = randArray(r, size).map((v) => v * 3 + 20), gs = randArray(r, c), bs = randArray(r, c), ws = randArray(r, size);
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
      expectClose(await on('wasm', 'native', ours), await on('cpu', 'stock', reference), 'batchNormTrain native');
    });
  }

  for (const shape of [[4, 5, 5, 3], [16, 6], [3, 9, 7, 37]]) {
    it(`batchNormTrain with a mask ${JSON.stringify(shape)}: BN(x)·m and the gradients of x, γ, β and m`, async () => {
      const r = rng(shape.length * 7 + shape[0]!);
      const c = shape[shape.length - 1]!;
      const size = shape.reduce((p, q) => p * q, 1);
      const xs = randArray(r, size).map((v) => v * 3 + 20), gs = randArray(r, c), bs = randArray(r, c), ws = randArray(r, size);
      // Off structures (0), a σ(β)·q-like value and a straight-through 1.
      const ms = Array.from({ length: c }, (_, j) => [0, 0.37, 1, 0.8][j % 4]!);
      const inputs = () => [tf.tensor(xs, shape), tf.tensor1d(gs), tf.tensor1d(bs), tf.tensor1d(ms), tf.tensor(ws, shape)] as const;
      const axes = shape.slice(0, -1).map((_, i) => i);
      const reference = () => {
        const [x, g, b, m, w] = inputs();
        const bn = (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor, mm: tf.Tensor) => {
          const { mean, variance } = tf.moments(xx, axes);
          return tf.mul(tf.batchNorm(xx, mean, variance, bb as tf.Tensor1D, gg as tf.Tensor1D, 1e-3), mm);
        };
        return [bn(x, g, b, m), ...tf.grads((xx, gg, bb, mm) => tf.sum(tf.mul(bn(xx!, gg!, bb!, mm!), w)))([x, g, b, m])];
      };
      const ours = () => {
        const [x, g, b, m, w] = inputs();
        const bn = (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor, mm: tf.Tensor) => batchNormTrain(xx, gg as tf.Tensor1D, bb as tf.Tensor1D, 1e-3, mm).y;
        return [bn(x, g, b, m), ...tf.grads((xx, gg, bb, mm) => tf.sum(tf.mul(bn(xx!, gg!, bb!, mm!), w)))([x, g, b, m])];
      };
      const ref = await on('cpu', 'stock', reference);
      const native = await on('wasm', 'native', ours);
      expectClose(native, ref, 'masked batchNormTrain native');
      expectClose(await on('cpu', 'archc', ours), ref, 'masked batchNormTrain cpu');
      // An off channel's output is exactly 0, as a product with the mask gives.
      const y = native[0]!;
      for (let i = 0; i < size; i += c) expect(y[i]).toBe(0);
    });
  }

  for (const [shape, masked] of [[[4, 5, 5, 3], false], [[16, 6], true], [[3, 9, 7, 37], true], [[2, 8, 8, 16], false]] as const) {
    it(`batchNormTrain with the ReLU fused ${JSON.stringify(shape)}${masked ? ', masked' : ''}: bit for bit a separate ReLU, forward and gradients`, async () => {
      const r = rng(shape.length * 13 + shape[0]!);
      const c = shape[shape.length - 1]!;
      const size = shape.reduce((p, q) => p * q, 1);
      const xs = randArray(r, size), gs = randArray(r, c), bs = randArray(r, c), ws = randArray(r, size);
      const ms = Array.from({ length: c }, (_, j) => [0, 0.37, 1, 0.8][j % 4]!);
      const run = (fused: boolean) => () => {
        const x = tf.tensor(xs, [...shape]), g = tf.tensor1d(gs), b = tf.tensor1d(bs), m = tf.tensor1d(ms), w = tf.tensor(ws, [...shape]);
        const f = (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor, mm: tf.Tensor) => {
          const mask = masked ? mm : null;
          return fused
            ? batchNormTrain(xx, gg as tf.Tensor1D, bb as tf.Tensor1D, 1e-3, mask, true).y
            : tf.relu(batchNormTrain(xx, gg as tf.Tensor1D, bb as tf.Tensor1D, 1e-3, mask).y);
        };
        const loss = (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor, mm: tf.Tensor) => tf.sum(tf.mul(f(xx, gg, bb, mm), w));
        const grads = masked
          ? tf.grads((xx, gg, bb, mm) => loss(xx!, gg!, bb!, mm!))([x, g, b, m])
          : tf.grads((xx, gg, bb) => loss(xx!, gg!, bb!, m))([x, g, b]);
        return [f(x, g, b, m), ...grads];
      };
      const fused = await on('wasm', 'native', run(true));
      const separate = await on('wasm', 'native', run(false));
      fused.forEach((a, i) => {
        // Equal values (a masked-off channel's zero may carry the other sign than tfjs-wasm's own small-tensor
        // ReLU gives it; nothing downstream can tell), NaN where NaN.
        const same = (v: number, w: number) => v === w || (Number.isNaN(v) && Number.isNaN(w));
        const bad = Array.from(a).flatMap((v, k) => (same(v, separate[i]![k]!) ? [] : [`${k}: ${v} vs ${separate[i]![k]}`]));
        expect(bad.slice(0, 5), `output ${i}`).toEqual([]);
      });
      // ReLU zeros really occur (so the gated gradient is exercised), and the cpu fallback agrees.
      expect(fused[0]!.filter((v) => v === 0).length).toBeGreaterThan(size / 4);
      expectClose(await on('cpu', 'archc', run(true)), separate, 'fused ReLU on cpu');
    });
  }

  it('batchNormTrain on a scalar says so on the native kernels too', async () => {
    await on('wasm', 'native', () => {
      expect(() => batchNormTrain(tf.scalar(2), tf.tensor1d([1]), tf.tensor1d([0]))).toThrow(
        'archc: batchNormTrain needs a tensor of rank 1 or more (channels last), got a scalar',
      );
      return [];
    });
  });

  it('leaves no tensors behind (forward and gradient)', async () => {
    await on('wasm', 'native', () => []);
    const step = () => tf.dispose(tf.tidy(() => {
      const x = tf.randomNormal([2, 4, 4, 3]), g = tf.ones([3]) as tf.Tensor1D, b = tf.zeros([3]) as tf.Tensor1D;
      const o = batchNormTrain(x, g, b);
      return [o.mean, o.variance, ...tf.grads((xx: tf.Tensor) => tf.sum(batchNormTrain(xx, g, b).y))([x])];
    }));
    step();
    const n = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(n);
  });
});

run(`native primitive cache and threads${skipWhy}`, () => {
  it('stays within its bound over many distinct shapes, and frees what it evicts', async () => {
    const addon = (native as { addon: import('../../../src/runtime/backend/native-addon.ts').NativeAddon }).addon;
    await on('wasm', 'native', () => []);
    addon.clearCache();
    addon.setCacheCapacity(8);
    try {
      const before = addon.cacheStats().created;
      for (let i = 0; i < 40; i++) {
        const c: ConvCase = { b: 1, h: 4 + i, w: 5, ci: 2, co: 3, k: 3, s: 1, d: 1, pad: 'same', depthwise: false };
        tf.dispose(tf.tidy(convFwdGrads(c, i)));
        expect(addon.cacheStats().cached).toBeLessThanOrEqual(8 * 4);
      }
      const stats = addon.cacheStats();
      // 40 shapes × (forward, dX, dW) primitives were built; at most 8 per op cache survive.
      expect(stats.created - before).toBeGreaterThanOrEqual(120);
      expect(stats.cached).toBeLessThanOrEqual(8 * 4);
      // A repeated shape is served from the cache: nothing new is created.
      const c: ConvCase = { b: 1, h: 43, w: 5, ci: 2, co: 3, k: 3, s: 1, d: 1, pad: 'same', depthwise: false };
      const mid = addon.cacheStats().created;
      tf.dispose(tf.tidy(convFwdGrads(c, 1)));
      expect(addon.cacheStats().created).toBe(mid);
    } finally {
      addon.setCacheCapacity(256);
    }
  });

  it('gives the same numbers on 1 thread as on the default count (within tolerance)', async () => {
    const addon = (native as { addon: import('../../../src/runtime/backend/native-addon.ts').NativeAddon }).addon;
    const threads = addon.threads();
    const c: ConvCase = { b: 2, h: 11, w: 9, ci: 5, co: 6, k: 3, s: 2, d: 1, pad: 'same', depthwise: false };
    const f = convFwdGrads(c, 12);
    const many = await on('wasm', 'native', f);
    addon.setThreads(1);
    try {
      expect(addon.threads()).toBe(1);
      expectClose(await on('wasm', 'native', f), many, 'one thread');
    } finally {
      addon.setThreads(threads);
    }
  });

  it('leaves tensors and wasm buffers flat across repeated training-style calls', async () => {
    await on('wasm', 'native', () => []);
    const be = tf.backend() as unknown as { numDataIds(): number };
    const c: ConvCase = { b: 2, h: 8, w: 8, ci: 3, co: 4, k: 3, s: 2, d: 1, pad: 'same', depthwise: false };
    const step = () => tf.dispose(tf.tidy(convFwdGrads(c, 1)));
    step();
    const tensors = tf.memory().numTensors, ids = be.numDataIds();
    for (let i = 0; i < 5; i++) step();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(be.numDataIds()).toBe(ids);
  });
});
