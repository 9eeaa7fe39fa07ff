// Schemas of the files compaction writes and archc reads back: the exported weights' model.json (tfjs layers
// format, as `archc eval --weights` loads it) and <out>/compaction.json. Readers validate through src/io/read-json.ts,
// so a damaged file is an error that names the file and the field.

import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseJson } from '../io/read-json.ts';
import type { CompactionReport } from './compact-and-write.ts';

const count = z.number().int().nonnegative();

/** One weight in model.json's manifest (tf.io.WeightsManifestEntry, the fields archc writes). */
const weightEntry = z.looseObject({
  name: z.string(),
  shape: z.array(count),
  dtype: z.enum(['float32', 'int32', 'bool', 'string', 'complex64']),
});

export const modelJsonSchema = z.looseObject({
  format: z.string(),
  modelTopology: z.record(z.string(), z.unknown()),
  weightsManifest: z.array(z.object({ paths: z.array(z.string().min(1)).min(1), weights: z.array(weightEntry) })).min(1),
});

const size = z.object({ params: count, macs: count });

export const compactionReportSchema = z.looseObject({
  name: z.string(),
  prunedArch: z.string(),
  weightsDir: z.string(),
  groups: z.array(z.object({ name: z.string(), compactedName: z.string().nullable(), maskable: z.boolean(), width: count, kept: count, keptIndices: z.array(count) })),
  minWidth: z.array(z.object({ group: z.string(), width: count, positive: count, kept: count, why: z.enum(['min-width', 'dead-branch']) })),
  vanished: z.array(z.object({ instance: z.string(), mode: z.enum(['identity', 'zeroed']), what: z.string(), reason: z.string() })),
  before: size,
  after: size,
  inPlace: z.array(z.object({ path: z.string(), width: count, was: count, line: count })),
  overrides: z.array(z.object({ path: z.string(), width: count, was: count })),
  recheck: z.object({ compiles: z.boolean(), matches: z.boolean(), problems: z.array(z.string()) }),
  // Added after the first runs were written; an older compaction.json has none.
  warnings: z.array(z.string()).default([]),
});

/** Reads and validates a run's compaction.json (the return type makes tsc check the schema against the interface). */
export function readCompactionReport(file: string): CompactionReport {
  return parseJson(file, readFileSync(file, 'utf8'), compactionReportSchema);
}
