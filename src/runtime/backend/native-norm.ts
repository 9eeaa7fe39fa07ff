// Native kernels for what a training step issues around the convolutions and matmuls: archc's training batch
// norm (forward with batch statistics, full gradient) as two kernels, big reductions (over the leading axes, all
// axes, or the last axis), a multi-threaded exp, Unpack as heap block copies, and an Identity that shares its
// buffer. Hand-written in native/src (batch_norm.cc, elementwise.cc), deterministic for a given thread count.
import * as tf from '@tensorflow/tfjs';
import { channelsLast, type Info } from './kernel-utils.ts';
import { nativeAddon } from './native-addon.ts';
import { fallback, WasmHeap, type Args } from './native-heap.ts';
import { unsortedSegmentSum } from './segment-sum.ts';

/** Kernel names of archc's training batch norm (batch-norm.ts runs them when the backend has them). */
export const BN_TRAIN = 'ArchcBatchNormTrain';
export const BN_TRAIN_GRAD = 'ArchcBatchNormTrainGrad';

/**
 * x [..., C], gamma, beta (, mask) → [y, mean, variance] with the batch's statistics (variance divided by N). An
 * optional per-channel `mask` multiplies the output, folded into the affine parameters on the host (γ·m, β·m: C
 * products, each rounded to float32 as a tfjs Multiply would), so masking costs no pass over x. Attribute
 * `relu`: y = relu(that) in the same pass.
 */
function batchNormTrainKernel(args: Args): Info[] {
  const { x, gamma, beta, mask } = args.inputs as { x: Info; gamma: Info; beta: Info; mask?: Info };
  const eps = (args.attrs?.['eps'] as number | undefined) ?? 1e-5;
  const c = channelsLast(x.shape, BN_TRAIN);
  const rows = tf.util.sizeFromShape(x.shape) / c;
  const h = new WasmHeap(args.backend);
  const y = h.output(x.shape), mean = h.output([c]), variance = h.output([c]);
  let g: number | Float32Array = h.offset(gamma), b: number | Float32Array = h.offset(beta);
  if (mask) {
    const m = h.floats(mask, c);
    g = times(h.floats(gamma, c), m);
    b = times(h.floats(beta, c), m);
  }
  nativeAddon().batchNormForward(h.heap(), rows, c, eps, h.offset(x), g, b, h.offset(y), h.offset(mean), h.offset(variance), args.attrs?.['relu'] === true);
  return [y, mean, variance];
}

/**
 * dy, x, gamma, mean, variance → [dx, dgamma, dbeta], the gradient through the batch statistics included. With
 * `mask` (and `beta`), the gradient of BN(x)·m: the kernel runs with γ' = γ·m and gives ∂γ', ∂β'; then
 * ∂γ = ∂γ'·m, ∂β = ∂β'·m and ∂m = ∂γ'·γ + ∂β'·β (C values, on the host), returned as a fourth output. With `y`
 * (the output of a forward with `relu`), the gradient of relu(BN(x)): dy gated by step(y) inside the same passes.
 */
function batchNormTrainGradKernel(args: Args): Info[] {
  const { dy, x, gamma, beta, mean, variance, mask, y } = args.inputs as { dy: Info; x: Info; gamma: Info; beta?: Info; mean: Info; variance: Info; mask?: Info; y?: Info };
  const eps = (args.attrs?.['eps'] as number | undefined) ?? 1e-5;
  const c = channelsLast(x.shape, BN_TRAIN_GRAD);
  const rows = tf.util.sizeFromShape(x.shape) / c;
  const h = new WasmHeap(args.backend);
  const dx = h.output(x.shape), dgamma = h.output([c]), dbeta = h.output([c]);
  // Allocated before any heap view is taken (an allocation may grow the heap and detach them).
  const dmask = mask ? h.output([c]) : undefined;
  if (!mask || !dmask) {
    nativeAddon().batchNormBackward(h.heap(), rows, c, eps, h.offset(x), h.offset(gamma), h.offset(mean), h.offset(variance),
      h.offset(dy), h.offset(dx), h.offset(dgamma), h.offset(dbeta), y ? h.offset(y) : null);
    return [dx, dgamma, dbeta];
  }
  if (!beta) throw new Error(`${BN_TRAIN_GRAD}: a mask needs beta too`);
  const m = h.floats(mask, c), gm = h.floats(gamma, c), bm = h.floats(beta, c);
  const dg = new Float32Array(c), db = new Float32Array(c);
  nativeAddon().batchNormBackward(h.heap(), rows, c, eps, h.offset(x), times(gm, m), h.offset(mean), h.offset(variance),
    h.offset(dy), h.offset(dx), dg, db, y ? h.offset(y) : null);
  h.floats(dgamma, c).set(times(dg, m));
  h.floats(dbeta, c).set(times(db, m));
  const dm = times(dg, gm);
  const f = Math.fround;
  for (let j = 0; j < c; j++) dm[j] = f(dm[j]! + f(db[j]! * bm[j]!));
  h.floats(dmask, c).set(dm);
  return [dx, dgamma, dbeta, dmask];
}

/** a ⊙ b, a new array (float32 products, as tfjs rounds them). */
function times(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length);
  for (let j = 0; j < a.length; j++) out[j] = a[j]! * b[j]!;
  return out;
}

/**
 * Big Sum/Mean over every axis but the last (mask, bias and BN-style gradients: tfjs-wasm transposes the whole
 * tensor before reducing leading axes) or over every axis, and big Sum/Max over the last axis (softmax) on every
 * thread. Other reductions run the stock kernel.
 */
function columnReduce(name: 'Sum' | 'Mean' | 'Max') {
  return (args: Args): Info => {
    const { x } = args.inputs as { x: Info };
    const attrs = args.attrs ?? {};
    const r = x.shape.length;
    // Max names its axes `reductionIndices`; Sum and Mean call them `axis`.
    const axes = tf.util.parseAxisParam((attrs[name === 'Max' ? 'reductionIndices' : 'axis'] as number | number[]), x.shape).sort((a, b) => a - b);
    const all = r >= 1 && axes.length === r;
    const leading = r >= 2 && axes.length === r - 1 && axes.every((a, i) => a === i);
    const last = r >= 2 && axes.length === 1 && axes[0] === r - 1;
    const size = tf.util.sizeFromShape(x.shape);
    const c = x.shape[r - 1] ?? 0;
    const keep = attrs['keepDims'] === true;
    // Tiny reductions (a loss, a [B] vector) stay on wasm; even a [20,200] mask gradient (transposed first on
    // wasm) is worth the native call.
    if (x.dtype !== 'float32' || size < 1024 || c === 0) return fallback(name, args);
    const h = new WasmHeap(args.backend);
    if (last && name !== 'Mean') {
      const out = h.output(keep ? [...x.shape.slice(0, -1), 1] : x.shape.slice(0, -1));
      nativeAddon().rowReduce(name === 'Max' ? 1 : 0, h.heap(), size / c, c, h.offset(x), h.offset(out));
      return out;
    }
    if (name === 'Max' || !(leading || all)) return fallback(name, args);
    const rows = size / c;
    const scale = name === 'Mean' ? 1 / (all ? size : rows) : 1;
    if (leading) {
      const out = h.output(keep ? [...x.shape.slice(0, -1).map(() => 1), c] : [c]);
      nativeAddon().columnSum(h.heap(), rows, c, scale, h.offset(x), h.offset(out));
      return out;
    }
    // A full reduction: per-channel sums natively, then their (fixed-order) total here.
    const cols = new Float32Array(c);
    nativeAddon().columnSum(h.heap(), rows, c, 1, h.offset(x), cols);
    let total = 0;
    for (let j = 0; j < c; j++) total += cols[j]!;
    const out = h.output(keep ? x.shape.map(() => 1) : []);
    new Float32Array(h.heap(), h.offset(out), 1)[0] = total * scale;
    return out;
  };
}

/** exp of a big float tensor on every thread (the LM's softmax over the vocabulary). */
function bigExp(args: Args): Info {
  const { x } = args.inputs as { x: Info };
  const n = tf.util.sizeFromShape(x.shape);
  if (x.dtype !== 'float32' || n < 65536) return fallback('Exp', args);
  const h = new WasmHeap(args.backend);
  const out = h.output(x.shape);
  nativeAddon().unary(0, h.heap(), n, h.offset(x), h.offset(out));
  return out;
}

/**
 * Unpack (tf.unstack, which the LSTM runs over time) as plain block copies inside the wasm heap; tfjs-wasm
 * slices once per output with a strided kernel, ~40× slower on [20,35,800].
 */
function unpack(args: Args): Info[] {
  const { value } = args.inputs as { value: Info };
  const axis = tf.util.parseAxisParam((args.attrs?.['axis'] as number | undefined) ?? 0, value.shape)[0]!;
  const dtype = value.dtype;
  if (dtype !== 'float32' && dtype !== 'int32') return fallback('Unpack', args) as unknown as Info[];
  const outer = value.shape.slice(0, axis).reduce((p, v) => p * v, 1);
  const n = value.shape[axis]!;
  const inner = value.shape.slice(axis + 1).reduce((p, v) => p * v, 1);
  const outShape = [...value.shape.slice(0, axis), ...value.shape.slice(axis + 1)];
  const h = new WasmHeap(args.backend);
  const outs = Array.from({ length: n }, () => h.output(outShape, dtype));
  const heap = new Float32Array(h.heap());
  const src = h.offset(value) / 4;
  for (let i = 0; i < n; i++) {
    const dst = h.offset(outs[i]!) / 4;
    for (let o = 0; o < outer; o++) heap.copyWithin(dst + o * inner, src + (o * n + i) * inner, src + (o * n + i + 1) * inner);
  }
  return outs;
}

/**
 * GatherV2 of whole rows (axis 0, no batch dims: an embedding lookup) as block copies inside the heap. tfjs-wasm's
 * kernel took 10.8 ms for 700 rows of a [10000, 200] table, growing with the table's size; this takes the rows it
 * copies. Other axes, dtypes and any out-of-range index run the stock kernel (which reports it its own way).
 */
function gatherRows(args: Args): Info {
  const { x, indices } = args.inputs as { x: Info; indices: Info };
  const attrs = args.attrs ?? {};
  const axis = x.shape.length > 0 ? tf.util.parseAxisParam((attrs['axis'] as number | undefined) ?? 0, x.shape)[0] : undefined;
  const rows = x.shape[0] ?? 0;
  if (axis !== 0 || ((attrs['batchDims'] as number | undefined) ?? 0) !== 0 || (x.dtype !== 'float32' && x.dtype !== 'int32') || indices.dtype !== 'int32' || rows === 0) {
    return fallback('GatherV2', args);
  }
  const inner = tf.util.sizeFromShape(x.shape) / rows;
  const n = tf.util.sizeFromShape(indices.shape);
  const h = new WasmHeap(args.backend);
  const idx = new Int32Array(h.heap(), h.offset(indices), n).slice();
  for (let i = 0; i < n; i++) if (!(idx[i]! >= 0 && idx[i]! < rows)) return fallback('GatherV2', args);
  const out = h.output([...indices.shape, ...x.shape.slice(1)], x.dtype);
  const heap = new Float32Array(h.heap());
  const src = h.offset(x) / 4, dst = h.offset(out) / 4;
  for (let i = 0; i < n; i++) heap.copyWithin(dst + i * inner, src + idx[i]! * inner, src + (idx[i]! + 1) * inner);
  return out;
}

/**
 * UnsortedSegmentSum (the embedding gradient) straight into a zero-filled heap output: archc's wasm version
 * (segment-sum.ts) builds the [numSegments, …] result in a JS array and then copies it into the heap, 8 MB each
 * way for a 10000 × 200 table. Same semantics: ids < 0 or ≥ numSegments are dropped; rows are added in id order of
 * appearance, so the sums are those of the wasm version bit for bit.
 */
function segmentSumInHeap(args: Args): Info {
  const { x, segmentIds } = args.inputs as { x: Info; segmentIds: Info };
  const numSegments = args.attrs?.['numSegments'] as number;
  if ((x.dtype !== 'float32' && x.dtype !== 'int32') || segmentIds.dtype !== 'int32') return unsortedSegmentSum(args as Parameters<typeof unsortedSegmentSum>[0]);
  const n = tf.util.sizeFromShape(segmentIds.shape);
  const inner = tf.util.sizeFromShape(x.shape.slice(segmentIds.shape.length));
  const h = new WasmHeap(args.backend);
  const out = h.output([numSegments, ...x.shape.slice(segmentIds.shape.length)], x.dtype);
  const View = x.dtype === 'int32' ? Int32Array : Float32Array;
  const o = new View(h.heap(), h.offset(out), numSegments * inner);
  const xs = new View(h.heap(), h.offset(x), n * inner);
  const ids = new Int32Array(h.heap(), h.offset(segmentIds), n);
  o.fill(0);
  for (let i = 0; i < n; i++) {
    const sgm = ids[i]!;
    if (sgm < 0 || sgm >= numSegments) continue;
    const src = i * inner, dst = sgm * inner;
    for (let j = 0; j < inner; j++) o[dst + j]! += xs[src + j]!;
  }
  return out;
}

/** Identity shares the input's buffer (as Reshape does) instead of copying it: tensors are immutable. */
function shareIdentity(args: Args): Info {
  const { x } = args.inputs as { x: Info };
  if (x.dtype === 'string') return fallback('Identity', args);
  (args.backend as unknown as { incRef(id: tf.DataId): void }).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export const NORM_KERNELS: Record<string, (args: Args) => Info | Info[]> = {
  [BN_TRAIN]: batchNormTrainKernel,
  [BN_TRAIN_GRAD]: batchNormTrainGradKernel,
  Sum: columnReduce('Sum'),
  Mean: columnReduce('Mean'),
  Max: columnReduce('Max'),
  Exp: bigExp,
  Unpack: unpack,
  GatherV2: gatherRows,
  UnsortedSegmentSum: segmentSumInHeap,
  Identity: shareIdentity,
};
