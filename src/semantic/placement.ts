// Where the runtime multiplies masks and gates, decided from the IR alone so that the runtime's interpreter
// (`IrModule`) and generated trainer modules (src/codegen) apply exactly the same rule: `maskPlacement` says after
// which node a group's mask multiplies the output; `branchGates` says which residual adds gate their branch operand
// by "is any structure of this vanishable group still on", so that a fully pruned branch contributes exactly zero.

import type { IrNetwork, IrNode } from './ir.ts';

/**
 * Where masks go: node id → group id whose [width] mask multiplies that node's output (for an LSTM node the mask is
 * passed into the cell, see layers/lstm.ts). Rules, for nodes whose `group` is maskable:
 *  - bn: after the BN (a mask before BN would be normalised away);
 *  - conv (normal or depthwise): after the conv unless every consumer is a BN of the same group (then the BN masks);
 *  - dense: after the dense (+ its activation);
 *  - lstm: on h_t inside the cell;
 *  - add / relu / pool / concat: never — their inputs are already masked, and masking again would square σ·q.
 * A residual group thus gets its mask at every producer: each conv/BN feeding the add, the projection BN, the stem.
 */
export function maskPlacement(ir: IrNetwork): Map<number, number> {
  const consumers = new Map<number, IrNode[]>();
  for (const n of ir.nodes) for (const i of n.inputs) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  const out = new Map<number, number>();
  for (const n of ir.nodes) {
    const g = n.group;
    if (g === null || !ir.groups[g]?.maskable) continue;
    if (n.kind === 'bn' || n.kind === 'dense' || n.kind === 'lstm') out.set(n.id, g);
    else if (n.kind === 'conv') {
      const cs = consumers.get(n.id) ?? [];
      const bnFollows = cs.length > 0 && cs.every((c) => c.kind === 'bn' && c.group === g);
      if (!bnFollows) out.set(n.id, g);
    }
  }
  return out;
}

/**
 * Vanishing-branch gates: residual `add` node id → the maskable groups with `canVanish` that lie inside the branch
 * feeding its FIRST operand (inputs[0] is the block body; inputs[1] the skip or the projection BN). A group goes to
 * the innermost add whose branch [first node of the block instance, add) holds all its members. Why: when such a
 * group is entirely off, the branch after it is not zero (a BN after an all-zero conv emits β − γ·μ/√(σ²+ε)), so
 * the masked network would differ from the compacted one where the block became the identity. The gate multiplies
 * the branch by alive = Π_g any(mask_g > 0): training masks σ(βs)·q, evaluation 1[s > 0]. Generated modules must
 * emit `applyGate(<branch>, ctx, [groups])` on the same operand.
 */
export function branchGates(ir: IrNetwork): Map<number, number[]> {
  const byPath = new Map(ir.nodes.map((n) => [n.path, n]));
  const gates = new Map<number, number[]>();
  const best = new Map<number, { add: number; start: number }>();
  for (const a of ir.nodes) {
    if (a.kind !== 'add' || a.inputs.length < 2) continue;
    const inst = a.path.includes('.') ? a.path.slice(0, a.path.lastIndexOf('.')) : '';
    const inInstance = (p: string) => inst === '' || p.startsWith(`${inst}.`);
    const start = Math.min(...ir.nodes.filter((n) => inInstance(n.path)).map((n) => n.id));
    const inBranch = (p: string): boolean => {
      const n = byPath.get(p);
      if (!n || n.id < start || n.id >= a.id || n.kind === 'add' || !inInstance(p)) return false;
      return !/^shortcut\d*$/.test((inst === '' ? p : p.slice(inst.length + 1)).split('.')[0] ?? '');
    };
    for (const g of ir.groups) {
      if (!g.maskable || !g.canVanish || g.id === a.group || !g.members.every(inBranch)) continue;
      const prev = best.get(g.id);
      if (!prev || start > prev.start) best.set(g.id, { add: a.id, start });
    }
  }
  for (const [g, { add }] of best) gates.set(add, [...(gates.get(add) ?? []), g]);
  return gates;
}
