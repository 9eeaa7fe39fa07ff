// MatMul with transposeA/transposeB rewritten as an explicit Transpose followed by a plain matMul.
// On wasm the transposed forms fall off XNNPACK to a naive loop (1–2 vs ~20 GFLOP/s), and tfjs-core's
// matMul gradient always asks for them; wrapping the kernel makes every caller fast, gradients included.
import type * as tf from '@tensorflow/tfjs';
import { KernelScope, stockKernel, type Attrs, type Info } from './kernel-utils.ts';

function swapLast2(k: KernelScope, x: Info): Info {
  const r = x.shape.length;
  const perm = x.shape.map((_, i) => i);
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return k.transpose(x, perm);
}

/** Builds a kernelFunc for BatchMatMul or _FusedMatMul that never passes a transpose flag to the stock kernel. */
export function untransposedMatMul(kernelName: 'BatchMatMul' | '_FusedMatMul', backendName: string): tf.KernelFunc {
  return (args) => {
    const attrs = (args.attrs ?? {}) as Attrs;
    const stock = stockKernel(kernelName, backendName);
    if (stock === undefined) throw new Error(`archc: no stock ${kernelName} on ${backendName}`);
    const tA = attrs['transposeA'] === true;
    const tB = attrs['transposeB'] === true;
    if (!tA && !tB) return stock.kernelFunc(args);
    const k = new KernelScope(args.backend as tf.KernelBackend, backendName);
    const inputs = { ...args.inputs } as tf.NamedTensorInfoMap;
    if (tA) inputs['a'] = swapLast2(k, inputs['a'] as Info);
    if (tB) inputs['b'] = swapLast2(k, inputs['b'] as Info);
    const out = k.run(kernelName, inputs, { ...attrs, transposeA: false, transposeB: false });
    return k.finish(out);
  };
}
