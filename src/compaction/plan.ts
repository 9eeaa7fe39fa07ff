// The compaction plan: from the trained mask logits, decide what the final architecture keeps. Per group the kept
// structures (s > 0, the runtime's `keptIndices`, so a group that cannot vanish keeps its top-`minWidth`), and per
// gated residual branch (runtime `branchGates`) whether a dead branch is removed (the block becomes the identity) or,
// where the spec cannot express the removal, kept at minimum width with its output zeroed. Plain data, no tfjs.

import type { IrNetwork, IrNode, MaskGroup } from '../semantic/ir.ts';
import { keptIndices } from '../runtime/masks.ts';
import { deadBranches, zeroedWidth } from '../semantic/dead-branches.ts';
import { kindEntry } from '../semantic/registry.ts';
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

  // Which dead branches are removed and which are kept at minimum width: semantic/dead-branches.ts, the rule the
  // trainer's count of the kept architecture applies too.
  const dead: DeadBranch[] = [];
  const removed = new Set<number>();
  for (const d of deadBranches(ir, (g) => (kept.get(g) ?? []).length)) {
    const base = {
      add: d.add,
      instance: d.instance,
      emptied: d.emptied.map((g) => ({ group: g, name: ir.groups[g]!.name, width: ir.groups[g]!.width, structure: ir.groups[g]!.structure })),
    };
    if (d.mode === 'identity') {
      for (const m of d.removed) removed.add(m);
      dead.push({ ...base, mode: 'identity', reason: d.reason, zeroNode: null, removed: d.removed, replacement: d.replacement });
      continue;
    }
    // Kept at minimum width: every gate group of the branch keeps its best `zeroedWidth` structures, and the
    // branch's last affine layer is zeroed so it adds exactly 0 even without the gate (exported models have none).
    for (const g of d.groups) {
      const grp = ir.groups[g]!;
      const n = zeroedWidth(grp);
      const s = scores.get(g) ?? new Float32Array(grp.width);
      const current = kept.get(g) ?? [];
      const next = topBy(s, current.length >= n ? current : range(grp.width), n);
      kept.set(g, next);
      minWidth.push({ group: grp.name, width: grp.width, positive: Array.from(s).filter((x) => x > 0).length, kept: next.length, why: 'dead-branch' });
    }
    dead.push({ ...base, mode: 'zeroed', reason: d.reason, zeroNode: zeroTarget(ir, ir.nodes[d.add]!), removed: [], replacement: null });
  }
  return { ir, kept, minWidth, dead, removed };
}

/** The affine node whose parameters set the branch operand of `add` (through f(0) = 0 pass-throughs). */
function zeroTarget(ir: IrNetwork, add: IrNode): number {
  let n = ir.nodes[add.inputs[0]!]!;
  for (;;) {
    const e = kindEntry(n.kind);
    if (e.affine) return n.id;
    if (e.zeroPreserving) {
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
