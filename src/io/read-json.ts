// Reading back the JSON files archc wrote (model.json, compaction.json, metrics.jsonl lines, run facts, checkpoint
// headers): parse, then validate with a zod schema, so a damaged or foreign file fails with the file and the first
// bad field named (`run/compaction.json: groups[2].kept: expected number, received string`) instead of surfacing
// later as an undefined somewhere deep in compaction or the report.

import type { z } from 'zod';

/** A file that is not valid JSON or does not match its schema. `field` is a dotted path, '' for the whole file. */
export class FileFormatError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${file}: ${field === '' ? '' : `${field}: `}${problem}`);
    this.name = 'FileFormatError';
  }
}

/** `groups[2].kept`, `kept["g0:conv1"]` (keys that are not plain names are quoted), '' for the root. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const k of path) {
    if (typeof k === 'number') out += `[${k}]`;
    else if (!/^[A-Za-z_$][\w$]*$/.test(String(k))) out += `[${JSON.stringify(String(k))}]`;
    else out += out === '' ? String(k) : `.${String(k)}`;
  }
  return out;
}

/** Validates an already-parsed value; throws FileFormatError naming the first bad field. */
export function validate<S extends z.ZodType>(file: string, value: unknown, schema: S): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const problem = issue.message.replace(/^Invalid input: /, '').replace(/, received undefined$/, ', but the field is missing');
  throw new FileFormatError(file, fieldPath(issue.path), problem);
}

/** Parses JSON text from `file` and validates it. */
export function parseJson<S extends z.ZodType>(file: string, text: string, schema: S): z.output<S> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new FileFormatError(file, '', `not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  return validate(file, value, schema);
}
