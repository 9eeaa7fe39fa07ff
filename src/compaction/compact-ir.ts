// The compacted IR: the original network with the plan's widths, without the blocks that became the identity. It is
// what the pruned .arch checks to (the round-trip test compares them), built directly so that compaction does not
// depend on the pruned text compiling. Node ids and group ids are renumbered in the order the checker would assign
// them; params/MACs come from the registry's `countNode`; group names and `macsPerStructure` come from the same
// rules the checker uses (semantic/groups.ts), fed with the compacted nodes.

import { groupMacsPerStructure, groupName, type GroupSegment } from '../semantic/groups.ts';
import type { ConcatAttrs, IrNetwork, IrNode, MaskGroup } from '../semantic/ir.ts';
import { countNode, isGroupMember, kindEntry, roleOf } from '../semantic/registry.ts';
import { featureLayout, inputLayout, lastDim, replacements, resolve, type Layout } from './layout.ts';
import type { CompactionPlan } from './plan.ts';

export interface CompactedIr {
  ir: IrNetwork;
  /** Original node id → compacted node id (removed nodes absent). */
  nodeMap: Map<number, number>;
  /** Original group id → compacted group id (vanished groups absent). */
  groupMap: Map<number, number>;
  layout: Layout;
}

export function compactIr(plan: CompactionPlan): CompactedIr {
  const { ir } = plan;
  const layout = featureLayout(plan);
  const rep = replacements(plan);
  const nodeMap = new Map<number, number>();
  const survivors = ir.nodes.filter((n) => !plan.removed.has(n.id));
  survivors.forEach((n, i) => nodeMap.set(n.id, i));

  // Group ids by first appearance among surviving nodes (a node's own group, then a concat's segments).
  const groupMap = new Map<number, number>();
  const see = (g: number | null | undefined): void => {
    if (g !== null && g !== undefined && !groupMap.has(g)) groupMap.set(g, groupMap.size);
  };
  for (const n of survivors) {
    if (roleOf(n) !== 'concatenates') see(n.group);
    else for (const s of (n.attrs as ConcatAttrs).segments ?? []) see(s.group);
  }

  const nodes: IrNode[] = [];
  for (const n of survivors) {
    const width = layout[n.id]!.length;
    const inW = (i = 0) => inputLayout(plan, layout, rep, n.id, i).length;
    const shape = [...n.shape];
    // Every node's last axis holds its kept features (the input's and an embedding's are never narrowed).
    if (shape.length > 0) shape[shape.length - 1] = width;
    const copy = {
      ...n,
      id: nodeMap.get(n.id)!,
      inputs: n.inputs.map((i) => nodeMap.get(resolve(rep, i))!),
      shape,
      group: n.group === null ? null : (groupMap.get(n.group) ?? null),
      callSites: [...n.callSites],
    } as IrNode;
    const entry = kindEntry(copy.kind);
    if (entry.compactAttrs) copy.attrs = entry.compactAttrs(copy.attrs as unknown as Record<string, unknown>, width, inW()) as never;
    // A concat's segments are per group, not per operand (a concat of a concat has more segments than inputs): they
    // are re-derived from the compacted nodes below.
    else if (roleOf(copy) === 'concatenates') copy.attrs = { ...copy.attrs } as never;
    nodes.push(copy);
  }
  const segs = outputSegments(nodes);
  for (const n of nodes) {
    const a = n.attrs as ConcatAttrs;
    if (roleOf(n) === 'concatenates' && a.segments) a.segments = segs[n.id]!.map((s) => ({ ...s }));
  }
  for (const n of nodes) {
    const c = countNode(n, n.inputs.map((i) => nodes[i]!.shape));
    n.params = c.params;
    n.macs = c.macs;
  }

  const groups: MaskGroup[] = [];
  for (const [oldId, newId] of groupMap) {
    const g = ir.groups[oldId]!;
    const memberNodes = nodes.filter((n) => n.group === newId && isGroupMember(n));
    const width = plan.kept.get(oldId)?.length ?? g.width;
    groups[newId] = {
      ...g,
      id: newId,
      name: groupName(newId, memberNodes),
      width,
      members: memberNodes.map((n) => n.path),
      maskable: g.maskable && memberNodes.some((n) => n.maskable),
      macsPerStructure: 0,
    };
  }
  macsPerStructure(nodes, groups, segs);

  const compacted: IrNetwork = {
    ...ir,
    nodes,
    output: nodeMap.get(ir.output)!,
    groups,
    params: nodes.reduce((a, n) => a + n.params, 0),
    macs: nodes.reduce((a, n) => a + n.macs, 0),
  };
  return { ir: compacted, nodeMap, groupMap, layout };
}

/**
 * Each node's output segments in the compacted IR (the checker derives them from its union-find; here they come from
 * the IR): a producer owns its group, a depthwise conv, add or pass-through layer carries its first input's
 * segments, a concat lists its operands' (an operand without segments is one group-less segment), inputs have none.
 */
function outputSegments(nodes: readonly IrNode[]): (GroupSegment[] | null)[] {
  const segs: (GroupSegment[] | null)[] = [];
  for (const n of nodes) {
    const inSeg = n.inputs.length > 0 ? (segs[n.inputs[0]!] ?? null) : null;
    const role = kindEntry(n.kind).group(n.attrs as unknown as Record<string, unknown>);
    if (role.role === 'produces') segs.push([{ group: n.group, width: role.width }]);
    else if (role.role === 'concatenates') segs.push(n.inputs.flatMap((i) => segs[i] ?? [{ group: null, width: lastDim(nodes[i]!.shape) }]));
    else if (role.role === 'source') segs.push(null);
    else segs.push(inSeg);
  }
  return segs;
}

/** Each group's MACs per structure (rounded like the checker's IR), by semantic/groups.ts's rule. */
function macsPerStructure(nodes: IrNode[], groups: MaskGroup[], segs: readonly (GroupSegment[] | null)[]): void {
  const costNodes = nodes.map((n) => ({
    kind: n.kind,
    inputs: n.inputs,
    group: n.group,
    macs: n.macs,
    attrs: n.attrs,
  }));
  const mps = groupMacsPerStructure(costNodes, segs, groups.map((g) => g.width));
  for (const g of groups) g.macsPerStructure = Math.round(mps[g.id]! * 1000) / 1000;
}
