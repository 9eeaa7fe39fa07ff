// The compaction plan: from the trained mask logits, decide what the final architecture keeps. Per group the kept
// structures (s > 0, the runtime's `keptIndices`, so a group that cannot vanish keeps its top-`minWidth`), and per
// gated residual branch (runtime `branchGates`) whether a dead branch is removed (the block becomes the identity) or,
// where the spec cannot express the removal, kept at minimum width with its output zeroed. Plain data, no tfjs.

import type { IrNetwork, IrNode, MaskGroup } from '../semantic/ir.ts';
import { keptIndices } from '../runtime/masks.ts';
import { branchGates } from '../semantic/placement.ts';
import { parentPath } from '../semantic/groups.ts';
import type { WeightMap } from '../runtime/module.ts';

/** A group that kept fewer than `minWidth` structures with s > 0 and was topped up to `minWidth` (its best s). */
export interface MinWidthEvent {
  group: string;
  width: number;
  /** Structures with s > 0. */
  positive: number;
  kept: number;
  why: 'min-width' | 'dead-branch';
}

/** A residual branch whose gate is 0 (one of its canVanish groups kept nothing). */
export interface DeadBranch {
  /** The add node id and the block instance path ("stage2.basic2"). */
  add: number;
  instance: string;
  /** Gate groups that kept nothing, and their full widths. */
  emptied: { group: number; name: string; width: number; structure: MaskGroup['structure'] }[];
  /**
   * 'identity': the block instance is removed (its consumers read its input).
   * 'zeroed': the spec cannot drop it (projection shortcut, a block inside a block, a tail after the add that is
   * not the identity on its input): its groups keep their minimum and `zeroNode`'s output is made exactly 0.
   */
  mode: 'identity' | 'zeroed';
  reason: string;
  /** The node whose affine parameters are zeroed (mode 'zeroed'). */
  zeroNode: number | null;
  /** Node ids removed (mode 'identity'): the whole instance. */
  removed: number[];
  /** Node id whose value replaces the instance's last node (mode 'identity'). */
  replacement: number | null;
}

export interface CompactionPlan {
  ir: IrNetwork;
  /** Kept indices (ascending, original indexing) of EVERY group; unmaskable groups keep all. */
  kept: Map<number, number[]>;
  minWidth: MinWidthEvent[];
  dead: DeadBranch[];
  /** Node ids that disappear (union of identity branches). */
  removed: Set<number>;
}

/** The mask logits of group `g` from a weight map (`masks/<name>/s`), or undefined when the group has none. */
export function logitsOf(weights: WeightMap, g: MaskGroup): Float32Array | undefined {
  return weights[`masks/${g.name}/s`]?.data;
}

/**
 * Plans the compaction of `ir` for mask logits taken from `weights` (a group without logits keeps everything).
 * `opts.keep` overrides the kept set of chosen groups (tests and tools that fix keep sets directly).
 */
export function planCompaction(ir: IrNetwork, weights: WeightMap, opts: { keep?: ReadonlyMap<number, readonly number[]> } = {}): CompactionPlan {
  const kept = new Map<number, number[]>();
  const minWidth: MinWidthEvent[] = [];
  const scores = new Map<number, ArrayLike<number>>();
  for (const g of ir.groups) {
    const fixed = opts.keep?.get(g.id);
    const s = logitsOf(weights, g);
    if (fixed) {
      const ks = [...fixed].sort((a, b) => a - b);
      if (ks.some((k) => !Number.isInteger(k) || k < 0 || k >= g.width)) throw new Error(`keep set of ${g.name} has an index outside [0, ${g.width})`);
      kept.set(g.id, ks);
      // Scores that rank the fixed set first, for top-ups of dead branches.
      scores.set(g.id, Array.from({ length: g.width }, (_, j) => (ks.includes(j) ? 1 : -1 - j / g.width)));
      continue;
    }
    if (!g.maskable || !s) {
      kept.set(g.id, range(g.width));
      continue;
    }
    if (s.length !== g.width) throw new Error(`mask logits of ${g.name} have ${s.length} entries, the group has ${g.width}`);
    scores.set(g.id, s);
    const k = keptIndices(s, g);
    const positive = Array.from(s).filter((x) => x > 0).length;
    if (k.length > positive) minWidth.push({ group: g.name, width: g.width, positive, kept: k.length, why: 'min-width' });
    kept.set(g.id, k);
  }

  const dead: DeadBranch[] = [];
  const removed = new Set<number>();
  for (const [addId, groups] of branchGates(ir)) {
    const emptied = groups.filter((g) => (kept.get(g) ?? []).length === 0);
    if (emptied.length === 0) continue;
    const add = ir.nodes[addId]!;
    const instance = parentPath(add.path);
    const base = {
      add: addId,
      instance,
      emptied: emptied.map((g) => ({ group: g, name: ir.groups[g]!.name, width: ir.groups[g]!.width, structure: ir.groups[g]!.structure })),
    };
    const why = identityObstacle(ir, add, instance);
    if (why === null) {
      const members = ir.nodes.filter((n) => n.path.startsWith(`${instance}.`)).map((n) => n.id);
      for (const m of members) removed.add(m);
      dead.push({ ...base, mode: 'identity', reason: 'branch pruned to identity', zeroNode: null, removed: members, replacement: add.inputs[1]! });
      continue;
    }
    // Kept at minimum width: every gate group of the branch keeps max(1, minWidth) of its best structures, and the
    // branch's last affine layer is zeroed so it adds exactly 0 even without the gate (exported models have none).
    for (const g of groups) {
      const grp = ir.groups[g]!;
      const n = Math.min(grp.width, Math.max(1, grp.sparsify.minWidth));
      const s = scores.get(g) ?? new Float32Array(grp.width);
      const current = kept.get(g) ?? [];
      const next = topBy(s, current.length >= n ? current : range(grp.width), n);
      kept.set(g, next);
      minWidth.push({ group: grp.name, width: grp.width, positive: Array.from(s).filter((x) => x > 0).length, kept: next.length, why: 'dead-branch' });
    }
    dead.push({ ...base, mode: 'zeroed', reason: why, zeroNode: zeroTarget(ir, add), removed: [], replacement: null });
  }
  return { ir, kept, minWidth, dead, removed };
}

/** Why the instance of `add` cannot simply disappear from the spec, or null when it can. */
function identityObstacle(ir: IrNetwork, add: IrNode, instance: string): string | null {
  if (add.kind !== 'add' || add.attrs.shortcut !== 'identity') return 'a projection block reduces to its shortcut, not to the identity';
  if (instance === '') return 'the add is not inside a block instance';
  if (add.callSites.length !== 1) return 'the block is instantiated inside another block, whose body its instances share';
  const inst = ir.nodes.filter((n) => n.path.startsWith(`${instance}.`));
  if (inst.some((n) => n.kind === 'add' && n.id !== add.id)) return 'the block instance holds more than one add';
  const skip = ir.nodes[add.inputs[1]!]!;
  for (const n of inst) {
    if (n.id <= add.id) continue;
    if (n.kind === 'dropout') continue;
    if (n.kind === 'relu' && bound(ir, skip) !== null) continue;
    if (n.kind === 'relu6' && bound(ir, skip) === 6) continue;
    return `'${n.path}' (${n.kind}) after the add is not the identity on the block input`;
  }
  return null;
}

/** Known range of a node's output: Infinity for ≥ 0, 6 for [0, 6], null for unknown. Pass-throughs keep it. */
function bound(ir: IrNetwork, n: IrNode): number | null {
  switch (n.kind) {
    case 'relu':
      return Infinity;
    case 'relu6':
      return 6;
    case 'maxpool':
    case 'avgpool':
    case 'dropout':
    case 'flatten':
    case 'gap':
      return bound(ir, ir.nodes[n.inputs[0]!]!);
    case 'add': {
      // A sum of non-negative operands is non-negative (but not bounded by 6).
      const bs = n.inputs.map((i) => bound(ir, ir.nodes[i]!));
      return bs.every((b) => b !== null) ? Infinity : null;
    }
    default:
      return null;
  }
}

/** The affine node whose parameters set the branch operand of `add` (through f(0) = 0 pass-throughs). */
function zeroTarget(ir: IrNetwork, add: IrNode): number {
  let n = ir.nodes[add.inputs[0]!]!;
  for (;;) {
    if (n.kind === 'bn' || n.kind === 'conv' || n.kind === 'dense') return n.id;
    if (n.kind === 'relu' || n.kind === 'relu6' || n.kind === 'dropout' || n.kind === 'maxpool' || n.kind === 'avgpool') {
      n = ir.nodes[n.inputs[0]!]!;
      continue;
    }
    throw new Error(`compaction: cannot zero the branch of ${add.path}: it ends in '${n.path}' (${n.kind}), which has no affine parameters`);
  }
}

function topBy(s: ArrayLike<number>, among: number[], n: number): number[] {
  return [...among].sort((a, b) => s[b]! - s[a]! || a - b).slice(0, n).sort((a, b) => a - b);
}

export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
