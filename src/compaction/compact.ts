// One call from trained weights to the final network: plan (kept sets, dead branches), compacted IR, sliced weights.
// `sliceWeightMap` is the form the brief names: the same slicing for any further map (optimizer slots, checkpoints)
// once a compaction exists, so weights and their optimizer state can never be cut differently.

import type { WeightMap } from '../runtime/module.ts';
import type { OptimizerState } from '../runtime/optim.ts';
import type { IrNetwork } from '../semantic/ir.ts';
import { compactIr, type CompactedIr } from './compact-ir.ts';
import { planCompaction, type CompactionPlan } from './plan.ts';
import { sliceOptimizerState, sliceWeights } from './slice-weights.ts';

export interface Compaction {
  plan: CompactionPlan;
  compacted: CompactedIr;
  /** The compacted network's weights (mask logits included, renamed to the compacted groups). */
  weights: WeightMap;
}

/** Compacts `ir` with the mask logits in `weights` (or fixed keep sets per group id in `opts.keep`). */
export function compact(ir: IrNetwork, weights: WeightMap, opts: { keep?: ReadonlyMap<number, readonly number[]> } = {}): Compaction {
  const plan = planCompaction(ir, weights, opts);
  const compacted = compactIr(plan);
  return { plan, compacted, weights: sliceWeights(plan, compacted, weights) };
}

/**
 * Slices any weight-shaped map with a compaction of `ir` (`keep` is a finished compaction, or kept indices per group
 * id, from which one is planned with these weights' logits).
 */
export function sliceWeightMap(ir: IrNetwork, weights: WeightMap, keep: Compaction | ReadonlyMap<number, readonly number[]>): WeightMap {
  const c = keep instanceof Map ? compact(ir, weights, { keep }) : (keep as Compaction);
  if (c.plan.ir !== ir) throw new Error('sliceWeightMap: the compaction was planned for another network');
  return sliceWeights(c.plan, c.compacted, weights);
}

/** Optimizer slots follow their variables: `shapes` are the original variable shapes. */
export function sliceOptimizer(c: Compaction, state: OptimizerState, shapes: ReadonlyMap<string, number[]>): OptimizerState {
  return sliceOptimizerState(c.plan, c.compacted, state, shapes);
}
