// Static mask-group analysis (README "Mask groups"): union-find over output structures, so channels that must
// share one mask are known before training. A conv/dense/lstm creates a structure set; BN, depthwise conv,
// relu, dropout, pooling, gap and flatten pass their input's set through; a residual add unions its operands
// (so an identity chain spans a whole stage, stem included, and a projection shortcut's conv/bn join the
// add's group). A concat is in no group: its output is a list of segments, one per operand, and a consumer's
// input channels map to several groups (IR: `ConcatAttrs.segments`).
//
// Rules: a group is maskable iff a member that produces structures (conv, dwconv, dense, lstm) is marked
// `maskable`; its unmarked members are masked with it. Members are the layers that own per-structure state
// of the group's channels (conv, dense, lstm, bn, add); pass-through layers carry the group id on their node
// but are not listed. canVanish: the group lies wholly inside one residual branch (it is not the add's own
// group), so removing all of it turns the branch into the identity.
// macsPerStructure (first order): MACs removed per structure removed — each producing member's MACs per output
// structure plus each consumer's MACs per input structure (a depthwise conv counted once; an LSTM's own
// units count their input row, recurrent row and recurrent column: T·4·(in + 2h)).
// The naming and macsPerStructure rules are exported (`groupName`, `groupMacsPerStructure`) so that compaction
// applies them to the compacted IR instead of restating them.

import type { GNode, Graph } from './graph.ts';
import { isGroupMember, kindEntry, roleOf } from './registry.ts';

interface Seg {
  el: number;
  width: number;
}

export interface GroupInfo {
  id: number;
  name: string;
  width: number;
  structure: 'channels' | 'units' | 'hidden';
  /** Node ids of members, topological order. */
  members: number[];
  /** Members that produce structures and were marked `maskable`. */
  marked: number[];
  macsPerStructure: number;
  canVanish: boolean;
  /**
   * A residual add (node id) that adds this group's channels to channels split differently among groups (a residual
   * block on a concat's channels: one conv's filters against several groups' segments). One group cannot follow
   * several others channel by channel, so every group on such an add is kept at full width (not maskable); null
   * for other groups.
   */
  pinnedBy: number | null;
}

export interface GroupResult {
  /** Group id of each node's output, or null. */
  nodeGroup: (number | null)[];
  /** For concat nodes: the group of each segment, in order (null where a segment has no group). */
  segments: Map<number, { group: number | null; width: number }[]>;
  /** Every node's output segments by group (null: none), as the MACs-per-structure rule reads them. */
  outSegments: ({ group: number | null; width: number }[] | null)[];
  groups: GroupInfo[];
}


export function analyzeGroups(graph: Graph, nodeMacs: readonly number[]): GroupResult {
  const parent: number[] = [];
  const kindOf: ('channels' | 'units' | 'hidden')[] = [];
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!;
      x = parent[x]!;
    }
    return x;
  };
  const union = (a: number, b: number): void => {
    if (a < 0 || b < 0) return;
    const ra = find(a);
    const rb = find(b);
    // Keep the earlier set as root so ids and names follow topological order.
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };
  const fresh = (structure: 'channels' | 'units' | 'hidden'): number => {
    parent.push(parent.length);
    kindOf.push(structure);
    return parent.length - 1;
  };

  const segs: (Seg[] | null)[] = [];
  /** Sets on an add whose operands split their channels differently (see GroupInfo.pinnedBy), with that add. */
  const pinned: { el: number; add: number }[] = [];
  const inSeg = (n: GNode): Seg[] | null => (n.inputs.length > 0 ? (segs[n.inputs[0]!] ?? null) : null);
  for (const n of graph.nodes) {
    const a = n.attrs;
    let s: Seg[] | null = null;
    const role = kindEntry(n.kind).group(a);
    switch (role.role) {
      case 'produces':
        s = [{ el: fresh(role.structure), width: role.width }];
        break;
      case 'joins':
      case 'passes':
      case 'flattens':
        s = inSeg(n);
        break;
      case 'unions': {
        const ops = n.inputs.map((i) => segs[i] ?? null);
        const first = ops[0] ?? null;
        if (first && ops.every((o) => o && o.length === first.length && o.every((x, i) => x.width === first[i]!.width))) {
          for (const o of ops.slice(1)) o!.forEach((x, i) => union(first[i]!.el, x.el));
          s = first;
        } else {
          // An operand without a group (the network input as a block input): the add takes the other's.
          s = ops.find((o) => o) ?? null;
          // Operands split differently among groups (a residual block on a concat): all of them are pinned.
          if (ops.every((o) => o)) for (const o of ops) for (const x of o!) pinned.push({ el: x.el, add: n.id });
        }
        break;
      }
      case 'concatenates': {
        // An operand without a group (e.g. a pool of the network input) is a segment with no group (el -1).
        s = n.inputs.flatMap((i) => segs[i] ?? [{ el: -1, width: channelsOf(graph.nodes[i]!) }]);
        break;
      }
      case 'source':
        break;
    }
    segs.push(s);
  }

  // Number the roots in order of first appearance.
  const idOfRoot = new Map<number, number>();
  const groupOf = (el: number): number => {
    if (el < 0) return -1;
    const r = find(el);
    let id = idOfRoot.get(r);
    if (id === undefined) {
      id = idOfRoot.size;
      idOfRoot.set(r, id);
    }
    return id;
  };
  const nodeGroup: (number | null)[] = [];
  const segments = new Map<number, { group: number | null; width: number }[]>();
  for (const n of graph.nodes) {
    const s = segs[n.id];
    const concatenates = roleOf(n) === 'concatenates';
    if (s && s.length === 1 && !concatenates && s[0]!.el >= 0) nodeGroup.push(groupOf(s[0]!.el));
    else nodeGroup.push(null);
    if (concatenates && s) segments.set(n.id, s.map((x) => ({ group: x.el < 0 ? null : groupOf(x.el), width: x.width })));
  }

  const groups: GroupInfo[] = [];
  for (const [root, id] of idOfRoot) {
    groups[id] = { id, name: '', width: 0, structure: kindOf[root]!, members: [], marked: [], macsPerStructure: 0, canVanish: false, pinnedBy: null };
  }
  for (const p of pinned) {
    const g = groups[groupOf(p.el)];
    if (g && g.pinnedBy === null) g.pinnedBy = p.add;
  }
  for (const n of graph.nodes) {
    const g = nodeGroup[n.id];
    if (g === null || g === undefined || !isGroupMember(n)) continue;
    const info = groups[g]!;
    info.members.push(n.id);
    if (n.maskable) info.marked.push(n.id);
    if (info.width === 0) info.width = segs[n.id]![0]!.width;
  }

  // macsPerStructure: producers' output side and consumers' input side, over each node's output segments.
  const outSegs = segs.map((s) => s && s.map((x) => ({ group: x.el < 0 ? null : groupOf(x.el), width: x.width })));
  const costNodes = graph.nodes.map((n) => ({
    kind: n.kind,
    inputs: n.inputs,
    group: nodeGroup[n.id] ?? null,
    macs: nodeMacs[n.id] ?? 0,
    attrs: n.attrs,
  }));
  const mps = groupMacsPerStructure(costNodes, outSegs, groups.map((g) => g.width));
  for (const g of groups) g.macsPerStructure = mps[g.id]!;

  // canVanish: every member inside one residual branch [start, add), and not the add's group.
  for (const g of groups) {
    if (g.members.length === 0) continue;
    g.canVanish = graph.residuals.some((r) => {
      if (nodeGroup[r.add] === g.id) return false;
      return g.members.every((m) => m >= r.start && m < r.add && !graph.nodes[m]!.shortcut && roleOf(graph.nodes[m]!) !== 'unions');
    });
  }

  for (const g of groups) g.name = groupName(g.id, g.members.map((m) => graph.nodes[m]!));
  return { nodeGroup, segments, outSegments: outSegs, groups };
}

function channelsOf(n: GNode): number {
  return n.shape?.[n.shape.length - 1] ?? 0;
}

/**
 * A group's stable readable name `g<id>:<scope>`: the scope shared by its adds (a residual group), else its first
 * member's path. `members` are the group's member nodes in topological order (graph nodes or IR nodes alike).
 */
export function groupName(id: number, members: readonly { kind: string; path: string; attrs: unknown }[]): string {
  return `g${id}:${scopeOf(members)}`;
}

function scopeOf(members: readonly { kind: string; path: string; attrs: unknown }[]): string {
  const adds = members.filter((n) => roleOf(n) === 'unions').map((n) => parentPath(n.path));
  if (adds.length > 0) return commonPrefix(adds) || adds[0] || members[0]!.path;
  return members[0]?.path ?? 'empty';
}

/** `a.b.c` → `a.b`; a top-level path → ''. */
export function parentPath(p: string): string {
  const i = p.lastIndexOf('.');
  return i < 0 ? '' : p.slice(0, i);
}

function commonPrefix(paths: string[]): string {
  if (paths.length === 1) return paths[0]!;
  const split = paths.map((p) => p.split('.'));
  const out: string[] = [];
  for (let i = 0; ; i++) {
    const seg = split[0]![i];
    if (seg === undefined || !split.every((s) => s[i] === seg)) break;
    out.push(seg);
  }
  return out.join('.');
}

/** A run of `width` channels/features on a node's output owned by `group` (null: in no group). */
export interface GroupSegment {
  group: number | null;
  width: number;
}

/** One node as the MACs-per-structure rule sees it (a checker graph node or an IR node). */
export interface StructureCostNode {
  kind: string;
  inputs: readonly number[];
  /** The group of the node's own output, or null. */
  group: number | null;
  macs: number;
  /** The node's attributes (its entry's `structureMacs` reads them). */
  attrs: unknown;
}

/**
 * First-order MACs removed per structure removed, per group id (unrounded; see the header): each producing
 * member's MACs per output structure plus each consumer's MACs per input structure. `segs[i]` are node i's output
 * segments (null: none); `widths[g]` is group g's width. The checker and compaction both call this, so a pruned
 * network's IR carries the figures its re-checked .arch would.
 */
export function groupMacsPerStructure(nodes: readonly StructureCostNode[], segs: readonly (readonly GroupSegment[] | null)[], widths: readonly number[]): number[] {
  const out = widths.map(() => 0);
  for (const n of nodes) {
    const macs = n.macs;
    if (macs === 0) continue;
    const own = n.group;
    const entry = kindEntry(n.kind);
    const src = n.inputs[0];
    const s = src === undefined ? null : segs[src];
    const total = (s ?? []).reduce((a, x) => a + x.width, 0) || 1;
    const w = own === null ? 1 : widths[own]! || 1;
    const cost = entry.structureMacs ? entry.structureMacs(n.attrs as Record<string, unknown>, macs, w, total) : { own: 0, perInput: macs / total };
    if (own !== null && entry.structureMacs) out[own]! += cost.own;
    if (!s) continue;
    const perIn = cost.perInput;
    for (const x of s) if (x.group !== null) out[x.group]! += perIn;
  }
  return out;
}
