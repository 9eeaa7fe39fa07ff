// L1-norm filter pruning (Li et al., ICLR 2017, "Pruning filters for efficient ConvNets") as an archc baseline:
// rank the structures of every maskable group by the L1 norm of their weights, keep the same share of every
// group (one ratio for the whole net, the simplest automation of Li et al.'s per-layer ratios), and search that
// ratio so the kept architecture's MACs reach a target (what continuous sparsification reached, or the same budget
// target a run was given: `planL1ToBudget` takes the IR's `target macs 40%` / `target params 1.2M`).
// The result is a kept-index set per group that fine-tuning freezes as fixed 0/1 masks (see `fixedMaskLogits`).

import type { BudgetTarget, IrNetwork, MaskGroup } from '../semantic/ir.ts';
import { buildCostModel, evalCost, type CostModel } from '../runtime/macs.ts';
import { kindEntry } from '../semantic/registry.ts';

/** Weights by logical name, as `NetworkModule.getWeights()` returns them. */
export type Weights = Record<string, { shape: number[]; data: Float32Array }>;

/**
 * L1 score of each structure of `group`: Σ over the group's weight-producing members (convs, dense layers, LSTMs
 * whose output structures the group owns) of the mean |w| of the weights that produce that structure. Taking the
 * mean per member (not the sum) keeps a 1×1 projection shortcut and a 3×3 conv on one scale when a residual
 * group joins them. LSTM hidden unit j: the four gate columns j, h+j, 2h+j, 3h+j of W and U.
 */
export function l1Scores(ir: IrNetwork, weights: Weights, group: MaskGroup): Float64Array {
  const score = new Float64Array(group.width);
  for (const n of ir.nodes) {
    if (n.group !== group.id) continue;
    for (const { leaf, axis, blocks } of kindEntry(n.kind).structureWeights?.(n.attrs as unknown as Record<string, unknown>) ?? []) {
      const k = weights[`${n.path}/${leaf}`];
      if (!k) throw new Error(`l1Scores: no weights '${n.path}/${leaf}'`);
      // Columns: the axes from `axis` on (a conv's out, a depthwise conv's in × 1, an LSTM's 4 gate blocks).
      const cols = k.shape.slice(axis).reduce((a, b) => a * b, 1);
      const acc = new Float64Array(cols);
      addColumnMeans(acc, k.data, cols, k.data.length / cols);
      const h = cols / blocks;
      for (let j = 0; j < h; j++) {
        let v = 0;
        for (let b = 0; b < blocks; b++) v += acc[b * h + j]!;
        score[j] = score[j]! + v / blocks;
      }
    }
  }
  return score;
}

/** score[c] += mean_r |data[r*cols + c]| for a row-major [rows, cols] matrix (conv kernels flatten to [kh·kw·in, out]). */
function addColumnMeans(score: Float64Array, data: Float32Array, cols: number, rows: number): void {
  const acc = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) acc[c] = acc[c]! + Math.abs(data[base + c]!);
  }
  for (let c = 0; c < cols; c++) score[c] = score[c]! + acc[c]! / Math.max(1, rows);
}

/** Indices of the `keep` largest scores (ties to the lower index), ascending. */
export function topIndices(score: ArrayLike<number>, keep: number): number[] {
  const order = Array.from({ length: score.length }, (_, j) => j).sort((a, b) => score[b]! - score[a]! || a - b);
  return order.slice(0, Math.max(0, Math.min(score.length, keep))).sort((a, b) => a - b);
}

/** Structures a group keeps at ratio r: round(r·width), at least the group's minimum (0 if it can vanish). */
export function keptCount(group: MaskGroup, ratio: number): number {
  const min = group.canVanish ? 0 : Math.min(group.width, Math.max(1, group.sparsify.minWidth));
  return Math.max(min, Math.min(group.width, Math.round(ratio * group.width)));
}

/** MACs per example of the architecture that keeps `counts[groupId]` structures of each maskable group. */
export function macsAt(model: CostModel, ir: IrNetwork, counts: ReadonlyMap<number, number>): number {
  const fr = new Map<number, number>();
  for (const [g, c] of counts) fr.set(g, c / (ir.groups[g]?.width ?? 1));
  return evalCost(model.macs, fr);
}

export interface L1Plan {
  /** The uniform keep ratio found. */
  ratio: number;
  /** Kept indices per maskable group id. */
  kept: Map<number, number[]>;
  macs: number;
  params: number;
  /** The MACs asked for (for a params budget: the MACs of the plan found). */
  targetMacs: number;
}

/**
 * The same budget target a continuous-sparsification run takes (README "Budget targets"): the largest uniform keep
 * ratio whose kept MACs (or params, for a params target) are at most target × dense, so that ours and L1 are
 * compared at one budget without hand-picking a ratio.
 */
export function planL1ToBudget(ir: IrNetwork, weights: Weights, target: BudgetTarget): L1Plan {
  const model = buildCostModel(ir);
  const dense = target.metric === 'macs' ? model.denseMacs : model.denseParams;
  return planL1(ir, weights, target.metric, target.fraction * dense, model);
}

/**
 * Finds the largest uniform keep ratio whose architecture has MACs ≤ `targetMacs` (bisection on the ratio; MACs
 * are monotone in it), and the kept L1-top structures of each maskable group at that ratio. If even the minimum
 * widths exceed the target, returns the minimum widths.
 */
export function planL1Pruning(ir: IrNetwork, weights: Weights, targetMacs: number): L1Plan {
  return planL1(ir, weights, 'macs', targetMacs, buildCostModel(ir));
}

function planL1(ir: IrNetwork, weights: Weights, metric: BudgetTarget['metric'], target: number, model: CostModel): L1Plan {
  const groups = ir.groups.filter((g) => g.maskable);
  const countsAt = (r: number) => new Map(groups.map((g) => [g.id, keptCount(g, r)]));
  const costAt = (r: number): number => {
    const fr = new Map<number, number>();
    for (const [g, c] of countsAt(r)) fr.set(g, c / (ir.groups[g]?.width ?? 1));
    return evalCost(metric === 'macs' ? model.macs : model.params, fr);
  };
  let lo = 0;
  let hi = 1;
  if (costAt(1) <= target) lo = 1;
  else {
    for (let i = 0; i < 40; i++) {
      const mid = (lo + hi) / 2;
      if (costAt(mid) <= target) lo = mid;
      else hi = mid;
    }
  }
  const counts = countsAt(lo);
  const kept = new Map<number, number[]>();
  for (const g of groups) kept.set(g.id, topIndices(l1Scores(ir, weights, g), counts.get(g.id)!));
  const fr = new Map<number, number>();
  for (const [g, c] of counts) fr.set(g, c / (ir.groups[g]?.width ?? 1));
  const macs = evalCost(model.macs, fr);
  return { ratio: lo, kept, macs, params: evalCost(model.params, fr), targetMacs: metric === 'macs' ? target : macs };
}

/**
 * Mask logits that freeze a plan as fixed 0/1 masks: +1 for kept, −1 for pruned. With β ≥ 1, σ(βs) is exactly 1 or
 * 0, so q is deterministic and 1[s > 0] keeps the same set; with λ = 0 and a mask lr of 0 they never move, and
 * the masked network computes what the sliced one would.
 */
export function fixedMaskLogits(ir: IrNetwork, plan: L1Plan): Map<number, Float32Array> {
  const out = new Map<number, Float32Array>();
  for (const [g, idx] of plan.kept) {
    const s = new Float32Array(ir.groups[g]!.width).fill(-1);
    for (const j of idx) s[j] = 1;
    out.set(g, s);
  }
  return out;
}

/** An IR whose masks do not learn (λ = 0, mask lr tiny) for fine-tuning a pruned plan. */
export function frozenMaskIr(ir: IrNetwork): IrNetwork {
  const freeze = (g: MaskGroup): MaskGroup => ({
    ...g,
    sparsify: { ...g.sparsify, lambda: 0, warmup: Number.MAX_SAFE_INTEGER, scheduler: { ...g.sparsify.scheduler } },
  });
  return { ...ir, groups: ir.groups.map(freeze), sparsify: { ...ir.sparsify, lambda: 0, warmup: Number.MAX_SAFE_INTEGER } };
}
