// Which features of every node's output survive a plan, in the ORIGINAL indexing of its last axis. This one walk
// drives both the compacted IR (new widths = lengths) and the weight slicing (kept rows/columns), so the two can
// never disagree. The walk itself lives in semantic/feature-layout.ts (the runtime's narrow execution uses it every
// step); here it runs over the plan's kept sets, removed blocks and identity replacements.

import { featureLayoutOf, lastDim, type Layout } from '../semantic/feature-layout.ts';
import type { CompactionPlan } from './plan.ts';

export type { Layout };

/** The kept features of every surviving node: the shared layout walk over the plan's kept sets and replacements. */
export function featureLayout(plan: CompactionPlan): Layout {
  const rep = replacements(plan);
  return featureLayoutOf(plan.ir, plan.kept, { removed: plan.removed, source: (id) => resolve(rep, id) });
}

/** Removed instance output → the node that replaces it (its skip input), from the plan's identity branches. */
export function replacements(plan: CompactionPlan): Map<number, number> {
  const m = new Map<number, number>();
  for (const d of plan.dead) {
    if (d.mode !== 'identity' || d.replacement === null) continue;
    m.set(Math.max(...d.removed), d.replacement);
  }
  return m;
}

/** Follows replacements until a surviving node (consecutive removed blocks chain). */
export function resolve(rep: ReadonlyMap<number, number>, id: number): number {
  let cur = id;
  for (let guard = 0; rep.has(cur); guard++) {
    if (guard > rep.size) throw new Error('compaction: cyclic block replacement');
    cur = rep.get(cur)!;
  }
  return cur;
}

export { lastDim };

/** The kept input features of node `id` (its `i`-th input's layout, after replacements `rep`). */
export function inputLayout(plan: CompactionPlan, layout: Layout, rep: ReadonlyMap<number, number>, id: number, i = 0): number[] {
  const n = plan.ir.nodes[id]!;
  const src = resolve(rep, n.inputs[i]!);
  const l = layout[src];
  if (!l) throw new Error(`compaction: input of ${n.path} has no layout`);
  return l;
}
