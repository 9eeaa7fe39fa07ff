// The end of a training run: compact the trained module, write `<outDir>/<name>.pruned.arch` (the input text with
// the learned widths), `<outDir>/weights/{model.json, weights.bin}` (tfjs layers format) and
// `<outDir>/compaction.json`, and return the report the trainer prints. The pruned spec is re-checked: it must
// compile to the compacted network (same paths, shapes, params, MACs). When it does not, the text goes to
// `<name>.pruned.arch.failed` instead (never under the name of a spec that checks), the weights and compaction.json
// are still written, and `PrunedSpecRejected` is thrown so that every caller exits non-zero.

import { mkdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { hasErrors } from '../diagnostics/index.ts';
import type { NetworkModule, WeightMap } from '../runtime/module.ts';
import { compileText } from '../semantic/compile.ts';
import type { IrNetwork } from '../semantic/ir.ts';
import type { ArchFile } from '../syntax/ast.ts';
import { parseArch } from '../syntax/parse.ts';
import { compact, type Compaction } from './compact.ts';
import { collapseWarning } from './collapse.ts';
import type { MinWidthEvent } from './plan.ts';
import { describeEmptied, emitPrunedArch, writePrunedArch, type PrunedArch, type WidthOverride } from './pruned-arch.ts';
import { saveTfjsModel } from './tfjs-format.ts';
import { grouped } from '../io/numbers.ts';

export interface CompactionReport {
  name: string;
  prunedArch: string;
  weightsDir: string;
  /** Every mask group: width before → kept, the kept indices, and its name in the compacted network. */
  groups: { name: string; compactedName: string | null; maskable: boolean; width: number; kept: number; keptIndices: number[] }[];
  minWidth: MinWidthEvent[];
  /** Residual branches whose gate was 0: removed ('identity') or kept at minimum width with a zero output. */
  vanished: { instance: string; mode: 'identity' | 'zeroed'; what: string; reason: string }[];
  before: { params: number; macs: number };
  after: { params: number; macs: number };
  inPlace: PrunedArch['inPlace'];
  overrides: WidthOverride[];
  /** Re-check of the written spec: does it compile to the compacted network? */
  recheck: { compiles: boolean; matches: boolean; problems: string[] };
  /** What the user should know about the result (a run that collapsed to chance level). */
  warnings: string[];
}

export interface CompactAndWriteOptions {
  ir: IrNetwork;
  sourceText: string;
  sourcePath: string;
  /** The trained network: a live module, or its weights (e.g. from a checkpoint's final state). */
  module?: NetworkModule;
  weights?: WeightMap;
  outDir: string;
  log: (line: string) => void;
  /** The trained network's final accuracy (classification), to warn when the run collapsed to chance level. */
  accuracy?: number;
}

/** The pruned spec did not re-check; its text was kept under `failedPath`, the report was still written. */
export class PrunedSpecRejected extends Error {
  constructor(
    readonly report: CompactionReport,
    readonly failedPath: string,
  ) {
    super(
      `the pruned spec ${rejection(report)} so it was not written as ${basename(report.prunedArch)}; its text is in ${failedPath} ` +
        `(the weights and compaction.json were written)`,
    );
    this.name = 'PrunedSpecRejected';
  }
}

function rejection(report: CompactionReport): string {
  const why = report.recheck.problems.join('; ');
  return report.recheck.compiles ? `checks to a different network than the compacted one (${why}),` : `does not check (${why}),`;
}

/** Where a pruned spec that failed its re-check is kept, beside the name it would have had. */
export function failedPrunedName(prunedPath: string): string {
  return `${prunedPath}.failed`;
}

/** The pruned spec's file name: the input's base name, `specs/fashion-resnet.arch` → `fashion-resnet.pruned.arch`. */
export function prunedFileName(specPath: string): string {
  return `${basename(specPath).replace(/\.arch$/, '')}.pruned.arch`;
}

export async function compactAndWrite(o: CompactAndWriteOptions): Promise<CompactionReport> {
  const weights = o.weights ?? o.module?.getWeights();
  if (!weights) throw new Error('compactAndWrite: give the trained module or its weights');
  const c = compact(o.ir, weights);
  const parsed = parseArch(o.sourceText, o.sourcePath);
  if (hasErrors(parsed.diagnostics)) throw new Error(`compaction: ${o.sourcePath} no longer parses; cannot write the pruned spec`);
  await mkdir(o.outDir, { recursive: true });
  const prunedPath = join(o.outDir, prunedFileName(o.sourcePath));
  const failedPath = failedPrunedName(prunedPath);
  const { pruned, check } = emitChecked(o.sourceText, parsed.value, c, prunedPath);
  const accepted = check.compiles && check.matches;
  // A rejected text never sits under the accepted name; an accepted one replaces a failure of an earlier attempt.
  await writePrunedArch(accepted ? prunedPath : failedPath, pruned.text, o.sourcePath);
  if (accepted) await rm(failedPath, { force: true });
  const weightsDir = join(o.outDir, 'weights');
  await saveTfjsModel(weightsDir, c.compacted.ir, c.weights);
  const report = buildReport(o.ir, c, pruned, prunedPath, weightsDir, check);
  const collapsed = collapseWarning(o.ir, c.plan, o.accuracy);
  if (collapsed !== null) report.warnings.push(collapsed);
  await writePrunedArch(join(o.outDir, 'compaction.json'), JSON.stringify(report, null, 2) + '\n');
  for (const line of reportLines(report)) o.log(line);
  if (!accepted) throw new PrunedSpecRejected(report, failedPath);
  return report;
}

export function buildReport(ir: IrNetwork, c: Compaction, pruned: PrunedArch, prunedArch: string, weightsDir: string, check: CompactionReport['recheck']): CompactionReport {
  return {
    name: ir.name,
    prunedArch,
    weightsDir,
    groups: ir.groups.map((g) => {
      const k = c.plan.kept.get(g.id) ?? [];
      const ng = c.compacted.groupMap.get(g.id);
      return {
        name: g.name,
        compactedName: ng === undefined ? null : c.compacted.ir.groups[ng]!.name,
        maskable: g.maskable,
        width: g.width,
        kept: ng === undefined ? 0 : k.length,
        keptIndices: ng === undefined ? [] : k,
      };
    }),
    minWidth: c.plan.minWidth,
    vanished: c.plan.dead.map((d) => ({ instance: d.instance, mode: d.mode, what: describeEmptied(d), reason: d.reason })),
    before: { params: ir.params, macs: ir.macs },
    after: { params: c.compacted.ir.params, macs: c.compacted.ir.macs },
    inPlace: pruned.inPlace,
    overrides: pruned.overrides,
    recheck: check,
    warnings: [],
  };
}

/**
 * The pruned text, re-checked. In-place literal edits are preferred (the most readable diff); should the edited spec
 * check to a different network, every width goes to the `widths` section instead, which leaves the nominal spec
 * (and so every shortcut's resolution) as it was.
 */
export function emitChecked(sourceText: string, ast: ArchFile, c: Compaction, file: string): { pruned: PrunedArch; check: CompactionReport['recheck'] } {
  const pruned = emitPrunedArch(sourceText, ast, c.plan, c.compacted);
  const check = recheck(pruned.text, file, c.compacted.ir);
  if (!check.compiles || check.matches || pruned.inPlace.length === 0) return { pruned, check };
  const fallback = emitPrunedArch(sourceText, ast, c.plan, c.compacted, { allOverrides: true });
  const check2 = recheck(fallback.text, file, c.compacted.ir);
  return check2.matches ? { pruned: fallback, check: check2 } : { pruned, check };
}

/** Compiles the pruned text and compares it with the compacted IR (paths, kinds, shapes, params, MACs). */
export function recheck(text: string, file: string, compacted: IrNetwork): CompactionReport['recheck'] {
  const r = compileText(text, file);
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (!r.ir || errors.length > 0) {
    return { compiles: false, matches: false, problems: errors.slice(0, 5).map((d) => `${d.code} ${d.message}`) };
  }
  const problems: string[] = [];
  if (r.ir.params !== compacted.params) problems.push(`params: spec ${r.ir.params}, compacted ${compacted.params}`);
  if (r.ir.macs !== compacted.macs) problems.push(`MACs: spec ${r.ir.macs}, compacted ${compacted.macs}`);
  const a = r.ir.nodes.map((n) => `${n.path}:${n.kind}:[${n.shape}]`);
  const b = compacted.nodes.map((n) => `${n.path}:${n.kind}:[${n.shape}]`);
  const firstDiff = a.findIndex((x, i) => x !== b[i]);
  if (a.length !== b.length || firstDiff >= 0) problems.push(`layers differ first at ${firstDiff >= 0 ? `${a[firstDiff]} vs ${b[firstDiff]}` : `count ${a.length} vs ${b.length}`}`);
  const ga = r.ir.groups.map((g) => `${g.name}:${g.width}`).join(' ');
  const gb = compacted.groups.map((g) => `${g.name}:${g.width}`).join(' ');
  if (ga !== gb) problems.push(`mask groups differ: spec ${ga}; compacted ${gb}`);
  return { compiles: true, matches: problems.length === 0, problems };
}

export function reportLines(r: CompactionReport): string[] {
  const pct = (a: number, b: number) => (b > 0 ? `${((100 * a) / b).toFixed(1)}%` : '-');
  const lines = [
    `compaction: params ${grouped(r.before.params)} → ${grouped(r.after.params)} (${pct(r.after.params, r.before.params)}), MACs ${grouped(r.before.macs)} → ${grouped(r.after.macs)} (${pct(r.after.macs, r.before.macs)})`,
    `  kept widths: ${r.groups.filter((g) => g.maskable).map((g) => `${g.name} ${g.kept}/${g.width}`).join(', ')}`,
  ];
  for (const m of r.minWidth) lines.push(`  min width: ${m.group} had ${m.positive} structure(s) with s > 0, kept ${m.kept}${m.why === 'dead-branch' ? ' (disabled branch)' : ''}`);
  for (const v of r.vanished) lines.push(`  ${v.mode === 'identity' ? 'pruned to identity' : 'branch disabled'}: ${v.instance} (${v.what})${v.mode === 'zeroed' ? `, kept since ${v.reason}` : ''}`);
  if (r.recheck.compiles && r.recheck.matches) lines.push(`  wrote ${r.prunedArch} and ${r.weightsDir}/{model.json, weights.bin}`);
  else lines.push(`  wrote ${r.weightsDir}/{model.json, weights.bin}; the pruned spec failed its re-check (kept as ${failedPrunedName(r.prunedArch)})`);
  for (const w of r.warnings) lines.push(`  ${w}`);
  return lines;
}
