// Where the runtime multiplies masks and gates, decided from the IR alone so that the runtime's interpreter
// (`IrModule`) and generated trainer modules (src/codegen) apply exactly the same rule: `maskPlacement` says after
// which node a group's mask multiplies the output (`segmentMaskPlacement`: where a node's output spans several
// groups, after a concat); `branchGates` says which residual adds gate their branch operand
// by "is any structure of this vanishable group still on", so that a fully pruned branch contributes exactly zero.

import type { ConcatAttrs, IrNetwork, IrNode } from './ir.ts';
import { kindEntry, roleOf } from './registry.ts';

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
    const at = kindEntry(n.kind).mask;
    if (at === 'output' || at === 'in-cell') out.set(n.id, g);
    else if (at === 'output-unless-normalised') {
      const cs = consumers.get(n.id) ?? [];
      const bnFollows = cs.length > 0 && cs.every((c) => kindEntry(c.kind).normalises === true && c.group === g);
      if (!bnFollows) out.set(n.id, g);
    }
  }
  return out;
}

/** A run of `width` channels of a node's output covered by `group`'s mask (null: by no mask). */
export interface MaskSegment {
  group: number | null;
  width: number;
}

/**
 * Segmented masks: node id → the segments of its output, for a BN or depthwise conv that reads a concat's channels
 * (its output lies in several groups, so its `group` is null and `maskPlacement` cannot name one). Such a node gets
 * the segments' masks concatenated (ones where a segment has no maskable group), by the same rule as a one-group
 * node: a BN always (a BN maps a zero input channel to β − γ·μ/√(σ²+ε), so a pruned channel would reach the next
 * layer as a constant the compacted network does not have — DenseNet-BC's pre-activation BN), a depthwise conv
 * unless every consumer is a BN (it has a bias). Listed only when a segment is maskable. After a flatten a
 * concat's segments are no longer runs of the last axis; nothing there is listed.
 */
export function segmentMaskPlacement(ir: IrNetwork): Map<number, MaskSegment[]> {
  const consumers = new Map<number, IrNode[]>();
  for (const n of ir.nodes) for (const i of n.inputs) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  const maskable = (g: number | null): number | null => (g !== null && ir.groups[g]?.maskable ? g : null);
  // Each node's output segments, as the checker's group analysis lays them out (semantic/groups.ts).
  const segs: (MaskSegment[] | null)[] = [];
  const out = new Map<number, MaskSegment[]>();
  for (const n of ir.nodes) {
    const inSeg = n.inputs.length > 0 ? (segs[n.inputs[0]!] ?? null) : null;
    const entry = kindEntry(n.kind);
    const role = entry.group(n.attrs as unknown as Record<string, unknown>).role;
    let s: MaskSegment[] | null;
    if (role === 'concatenates') s = ((n.attrs as ConcatAttrs).segments ?? []).map((x) => ({ group: maskable(x.group), width: x.width }));
    else if (role === 'produces' || role === 'source' || role === 'flattens') s = null;
    else s = n.group === null ? inSeg : null;
    segs.push(s);
    if (n.group !== null || !s || !s.some((x) => x.group !== null)) continue;
    const bnFollows = (consumers.get(n.id) ?? []).length > 0 && (consumers.get(n.id) ?? []).every((c) => kindEntry(c.kind).normalises === true);
    // Only a node that joins its input's channels owns a mask of them (pass-throughs and adds are already masked).
    if (role !== 'joins') continue;
    if (entry.mask === 'output' || (entry.mask === 'output-unless-normalised' && !bnFollows)) out.set(n.id, s);
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
    if (roleOf(a) !== 'unions' || a.inputs.length < 2) continue;
    const inst = a.path.includes('.') ? a.path.slice(0, a.path.lastIndexOf('.')) : '';
    const inInstance = (p: string) => inst === '' || p.startsWith(`${inst}.`);
    const start = Math.min(...ir.nodes.filter((n) => inInstance(n.path)).map((n) => n.id));
    const inBranch = (p: string): boolean => {
      const n = byPath.get(p);
      if (!n || n.id < start || n.id >= a.id || roleOf(n) === 'unions' || !inInstance(p)) return false;
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
