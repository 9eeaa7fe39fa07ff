// The native backend's optimizer kernel: one SGD-with-momentum update per variable (native/src/optim.cc) in place
// of the 6–8 small tfjs kernels and scalar uploads of optim.ts's tfjs path. Bit-identical to that path.
import * as tf from '@tensorflow/tfjs';
import type { Info } from './kernel-utils.ts';
import { nativeAddon } from './native-addon.ts';
import { allFloat, WasmHeap, type Args } from './native-heap.ts';

/** Kernel name: inputs {w, g, buf}; attrs {lr, weightDecay, momentum, nesterov}; outputs [w', buf']. */
export const SGD_UPDATE = 'ArchcSgdUpdate';

function sgdUpdateKernel(args: Args): Info[] {
  const { w, g, buf } = args.inputs as { w: Info; g: Info; buf: Info };
  const a = args.attrs ?? {};
  const n = tf.util.sizeFromShape(w.shape);
  if (!allFloat(w, g, buf) || tf.util.sizeFromShape(g.shape) !== n || tf.util.sizeFromShape(buf.shape) !== n) {
    throw new Error(`archc: ${SGD_UPDATE} needs float32 w, g, buf of one size (got [${w.shape}], [${g.shape}], [${buf.shape}])`);
  }
  const h = new WasmHeap(args.backend);
  const wOut = h.output(w.shape), bufOut = h.output(w.shape);
  nativeAddon().sgdUpdate(h.heap(), n, a['lr'] as number, a['weightDecay'] as number, a['momentum'] as number, a['nesterov'] === true,
    h.offset(w), h.offset(g), h.offset(buf), h.offset(wOut), h.offset(bufOut));
  return [wOut, bufOut];
}

export const OPTIM_KERNELS: Record<string, (args: Args) => Info | Info[]> = { [SGD_UPDATE]: sgdUpdateKernel };
