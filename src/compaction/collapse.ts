// A run that collapsed: the final accuracy is at chance level while most maskable groups ended at their minimum
// width — the sparsity pressure beat the task on a network too small to lose anything. Nothing in the numbers
// alone says so (the run "succeeded", the pruned spec checks), so compaction says it, with what to change.

import type { IrNetwork } from '../semantic/ir.ts';
import type { CompactionPlan } from './plan.ts';

/** Accuracy up to this multiple of chance (1 / classes) counts as chance level. */
const CHANCE_FACTOR = 1.5;

/**
 * The warning for a collapsed classification run, or null: accuracy ≤ 1.5 × chance and at least half of the
 * maskable groups kept at most max(1, minWidth) structures (a vanished group counts as at its minimum).
 */
export function collapseWarning(ir: IrNetwork, plan: Pick<CompactionPlan, 'kept'>, accuracy: number | undefined): string | null {
  if (ir.task !== 'classification' || accuracy === undefined || !Number.isFinite(accuracy) || ir.outputs < 2) return null;
  const chance = 1 / ir.outputs;
  if (accuracy > CHANCE_FACTOR * chance) return null;
  const maskable = ir.groups.filter((g) => g.maskable);
  const atMin = maskable.filter((g) => (plan.kept.get(g.id)?.length ?? g.width) <= Math.max(1, g.sparsify.minWidth));
  if (maskable.length === 0 || 2 * atMin.length < maskable.length) return null;
  const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
  return (
    `warning: the network collapsed: accuracy ${pct(accuracy)} is at chance level (${pct(chance)} for ${ir.outputs} classes) with ` +
    `${atMin.length} of ${maskable.length} maskable groups at their minimum width. The sparsity pressure is too strong for this network: ` +
    `set a MAC budget instead (sparsify { target macs … }) or train with a smaller λ (now ${ir.sparsify.lambda}; e.g. --lambda ${ir.sparsify.lambda / 4})`
  );
}
