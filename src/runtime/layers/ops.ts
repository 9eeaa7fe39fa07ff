// Parameter-free layers: activations, pooling, global average pooling, flatten, add, concat. Thin wrappers so
// `IrModule` and generated modules call the same functions with the IR's attributes.

import * as tf from '@tensorflow/tfjs';
import type { PoolAttrs } from '../../semantic/ir.ts';

export const relu = (x: tf.Tensor): tf.Tensor => tf.relu(x);
export const relu6 = (x: tf.Tensor): tf.Tensor => tf.relu6(x);

export function maxPool(x: tf.Tensor, a: PoolAttrs): tf.Tensor {
  return tf.maxPool(x as tf.Tensor4D, a.size, a.stride, a.padding);
}

export function avgPool(x: tf.Tensor, a: PoolAttrs): tf.Tensor {
  return tf.avgPool(x as tf.Tensor4D, a.size, a.stride, a.padding);
}

/** [B, H, W, C] → [B, C]. */
export function globalAvgPool(x: tf.Tensor): tf.Tensor {
  return tf.mean(x, [1, 2]);
}

/** [B, ...] → [B, prod(...)] (NHWC order, channels innermost). */
export function flatten(x: tf.Tensor): tf.Tensor {
  return tf.reshape(x, [x.shape[0]!, -1]);
}

export function add(xs: tf.Tensor[]): tf.Tensor {
  return xs.length === 1 ? xs[0]! : tf.addN(xs);
}

/** `axis` counts without the batch axis (the IR's convention); negative counts from the end. */
export function concat(xs: tf.Tensor[], axis: number): tf.Tensor {
  return tf.concat(xs, axis < 0 ? axis : axis + 1);
}
