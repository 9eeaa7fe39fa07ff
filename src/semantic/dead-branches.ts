// What becomes of a residual branch whose vanishable group kept nothing, decided from the IR alone, so that the
// trainer's count of the kept architecture (runtime: metrics `archParams`/`archMacs`, the summary) and compaction
// (the network it writes) apply one rule and report one count: the block is removed and becomes the identity where
// the spec can say so, else every gate group of the branch keeps max(1, minWidth) structures and its output is zeroed.

import type { AddAttrs, IrNetwork, IrNode, MaskGroup } from './ir.ts';
import { parentPath } from './groups.ts';
import { branchGates } from './placement.ts';
import { kindEntry, roleOf } from './registry.ts';

/** A residual branch whose gate is 0 (one of its canVanish groups kept nothing), and its fate. */
export interface DeadBranchFate {
  /** The add node id and the block instance path ("stage2.basic2"). */
  add: number;
  instance: string;
  /** Every gate group of the branch, and those that kept nothing. */
  groups: number[];
  emptied: number[];
  /**
   * 'identity': the block instance is removed (its consumers read its input).
   * 'zeroed': the spec cannot drop it (projection shortcut, a block inside a block, a tail after the add that is
   * not the identity on its input): its gate groups keep `zeroedWidth` and the branch output is made exactly 0.
   */
  mode: 'identity' | 'zeroed';
  reason: string;
  /** Node ids removed (mode 'identity'): the whole instance. */
  removed: number[];
  /** Node id whose value replaces the instance's last node (mode 'identity'). */
  replacement: number | null;
}

/** The dead branches for `keptCount(group id)` structures kept per group (before any top-up). */
export function deadBranches(ir: IrNetwork, keptCount: (group: number) => number): DeadBranchFate[] {
  const out: DeadBranchFate[] = [];
  for (const f of fatesOf(ir)) {
    const emptied = f.groups.filter((g) => keptCount(g) === 0);
    if (emptied.length > 0) out.push({ ...f, emptied, removed: [...f.removed] });
  }
  return out;
}

/** Every gated branch's fate should it die, per network (the trainer asks at every metrics line). */
const fates = new WeakMap<IrNetwork, Omit<DeadBranchFate, 'emptied'>[]>();
function fatesOf(ir: IrNetwork): Omit<DeadBranchFate, 'emptied'>[] {
  let list = fates.get(ir);
  if (list) return list;
  list = [];
  for (const [addId, groups] of branchGates(ir)) {
    const add = ir.nodes[addId]!;
    const instance = parentPath(add.path);
    const why = identityObstacle(ir, add, instance);
    if (why === null) {
      const removed = ir.nodes.filter((n) => n.path.startsWith(`${instance}.`)).map((n) => n.id);
      list.push({ add: addId, instance, groups, mode: 'identity', reason: 'branch pruned to identity', removed, replacement: add.inputs[1]! });
    } else list.push({ add: addId, instance, groups, mode: 'zeroed', reason: why, removed: [], replacement: null });
  }
  fates.set(ir, list);
  return list;
}

/** The width each gate group of a 'zeroed' branch keeps. */
export function zeroedWidth(g: Pick<MaskGroup, 'width' | 'sparsify'>): number {
  return Math.min(g.width, Math.max(1, g.sparsify.minWidth));
}

/**
 * Kept structures per group id and the removed node ids of the final architecture, from the kept counts of the
 * deterministic masks: what compaction builds, counted without building it.
 */
export function finalCounts(ir: IrNetwork, keptCount: (group: number) => number): { kept: Map<number, number>; removed: Set<number>; dead: DeadBranchFate[] } {
  const kept = new Map(ir.groups.map((g) => [g.id, keptCount(g.id)]));
  const removed = new Set<number>();
  const dead = deadBranches(ir, (g) => kept.get(g) ?? 0);
  for (const d of dead) {
    if (d.mode === 'identity') for (const id of d.removed) removed.add(id);
    else for (const g of d.groups) kept.set(g, zeroedWidth(ir.groups[g]!));
  }
  return { kept, removed, dead };
}

/** Why the instance of `add` cannot simply disappear from the spec, or null when it can. */
function identityObstacle(ir: IrNetwork, add: IrNode, instance: string): string | null {
  if (roleOf(add) !== 'unions' || (add.attrs as AddAttrs).shortcut !== 'identity') return 'a projection block reduces to its shortcut, not to the identity';
  if (instance === '') return 'the add is not inside a block instance';
  if (add.callSites.length !== 1) return 'the block is instantiated inside another block, whose body its instances share';
  const inst = ir.nodes.filter((n) => n.path.startsWith(`${instance}.`));
  if (inst.some((n) => roleOf(n) === 'unions' && n.id !== add.id)) return 'the block instance holds more than one add';
  const skip = ir.nodes[add.inputs[1]!]!;
  for (const n of inst) {
    if (n.id <= add.id) continue;
    // The layers after the add must be the identity on the block input (dropout; a ReLU of a non-negative input).
    if (kindEntry(n.kind).identityOn?.(bound(ir, skip))) continue;
    return `'${n.path}' (${n.kind}) after the add is not the identity on the block input`;
  }
  return null;
}

/** Known range of a node's output: Infinity for ≥ 0, 6 for [0, 6], null for unknown. Pass-throughs keep it. */
function bound(ir: IrNetwork, n: IrNode): number | null {
  const e = kindEntry(n.kind);
  return e.valueBound ? e.valueBound((i) => bound(ir, ir.nodes[n.inputs[i]!]!), n.inputs.length) : null;
}
