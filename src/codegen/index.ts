// archc's code generator: a checked IR (with its source text, for comments) → one typed TypeScript trainer module
// per spec, `<outDir>/<network name>.ts`. Data first (gather.ts), then ts-morph structures (emit.ts); the output
// is deterministic, so `generated/` can be committed and checked for drift. typecheck.ts checks what we emit.

import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SourceText } from '../diagnostics/span.ts';
import type { IrNetwork } from '../semantic/ir.ts';
import { emitModule } from './emit.ts';
import { gatherModule } from './gather.ts';
import { isPlainName } from './identifiers.ts';
import { PACKAGE_ROOT } from './package-root.ts';

export { typecheckModules, typecheckProject, type ModuleDiagnostics } from './typecheck.ts';
export { PACKAGE_ROOT } from './package-root.ts';
export { RUNTIME_SPECIFIER, TRAINER_SPECIFIER } from './emit.ts';

/** The folder generated modules are committed in; headers name it in their "regenerate" command. */
export const CANONICAL_OUT_DIR = 'generated';

export interface GeneratedModule {
  /** `<network name>.ts`. */
  fileName: string;
  text: string;
}

export interface GenerateOptions {
  /** How the header and comments refer to the spec (relative, POSIX); see `specDisplayPath`. */
  specPath: string;
  /** The spec on disk (absolute); default `specPath` under the package root. */
  specFile?: string;
  /** The folder the module will be written to (absolute); default generated/ under the package root. */
  outDir?: string;
  /** The `archc build` arguments as the user gave them, for the header; default `specPath -o generated`. */
  command?: { spec: string; outDir: string };
}

export function generateModule(ir: IrNetwork, source: SourceText, opts: GenerateOptions): GeneratedModule {
  // The lexer only admits ASCII identifiers; a hand-built IR with another name would make an unsafe file name.
  if (!isPlainName(ir.name)) throw new Error(`codegen: network name ${JSON.stringify(ir.name)} is not a plain identifier`);
  const specFile = opts.specFile ?? resolve(PACKAGE_ROOT, opts.specPath);
  const outDir = opts.outDir ?? join(PACKAGE_ROOT, CANONICAL_OUT_DIR);
  // The module finds its spec relative to itself (not to the working directory), as a URL path.
  const rel = relative(outDir, specFile).split(sep).map(encodeURIComponent).join('/');
  const data = gatherModule(ir, source, {
    specPath: opts.specPath,
    specUrlFromModule: isAbsolute(rel) ? pathToFileURL(specFile).href : rel,
    command: opts.command ?? { spec: opts.specPath, outDir: CANONICAL_OUT_DIR },
  });
  return { fileName: `${ir.name}.ts`, text: emitModule(data) };
}

/**
 * How a generated module names its spec: relative to the package root when the spec is inside it (so the output
 * does not depend on the working directory), else relative to `cwd`; always with '/' separators.
 */
export function specDisplayPath(absPath: string, cwd: string): string {
  const inPackage = relative(PACKAGE_ROOT, absPath);
  const rel = !inPackage.startsWith('..') && !isAbsolute(inPackage) ? inPackage : relative(cwd, absPath);
  return rel.split(sep).join('/');
}
