// Correct MaxPoolGrad for wasm. The stock wasm kernel routes the gradient of an all-negative window to the
// window's first element instead of its argmax (it starts its running max at 0, not -∞). This JS kernel
// scatters dy to the first maximal element of each window, exactly like the cpu backend.
import * as tf from '@tensorflow/tfjs';
import { makeInfo, readValues, type Info } from './kernel-utils.ts';

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

export function maxPoolGrad(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }): Info {
  const { dy, input } = args.inputs as { dy: Info; input: Info };
  const attrs = args.attrs ?? {};
  const ci = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs['filterSize'] as [number, number] | number,
    attrs['strides'] as [number, number] | number,
    1, attrs['pad'] as Pad,
    attrs['dimRoundingMode'] as 'floor' | 'round' | 'ceil' | undefined,
  );
  const xs = readValues(args.backend, input) as Float32Array;
  const dys = readValues(args.backend, dy) as Float32Array;
  const { batchSize: nb, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = ci;
  const dx = new Float32Array(nb * H * W * C);
  for (let b = 0; b < nb; b++) {
    for (let oy = 0; oy < OH; oy++) {
      const y0 = oy * ci.strideHeight - ci.padInfo.top;
      const yMin = Math.max(0, y0), yMax = Math.min(H, y0 + ci.effectiveFilterHeight);
      for (let ox = 0; ox < OW; ox++) {
        const x0 = ox * ci.strideWidth - ci.padInfo.left;
        const xMin = Math.max(0, x0), xMax = Math.min(W, x0 + ci.effectiveFilterWidth);
        for (let c = 0; c < C; c++) {
          let best = -Infinity, at = -1;
          for (let y = yMin; y < yMax; y++) {
            for (let x = xMin; x < xMax; x++) {
              const idx = ((b * H + y) * W + x) * C + c;
              if (xs[idx]! > best || at < 0) { best = xs[idx]!; at = idx; }
            }
          }
          if (at >= 0) dx[at]! += dys[((b * OH + oy) * OW + ox) * C + c]!;
        }
      }
    }
  }
  return makeInfo(args.backend, input.shape, 'float32', dx);
}
