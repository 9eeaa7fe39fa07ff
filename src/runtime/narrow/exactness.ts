// When is a narrow step exactly the full-width straight-through step? Off structures (q = 0) are not computed
// narrow, so their task gradient is lost; at full width it is ∂L/∂m_j = Σ y_j·∂L/∂z_j over the group's masked
// outputs z = y·m. That is 0 whenever each masked output reaches the loss only through a ReLU/ReLU6 (directly, or
// through residual adds whose operands all carry the group's mask): the off channel sits at the kink (z_j = 0),
// where tfjs's ReLU gradient is 0. Conv-BN-ReLU nets and ResNets are such networks; a masked dense(relu) (the mask
// follows the activation) or an LSTM's hidden units are not. `execution auto` runs narrow exactly where this holds.

import type { IrNetwork, IrNode } from '../../semantic/ir.ts';
import { maskPlacement } from '../../semantic/placement.ts';
import { kindEntry, roleOf } from '../../semantic/registry.ts';

/** Names of the maskable groups whose off structures get a task gradient at full width (empty: narrow is exact). */
export function groupsNeedingFullWidth(ir: IrNetwork): string[] {
  const consumers = new Map<number, IrNode[]>();
  for (const n of ir.nodes) for (const i of n.inputs) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  const placement = maskPlacement(ir);
  // Node `id`'s output is 0 on every off structure of group g (a masked output, a ReLU or pass-through of one, or a
  // residual add of the group whose operands all are).
  const zero = (id: number, g: number): boolean => {
    const n = ir.nodes[id]!;
    if (placement.get(id) === g) return true;
    if (kindEntry(n.kind).zeroPreserving) return zero(n.inputs[0]!, g);
    if (roleOf(n) === 'unions' && n.group === g) return n.inputs.every((i) => zero(i, g));
    return false;
  };
  // Every path from node `id` (0 on the off structures) meets a ReLU, where the off structure's gradient stops.
  const closed = (id: number, g: number): boolean => {
    const cs = consumers.get(id) ?? [];
    if (cs.length === 0) return false; // the network's output
    return cs.every((c) => {
      const e = kindEntry(c.kind);
      if (e.stopsGradientAtZero) return true;
      if (e.zeroPreserving) return closed(c.id, g);
      if (roleOf(c) === 'unions' && zero(c.id, g)) return closed(c.id, g);
      return false;
    });
  };
  const out = new Set<string>();
  for (const [node, g] of placement) {
    const n = ir.nodes[node]!;
    // A mask inside a cell (an LSTM's h_t) feeds the recurrence too: its off units always get a gradient.
    if (kindEntry(n.kind).mask === 'in-cell' || !closed(node, g)) out.add(ir.groups[g]!.name);
  }
  return [...out];
}
