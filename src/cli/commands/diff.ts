// `archc diff A.arch B.arch [--json]`: what compaction changed between two specs (typically the input and its
// pruned spec). Per layer path: width before → after and the kept share, or "removed (identity)" when the layer is
// gone; per mask group of A the same (matched to B by its members' paths, since group ids renumber); totals of
// params and MACs with their ratios. `--json` prints one object for tools. Diagnostics of either file: exit 1.
// Two unrelated networks (another network name, or no layer path in common) are refused with exit 1, since every
// layer would read as "removed"; `--unrelated` compares them anyway.

import type { Command } from 'commander';
import type { IrNetwork, IrNode } from '../../semantic/ir.ts';
import { compileOrReport } from '../compile-or-report.ts';
import { UserError, type Io } from '../io.ts';
import { table } from './stats.ts';
import type { RegisterCommand } from './index.ts';

export interface DiffJson {
  a: { name: string; file: string; params: number; macs: number };
  b: { name: string; file: string; params: number; macs: number };
  layers: { path: string; kind: string; before: number; after: number | null; kept: number | null; status: 'same' | 'changed' | 'removed' | 'added' }[];
  groups: { name: string; nameAfter: string | null; structure: string; maskable: boolean; before: number; after: number | null; kept: number | null }[];
  totals: { params: { before: number; after: number; ratio: number }; macs: { before: number; after: number; ratio: number } };
  /** Whether B is a version of A: the same network name, and layer paths (besides the input) in common. */
  related: { sameName: boolean; sharedPaths: number };
}

export const registerDiff: RegisterCommand = (program: Command, io: Io, setExit: (code: number) => void) => {
  program
    .command('diff')
    .description('compare two specs layer by layer (e.g. the input and its pruned spec): widths, kept shares, params and MACs')
    .argument('<a>', 'the original .arch file')
    .argument('<b>', 'the other (pruned) .arch file')
    .option('--json', 'print one JSON object instead of tables')
    .option('--unrelated', 'compare two networks even when they are not versions of one spec')
    .action(async (a: string, b: string, opts: { json?: boolean; unrelated?: boolean }) => {
      const irs: IrNetwork[] = [];
      for (const file of [a, b]) {
        const ir = await compileOrReport(file, io, setExit);
        if (ir) irs.push(ir);
      }
      if (irs.length !== 2) return;
      const d = diffNetworks(irs[0]!, irs[1]!, a, b);
      const why = unrelatedBecause(d);
      if (why !== null && !opts.unrelated) {
        throw new UserError(
          `${a} (network '${d.a.name}') and ${b} (network '${d.b.name}') are unrelated networks: ${why}; ` +
            'archc diff compares a spec with its pruned or edited version (pass --unrelated to compare them anyway)',
        );
      }
      io.out(opts.json ? JSON.stringify(d, null, 2) : diffTable(d));
    });
};

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
    if (n.kind === 'input') continue;
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
    related: { sameName: a.name === b.name, sharedPaths: a.nodes.filter((n) => n.kind !== 'input' && inB.has(n.path)).length },
  };
}

function kindName(n: IrNode): string {
  return n.kind === 'conv' && n.attrs.depthwise ? 'dwconv' : n.kind;
}

const pct = (x: number | null): string => (x === null ? '' : `${(100 * x).toFixed(1)}%`);
const fmt = (n: number): string => n.toLocaleString('en-US');

export function diffTable(d: DiffJson): string {
  const rows: string[][] = [['layer', 'kind', 'before', 'after', 'kept']];
  // Between versions of one spec a layer that is gone was pruned to the identity; between unrelated ones it is just gone.
  const removed = unrelatedBecause(d) === null ? 'removed (identity)' : 'removed';
  for (const l of d.layers) {
    if (l.status === 'removed') rows.push([l.path, l.kind, String(l.before), removed, '0.0%']);
    else if (l.status === 'added') rows.push([l.path, l.kind, '', String(l.after), 'added']);
    else rows.push([l.path, l.kind, String(l.before), l.status === 'same' ? String(l.after) : `→ ${l.after}`, pct(l.kept)]);
  }
  const grows: string[][] = [['group', 'structure', 'before', 'after', 'kept', 'in B']];
  for (const g of d.groups) {
    grows.push([g.name, g.structure, String(g.before), g.after === null ? removed : String(g.after), g.kept === null ? '0.0%' : pct(g.kept), g.nameAfter ?? '']);
  }
  const t = d.totals;
  return [
    `${d.a.file} → ${d.b.file}`,
    '',
    ...table(rows, [false, false, true, true, true]),
    '',
    ...table(grows, [false, false, true, true, true, false]),
    '',
    `params ${fmt(t.params.before)} → ${fmt(t.params.after)} (×${t.params.ratio.toFixed(3)}, ${pct(t.params.ratio)})`,
    `MACs   ${fmt(t.macs.before)} → ${fmt(t.macs.after)} (×${t.macs.ratio.toFixed(3)}, ${pct(t.macs.ratio)})`,
  ].join('\n');
}
