// From a spec file to a generated module in one call, as `archc build`, `archc train`, scripts/build-generated.ts
// and the tests use it: compile (diagnostics are returned, not thrown), then generate. Writing files is the
// caller's business, except `writeFileAtomic`, which every writer of generated modules shares.

import { resolve } from 'node:path';
import { hasErrors } from '../diagnostics/index.ts';
import { writeFileAtomicSync } from '../io/atomic-write.ts';
import { compileFile, type Compiled } from '../semantic/compile.ts';
import { generateModule, specDisplayPath, type GeneratedModule } from './index.ts';

export interface BuildResult {
  compiled: Compiled;
  /** Present when the spec compiled without errors. */
  module?: GeneratedModule;
}

/** `file` as the user wrote it (resolved against `cwd`). */
export async function buildSpecFile(file: string, cwd: string): Promise<BuildResult> {
  const abs = resolve(cwd, file);
  const compiled = await compileFile(abs, file);
  if (hasErrors(compiled.diagnostics) || !compiled.ir) return { compiled };
  return { compiled, module: generateModule(compiled.ir, compiled.source, { specPath: specDisplayPath(abs, cwd) }) };
}

/** Writes through a temporary file in the same folder and a rename, so a reader never sees half a module. */
export function writeFileAtomic(path: string, text: string): void {
  writeFileAtomicSync(path, text, { mkdir: true });
}
