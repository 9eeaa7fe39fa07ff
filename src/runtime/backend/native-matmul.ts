// Native BatchMatMul / _FusedMatMul on oneDNN's matmul: every transpose form (as strides, no copies), a batch
// of one broadcast against the other, bias and ReLU fused. Shapes needing general batch broadcasting, other
// activations or non-float32 inputs run archc's composed wasm kernel (matmul.ts).
import * as tf from '@tensorflow/tfjs';
import type { Info } from './kernel-utils.ts';
import { untransposedMatMul } from './matmul.ts';
import { nativeAddon } from './native-addon.ts';
import { allFloat, WasmHeap, type Args } from './native-heap.ts';

/**
 * Batch dims of a matmul operand folded into one count; the addon broadcasts a batch of 1 against the other.
 * Returns null when the batch shapes need real broadcasting (e.g. [2,1] against [1,3]).
 */
function matmulGeometry(a: Info, b: Info, tA: boolean, tB: boolean) {
  const ra = a.shape.length, rb = b.shape.length;
  if (ra < 2 || rb < 2) return null;
  const outerA = a.shape.slice(0, -2), outerB = b.shape.slice(0, -2);
  const ba = outerA.reduce((p, v) => p * v, 1), bb = outerB.reduce((p, v) => p * v, 1);
  // Both ranks are at least 2 (checked above), so the last two dims exist.
  const m = tA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
  const k = tA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  const kb = tB ? b.shape[rb - 1]! : b.shape[rb - 2]!;
  const n = tB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
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

export const MATMUL_KERNELS: Record<string, (args: Args) => Info> = {
  BatchMatMul: matmulKernel('BatchMatMul'),
  _FusedMatMul: matmulKernel('_FusedMatMul'),
};
