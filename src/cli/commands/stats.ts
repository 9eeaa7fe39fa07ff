// `archc stats FILE [--json]`: parameter and MAC counts per layer with totals, and the mask groups.
// `--json` prints exactly one object: {name, params, macs, layers: [{path, kind, width, params, macs,
// maskable, group}], groups: [{id, name, width, structure, maskable, canVanish, macsPerStructure, members}]}.
// Counting conventions: src/semantic/shapes.ts (README "Counting").

import type { Command } from 'commander';
import type { IrNetwork } from '../../semantic/ir.ts';
import { isNetworkInput, surfaceNameOf } from '../../semantic/registry.ts';
import { compileOrReport } from '../compile-or-report.ts';
import type { Io } from '../io.ts';
import type { RegisterCommand } from './index.ts';
import { grouped, human } from '../../io/numbers.ts';

export interface StatsJson {
  name: string;
  params: number;
  macs: number;
  layers: { path: string; kind: string; width: number; params: number; macs: number; maskable: boolean; group: number | null }[];
  groups: { id: number; name: string; width: number; structure: string; maskable: boolean; canVanish: boolean; macsPerStructure: number; members: string[] }[];
}

export const registerStats: RegisterCommand = (program: Command, io: Io, setExit: (code: number) => void) => {
  program
    .command('stats')
    .description('print parameter and MAC counts per layer, totals and mask groups')
    .argument('<file>', '.arch file')
    .option('--json', 'print one JSON object instead of a table')
    .action(async (file: string, opts: { json?: boolean }) => {
      const ir = await compileOrReport(file, io, setExit);
      if (ir) io.out(opts.json ? JSON.stringify(statsJson(ir), null, 2) : statsTable(ir));
    });
};

export function statsJson(ir: IrNetwork): StatsJson {
  return {
    name: ir.name,
    params: ir.params,
    macs: ir.macs,
    layers: ir.nodes
      .filter((n) => !isNetworkInput(n))
      .map((n) => ({ path: n.path, kind: n.kind, width: n.shape[n.shape.length - 1] ?? 0, params: n.params, macs: n.macs, maskable: n.maskable, group: n.group })),
    groups: ir.groups.map((g) => ({
      id: g.id,
      name: g.name,
      width: g.width,
      structure: g.structure,
      maskable: g.maskable,
      canVanish: g.canVanish,
      macsPerStructure: g.macsPerStructure,
      members: g.members,
    })),
  };
}

export function statsTable(ir: IrNetwork): string {
  const inputShape = ir.nodes[0]?.shape ?? [];
  const rows: string[][] = [['layer', 'kind', 'output', 'params', 'MACs', 'mask', 'group']];
  for (const n of ir.nodes) {
    if (isNetworkInput(n)) continue;
    const kind = surfaceNameOf(n);
    rows.push([n.path, kind, `[${n.shape.join('x')}]`, fmt(n.params), fmt(n.macs), n.maskable ? 'yes' : '', n.group === null ? '' : `g${n.group}`]);
  }
  rows.push(['total', '', '', fmt(ir.params), fmt(ir.macs), '', '']);
  const lines = [`${ir.name}: input [${inputShape.join('x')}], ${ir.task}, ${ir.outputs} outputs`, '', ...table(rows, [false, false, false, true, true, false, false])];
  lines.push('', `params ${fmt(ir.params)} (${human(ir.params)})   MACs ${fmt(ir.macs)} (${human(ir.macs)}) per example`, '');
  const grows: string[][] = [['group', 'width', 'structure', 'maskable', 'can vanish', 'MACs/structure', 'members']];
  for (const g of ir.groups) {
    grows.push([g.name, String(g.width), g.structure, g.maskable ? 'yes' : 'no', g.canVanish ? 'yes' : 'no', fmt(Math.round(g.macsPerStructure)), String(g.members.length)]);
  }
  lines.push(...table(grows, [false, true, false, false, false, true, true]));
  return lines.join('\n');
}

function fmt(n: number): string {
  return grouped(n);
}

/** Rows padded to aligned columns (right-aligned where `right[i]`), the first row being the header. */
export function table(rows: string[][], right: boolean[]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd());
}
