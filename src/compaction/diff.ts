// What changed between two networks (typically a spec and its pruned spec), as plain data: per layer path the width
// before → after and the kept share, or 'removed' when the layer is gone (its block became the identity); per mask
// group of A the same, matched to B by its members' paths (group ids renumber); params and MACs with their ratios;
// and whether B is a version of A at all. `archc diff` prints it, and the report draws its width table from it.

import type { IrNetwork, IrNode } from '../semantic/ir.ts';
import { isNetworkInput, surfaceNameOf } from '../semantic/registry.ts';

export interface DiffJson {
  a: { name: string; file: string; params: number; macs: number };
  b: { name: string; file: string; params: number; macs: number };
  layers: { path: string; kind: string; before: number; after: number | null; kept: number | null; status: 'same' | 'changed' | 'removed' | 'added' }[];
  groups: { name: string; nameAfter: string | null; structure: string; maskable: boolean; before: number; after: number | null; kept: number | null }[];
  totals: { params: { before: number; after: number; ratio: number }; macs: { before: number; after: number; ratio: number } };
  /** Whether B is a version of A: the same network name, and layer paths (besides the input) in common. */
  related: { sameName: boolean; sharedPaths: number };
}

/** Why B is not a version of A, or null when it is. */
export function unrelatedBecause(d: DiffJson): string | null {
  const why = [...(d.related.sameName ? [] : ['different names']), ...(d.related.sharedPaths === 0 ? ['no layer path in common'] : [])];
  return why.length > 0 ? why.join(', ') : null;
}

function widthOf(n: IrNode): number {
  return n.shape[n.shape.length - 1] ?? 0;
}

export function diffNetworks(a: IrNetwork, b: IrNetwork, fileA: string, fileB: string): DiffJson {
  const inB = new Map(b.nodes.map((n) => [n.path, n]));
  const inA = new Set(a.nodes.map((n) => n.path));
  const ratio = (x: number, y: number) => (y > 0 ? x / y : 1);
  const layers: DiffJson['layers'] = [];
  for (const n of a.nodes) {
    if (isNetworkInput(n)) continue;
    const m = inB.get(n.path);
    const before = widthOf(n);
    if (!m) layers.push({ path: n.path, kind: kindName(n), before, after: null, kept: null, status: 'removed' });
    else {
      const after = widthOf(m);
      layers.push({ path: n.path, kind: kindName(n), before, after, kept: ratio(after, before), status: after === before ? 'same' : 'changed' });
    }
  }
  for (const m of b.nodes) if (!inA.has(m.path)) layers.push({ path: m.path, kind: kindName(m), before: 0, after: widthOf(m), kept: null, status: 'added' });
  const groups: DiffJson['groups'] = a.groups.map((g) => {
    const member = g.members.map((p) => inB.get(p)).find((m) => m && m.group !== null);
    const gb = member ? b.groups[member.group!] : undefined;
    return {
      name: g.name,
      nameAfter: gb?.name ?? null,
      structure: g.structure,
      maskable: g.maskable,
      before: g.width,
      after: gb?.width ?? null,
      kept: gb ? ratio(gb.width, g.width) : null,
    };
  });
  return {
    a: { name: a.name, file: fileA, params: a.params, macs: a.macs },
    b: { name: b.name, file: fileB, params: b.params, macs: b.macs },
    layers,
    groups,
    totals: {
      params: { before: a.params, after: b.params, ratio: ratio(b.params, a.params) },
      macs: { before: a.macs, after: b.macs, ratio: ratio(b.macs, a.macs) },
    },
    related: { sameName: a.name === b.name, sharedPaths: a.nodes.filter((n) => !isNetworkInput(n) && inB.has(n.path)).length },
  };
}

function kindName(n: IrNode): string {
  return surfaceNameOf(n);
}

