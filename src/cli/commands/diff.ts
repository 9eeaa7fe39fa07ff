// `archc diff A.arch B.arch [--json]`: what compaction changed between two specs (typically the input and its
// pruned spec). Per layer path: width before → after and the kept share, or "removed (identity)" when the layer is
// gone; per mask group of A the same (matched to B by its members' paths, since group ids renumber); totals of
// params and MACs with their ratios. `--json` prints one object for tools. Diagnostics of either file: exit 1.
// Two unrelated networks (another network name, or no layer path in common) are refused with exit 1, since every
// layer would read as "removed"; `--unrelated` compares them anyway.

import type { Command } from 'commander';
import { diffNetworks, unrelatedBecause, type DiffJson } from '../../compaction/diff.ts';
import type { IrNetwork } from '../../semantic/ir.ts';
import { compileOrReport } from '../compile-or-report.ts';
import { UserError, type Io } from '../io.ts';
import { table } from './stats.ts';
import type { RegisterCommand } from './index.ts';
import { grouped } from '../../io/numbers.ts';

export type { DiffJson };

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

const pct = (x: number | null): string => (x === null ? '' : `${(100 * x).toFixed(1)}%`);
const fmt = grouped;

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
