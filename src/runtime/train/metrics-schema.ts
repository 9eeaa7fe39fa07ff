// The schema of one metrics.jsonl line (MetricsLine in trainer.ts), for everything that reads a run's metrics back:
// the report, and a resume that trims the file to the checkpoint's step. Extra fields pass (newer writers may add
// some); a missing or mistyped field is an error naming the line and the field.

import { z } from 'zod';
import { validate } from '../../io/read-json.ts';
import type { MetricsLine } from './trainer.ts';

const quantiles = z.object({ min: z.number(), p25: z.number(), median: z.number(), p75: z.number(), max: z.number() });

export const metricsLineSchema = z.looseObject({
  step: z.number().int().nonnegative(),
  epoch: z.number(),
  loss: z.number(),
  taskLoss: z.number(),
  lambdaTerm: z.number(),
  trainAccuracy: z.number(),
  evalSplit: z.enum(['valid', 'test']),
  evalLoss: z.number(),
  evalAccuracy: z.number(),
  evalPerplexity: z.number().nullable(),
  beta: z.record(z.string(), quantiles),
  kept: z.record(z.string(), z.number().int().nonnegative()),
  sampledMacs: z.number(),
  expectedMacs: z.number(),
  sampledMacsTotal: z.number(),
  expectedMacsTotal: z.number(),
  denseMacsTotal: z.number(),
  archParams: z.number(),
  archMacs: z.number(),
  denseParams: z.number(),
  denseMacs: z.number(),
  lr: z.number(),
  maskLr: z.number(),
  wallTime: z.number(),
});

/**
 * The metrics lines of `text` (the content of `file`). A line that is not JSON is skipped: the trainer appends whole
 * lines, so only one cut by a crash can be partial. A JSON line that is not a metrics line throws FileFormatError
 * naming `file:line` and the field.
 */
export function parseMetricsLines(file: string, text: string): MetricsLine[] {
  const out: MetricsLine[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i]!.trim();
    if (!t) continue;
    let value: unknown;
    try {
      value = JSON.parse(t);
    } catch {
      continue;
    }
    out.push(validate(`${file}:${i + 1}`, value, metricsLineSchema));
  }
  return out;
}
