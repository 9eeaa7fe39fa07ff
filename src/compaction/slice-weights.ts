// Exact slicing of a WeightMap (or of optimizer slots, which share their variable's layout) to a compaction plan:
// every tensor keeps the rows/columns of the kept features of its node's input and output (see layout.ts), LSTM
// gate blocks are sliced block by block, mask logits follow their group to its compacted name, removed blocks drop
// their variables, and a dead branch kept at minimum width gets its last affine layer zeroed. Nothing is folded:
// with the binary evaluation mask every kept structure is multiplied by exactly 1.

import type { WeightMap } from '../runtime/module.ts';
import type { OptimizerState } from '../runtime/optim.ts';
import { gatherAxes } from '../runtime/narrow/host-gather.ts';
import { variableAxes } from '../semantic/feature-layout.ts';
import type { IrNode } from '../semantic/ir.ts';
import type { CompactedIr } from './compact-ir.ts';
import { inputLayout, replacements } from './layout.ts';
import type { CompactionPlan } from './plan.ts';

type Tensor = WeightMap[string];

// Gathers `idx[a]` along every axis a (null = the whole axis); shared with the runtime's narrow execution.
export { gatherAxes };

/**
 * Slices `weights` (logical variable names → tensors, e.g. `module.getWeights()` or optimizer slots wrapped with
 * their shapes) to the plan. Returns a new map keyed by the compacted network's names. A name the network does not
 * know is passed through unchanged (the caller decides whether that is an error).
 */
export function sliceWeights(plan: CompactionPlan, compacted: CompactedIr, weights: WeightMap): WeightMap {
  const { ir } = plan;
  const layout = compacted.layout;
  const rep = replacements(plan);
  const byPath = new Map(ir.nodes.map((n) => [n.path, n]));
  const zero = new Set(plan.dead.filter((d) => d.mode === 'zeroed' && d.zeroNode !== null).map((d) => d.zeroNode!));
  const out: WeightMap = {};
  for (const [name, t] of Object.entries(weights)) {
    const mask = /^masks\/(.+)\/s$/.exec(name);
    if (mask) {
      const g = ir.groups.find((x) => x.name === mask[1]);
      if (!g) {
        out[name] = t;
        continue;
      }
      const ng = compacted.groupMap.get(g.id);
      const cg = ng === undefined ? undefined : compacted.ir.groups[ng];
      if (!cg?.maskable) continue;
      out[`masks/${cg.name}/s`] = gatherAxes(t, [plan.kept.get(g.id) ?? null]);
      continue;
    }
    const slash = name.lastIndexOf('/');
    const node = slash < 0 ? undefined : byPath.get(name.slice(0, slash));
    if (!node) {
      out[name] = t;
      continue;
    }
    if (plan.removed.has(node.id)) continue;
    const sliced = sliceVariable(node, name.slice(slash + 1), t, inputLayout(plan, layout, rep, node.id), layout[node.id]!);
    out[name] = zero.has(node.id) && name.slice(slash + 1) !== 'movingMean' && name.slice(slash + 1) !== 'movingVariance'
      ? { shape: sliced.shape, data: new Float32Array(sliced.data.length) }
      : sliced;
  }
  return out;
}

function sliceVariable(node: IrNode, leaf: string, t: Tensor, inK: number[], outK: number[]): Tensor {
  const axes = variableAxes(node, leaf, { in: inK, out: outK });
  if (!axes) throw new Error(`compaction: don't know how to slice '${node.path}/${leaf}' of a ${node.kind} layer`);
  return axes.every((a) => a === null) ? t : gatherAxes(t, axes);
}

/**
 * Slices optimizer state (momentum, Adam m/v) like the variables it belongs to. `shapes` are the ORIGINAL variable
 * shapes (e.g. from the weight map before slicing); slots of unknown variables pass through.
 */
export function sliceOptimizerState(
  plan: CompactionPlan,
  compacted: CompactedIr,
  state: OptimizerState,
  shapes: ReadonlyMap<string, number[]>,
): OptimizerState {
  const slots: OptimizerState['slots'] = {};
  for (const [kind, byName] of Object.entries(state.slots)) {
    const wrapped: WeightMap = {};
    for (const [name, data] of Object.entries(byName)) wrapped[name] = { shape: shapes.get(name) ?? [data.length], data };
    const sliced = sliceWeights(plan, compacted, wrapped);
    slots[kind] = Object.fromEntries(Object.entries(sliced).map(([n, t]) => [n, t.data]));
  }
  return { step: state.step, slots };
}
