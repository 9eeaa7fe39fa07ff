// Cost accounting of masked architectures (the paper's Figure 2 training cost and the kept architecture's size).
// From the IR we derive per-node cost terms `value × Π_g fraction(g)`: a conv's MACs scale with the kept share
// of its input channels' group(s) and of its output group; a depthwise conv with its one group; an LSTM's 4·in·h
// with in-group × h-group and 4·h·h with h-group². Feeding in fractions from q (sampled), σ (expected) or 1[s>0]
// (deterministic) gives the three MAC figures; the same walk gives the kept architecture's parameters.

import type { IrNetwork, IrNode } from './ir.ts';
import { kindEntry, roleOf } from './registry.ts';

/** A run of `width` consecutive channels/features on the last axis owned by `group` (null = never masked). */
interface Segment {
  group: number | null;
  width: number;
}

/** One multiplicative cost term: `value` at full width, scaled by the kept fraction of each listed group. */
export interface CostTerm {
  node: number;
  value: number;
  /** Group ids whose kept fraction multiplies `value` (a group may appear twice: LSTM U scales with h²). */
  groups: number[];
}

export interface CostModel {
  macs: CostTerm[];
  params: CostTerm[];
  denseMacs: number;
  denseParams: number;
}

/** Kept fraction per group id (groups absent from the map count as fully kept). */
export type Fractions = ReadonlyMap<number, number>;

function lastDim(shape: number[]): number {
  return shape[shape.length - 1] ?? 1;
}

function ownLayout(node: IrNode): Segment[] {
  return [{ group: node.group, width: lastDim(node.shape) }];
}

function inLayout(layouts: Segment[][], node: IrNode): Segment[] {
  const id = node.inputs[0];
  if (id === undefined) throw new Error(`IR node ${node.path} (${node.kind}) has no input`);
  const l = layouts[id];
  if (!l) throw new Error(`IR node ${node.path} reads node ${id}, which is not before it (IR not topological)`);
  return l;
}

function segTotal(segs: Segment[]): number {
  return segs.reduce((a, s) => a + s.width, 0);
}

function groupsOf(...ids: (number | null)[]): number[] {
  return ids.filter((g): g is number => g !== null);
}

/**
 * Derives the cost terms of a network. MAC values are split from each node's IR `macs` (so the IR's counting
 * convention is kept); parameter values are computed from the attributes with the IR's convention (conv/dense
 * weights and biases, BN γ and β, LSTM W, U and one 4h bias, embeddings).
 */
export function buildCostModel(ir: IrNetwork): CostModel {
  const layouts: Segment[][] = [];
  const macs: CostTerm[] = [];
  const params: CostTerm[] = [];
  const perSegment = (node: IrNode, segs: Segment[], total: number, extra: (number | null)[], into: CostTerm[]) => {
    const all = segTotal(segs);
    for (const seg of segs) {
      if (seg.width === 0) continue;
      into.push({ node: node.id, value: (total * seg.width) / all, groups: groupsOf(seg.group, ...extra) });
    }
  };
  for (const node of ir.nodes) {
    const entry = kindEntry(node.kind);
    const role = roleOf(node);
    const input = role === 'source' ? [] : role === 'concatenates' ? node.inputs.flatMap((i) => layouts[i] ?? []) : inLayout(layouts, node);
    entry.costTerms?.(node, input, {
      perSegment: (segs, total, extra, into) => perSegment(node, [...segs], total, extra, into === 'macs' ? macs : params),
      term: (value, groups, into) => (into === 'macs' ? macs : params).push({ node: node.id, value, groups: groupsOf(...groups) }),
    });
    switch (role) {
      case 'source':
        layouts[node.id] = [{ group: null, width: lastDim(node.shape) }];
        break;
      case 'produces':
        layouts[node.id] = ownLayout(node);
        break;
      case 'joins':
      case 'unions':
        // A BN, depthwise conv or add keeps its input's channel layout unless the checker gave it a group.
        layouts[node.id] = node.group !== null ? ownLayout(node) : input;
        break;
      case 'concatenates':
      case 'passes':
        layouts[node.id] = input;
        break;
      case 'flattens': {
        // Channels stay innermost after NHWC flatten: each segment's share (and kept fraction) is unchanged.
        const scale = lastDim(node.shape) / Math.max(1, segTotal(input));
        layouts[node.id] = input.map((s) => ({ group: s.group, width: s.width * scale }));
        break;
      }
    }
  }
  const sum = (t: CostTerm[]) => t.reduce((a, x) => a + x.value, 0);
  return { macs, params, denseMacs: sum(macs), denseParams: sum(params) };
}

/** Σ value·Π fraction(g) over the terms (of nodes not in `removed`). */
export function evalCost(terms: CostTerm[], fractions: Fractions, removed?: ReadonlySet<number>): number {
  let total = 0;
  for (const t of terms) {
    if (removed?.has(t.node)) continue;
    let v = t.value;
    for (const g of t.groups) v *= fractions.get(g) ?? 1;
    total += v;
  }
  return total;
}

/**
 * MACs that one structure of each group accounts for at full width: Σ over the terms that contain the group of
 * value·(multiplicity)/width. This is the marginal MAC cost the 'macs' penalty weighs a structure by; the
 * semantic checker's `macsPerStructure` should agree with it.
 */
export function macsPerStructure(ir: IrNetwork, model: CostModel = buildCostModel(ir)): Map<number, number> {
  const out = new Map<number, number>();
  for (const g of ir.groups) out.set(g.id, 0);
  for (const t of model.macs) {
    for (const g of new Set(t.groups)) {
      const mult = t.groups.filter((x) => x === g).length;
      const width = ir.groups[g]?.width ?? 1;
      out.set(g, (out.get(g) ?? 0) + (t.value * mult) / width);
    }
  }
  return out;
}

/** Kept fraction of each group from a 0/1 or probability vector per group id. */
export function fractionsOf(vectors: ReadonlyMap<number, ArrayLike<number>>): Map<number, number> {
  const out = new Map<number, number>();
  for (const [g, v] of vectors) {
    let s = 0;
    for (let j = 0; j < v.length; j++) s += v[j]!;
    out.set(g, v.length > 0 ? s / v.length : 1);
  }
  return out;
}
