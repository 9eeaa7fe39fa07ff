// What a report shows, gathered from a run directory: metrics.jsonl (the trainer's per-epoch/per-N-step lines),
// the input spec (widths, layers, stages: --input, run.json, the one .arch in the folder, else the text the run's
// checkpoint recorded), the pruned spec and compaction.json (final widths, vanished blocks, warnings), the width
// diff (diff.json, else computed from the input and pruned specs), final mask logits and β (masks-final.json), a λ
// sweep (sweep.json), and run facts (run.json). Every source except metrics.jsonl is optional; the report says
// where its widths came from and what it fell back to.

import { METRICS_FILE } from '../runtime/train/trainer.ts';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { z } from 'zod';
import { compactionReportSchema } from '../compaction/file-schemas.ts';
import { diffNetworks, type CompactionReport } from '../compaction/index.ts';
import { parseJson } from '../io/read-json.ts';
import { CHECKPOINT_FILE, readCheckpointMeta } from '../runtime/train/checkpoint.ts';
import { parseMetricsLines } from '../runtime/train/metrics-schema.ts';
import type { MetricsLine } from '../runtime/train/trainer.ts';
import { compileFile, compileText } from '../semantic/compile.ts';
import { diffSchema, masksFinalSchema, runFactsSchema, sweepSchema } from './run-file-schemas.ts';
import type { IrNetwork } from '../semantic/ir.ts';
import { hasWidthArg } from '../semantic/registry.ts';

export interface GroupInfo {
  name: string;
  width: number;
  stage: string;
  structure: string;
  maskable: boolean;
}

export interface LayerInfo {
  path: string;
  kind: string;
  width: number;
  group: string | null;
}

export interface SweepPoint {
  label: string;
  macs: number;
  accuracy: number;
  params?: number;
  /** Marks the points of one curve (e.g. "archc λ sweep", "paper mode"). */
  series?: string;
}

export interface RunFacts {
  network?: string;
  dataset?: string;
  backend?: string;
  command?: string;
  /** Whole-process wall time in seconds (the trainer's own is in the metrics). */
  wallTime?: number;
  note?: string;
}

/** What the run's compaction.json says about the final network (absent before compaction). */
export type CompactionFacts = Pick<CompactionReport, 'groups' | 'vanished' | 'minWidth' | 'before' | 'after'> & { warnings?: string[] };

export interface ReportData {
  title: string;
  metrics: MetricsLine[];
  groups: GroupInfo[];
  /** True when widths came from the run's records (a spec or compaction.json; else the largest kept count seen: a lower bound). */
  widthsKnown: boolean;
  /** Where the widths came from, in words ("the input spec …", "compaction.json", …). */
  widthSource: string;
  compaction: CompactionFacts | null;
  layers: LayerInfo[];
  inputFile: string | null;
  pruned: { file: string; params: number; macs: number } | null;
  /** Parsed `archc diff --json` output (diff.json, shown as given), or the same diff computed from the two specs. */
  diff: unknown;
  diffSource: 'diff.json' | 'computed' | null;
  masksFinal: Record<string, { s: number[]; beta: number[] }> | null;
  sweep: SweepPoint[] | null;
  facts: RunFacts;
  task: 'classification' | 'language-model';
}

/** The metrics lines of a metrics.jsonl text (a line cut by a crash is skipped; a malformed one names its field). */
export function parseMetrics(text: string, file: string = METRICS_FILE): MetricsLine[] {
  return parseMetricsLines(file, text);
}

/** The stage a group belongs to: the first path segment of its name after `gN:` ("g3:stage2.basic1.conv1" → stage2). */
export function stageOf(groupName: string): string {
  const bare = groupName.includes(':') ? groupName.slice(groupName.indexOf(':') + 1) : groupName;
  return bare.split('.')[0] ?? bare;
}

export function groupsFromIr(ir: IrNetwork): GroupInfo[] {
  return ir.groups.map((g) => ({ name: g.name, width: g.width, stage: stageOf(g.name), structure: g.structure, maskable: g.maskable }));
}

export function layersFromIr(ir: IrNetwork): LayerInfo[] {
  return ir.nodes
    .filter((n) => hasWidthArg(n.kind))
    .map((n) => ({ path: n.path, kind: n.kind, width: n.shape[n.shape.length - 1] ?? 0, group: n.group === null ? null : (ir.groups[n.group]?.name ?? null) }));
}

/** Widths when no spec is at hand: the largest kept count each group ever showed (a lower bound of its width). */
export function groupsFromMetrics(metrics: MetricsLine[]): GroupInfo[] {
  const max = new Map<string, number>();
  for (const m of metrics) for (const [g, k] of Object.entries(m.kept)) max.set(g, Math.max(max.get(g) ?? 0, k));
  return [...max].map(([name, width]) => ({ name, width, stage: stageOf(name), structure: 'structures', maskable: true }));
}

/** Widths from compaction.json: every group's full width, as compaction saw it. */
export function groupsFromCompaction(c: CompactionFacts): GroupInfo[] {
  return c.groups.map((g) => ({ name: g.name, width: g.width, stage: stageOf(g.name), structure: 'structures', maskable: g.maskable }));
}

/** A run file validated by its schema (the error names the file and the field), or null when it is absent. */
function readJson<S extends z.ZodType>(file: string, schema: S): z.output<S> | null {
  return existsSync(file) ? parseJson(file, readFileSync(file, 'utf8'), schema) : null;
}

export interface LoadOptions {
  /** The input spec; default: run.json's `input`, else the one *.arch in the run dir that is not *.pruned.arch. */
  input?: string;
  title?: string;
}

/** Reads a run directory. Throws an Error with a plain message when metrics.jsonl is missing or empty. */
export async function loadRunDir(dir: string, opts: LoadOptions = {}): Promise<ReportData> {
  const metricsFile = join(dir, METRICS_FILE);
  if (!existsSync(metricsFile)) throw new Error(`${metricsFile}: no such file (is ${dir} the output folder of archc train or archc demo?)`);
  const metrics = parseMetrics(readFileSync(metricsFile, 'utf8'), metricsFile);
  if (metrics.length === 0) throw new Error(`${metricsFile}: no complete metrics lines`);
  const facts: RunFacts & { input?: string } = readJson(join(dir, 'run.json'), runFactsSchema) ?? {};
  const files = readdirSync(dir);
  let inputFile =
    opts.input ?? (facts.input && existsSync(facts.input) ? facts.input : null) ?? pick(files.filter((f) => f.endsWith('.arch') && !f.endsWith('.pruned.arch')), dir);
  let ir: IrNetwork | undefined;
  let widthSource = 'the largest kept count each group showed in metrics.jsonl (a lower bound: no spec or compaction.json found)';
  if (inputFile) {
    const c = await compileFile(inputFile);
    ir = c.ir;
    if (!ir) throw new Error(`${inputFile}: does not compile (run archc check on it)`);
    widthSource = `the input spec ${basename(inputFile)}`;
  } else {
    // `archc train` keeps no copy of the spec in its folder, but its checkpoint records the text it trained.
    const spec = readCheckpointMeta(join(dir, CHECKPOINT_FILE))?.spec;
    const c = spec ? compileText(spec.source, spec.path) : undefined;
    if (spec && c?.ir) {
      ir = c.ir;
      inputFile = spec.path;
      widthSource = `the spec recorded in ${CHECKPOINT_FILE} (${basename(spec.path)})`;
    }
  }
  let pruned: ReportData['pruned'] = null;
  let prunedIr: IrNetwork | undefined;
  const prunedFile = pick(files.filter((f) => f.endsWith('.pruned.arch')), dir);
  if (prunedFile) {
    const c = await compileFile(prunedFile);
    prunedIr = c.ir;
    if (c.ir) pruned = { file: prunedFile, params: c.ir.params, macs: c.ir.macs };
  }
  const compaction: CompactionFacts | null = readJson(join(dir, 'compaction.json'), compactionReportSchema);
  if (!ir && compaction) widthSource = 'compaction.json';
  // The width diff: what archc diff wrote, else computed from the two specs, as archc diff would.
  const saved = readJson(join(dir, 'diff.json'), diffSchema);
  const diff = saved ?? (ir && prunedIr && prunedFile && inputFile ? diffNetworks(ir, prunedIr, basename(inputFile), basename(prunedFile)) : null);
  const masksFinal: ReportData['masksFinal'] = readJson(join(dir, 'masks-final.json'), masksFinalSchema);
  const sweep: SweepPoint[] | null = readJson(join(dir, 'sweep.json'), sweepSchema);
  const task = metrics.some((m) => m.evalPerplexity !== null) ? 'language-model' : 'classification';
  return {
    title: opts.title ?? facts.network ?? ir?.name ?? basename(dir),
    metrics,
    groups: ir ? groupsFromIr(ir) : compaction ? groupsFromCompaction(compaction) : groupsFromMetrics(metrics),
    widthsKnown: ir !== undefined || compaction !== null,
    widthSource,
    compaction,
    layers: ir ? layersFromIr(ir) : [],
    inputFile,
    pruned,
    diff,
    diffSource: saved !== null ? 'diff.json' : diff !== null ? 'computed' : null,
    masksFinal,
    sweep,
    facts,
    task,
  };
}

function pick(names: string[], dir: string): string | null {
  return names.length === 1 ? join(dir, names[0]!) : null;
}
