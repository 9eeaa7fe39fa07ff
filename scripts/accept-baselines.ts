// Golden tests for the semantic stage (TypeScript's tests/cases → tests/baselines habit): each
// test/semantic/cases/NAME.arch produces baselines/NAME.errors.txt (rendered diagnostics) and, when it checks
// cleanly, baselines/NAME.ir.json. test/semantic/baselines.test.ts compares them exactly; run
// `npx tsx scripts/accept-baselines.ts` to rewrite them after an intended change, then review the diff.

import { readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { renderDiagnostics } from '../src/diagnostics/index.ts';
import { compileText } from '../src/semantic/compile.ts';

export const CASES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../test/semantic/cases');
export const BASELINES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../test/semantic/baselines');

export function caseNames(): string[] {
  return readdirSync(CASES_DIR)
    .filter((f) => f.endsWith('.arch'))
    .map((f) => f.slice(0, -'.arch'.length))
    .sort();
}

/** The baseline files a case produces: name → content. */
export function baselinesFor(name: string): Map<string, string> {
  const fileName = `cases/${name}.arch`;
  const c = compileText(readFileSync(join(CASES_DIR, `${name}.arch`), 'utf8'), fileName);
  const out = new Map<string, string>();
  out.set(`${name}.errors.txt`, c.diagnostics.length === 0 ? '(no diagnostics)\n' : renderDiagnostics(c.diagnostics, c.source) + '\n');
  if (c.ir) out.set(`${name}.ir.json`, JSON.stringify(c.ir, null, 2) + '\n');
  return out;
}

function main(): void {
  mkdirSync(BASELINES_DIR, { recursive: true });
  for (const f of readdirSync(BASELINES_DIR)) rmSync(join(BASELINES_DIR, f));
  let n = 0;
  for (const name of caseNames()) {
    for (const [file, text] of baselinesFor(name)) {
      writeFileSync(join(BASELINES_DIR, file), text);
      n++;
    }
  }
  console.log(`wrote ${n} baseline files to ${BASELINES_DIR}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
