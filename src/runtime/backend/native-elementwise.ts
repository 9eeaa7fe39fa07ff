// The memory-bound elementwise kernels of a training step, on the addon (native/src/elementwise.cc): the mask
// multiply ([..., C] · [C], either order; issue 11's narrow step multiplies every masked activation and its
// gradient at odd widths such as 10, where tfjs-wasm's generic broadcasting loop takes ~1 ms per [64,28,28,10]),
// same-shape Add / Multiply / AddN (residual sums and the gradient accumulation they cause), ReLU, and two
// gradient kernels that elementwise-grads.ts calls in place of tfjs-core's compositions: the ReLU gradient
// (tfjs: Step, Cast, Multiply: three passes and two temporaries) and the mask's gradient Σ dy·x (tfjs: two Casts,
// a Multiply and a Sum). Each result element is one float32 operation, so these are bit-identical to the stock
// kernels (and the reduction to native Sum's); tiny tensors, other dtypes, other broadcasts and addons built
// before a function existed run the stock wasm kernel.
import * as tf from '@tensorflow/tfjs';
import type { Info } from './kernel-utils.ts';
import { nativeAddon } from './native-addon.ts';
import { allFloat, fallback, WasmHeap, type Args } from './native-heap.ts';

/** Kernel names of the two gradient kernels (elementwise-grads.ts runs them when the backend has them). */
export const RELU_GRAD = 'ArchcReluGrad';
export const SCALE_COLUMNS_GRAD = 'ArchcScaleColumnsGrad';

/** Below this many elements the stock kernel is as fast as the call into the addon (elementwise-grads.ts uses it too). */
export const MIN_SIZE = 4096;

/** Whether `v` broadcasts as a per-channel vector against `x` (shape [C] or [1,…,1,C], C = x's last dim, x rank ≥ 2). */
export function isChannelVector(x: { shape: readonly number[] }, v: { shape: readonly number[] }): boolean {
  const r = x.shape.length;
  const c = x.shape[r - 1];
  if (r < 2 || c === undefined || v.shape.length === 0 || v.shape.length > r) return false;
  if (v.shape[v.shape.length - 1] !== c) return false;
  return v.shape.slice(0, -1).every((d) => d === 1);
}

const sameShape = (a: Info, b: Info): boolean => tf.util.arraysEqual(a.shape, b.shape);

/** a ⊙ b for two float32 tensors of one shape, natively (kind 0: add, 1: multiply, 2: a·step(b)). */
function binaryOut(kind: 0 | 1 | 2, args: Args, a: Info, b: Info): Info {
  const h = new WasmHeap(args.backend);
  const out = h.output([...a.shape]);
  nativeAddon().binary!(kind, h.heap(), tf.util.sizeFromShape(a.shape), h.offset(a), h.offset(b), h.offset(out));
  return out;
}

function multiply(args: Args): Info {
  const { a, b } = args.inputs as { a: Info; b: Info };
  const addon = nativeAddon();
  if (!allFloat(a, b)) return fallback('Multiply', args);
  if (sameShape(a, b)) {
    return addon.binary !== undefined && tf.util.sizeFromShape(a.shape) >= MIN_SIZE ? binaryOut(1, args, a, b) : fallback('Multiply', args);
  }
  const [x, m] = isChannelVector(a, b) ? [a, b] : isChannelVector(b, a) ? [b, a] : [null, null];
  if (x === null || m === null || addon.scaleColumns === undefined) return fallback('Multiply', args);
  const size = tf.util.sizeFromShape(x.shape);
  if (size < MIN_SIZE) return fallback('Multiply', args);
  const c = x.shape[x.shape.length - 1]!;
  const h = new WasmHeap(args.backend);
  const out = h.output([...x.shape]);
  addon.scaleColumns(h.heap(), size / c, c, h.offset(x), h.offset(m), h.offset(out));
  return out;
}

function add(args: Args): Info {
  const { a, b } = args.inputs as { a: Info; b: Info };
  if (nativeAddon().binary === undefined || !allFloat(a, b) || !sameShape(a, b) || tf.util.sizeFromShape(a.shape) < MIN_SIZE) return fallback('Add', args);
  return binaryOut(0, args, a, b);
}

/** AddN as a chain of native adds, left to right (the order tfjs-wasm adds them in). */
function addN(args: Args): Info {
  const xs = Object.values(args.inputs) as Info[];
  const first = xs[0];
  const addon = nativeAddon();
  if (addon.binary === undefined || first === undefined || xs.length < 2 || !allFloat(...xs) || !xs.every((x) => sameShape(x, first))
    || tf.util.sizeFromShape(first.shape) < MIN_SIZE) return fallback('AddN', args);
  const h = new WasmHeap(args.backend);
  const out = h.output([...first.shape]);
  const n = tf.util.sizeFromShape(first.shape);
  const heap = h.heap();
  addon.binary(0, heap, n, h.offset(first), h.offset(xs[1]!), h.offset(out));
  for (const x of xs.slice(2)) addon.binary(0, heap, n, h.offset(out), h.offset(x), h.offset(out));
  return out;
}

function relu(args: Args): Info {
  const { x } = args.inputs as { x: Info };
  if (nativeAddon().binary === undefined || x.dtype !== 'float32' || tf.util.sizeFromShape(x.shape) < MIN_SIZE) return fallback('Relu', args);
  const h = new WasmHeap(args.backend);
  const out = h.output([...x.shape]);
  nativeAddon().unary(1, h.heap(), tf.util.sizeFromShape(x.shape), h.offset(x), h.offset(out));
  return out;
}

/** dy, x (the ReLU's input, same shape) → dy · step(x). */
function reluGrad(args: Args): Info {
  const { dy, x } = args.inputs as { dy: Info; x: Info };
  if (!sameShape(dy, x) || !allFloat(dy, x)) throw new Error(`archc internal: ${RELU_GRAD} needs float32 dy and x of one shape`);
  return binaryOut(2, args, dy, x);
}

/** dy, x ([..., C]), m ([C] or [1,…,1,C]) → dm = Σ over the leading axes of dy · x, in m's shape. */
function scaleColumnsGrad(args: Args): Info {
  const { dy, x, m } = args.inputs as { dy: Info; x: Info; m: Info };
  if (!sameShape(dy, x) || !isChannelVector(x, m) || !allFloat(dy, x, m)) throw new Error(`archc internal: ${SCALE_COLUMNS_GRAD} needs dy and x of one shape and a channel vector m`);
  const c = x.shape[x.shape.length - 1]!;
  const h = new WasmHeap(args.backend);
  const dm = h.output([...m.shape]);
  nativeAddon().scaleColumnsGrad!(h.heap(), tf.util.sizeFromShape(x.shape) / c, c, h.offset(dy), h.offset(x), h.offset(dm));
  return dm;
}

/** Whether the addon has the functions the two gradient kernels call (older builds do not). */
export const hasElementwiseGrads = (): boolean => nativeAddon().binary !== undefined && nativeAddon().scaleColumnsGrad !== undefined;

export const ELEMENTWISE_KERNELS: Record<string, (args: Args) => Info> = {
  Multiply: multiply,
  Add: add,
  AddN: addN,
  Relu: relu,
  [RELU_GRAD]: reluGrad,
  [SCALE_COLUMNS_GRAD]: scaleColumnsGrad,
};
