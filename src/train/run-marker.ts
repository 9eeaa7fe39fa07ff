// The run marker `<out>/run.json`: says that a folder holds an archc run, with an id, the files that run owns
// (the only ones a later --force may remove), and the run's facts (spec, data, seed) that `archc eval` and
// `archc report` read. Written atomically; an unreadable or foreign run.json counts as no marker.

import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../io/atomic-write.ts';

export const RUN_MARKER = 'run.json';

/** The data a run trained on, as `archc eval` needs it to evaluate on the same data. */
export interface RunData {
  /** 'synthetic', a dataset kind the spec names (its default folder), or an absolute path. */
  data: string;
  /** The dataset kind the spec reads (fashion-mnist, ptb, …), for a path. */
  kind: string;
  seed: number;
  /** Sizes of --data synthetic, when given. */
  synthetic?: { train?: number; valid?: number; test?: number };
  /** What the loader said it opened (e.g. "synthetic: 64 train / …"). */
  description?: string;
}

export interface RunMarker {
  /** Format marker: a run.json without it is not ours. */
  archcRun: 1;
  id: string;
  network: string;
  /** The input spec, absolute. */
  spec: string;
  /** Paths relative to the run folder ('/'-separated) that this run writes and owns. */
  files: string[];
  startedAt: string;
  data?: RunData;
  /** Facts `archc report` shows (RunFacts in src/report/model.ts) and any others a command adds. */
  [fact: string]: unknown;
}

/** The marker in `dir`, or null when there is none (or it is not an archc run marker). */
export function readRunMarker(dir: string): RunMarker | null {
  const p = join(dir, RUN_MARKER);
  if (!existsSync(p)) return null;
  try {
    const m = JSON.parse(readFileSync(p, 'utf8')) as Partial<RunMarker>;
    if (m.archcRun !== 1 || typeof m.id !== 'string' || !Array.isArray(m.files) || !m.files.every((f) => typeof f === 'string')) return null;
    return m as RunMarker;
  } catch {
    return null;
  }
}

export function newRunMarker(o: { network: string; spec: string; files: string[]; facts?: Record<string, unknown> }): RunMarker {
  const own = { archcRun: 1 as const, id: randomUUID(), network: o.network, spec: o.spec, files: o.files, startedAt: new Date().toISOString() };
  // The marker's own keys first (a reader sees what the file is) and never overridden by a fact.
  return { ...own, ...(o.facts ?? {}), ...own };
}

export function writeRunMarker(dir: string, m: RunMarker): void {
  writeFileAtomicSync(join(dir, RUN_MARKER), JSON.stringify(m, null, 2) + '\n');
}

/** Adds facts to the marker in `dir` (no-op without one); the id and the file list are kept. */
export function updateRunMarker(dir: string, facts: Record<string, unknown>): void {
  const m = readRunMarker(dir);
  if (!m) return;
  writeRunMarker(dir, { ...m, ...facts, archcRun: 1, id: m.id, files: m.files });
}
