// Schemas of a checkpoint's JSON header (its kind, the run's meta, the TrainerState's top level). The file's
// checksum catches torn or garbled bytes; these catch a well-formed file that is not what the reader expects (a
// foreign or hand-edited header, a state from another version) and name the field, e.g. `meta.step`.

import { z } from 'zod';
import { FileFormatError, validate } from '../../io/read-json.ts';

const count = z.number().int().nonnegative();
const f32 = z.instanceof(Float32Array);

export const checkpointHeaderSchema = z.object({
  kind: z.literal('archc-checkpoint'),
  meta: z.record(z.string(), z.unknown()),
  state: z.record(z.string(), z.unknown()),
});

export const checkpointMetaSchema = z.looseObject({
  specHash: z.string(),
  specName: z.string(),
  seed: z.number().int(),
  step: count,
  epoch: z.number().nonnegative(),
  plannedSteps: count,
  run: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
});

const optimizerState = z.looseObject({ step: count, slots: z.record(z.string(), z.record(z.string(), f32)) });
const rngState = z.tuple([z.number(), z.number(), z.number(), z.number()]);

/** The TrainerState's top level and its typed arrays; metrics history and data position stay loose (plain JSON). */
export const trainerStateSchema = z.looseObject({
  version: z.literal(1),
  step: count,
  plannedSteps: count,
  weights: z.record(z.string(), z.looseObject({ shape: z.array(count), data: f32 })),
  masks: z.looseObject({
    groups: z.record(z.string(), z.looseObject({ s: f32, beta: f32, counts: z.instanceof(Float64Array), q: f32, gamma: z.number() })),
  }),
  weightOptimizer: optimizerState,
  maskOptimizer: optimizerState,
  rng: z.looseObject({ masks: rngState, dropout: rngState }),
  data: z.record(z.string(), z.unknown()),
  totals: z.looseObject({ sampledMacs: z.number(), expectedMacs: z.number(), denseMacs: z.number(), wallTime: z.number() }),
  history: z.array(z.record(z.string(), z.unknown())),
});

/**
 * Validates one part of a checkpoint ('header', 'meta', 'state'); a mismatch becomes `onError(problem)` with the
 * field path inside that part, so the reader can throw its own CheckpointError.
 */
export function validatePart<S extends z.ZodType>(file: string, part: string, value: unknown, schema: S, onError: (problem: string) => Error): z.output<S> {
  try {
    return validate(file, value, schema);
  } catch (e) {
    if (!(e instanceof FileFormatError)) throw e;
    const field = part === 'header' ? e.field : e.field === '' ? part : `${part}.${e.field}`;
    throw onError(`${field === '' ? 'the header' : field}: ${e.problem}`);
  }
}
