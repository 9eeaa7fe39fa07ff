// tfjs-wasm kernels that run on archc's oneDNN addon: convolutions (plain and depthwise, forward and both
// gradients), batched matmul in every transpose form (with bias/ReLU for _FusedMatMul) and max/avg pooling with
// their gradients, and archc's training batch norm (forward with batch statistics, backward). Geometry comes from tfjs's own computeConv2DInfo/computePool2DInfo, so 'same' padding
// (asymmetric for even totals), explicit padding and rounding modes match tfjs exactly. Cases oneDNN is not
// given (NCHW, non-float32, exotic activations) run the stock (or archc's composed) kernel instead.
import * as tf from '@tensorflow/tfjs';
import { stockKernel, type Attrs, type Info } from './kernel-utils.ts';
import { untransposedMatMul } from './matmul.ts';
import { nativeAddon } from './native-addon.ts';
import { WasmHeap } from './native-heap.ts';

type Args = { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: Attrs };
type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

const isNhwc = (attrs: Attrs): boolean => {
  const f = attrs['dataFormat'] as string | undefined;
  return f === undefined || f === 'NHWC' || f === 'channelsLast';
};
const allFloat = (...ts: Info[]): boolean => ts.every((t) => t.dtype === 'float32');

function convInfo(xShape: number[], filterShape: number[], attrs: Attrs, depthwise: boolean): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs['strides'] as number | [number, number],
    (attrs['dilations'] as number | [number, number] | undefined) ?? 1,
    attrs['pad'] as Pad,
    attrs['dimRoundingMode'] as Rounding,
    depthwise,
  );
}

/** The addon's conv dims (native/src/ops.hpp); oneDNN counts dilation from 0. */
function convDims(c: tf.backend_util.Conv2DInfo, groups: number): number[] {
  const p = c.padInfo;
  return [
    c.batchSize, c.inHeight, c.inWidth, c.inChannels, c.outHeight, c.outWidth, c.outChannels,
    c.filterHeight, c.filterWidth, c.strideHeight, c.strideWidth, c.dilationHeight - 1, c.dilationWidth - 1,
    p.top, p.left, p.bottom, p.right, groups,
  ];
}

function fallback(name: string, args: Args, backendName: string): Info {
  const cfg = stockKernel(name, backendName);
  if (cfg === undefined) throw new Error(`archc: kernel '${name}' has no fallback on '${backendName}'`);
  return cfg.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]) as Info;
}

/** Conv2D / DepthwiseConv2dNative forward. */
function convForward(depthwise: boolean) {
  return (args: Args): Info => {
    const { x, filter } = args.inputs as { x: Info; filter: Info };
    const attrs = args.attrs ?? {};
    if (!isNhwc(attrs) || !allFloat(x, filter)) return fallback(depthwise ? 'DepthwiseConv2dNative' : 'Conv2D', args, 'wasm');
    const c = convInfo(x.shape, filter.shape, attrs, depthwise);
    const h = new WasmHeap(args.backend);
    const out = h.output([c.batchSize, c.outHeight, c.outWidth, c.outChannels]);
    nativeAddon().conv2d(0, h.heap(), convDims(c, depthwise ? c.inChannels : 1), h.offset(x), h.offset(filter), h.offset(out));
    return out;
  };
}

/** Conv2DBackpropInput / DepthwiseConv2dNativeBackpropInput: dx from dy and the filter. */
function convBackpropInput(depthwise: boolean) {
  return (args: Args): Info => {
    const { dy, filter } = args.inputs as { dy: Info; filter: Info };
    const attrs = args.attrs ?? {};
    const inputShape = attrs['inputShape'] as number[];
    const c = convInfo(inputShape, filter.shape, attrs, depthwise);
    const h = new WasmHeap(args.backend);
    const dx = h.output(inputShape);
    nativeAddon().conv2d(1, h.heap(), convDims(c, depthwise ? c.inChannels : 1), h.offset(dx), h.offset(filter), h.offset(dy));
    return dx;
  };
}

/** Conv2DBackpropFilter / DepthwiseConv2dNativeBackpropFilter: dW from x and dy. */
function convBackpropFilter(depthwise: boolean) {
  return (args: Args): Info => {
    const { x, dy } = args.inputs as { x: Info; dy: Info };
    const attrs = args.attrs ?? {};
    const filterShape = attrs['filterShape'] as number[];
    const c = convInfo(x.shape, filterShape, attrs, depthwise);
    const h = new WasmHeap(args.backend);
    const dw = h.output(filterShape);
    nativeAddon().conv2d(2, h.heap(), convDims(c, depthwise ? c.inChannels : 1), h.offset(x), h.offset(dw), h.offset(dy));
    return dw;
  };
}

const CONV_GRAD_NAMES = ['Conv2DBackpropInput', 'Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter'];
/** The gradient kernels need NHWC and float32 too; tfjs only produces those for NHWC float convs. */
function guardConvGrad(name: string, f: (a: Args) => Info) {
  return (args: Args): Info => {
    const attrs = args.attrs ?? {};
    if (!isNhwc(attrs)) throw new Error(`archc: ${name} on the native backend supports NHWC only`);
    return f(args);
  };
}

/**
 * Batch dims of a matmul operand folded into one count; the addon broadcasts a batch of 1 against the other.
 * Returns null when the batch shapes need real broadcasting (e.g. [2,1] against [1,3]).
 */
function matmulGeometry(a: Info, b: Info, tA: boolean, tB: boolean) {
  const ra = a.shape.length, rb = b.shape.length;
  if (ra < 2 || rb < 2) return null;
  const outerA = a.shape.slice(0, -2), outerB = b.shape.slice(0, -2);
  const ba = outerA.reduce((p, v) => p * v, 1), bb = outerB.reduce((p, v) => p * v, 1);
  const m = tA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = tA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = tB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = tB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== kb) return null;
  const outer = tf.backend_util.assertAndGetBroadcastShape(outerA, outerB);
  // Only "equal batches" or "one side has a single matrix" fold into the addon's flat batch.
  if (outer.reduce((p, v) => p * v, 1) !== Math.max(ba, bb) || (ba !== bb && Math.min(ba, bb) !== 1)) return null;
  return { ba, bb, m, n, k, outShape: [...outer, m, n] };
}

function matmulKernel(kernelName: 'BatchMatMul' | '_FusedMatMul') {
  const composed = untransposedMatMul(kernelName, 'wasm');
  return (args: Args): Info => {
    const attrs = args.attrs ?? {};
    const { a, b } = args.inputs as { a: Info; b: Info };
    const bias = (args.inputs as { bias?: Info }).bias;
    const activation = (attrs['activation'] as string | undefined) ?? 'linear';
    const tA = attrs['transposeA'] === true, tB = attrs['transposeB'] === true;
    const g = allFloat(a, b) ? matmulGeometry(a, b, tA, tB) : null;
    const nativeBias = bias === undefined || (bias.dtype === 'float32' && tf.util.sizeFromShape(bias.shape) === (g?.n ?? -1) && bias.shape[bias.shape.length - 1] === g?.n);
    if (g === null || g.ba * g.bb * g.m * g.n * g.k === 0 || !nativeBias || (activation !== 'linear' && activation !== 'relu')) {
      return composed(args as unknown as Parameters<tf.KernelFunc>[0]) as Info;
    }
    const h = new WasmHeap(args.backend);
    const out = h.output(g.outShape);
    const dims = [g.ba, g.bb, g.m, g.n, g.k, tA ? 1 : 0, tB ? 1 : 0, bias ? 1 : 0, activation === 'relu' ? 1 : 0];
    nativeAddon().matmul(h.heap(), dims, h.offset(a), h.offset(b), h.offset(out), bias ? h.offset(bias) : null);
    return out;
  };
}

function poolInfo(xShape: number[], attrs: Attrs): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computePool2DInfo(
    xShape as [number, number, number, number],
    attrs['filterSize'] as number | [number, number],
    attrs['strides'] as number | [number, number],
    1,
    attrs['pad'] as Pad,
    attrs['dimRoundingMode'] as Rounding,
  );
}

function poolDims(c: tf.backend_util.Conv2DInfo): number[] {
  const p = c.padInfo;
  return [c.batchSize, c.inHeight, c.inWidth, c.inChannels, c.outHeight, c.outWidth, c.filterHeight, c.filterWidth,
    c.strideHeight, c.strideWidth, p.top, p.left, p.bottom, p.right];
}

function poolForward(max: boolean) {
  return (args: Args): Info => {
    const { x } = args.inputs as { x: Info };
    const attrs = args.attrs ?? {};
    const c = poolInfo(x.shape, attrs);
    if (x.dtype !== 'float32' || c.outHeight * c.outWidth === 0) return fallback(max ? 'MaxPool' : 'AvgPool', args, 'wasm');
    const h = new WasmHeap(args.backend);
    const out = h.output(c.outShape);
    nativeAddon().pool2d(max ? 0 : 1, h.heap(), poolDims(c), h.offset(x), null, h.offset(out));
    return out;
  };
}

function poolBackward(max: boolean) {
  return (args: Args): Info => {
    const { dy, input } = args.inputs as { dy: Info; input: Info };
    const attrs = args.attrs ?? {};
    const c = poolInfo(input.shape, attrs);
    const h = new WasmHeap(args.backend);
    const dx = h.output(input.shape);
    nativeAddon().pool2d(max ? 2 : 3, h.heap(), poolDims(c), max ? h.offset(input) : null, h.offset(dy), h.offset(dx));
    return dx;
  };
}

/** Kernel names of archc's training batch norm (batch-norm.ts runs them when the backend has them). */
export const BN_TRAIN = 'ArchcBatchNormTrain';
export const BN_TRAIN_GRAD = 'ArchcBatchNormTrainGrad';

/** x [..., C], gamma, beta → [y, mean, variance] with the batch's statistics (variance divided by N). */
function batchNormTrainKernel(args: Args): Info[] {
  const { x, gamma, beta } = args.inputs as { x: Info; gamma: Info; beta: Info };
  const eps = (args.attrs?.['eps'] as number | undefined) ?? 1e-5;
  const c = x.shape[x.shape.length - 1];
  const rows = tf.util.sizeFromShape(x.shape) / c;
  const h = new WasmHeap(args.backend);
  const y = h.output(x.shape), mean = h.output([c]), variance = h.output([c]);
  nativeAddon().batchNormForward(h.heap(), rows, c, eps, h.offset(x), h.offset(gamma), h.offset(beta), h.offset(y), h.offset(mean), h.offset(variance));
  return [y, mean, variance];
}

/** dy, x, gamma, mean, variance → [dx, dgamma, dbeta], the gradient through the batch statistics included. */
function batchNormTrainGradKernel(args: Args): Info[] {
  const { dy, x, gamma, mean, variance } = args.inputs as Record<string, Info>;
  const eps = (args.attrs?.['eps'] as number | undefined) ?? 1e-5;
  const c = x.shape[x.shape.length - 1];
  const rows = tf.util.sizeFromShape(x.shape) / c;
  const h = new WasmHeap(args.backend);
  const dx = h.output(x.shape), dgamma = h.output([c]), dbeta = h.output([c]);
  nativeAddon().batchNormBackward(h.heap(), rows, c, eps, h.offset(x), h.offset(gamma), h.offset(mean), h.offset(variance),
    h.offset(dy), h.offset(dx), h.offset(dgamma), h.offset(dbeta));
  return [dx, dgamma, dbeta];
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
    if (x.dtype !== 'float32' || size < 1024 || c === 0) return fallback(name, args, 'wasm');
    const h = new WasmHeap(args.backend);
    if (last && name !== 'Mean') {
      const out = h.output(keep ? [...x.shape.slice(0, -1), 1] : x.shape.slice(0, -1));
      nativeAddon().rowReduce(name === 'Max' ? 1 : 0, h.heap(), size / c, c, h.offset(x), h.offset(out));
      return out;
    }
    if (name === 'Max' || !(leading || all)) return fallback(name, args, 'wasm');
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
  if (x.dtype !== 'float32' || n < 65536) return fallback('Exp', args, 'wasm');
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
  if (dtype !== 'float32' && dtype !== 'int32') return fallback('Unpack', args, 'wasm') as unknown as Info[];
  const outer = value.shape.slice(0, axis).reduce((p, v) => p * v, 1);
  const n = value.shape[axis]!;
  const inner = value.shape.slice(axis + 1).reduce((p, v) => p * v, 1);
  const outShape = [...value.shape.slice(0, axis), ...value.shape.slice(axis + 1)];
  const be = args.backend as unknown as { makeOutput(s: number[], d: tf.DataType): Info };
  const outs = Array.from({ length: n }, () => be.makeOutput(outShape, dtype));
  const h = new WasmHeap(args.backend);
  const heap = new Float32Array(h.heap());
  const src = h.offset(value) / 4;
  for (let i = 0; i < n; i++) {
    const dst = h.offset(outs[i]!) / 4;
    for (let o = 0; o < outer; o++) heap.copyWithin(dst + o * inner, src + (o * n + i) * inner, src + (o * n + i + 1) * inner);
  }
  return outs;
}

/** Identity shares the input's buffer (as Reshape does) instead of copying it: tensors are immutable. */
function shareIdentity(args: Args): Info {
  const { x } = args.inputs as { x: Info };
  if (x.dtype === 'string') return fallback('Identity', args, 'wasm');
  (args.backend as unknown as { incRef(id: tf.DataId): void }).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** Kernel name → kernelFunc for the native backend (tfjs-wasm plus these). */
export const NATIVE_KERNELS: Record<string, (args: Args) => Info | Info[]> = {
  [BN_TRAIN]: batchNormTrainKernel,
  [BN_TRAIN_GRAD]: batchNormTrainGradKernel,
  Conv2D: convForward(false),
  DepthwiseConv2dNative: convForward(true),
  Conv2DBackpropInput: guardConvGrad(CONV_GRAD_NAMES[0], convBackpropInput(false)),
  Conv2DBackpropFilter: guardConvGrad(CONV_GRAD_NAMES[1], convBackpropFilter(false)),
  DepthwiseConv2dNativeBackpropInput: guardConvGrad(CONV_GRAD_NAMES[2], convBackpropInput(true)),
  DepthwiseConv2dNativeBackpropFilter: guardConvGrad(CONV_GRAD_NAMES[3], convBackpropFilter(true)),
  BatchMatMul: matmulKernel('BatchMatMul'),
  _FusedMatMul: matmulKernel('_FusedMatMul'),
  Sum: columnReduce('Sum'),
  Mean: columnReduce('Mean'),
  Max: columnReduce('Max'),
  Exp: bigExp,
  Unpack: unpack,
  Identity: shareIdentity,
  MaxPool: poolForward(true),
  AvgPool: poolForward(false),
  MaxPoolGrad: poolBackward(true),
  AvgPoolGrad: poolBackward(false),
};
