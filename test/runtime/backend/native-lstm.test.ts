// The native backend's fused LSTM recurrence (native/src/lstm.cc via src/runtime/backend/native-lstm.ts) against
// the tfjs loop in layers/lstm.ts (what the wasm backend runs): a stacked 2-layer LSTM with hidden-unit masks
// (fractional, with zeros) over two windows of carried state gives the same outputs, carried h/c and gradients
// in the input, every weight and both masks, to max|Δ| ≤ 1e-4·(1 + max|ref|); an LSTM LM trains along the same
// loss curve; the fused softmax cross-entropy of the LM head gives tfjs's loss, count and gradient; the kernels reject bad operands with a clear error. Skips only when the addon is unavailable.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend, loadNative } from '../../../src/runtime/backend/index.ts';
import { LSTM_BACKWARD, LSTM_FORWARD, hasFusedLstm, lstmWorkspaceSize } from '../../../src/runtime/backend/native-lstm.ts';
import { fusedXent, hasFusedXent, XENT_FORWARD } from '../../../src/runtime/backend/native-xent.ts';
import { openDataset } from '../../../src/runtime/data/index.ts';
import { RecurrentCarry, type ForwardContext } from '../../../src/runtime/layers/context.ts';
import { Lstm } from '../../../src/runtime/layers/lstm.ts';
import { VariableStore } from '../../../src/runtime/layers/store.ts';
import { IrModule } from '../../../src/runtime/module.ts';
import { Rng } from '../../../src/runtime/rng.ts';
import { lstmLmIr, testTrain } from '../../../src/runtime/testing/ir-fixtures.ts';
import { taskLoss } from '../../../src/runtime/train/loss.ts';
import { train } from '../../../src/runtime/train/trainer.ts';

const native = loadNative();
const skipWhy = 'reason' in native ? ` (skipped: native backend unavailable: ${native.reason})` : '';
const run = 'addon' in native ? describe : describe.skip;

function uniform(seed: number, n: number, lo = -1, hi = 1): Float32Array {
  const r = new Rng(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * (r.next() / 4294967296);
  return a;
}

const B = 3, T = 5, F = 4, H1 = 6, H2 = 5;
/** Host data of the stacked net: x, per-layer W/U/b and masks (fractional, one unit off in each). */
const DATA = {
  x: [uniform(1, B * T * F), uniform(2, B * T * F)],
  dy: uniform(3, B * T * H2),
  w1: uniform(4, F * 4 * H1, -0.5, 0.5), u1: uniform(5, H1 * 4 * H1, -0.5, 0.5), b1: uniform(6, 4 * H1, -0.5, 0.5),
  w2: uniform(7, H1 * 4 * H2, -0.5, 0.5), u2: uniform(8, H2 * 4 * H2, -0.5, 0.5), b2: uniform(9, 4 * H2, -0.5, 0.5),
  m1: Float32Array.from([1, 0.3, 0, 0.8, 1, 0.55]),
  m2: Float32Array.from([0.9, 1, 0.2, 0, 0.7]),
};

/**
 * Two windows through the stacked LSTM on `backend` (the second starts from the first's carried state): the
 * outputs, the carried states and the gradients of Σ y₂·dy in x₂ and every weight and mask, as plain arrays.
 */
async function stacked(backend: 'native' | 'wasm', masked: boolean): Promise<{ fused: boolean; out: Record<string, number[]> }> {
  await initBackend(backend);
  const store = new VariableStore();
  const l1 = new Lstm(store, new Rng(1), 'l1', { inFeatures: F, units: H1 });
  const l2 = new Lstm(store, new Rng(2), 'l2', { inFeatures: H1, units: H2 });
  const carry = new RecurrentCarry();
  const ctx: ForwardContext = { training: true, mask: () => null, rng: new Rng(3), carry };
  const out: Record<string, number[]> = {};
  const keep = (name: string, t: tf.Tensor): void => {
    out[name] = Array.from(t.dataSync());
  };
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    const p = {
      w1: tf.tensor2d(DATA.w1, [F, 4 * H1]), u1: tf.tensor2d(DATA.u1, [H1, 4 * H1]), b1: tf.tensor1d(DATA.b1),
      w2: tf.tensor2d(DATA.w2, [H1, 4 * H2]), u2: tf.tensor2d(DATA.u2, [H2, 4 * H2]), b2: tf.tensor1d(DATA.b2),
      m1: tf.tensor1d(DATA.m1), m2: tf.tensor1d(DATA.m2),
    };
    const net = (x: tf.Tensor, q: typeof p): tf.Tensor => {
      const y1 = l1.applyWith(x, masked ? q.m1 : null, ctx, { kernel: q.w1, recurrentKernel: q.u1, bias: q.b1 }, null);
      return l2.applyWith(y1, masked ? q.m2 : null, ctx, { kernel: q.w2, recurrentKernel: q.u2, bias: q.b2 }, null);
    };
    keep('y1', net(tf.tensor3d(DATA.x[0]!, [B, T, F]), p));
    carry.flush();
    // Without masks, the masks are no inputs of the net (nothing to differentiate).
    const names = Object.keys(p).filter((k) => masked || !k.startsWith('m')) as Array<keyof typeof p>;
    const args = [tf.tensor3d(DATA.x[1]!, [B, T, F]), ...names.map((k) => p[k])];
    const dyT = tf.tensor3d(DATA.dy, [B, T, H2]);
    const { value, grads } = tf.valueAndGrads((...a: tf.Tensor[]) => {
      const q = { ...p, ...Object.fromEntries(names.map((k, i) => [k, a[i + 1]!])) } as typeof p;
      const y = net(a[0]!, q);
      keep('y2', y);
      return tf.sum(tf.mul(y, dyT));
    })(args);
    keep('loss', value);
    grads.forEach((g, i) => {
      keep(`d${i === 0 ? 'x' : names[i - 1]!}`, g);
    });
  });
  for (const path of ['l1', 'l2']) {
    const s = carry.get(path)!;
    keep(`${path}.h`, s.h);
    keep(`${path}.c`, s.c);
  }
  carry.reset();
  // No tensor outlives the two windows: the fused op leaks nothing.
  expect(tf.memory().numTensors - before).toBe(0);
  store.dispose();
  return { fused: hasFusedLstm(), out };
}

function close(a: number[], ref: number[], what: string): void {
  expect(a.length, what).toBe(ref.length);
  const scale = 1 + Math.max(...ref.map(Math.abs));
  const err = Math.max(...a.map((v, i) => Math.abs(v - ref[i]!)));
  expect(err, `${what}: max|Δ| ${err} vs scale ${scale}`).toBeLessThanOrEqual(1e-4 * scale);
}

run(`the fused native LSTM${skipWhy}`, () => {
  for (const masked of [true, false]) {
    it(`matches the tfjs loop: outputs, carried state and every gradient (${masked ? 'masked' : 'no mask'}, 2 layers, carried state)`, async () => {
      const ref = await stacked('wasm', masked);
      const got = await stacked('native', masked);
      expect(ref.fused).toBe(false);
      expect(got.fused).toBe(true);
      expect(Object.keys(got.out).sort()).toEqual(Object.keys(ref.out).sort());
      for (const k of Object.keys(ref.out)) close(got.out[k]!, ref.out[k]!, k);
      if (masked) {
        // A unit with mask 0 outputs exactly zero (its gradient still flows to the mask).
        for (let i = 3; i < got.out['y2']!.length; i += H2) expect(got.out['y2']![i]).toBe(0);
        expect(got.out['dm2']!.some((v) => v !== 0)).toBe(true);
      }
    });
  }

  it('trains an LSTM LM along the loss curve of the tfjs loop (per-step loss within 1e-4 relative)', async () => {
    const curve = async (backend: 'native' | 'wasm') => {
      await initBackend(backend);
      const ir = lstmLmIr({ hidden: 8, seq: 6, train: testTrain({ steps: 5, batch: 4, lossReduction: 'mean' }) });
      const dataset = openDataset({ kind: 'synthetic', path: null }, { input: ir.input, seed: 3, synthetic: { train: 400, test: 32, valid: 60 } });
      const module = new IrModule(ir, { seed: 4 });
      const losses: number[] = [];
      await train({ ir, module, dataset, seed: 4, outDir: null, log: () => {}, isTTY: false, evalLimit: 4, onStep: (s) => void losses.push(s.loss) });
      const logits = module.masks.groups.map((g) => Array.from(g.logits()));
      module.dispose();
      return { losses, logits };
    };
    const w = await curve('wasm');
    const n = await curve('native');
    expect(n.losses).toHaveLength(5);
    n.losses.forEach((l, i) => {
      expect(Math.abs(l - w.losses[i]!), `step ${i + 1}`).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(w.losses[i]!)));
    });
    close(n.logits.flat(), w.logits.flat(), 'mask logits');
  });

  it('rejects operands of the wrong shape with a clear error instead of touching the heap', async () => {
    await initBackend('native');
    tf.tidy(() => {
      const xw = tf.zeros([2, 3, 8]), h0 = tf.zeros([2, 2]);
      expect(() => tf.engine().runKernel(LSTM_FORWARD, { xw, u: tf.zeros([3, 8]), h0, c0: h0 })).toThrow(/u: expected float32 \[2, 8\]/);
      expect(() => tf.engine().runKernel(LSTM_BACKWARD, { dy: tf.zeros([2, 3, 2]), u: tf.zeros([2, 8]), ws: tf.zeros([lstmWorkspaceSize(2, 3, 2) - 1]) })).toThrow(/workspace: expected/);
    });
    // The addon itself checks every operand against the buffer: an offset past the end throws.
    const addon = (native as unknown as { addon: { lstmForward(...a: unknown[]): void } }).addon;
    const heap = new ArrayBuffer(1024);
    expect(() => addon.lstmForward(heap, [2, 3, 2], 0, 0, null, 0, 0, 0, 0, 0, 1000)).toThrow(/lstm workspace: operand lies outside the heap/);
  });
});

run(`the fused native softmax cross-entropy${skipWhy}`, () => {
  /** Loss, correct count and dlogits of taskLoss on [2, 7, 13] LM logits (one label out of range, one tie). */
  async function lm(backend: 'native' | 'wasm') {
    await initBackend(backend);
    return tf.tidy(() => {
      const logitsData = uniform(11, 2 * 7 * 13, -4, 4);
      logitsData.fill(5, 13 * 3, 13 * 3 + 4); // row 3 ties at its first 4 entries (above the rest): argmax is the first
      const labelsData = Int32Array.from({ length: 14 }, (_, i) => (i * 5) % 13);
      labelsData[3] = 0;
      labelsData[9] = 13; // out of range: an all-zero one-hot row, as tf.oneHot makes it
      const logits = tf.tensor3d(logitsData, [2, 7, 13]), labels = tf.tensor2d(labelsData, [2, 7], 'int32');
      let correct = -1, meanXent = -1;
      const { value, grads } = tf.valueAndGrads((x: tf.Tensor) => {
        const t = taskLoss(x, labels, 'language-model', 'sum');
        correct = t.correct.dataSync()[0]!;
        meanXent = t.meanXent.dataSync()[0]!;
        return t.loss;
      })([logits]);
      return { fused: hasFusedXent(), loss: value.dataSync()[0]!, meanXent, correct, grad: Array.from(grads[0]!.dataSync()) };
    });
  }

  it('matches the tfjs loss: mean cross-entropy, correct count and the logits gradient', async () => {
    const ref = await lm('wasm');
    const got = await lm('native');
    expect([ref.fused, got.fused]).toEqual([false, true]);
    expect(got.correct).toBe(ref.correct);
    expect(Math.abs(got.loss - ref.loss)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(ref.loss)));
    expect(Math.abs(got.meanXent - ref.meanXent)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(ref.meanXent)));
    close(got.grad, ref.grad, 'dlogits');
    expect(got.grad.slice(9 * 13, 10 * 13).every((v) => v === 0)).toBe(true);
  });

  it('a 10,007-word vocabulary with logits from −60 to +50 (exp underflowing): loss and gradient as tfjs', async () => {
    // The native exp is archc's own vectorised one (xent.cc exp_lanes); the gradient is the softmax itself, so a
    // relative error in exp shows up here directly.
    const k = 10_007;
    const run = async (backend: 'native' | 'wasm') => {
      await initBackend(backend);
      return tf.tidy(() => {
        const data = uniform(21, 3 * k, -30, 30);
        data.fill(-60, 2 * k, 3 * k);
        data[2 * k + 17] = 50; // a row whose other entries all underflow
        const logits = tf.tensor2d(data, [3, k]), labels = tf.tensor1d([5, 10_006, 17], 'int32');
        const { value, grads } = tf.valueAndGrads((x: tf.Tensor) => taskLoss(x, labels, 'classification', 'mean').loss)([logits]);
        return { loss: value.dataSync()[0]!, grad: Float32Array.from(grads[0]!.dataSync()) };
      });
    };
    const ref = await run('wasm');
    const got = await run('native');
    expect(Math.abs(got.loss - ref.loss)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(ref.loss)));
    let worst = 0;
    for (let i = 0; i < got.grad.length; i++) {
      const r = ref.grad[i]!;
      if (Math.abs(r) > 1e-30) worst = Math.max(worst, Math.abs(got.grad[i]! - r) / Math.abs(r));
    }
    // 7.8e-6 here: float32 rounding of x − logsumexp (|x| up to 50) on either side, not the exp.
    expect(worst, 'largest relative error of a softmax entry').toBeLessThan(1.5e-5);
  });

  it('leaks no tensor and rejects float labels', async () => {
    await initBackend('native');
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const logits = tf.randomNormal([5, 9]) as tf.Tensor2D;
      const g = tf.grad((x: tf.Tensor) => fusedXent(x as tf.Tensor2D, tf.tensor1d([1, 2, 3, 4, 5], 'int32')).meanLoss)(logits);
      expect(g.shape).toEqual([5, 9]);
      expect(() => tf.engine().runKernel(XENT_FORWARD, { logits, labels: tf.zeros([5]) })).toThrow(/labels: expected int32 \[5\]/);
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});
