// Shared by the codegen tests: the golden cases (cases/*.arch → baselines/*.ts) built in memory exactly as
// `archc build` builds them from the package root, and the ARCHC_ACCEPT switch that rewrites baselines.

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSpecFile } from '../../src/codegen/build.ts';
import { PACKAGE_ROOT, type GeneratedModule } from '../../src/codegen/index.ts';

export const CASES_DIR = fileURLToPath(new URL('./cases/', import.meta.url));
export const BASELINES_DIR = fileURLToPath(new URL('./baselines/', import.meta.url));

/** `ARCHC_ACCEPT=1 npx vitest run test/codegen/golden.test.ts` rewrites the baselines; review the diff after. */
export const ACCEPT = process.env['ARCHC_ACCEPT'] === '1';

export function caseNames(): string[] {
  return readdirSync(CASES_DIR)
    .filter((f) => f.endsWith('.arch'))
    .map((f) => f.slice(0, -'.arch'.length))
    .sort();
}

export async function buildCase(name: string): Promise<GeneratedModule> {
  const r = await buildSpecFile(join('test', 'codegen', 'cases', `${name}.arch`), PACKAGE_ROOT);
  if (!r.module) throw new Error(`case ${name} does not compile: ${r.compiled.diagnostics.map((d) => d.message).join('; ')}`);
  return r.module;
}

/** Characters that could end a string, a template, a comment or a line in generated code if passed through raw. */
export const HOSTILE_TEXTS = ["a'b", 'c"d', 'e`f', '${process.exit(1)}', '*/ g /*', 'h\\i', 'j\nk', 'l\r\nm', 'n\u2028o', 'p\u2029q', 'é', '\u202Eevil', '😀'];
