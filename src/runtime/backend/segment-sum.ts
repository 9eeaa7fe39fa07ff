// UnsortedSegmentSum as one linear pass in JS: out[ids[i]] += x[i]. It is the kernel behind tf.gather's
// gradient (embeddings). wasm has none, and cpu's loops over every segment (O(V·N·D): 249 s for one
// LSTM-LM step at V = 10k); this is O(N·D + V·D).
import type * as tf from '@tensorflow/tfjs';
import { makeInfo, readValues, type Info } from './kernel-utils.ts';

export function unsortedSegmentSum(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }): Info {
  const { x, segmentIds } = args.inputs as { x: Info; segmentIds: Info };
  const numSegments = args.attrs?.['numSegments'] as number;
  const n = segmentIds.shape.reduce((a, b) => a * b, 1);
  const inner = x.shape.slice(segmentIds.shape.length).reduce((a, b) => a * b, 1);
  const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  const xs = readValues(args.backend, x) as Float32Array | Int32Array;
  const ids = readValues(args.backend, segmentIds) as Int32Array;
  const out = x.dtype === 'int32' ? new Int32Array(numSegments * inner) : new Float32Array(numSegments * inner);
  for (let i = 0; i < n; i++) {
    const s = ids[i]!;
    // TensorFlow drops negative ids; ids ≥ numSegments are invalid and dropped rather than corrupting memory.
    if (s < 0 || s >= numSegments) continue;
    const src = i * inner;
    const dst = s * inner;
    for (let j = 0; j < inner; j++) out[dst + j]! += xs[src + j]!;
  }
  return makeInfo(args.backend, outShape, x.dtype, out);
}
