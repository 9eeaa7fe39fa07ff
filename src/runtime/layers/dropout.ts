// Inverted dropout with masks drawn from the context's RNG (not tfjs's random ops), so a run is reproducible and
// its random position checkpointable. Identity when evaluating or when rate = 0.

import * as tf from '@tensorflow/tfjs';
import type { ForwardContext } from './context.ts';

export function dropout(x: tf.Tensor, rate: number, ctx: ForwardContext): tf.Tensor {
  if (!ctx.training || rate <= 0) return x;
  const keep = 1 - rate;
  const data = new Float32Array(x.size);
  for (let i = 0; i < data.length; i++) data[i] = ctx.rng.uniform() < keep ? 1 / keep : 0;
  return tf.tidy(() => tf.mul(x, tf.tensor(data, x.shape, 'float32')));
}
