// Native convolutions and pooling: Conv2D and depthwise forward and both gradients, max/avg pooling and their
// gradients, on oneDNN through the addon. Geometry comes from tfjs's own computeConv2DInfo/computePool2DInfo, so
// 'same' padding (asymmetric for even totals), explicit padding, dilation and rounding modes match tfjs exactly.
// NCHW or non-float32 inputs run the stock wasm kernel.
import * as tf from '@tensorflow/tfjs';
import type { Attrs, Info } from './kernel-utils.ts';
import { nativeAddon } from './native-addon.ts';
import { allFloat, fallback, WasmHeap, type Args } from './native-heap.ts';

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

const isNhwc = (attrs: Attrs): boolean => {
  const f = attrs['dataFormat'] as string | undefined;
  return f === undefined || f === 'NHWC' || f === 'channelsLast';
};

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

/** Conv2D / DepthwiseConv2dNative forward. */
function convForward(depthwise: boolean) {
  return (args: Args): Info => {
    const { x, filter } = args.inputs as { x: Info; filter: Info };
    const attrs = args.attrs ?? {};
    if (!isNhwc(attrs) || !allFloat(x, filter)) return fallback(depthwise ? 'DepthwiseConv2dNative' : 'Conv2D', args);
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

/** The gradient kernels need NHWC too (tfjs only issues NHWC gradients for NHWC convs). */
function guardConvGrad(name: string, f: (a: Args) => Info) {
  return (args: Args): Info => {
    const attrs = args.attrs ?? {};
    if (!isNhwc(attrs)) throw new Error(`archc: ${name} on the native backend supports NHWC only`);
    return f(args);
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
    if (x.dtype !== 'float32' || c.outHeight * c.outWidth === 0) return fallback(max ? 'MaxPool' : 'AvgPool', args);
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

export const CONV_POOL_KERNELS: Record<string, (args: Args) => Info> = {
  Conv2D: convForward(false),
  DepthwiseConv2dNative: convForward(true),
  Conv2DBackpropInput: guardConvGrad('Conv2DBackpropInput', convBackpropInput(false)),
  Conv2DBackpropFilter: guardConvGrad('Conv2DBackpropFilter', convBackpropFilter(false)),
  DepthwiseConv2dNativeBackpropInput: guardConvGrad('DepthwiseConv2dNativeBackpropInput', convBackpropInput(true)),
  DepthwiseConv2dNativeBackpropFilter: guardConvGrad('DepthwiseConv2dNativeBackpropFilter', convBackpropFilter(true)),
  MaxPool: poolForward(true),
  AvgPool: poolForward(false),
  MaxPoolGrad: poolBackward(true),
  AvgPoolGrad: poolBackward(false),
};
