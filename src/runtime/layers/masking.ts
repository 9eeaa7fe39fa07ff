// Where a mask or a branch gate multiplies a value during a forward pass; generated modules, the IR interpreter
// and narrow execution all call these (the placement rules themselves are src/semantic/placement.ts).

import * as tf from '@tensorflow/tfjs';
import type { ForwardContext } from './context.ts';

/** x ⊙ mask(group) broadcast over the last axis, or x itself when the group has no mask this step. */
export function applyMask(x: tf.Tensor, ctx: ForwardContext, groupId: number): tf.Tensor {
  const m = ctx.mask(groupId);
  return m ? tf.mul(x, m) : x;
}

/**
 * x · Π_g any(mask_g > 0): x itself while every group has a structure on, x · 0 once one has none (masks are ≥ 0).
 * The indicator has a zero gradient, so it is read off the masks' values rather than built on the tape: as a
 * product there its gradient cost a full-size Multiply and Sum per branch per step, only to be multiplied by 0.
 * x when no group has a mask.
 */
export function applyGate(x: tf.Tensor, ctx: ForwardContext, groups: readonly number[]): tf.Tensor {
  for (const g of groups) {
    const m = ctx.mask(g);
    if (m && !m.dataSync().some((v) => v > 0)) return tf.mul(x, tf.scalar(0));
  }
  return x;
}

/**
 * x ⊙ [mask(g₁) ‖ mask(g₂) ‖ …] over the last axis, one part per segment of x's channels (ones where a segment has
 * no group or its group no mask this step); x itself when no segment has a mask. The placement rule is
 * `segmentMaskPlacement` (src/semantic/placement.ts).
 */
export function applySegmentMask(x: tf.Tensor, ctx: ForwardContext, segments: readonly { group: number | null; width: number }[]): tf.Tensor {
  const m = segmentMask(ctx, segments);
  return m ? tf.mul(x, m) : x;
}

/** The concatenated [Σ width] mask of `segments`, or null when none of them has a mask this step. */
export function segmentMask(ctx: ForwardContext, segments: readonly { group: number | null; width: number }[]): tf.Tensor | null {
  const parts = segments.map((s) => (s.group === null ? null : ctx.mask(s.group)));
  if (parts.every((p) => p === null)) return null;
  return tf.concat(parts.map((p, i) => p ?? tf.ones([segments[i]!.width])), 0);
}
