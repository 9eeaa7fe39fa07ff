// Where a mask or a branch gate multiplies a value during a forward pass; generated modules, the IR interpreter
// and narrow execution all call these (the placement rules themselves are src/semantic/placement.ts).

import * as tf from '@tensorflow/tfjs';
import type { ForwardContext } from './context.ts';

/** x ⊙ mask(group) broadcast over the last axis, or x itself when the group has no mask this step. */
export function applyMask(x: tf.Tensor, ctx: ForwardContext, groupId: number): tf.Tensor {
  const m = ctx.mask(groupId);
  return m ? tf.mul(x, m) : x;
}

/** x · Π_g any(mask_g > 0) (masks are ≥ 0, so sign(max) is that indicator, with a zero gradient); x when no group has a mask. */
export function applyGate(x: tf.Tensor, ctx: ForwardContext, groups: readonly number[]): tf.Tensor {
  let alive: tf.Tensor | null = null;
  for (const g of groups) {
    const m = ctx.mask(g);
    if (!m) continue;
    const a = tf.sign(tf.max(m));
    alive = alive ? tf.mul(alive, a) : a;
  }
  return alive ? tf.mul(x, alive) : x;
}
