// The native backend's optimizer kernels (native/src/optim.cc): one SGD update per variable, with or without
// momentum and with global-norm clipping's scale folded in, in place of the 4–8 small tfjs kernels and scalar uploads
// of optim.ts's tfjs path and the full-size Multiply per variable that clipping cost; and the squared norm that
// clipping needs as one read-only pass (tfjs: a full-size Square, then a Sum). The update is bit-identical to the
// tfjs path.
import * as tf from '@tensorflow/tfjs';
import type { Info } from './kernel-utils.ts';
import { nativeAddon } from './native-addon.ts';
import { allFloat, WasmHeap, type Args } from './native-heap.ts';

/** Kernel name: inputs {w, g, buf?}; attrs {lr, weightDecay, momentum, nesterov, gradScale?}; outputs [w', buf'] or [w']. */
export const SGD_UPDATE = 'ArchcSgdUpdate';
/** Kernel name: inputs {x}; output the float32 scalar Σ x² (accumulated in double). */
export const SUM_SQUARES = 'ArchcSumSquares';

function sgdUpdateKernel(args: Args): Info[] {
  const { w, g, buf } = args.inputs as { w: Info; g: Info; buf?: Info };
  const a = args.attrs ?? {};
  const n = tf.util.sizeFromShape(w.shape);
  const momentum = buf !== undefined;
  if (!allFloat(w, g, ...(buf ? [buf] : [])) || tf.util.sizeFromShape(g.shape) !== n || (buf && tf.util.sizeFromShape(buf.shape) !== n)) {
    throw new Error(`archc: ${SGD_UPDATE} needs float32 w, g${momentum ? ', buf' : ''} of one size (got [${w.shape}], [${g.shape}]${buf ? `, [${buf.shape}]` : ''})`);
  }
  const h = new WasmHeap(args.backend);
  const wOut = h.output(w.shape);
  const bufOut = momentum ? h.output(w.shape) : null;
  nativeAddon().sgdUpdate(h.heap(), n, a['lr'] as number, a['weightDecay'] as number, momentum ? (a['momentum'] as number) : 0, a['nesterov'] === true,
    h.offset(w), h.offset(g), buf ? h.offset(buf) : null, h.offset(wOut), bufOut ? h.offset(bufOut) : null, (a['gradScale'] as number | undefined) ?? 1);
  return bufOut ? [wOut, bufOut] : [wOut];
}

function sumSquaresKernel(args: Args): Info {
  const { x } = args.inputs as { x: Info };
  if (!allFloat(x)) throw new Error(`archc: ${SUM_SQUARES} needs a float32 tensor`);
  const sumSquares = nativeAddon().sumSquares;
  if (sumSquares === undefined) throw new Error(`archc: ${SUM_SQUARES}: the native addon predates it; rebuild it (npm run build:native)`);
  const h = new WasmHeap(args.backend);
  const out = h.output([]);
  const total = sumSquares(h.heap(), tf.util.sizeFromShape(x.shape), h.offset(x));
  h.floats(out, 1)[0] = total;
  return out;
}

export const OPTIM_KERNELS: Record<string, (args: Args) => Info | Info[]> = { [SGD_UPDATE]: sgdUpdateKernel, [SUM_SQUARES]: sumSquaresKernel };

/** Whether the loaded addon has the squared-norm pass (an addon built before it does not: use tfjs ops). */
export const hasSumSquares = (): boolean => tf.getKernel(SUM_SQUARES, tf.getBackend()) !== undefined && nativeAddon().sumSquares !== undefined;
