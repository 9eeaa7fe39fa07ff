// From a spec file to a generated module in one call, as `archc build`, `archc train`, scripts/build-generated.ts
// and the tests use it: compile (diagnostics are returned, not thrown), then generate. Writing files is the
// caller's business, except `writeFileAtomic`, which every writer of generated modules shares.

import { isAbsolute, relative, resolve, sep } from 'node:path';
import { hasErrors } from '../diagnostics/index.ts';
import { writeFileAtomicSync } from '../io/atomic-write.ts';
import { compileFile, type Compiled } from '../semantic/compile.ts';
import { CANONICAL_OUT_DIR, generateModule, specDisplayPath, type GeneratedModule } from './index.ts';

export interface BuildResult {
  compiled: Compiled;
  /** Present when the spec compiled without errors. */
  module?: GeneratedModule;
}

/**
 * `file` and `outDir` (default generated/) as the user wrote them, resolved against `cwd`: the module's header
 * repeats them, and the module finds its spec relative to `outDir`, where it will be written.
 */
export async function buildSpecFile(file: string, cwd: string, opts: { outDir?: string } = {}): Promise<BuildResult> {
  const abs = resolve(cwd, file);
  const compiled = await compileFile(abs, file);
  if (hasErrors(compiled.diagnostics) || !compiled.ir) return { compiled };
  const outDir = opts.outDir ?? CANONICAL_OUT_DIR;
  const posix = (p: string): string => p.split(sep).join('/');
  return {
    compiled,
    module: generateModule(compiled.ir, compiled.source, {
      specPath: specDisplayPath(abs, cwd),
      specFile: abs,
      outDir: resolve(cwd, outDir),
      command: { spec: posix(isAbsolute(file) ? file : relative(cwd, abs) || file), outDir: posix(outDir) },
    }),
  };
}

/** Writes through a temporary file in the same folder and a rename, so a reader never sees half a module. */
export function writeFileAtomic(path: string, text: string): void {
  writeFileAtomicSync(path, text, { mkdir: true });
}
