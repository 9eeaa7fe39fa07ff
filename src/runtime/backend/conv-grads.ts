// Convolution gradients (Conv2D and depthwise, NHWC, dilation 1) rewritten as *forward* convolutions, which
// are fast on every backend (XNNPACK on wasm, the im2col path on cpu). wasm lacks the filter gradients
// entirely and its Conv2DBackpropInput runs at ~2 GFLOP/s; cpu's Conv2DBackpropFilter runs at ~0.02 GFLOP/s.
// Padding comes from tfjs's own computeConv2DInfo, so 'same' (asymmetric for even totals) matches exactly.
import * as tf from '@tensorflow/tfjs';
import { dims4, KernelScope, pair, type Attrs, type Info } from './kernel-utils.ts';

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

interface Geometry {
  info: tf.backend_util.Conv2DInfo;
  sh: number;
  sw: number;
}

function geometry(xShape: number[], filterShape: number[], attrs: Attrs, depthwise: boolean): Geometry {
  const strides = pair(attrs['strides'] as number | [number, number]);
  const dilations = pair(attrs['dilations'] as number | [number, number] | undefined);
  if (dilations[0] !== 1 || dilations[1] !== 1) {
    throw new Error('archc: convolution gradients support dilation 1 only');
  }
  const fmt = attrs['dataFormat'] as string | undefined;
  if (fmt !== undefined && fmt !== 'NHWC' && fmt !== 'channelsLast') {
    throw new Error(`archc: convolution gradients support NHWC only (got ${fmt})`);
  }
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides, 1, attrs['pad'] as Pad,
    attrs['dimRoundingMode'] as 'floor' | 'round' | 'ceil' | undefined,
    depthwise,
  );
  return { info, sh: strides[0], sw: strides[1] };
}

/**
 * x padded (or cropped) so that exactly the rows/columns a forward conv read remain:
 * (oH-1)*sh + kh rows, starting at -padTop.
 */
function paddedInput(k: KernelScope, x: Info, g: Geometry): Info {
  const { info, sh, sw } = g;
  const rows = (info.outHeight - 1) * sh + info.filterHeight;
  const cols = (info.outWidth - 1) * sw + info.filterWidth;
  const { top, left } = info.padInfo;
  return k.padOrCrop(x, top, rows - info.inHeight - top, left, cols - info.inWidth - left);
}

/**
 * dy zero-dilated by the stride and padded for a "full" correlation that yields exactly [H, W]:
 * top = kh-1-padTop; the bottom fills up to H+kh-1 rows (cropping when the forward conv ignored trailing rows).
 */
function fullPaddedDy(k: KernelScope, dy: Info, g: Geometry): Info {
  const { info, sh, sw } = g;
  const dil = k.zeroDilate(dy, sh, sw);
  const top = info.filterHeight - 1 - info.padInfo.top;
  const left = info.filterWidth - 1 - info.padInfo.left;
  const bottom = info.inHeight + info.filterHeight - 1 - top - info.outHeight * sh;
  const right = info.inWidth + info.filterWidth - 1 - left - info.outWidth * sw;
  return k.padOrCrop(dil, top, bottom, left, right);
}

/** dW[kh,kw,ci,co] as conv2d(x^T [Ci,rows,cols,B], dy^T [oH,oW,B,Co]) with dilation = stride. */
export function conv2DBackpropFilter(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: Attrs }, backendName: string): Info {
  const { x, dy } = args.inputs as { x: Info; dy: Info };
  const attrs = args.attrs ?? {};
  const g = geometry(x.shape, attrs['filterShape'] as number[], attrs, false);
  const k = new KernelScope(args.backend, backendName);
  const xt = k.transpose(paddedInput(k, x, g), [3, 1, 2, 0]);
  const dyt = k.transpose(dy, [1, 2, 0, 3]);
  const out = k.run('Conv2D', { x: xt, filter: dyt }, {
    strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [g.sh, g.sw], dimRoundingMode: undefined,
  } as unknown as Attrs);
  return k.finish(k.transpose(out, [1, 2, 0, 3]));
}

/** dX as conv2d(dilated+padded dy, filter flipped spatially with in/out swapped), stride 1, valid. */
export function conv2DBackpropInput(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: Attrs }, backendName: string): Info {
  const { dy, filter } = args.inputs as { dy: Info; filter: Info };
  const attrs = args.attrs ?? {};
  const g = geometry(attrs['inputShape'] as number[], filter.shape, attrs, false);
  const k = new KernelScope(args.backend, backendName);
  const dyp = fullPaddedDy(k, dy, g);
  const flipped = k.run('Reverse', { x: filter }, { dims: [0, 1] });
  const wt = k.transpose(flipped, [0, 1, 3, 2]);
  const out = k.run('Conv2D', { x: dyp, filter: wt }, {
    strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined,
  } as unknown as Attrs);
  return k.finish(out);
}

/**
 * Depthwise dW[kh,kw,c,m]: one depthwise conv whose channels are (batch, channel) pairs,
 * input x^T [1,rows,cols,B*C], filter dy^T [oH,oW,B*C,M], dilation = stride; then sum over the batch.
 */
export function depthwiseBackpropFilter(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: Attrs }, backendName: string): Info {
  const { x, dy } = args.inputs as { x: Info; dy: Info };
  const attrs = args.attrs ?? {};
  const filterShape = attrs['filterShape'] as number[];
  const g = geometry(x.shape, filterShape, attrs, true);
  const [kh, kw, c, m] = dims4(filterShape);
  const [b] = dims4(x.shape);
  const k = new KernelScope(args.backend, backendName);
  const xp = paddedInput(k, x, g);
  const xt = k.reshape(k.transpose(xp, [1, 2, 0, 3]), [1, dims4(xp.shape)[1], dims4(xp.shape)[2], b * c]);
  const dyt = k.reshape(k.transpose(dy, [1, 2, 0, 3]), [dims4(dy.shape)[1], dims4(dy.shape)[2], b * c, m]);
  const out = k.run('DepthwiseConv2dNative', { x: xt, filter: dyt }, {
    strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [g.sh, g.sw], dimRoundingMode: undefined,
  } as unknown as Attrs);
  const perBatch = k.reshape(out, [kh, kw, b, c * m]);
  const summed = k.run('Sum', { x: perBatch }, { axis: [2], keepDims: false });
  return k.finish(k.reshape(summed, [kh, kw, c, m]));
}

/** Depthwise dX: depthwise conv of the dilated, padded dy with the flipped filter; sum over the multiplier. */
export function depthwiseBackpropInput(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: Attrs }, backendName: string): Info {
  const { dy, filter } = args.inputs as { dy: Info; filter: Info };
  const attrs = args.attrs ?? {};
  const inputShape = attrs['inputShape'] as number[];
  const g = geometry(inputShape, filter.shape, attrs, true);
  const [kh, kw, c, m] = dims4(filter.shape);
  const k = new KernelScope(args.backend, backendName);
  const dyp = fullPaddedDy(k, dy, g);
  const flipped = k.reshape(k.run('Reverse', { x: filter }, { dims: [0, 1] }), [kh, kw, c * m, 1]);
  const out = k.run('DepthwiseConv2dNative', { x: dyp, filter: flipped }, {
    strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined,
  } as unknown as Attrs);
  if (m === 1) return k.finish(out);
  const [b, h, w] = dims4(inputShape);
  const split = k.reshape(out, [b, h, w, c, m]);
  return k.finish(k.run('Sum', { x: split }, { axis: [4], keepDims: false }));
}
