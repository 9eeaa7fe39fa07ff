// Multiply by a per-channel vector ([..., C] · [C], either order) on the addon: masks and their gradients
// (issue 11's narrow step multiplies every masked activation and its gradient by σ·q at odd widths such as 10,
// where tfjs-wasm's generic broadcasting loop takes ~1 ms per [64,28,28,10]). Every other Multiply, and addons
// built before scaleColumns, run the stock wasm kernel. One float32 product per element: bit-identical.
import * as tf from '@tensorflow/tfjs';
import type { Info } from './kernel-utils.ts';
import { nativeAddon } from './native-addon.ts';
import { allFloat, fallback, WasmHeap, type Args } from './native-heap.ts';

/** Whether `v` broadcasts as a per-channel vector against `x` (shape [C] or [1,…,1,C], C = x's last dim, x rank ≥ 2). */
function isChannelVector(x: Info, v: Info): boolean {
  const r = x.shape.length;
  const c = x.shape[r - 1];
  if (r < 2 || c === undefined || v.shape.length === 0 || v.shape.length > r) return false;
  if (v.shape[v.shape.length - 1] !== c) return false;
  return v.shape.slice(0, -1).every((d) => d === 1);
}

function multiply(args: Args): Info {
  const { a, b } = args.inputs as { a: Info; b: Info };
  const addon = nativeAddon();
  if (addon.scaleColumns === undefined || !allFloat(a, b)) return fallback('Multiply', args);
  const [x, m] = isChannelVector(a, b) ? [a, b] : isChannelVector(b, a) ? [b, a] : [null, null];
  if (x === null || m === null) return fallback('Multiply', args);
  const size = tf.util.sizeFromShape(x.shape);
  if (size < 4096) return fallback('Multiply', args);
  const c = x.shape[x.shape.length - 1]!;
  const h = new WasmHeap(args.backend);
  const out = h.output([...x.shape]);
  addon.scaleColumns(h.heap(), size / c, c, h.offset(x), h.offset(m), h.offset(out));
  return out;
}

export const ELEMENTWISE_KERNELS: Record<string, (args: Args) => Info> = { Multiply: multiply };
