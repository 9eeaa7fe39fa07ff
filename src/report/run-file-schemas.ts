// Schemas of the optional files a run folder may hold besides metrics.jsonl, as the report reads them: run.json
// (facts the demo records), masks-final.json (raw s and β per group), sweep.json (accuracy/MACs points) and
// diff.json (`archc diff --json`, shown as given).

import { z } from 'zod';

export const runFactsSchema = z.looseObject({
  network: z.string().optional(),
  dataset: z.string().optional(),
  backend: z.string().optional(),
  command: z.string().optional(),
  wallTime: z.number().optional(),
  note: z.string().optional(),
  input: z.string().optional(),
});

export const masksFinalSchema = z.record(z.string(), z.looseObject({ s: z.array(z.number()), beta: z.array(z.number()) }));

export const sweepSchema = z.array(
  z.looseObject({ label: z.string(), macs: z.number(), accuracy: z.number(), params: z.number().optional(), series: z.string().optional() }),
);

export const diffSchema = z.unknown();
