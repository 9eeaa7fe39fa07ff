// The front end in one call, as every command uses it: text → AST → checked IR, with all diagnostics.
// The checker runs only on a file that parsed cleanly: recovery leaves incomplete nodes whose semantic
// errors would only echo the syntax error (TypeScript reports both; for a small DSL the echo is noise).

import { hasErrors, SourceText, type Diagnostic } from '../diagnostics/index.ts';
import type { ArchFile } from '../syntax/ast.ts';
import { parseArch } from '../syntax/parse.ts';
import { checkArch } from './check.ts';
import type { IrNetwork } from './ir.ts';
import { readSpec } from './read-spec.ts';

export interface Compiled {
  source: SourceText;
  ast: ArchFile | undefined;
  ir: IrNetwork | undefined;
  diagnostics: Diagnostic[];
}

export function compileText(text: string, fileName: string): Compiled {
  const source = new SourceText(fileName, text);
  const parsed = parseArch(text, fileName);
  const diagnostics = [...parsed.diagnostics];
  let ir: IrNetwork | undefined;
  if (!hasErrors(parsed.diagnostics)) {
    const checked = checkArch(parsed.value, fileName);
    diagnostics.push(...checked.diagnostics);
    ir = checked.value;
  }
  for (const d of diagnostics) d.file ??= fileName;
  return { source, ast: parsed.value, ir, diagnostics };
}

/**
 * Read and compile a file; an unreadable, too large or binary file is a diagnostic (ARCH9001, ARCH5008, ARCH9002),
 * not an exception. `displayName` is the name diagnostics and the IR use (the path as the user wrote it),
 * defaulting to `path`.
 */
export async function compileFile(path: string, displayName = path): Promise<Compiled> {
  const read = await readSpec(path, displayName);
  if ('diagnostic' in read) {
    read.diagnostic.file = displayName;
    return { source: new SourceText(displayName, ''), ast: undefined, ir: undefined, diagnostics: [read.diagnostic] };
  }
  return compileText(read.text, displayName);
}
