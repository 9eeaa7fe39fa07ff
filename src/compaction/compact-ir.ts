// The compacted IR: the original network with the plan's widths, without the blocks that became the identity. It is
// what the pruned .arch checks to (the round-trip test compares them), built directly so that compaction does not
// depend on the pruned text compiling. Node ids and group ids are renumbered in the order the checker would assign
// them; params/MACs come from the registry's `countNode`; group names and `macsPerStructure` follow
// semantic/groups.ts (its helpers are private there, so the two small rules are restated here).

import type { IrNetwork, IrNode, MaskGroup } from '../semantic/ir.ts';
import { countNode } from '../semantic/registry.ts';
import { featureLayout, inputLayout, lastDim, replacements, resolve, type Layout } from './layout.ts';
import { parentPath, type CompactionPlan } from './plan.ts';

export interface CompactedIr {
  ir: IrNetwork;
  /** Original node id → compacted node id (removed nodes absent). */
  nodeMap: Map<number, number>;
  /** Original group id → compacted group id (vanished groups absent). */
  groupMap: Map<number, number>;
  layout: Layout;
}

const MEMBER_KINDS = new Set(['conv', 'dense', 'lstm', 'bn', 'add']);

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
    if (n.kind !== 'concat') see(n.group);
    else for (const s of n.attrs.segments ?? []) see(s.group);
  }

  const nodes: IrNode[] = [];
  for (const n of survivors) {
    const width = layout[n.id]!.length;
    const inW = (i = 0) => inputLayout(plan, layout, rep, n.id, i).length;
    const shape = [...n.shape];
    if (n.kind === 'flatten') shape[0] = width;
    else if (n.kind !== 'input' && n.kind !== 'embedding' && shape.length > 0) shape[shape.length - 1] = width;
    const copy = {
      ...n,
      id: nodeMap.get(n.id)!,
      inputs: n.inputs.map((i) => nodeMap.get(resolve(rep, i))!),
      shape,
      group: n.group === null ? null : (groupMap.get(n.group) ?? null),
      callSites: [...n.callSites],
    } as IrNode;
    switch (copy.kind) {
      case 'conv': {
        const a = { ...copy.attrs };
        if (a.depthwise) {
          a.inChannels = inW();
          a.filters = a.inChannels;
          a.groups = a.inChannels;
        } else {
          a.inChannels = inW();
          a.filters = width;
        }
        copy.attrs = a;
        break;
      }
      case 'bn':
        copy.attrs = { ...copy.attrs, channels: inW() };
        break;
      case 'dense':
        copy.attrs = { ...copy.attrs, inFeatures: inW(), units: width };
        break;
      case 'lstm':
        copy.attrs = { ...copy.attrs, inFeatures: inW(), units: width };
        break;
      case 'concat':
        copy.attrs = {
          ...copy.attrs,
          ...(copy.attrs.segments
            ? { segments: copy.attrs.segments.map((s, i) => ({ group: s.group === null ? null : (groupMap.get(s.group) ?? null), width: inW(i) })) }
            : {}),
        };
        break;
      default:
        break;
    }
    nodes.push(copy);
  }
  for (const n of nodes) {
    const c = countNode(n, n.inputs.map((i) => nodes[i]!.shape));
    n.params = c.params;
    n.macs = c.macs;
  }

  const groups: MaskGroup[] = [];
  for (const [oldId, newId] of groupMap) {
    const g = ir.groups[oldId]!;
    const memberNodes = nodes.filter((n) => n.group === newId && MEMBER_KINDS.has(n.kind));
    const width = plan.kept.get(oldId)?.length ?? g.width;
    groups[newId] = {
      ...g,
      id: newId,
      name: `g${newId}:${nameFor(memberNodes)}`,
      width,
      members: memberNodes.map((n) => n.path),
      maskable: g.maskable && memberNodes.some((n) => n.maskable),
      macsPerStructure: 0,
    };
  }
  macsPerStructure(nodes, groups);

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

/** semantic/groups.ts `nameFor`: the scope shared by a group's adds, else its first member's path. */
function nameFor(members: IrNode[]): string {
  const adds = members.filter((n) => n.kind === 'add').map((n) => parentPath(n.path));
  if (adds.length > 0) return commonPrefix(adds) || adds[0] || members[0]!.path;
  return members[0]?.path ?? 'empty';
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

interface Seg {
  group: number | null;
  width: number;
}

/** semantic/groups.ts first-order MACs per structure: producers' output side plus consumers' input side. */
function macsPerStructure(nodes: IrNode[], groups: MaskGroup[]): void {
  const segs: (Seg[] | null)[] = [];
  for (const n of nodes) {
    const inSeg = n.inputs.length > 0 ? (segs[n.inputs[0]!] ?? null) : null;
    switch (n.kind) {
      case 'conv':
        segs.push(n.attrs.depthwise ? inSeg : [{ group: n.group, width: n.attrs.filters }]);
        break;
      case 'dense':
      case 'lstm':
        segs.push([{ group: n.group, width: n.attrs.units }]);
        break;
      case 'add':
        segs.push(inSeg);
        break;
      case 'concat':
        segs.push(n.inputs.flatMap((i) => segs[i] ?? [{ group: null, width: lastDim(nodes[i]!.shape) }]));
        break;
      case 'input':
      case 'embedding':
        segs.push(null);
        break;
      default:
        segs.push(inSeg);
    }
  }
  const acc = new Map<number, number>();
  const bump = (g: number, v: number) => acc.set(g, (acc.get(g) ?? 0) + v);
  for (const n of nodes) {
    const macs = n.macs;
    if (macs === 0) continue;
    const own = n.group;
    const producesOwn = n.kind === 'conv' || n.kind === 'dense' || n.kind === 'lstm';
    if (own !== null && producesOwn) {
      const w = groups[own]!.width || 1;
      if (n.kind === 'lstm') {
        const inF = n.attrs.inFeatures;
        const steps = macs / (4 * (inF * w + w * w));
        bump(own, steps * 4 * (inF + 2 * w));
      } else bump(own, macs / w);
    }
    if (n.kind === 'conv' && n.attrs.depthwise) continue;
    const src = n.inputs[0];
    const s = src === undefined ? null : segs[src];
    if (!s) continue;
    const total = s.reduce((a, x) => a + x.width, 0) || 1;
    let perIn = macs / total;
    if (n.kind === 'lstm') {
      const { inFeatures: inF, units: h } = n.attrs;
      const steps = macs / (4 * (inF * h + h * h));
      perIn = (steps * 4 * h * inF) / total;
    }
    for (const x of s) if (x.group !== null) bump(x.group, perIn);
  }
  for (const g of groups) g.macsPerStructure = Math.round((acc.get(g.id) ?? 0) * 1000) / 1000;
}
