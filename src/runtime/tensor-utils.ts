// Small tfjs helpers shared by the runtime: assigning host data to variables without leaking the temporary
// tensor, and reading tensors to the host outside `tf.tidy` (tidy walks a returned TypedArray element by element).

import * as tf from '@tensorflow/tfjs';

/** v ← data (shape checked by tfjs). The temporary tensor is disposed; the variable keeps the buffer. */
export function assignData(v: tf.Variable, data: Float32Array | Int32Array): void {
  tf.tidy(() => {
    v.assign(tf.tensor(data, v.shape, v.dtype));
  });
}

/** Host copy of a tensor's values (a copy, so later writes to the variable don't alias it). */
export function hostCopy(t: tf.Tensor): Float32Array {
  return Float32Array.from(t.dataSync() as Float32Array);
}

/** Scalar value of a tensor, disposing it. */
export function takeScalar(t: tf.Tensor): number {
  const v = t.dataSync()[0]!;
  t.dispose();
  return v;
}

/** A variable initialised from host data; the temporary init tensor is disposed (tidy leaves variables alone). */
export function makeVariable(data: Float32Array, shape: number[], tfName: string, trainable = true): tf.Variable {
  return tf.tidy(() => tf.variable(tf.tensor(data, shape, 'float32'), trainable, tfName));
}
