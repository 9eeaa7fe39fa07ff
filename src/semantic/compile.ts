// The front end in one call, as every command uses it: text → AST → checked IR, with all diagnostics.
// The checker runs only on a file that parsed cleanly: recovery leaves incomplete nodes whose semantic
// errors would only echo the syntax error (TypeScript reports both; for a small DSL the echo is noise).

import { readFile } from 'node:fs/promises';
import { diag, hasErrors, NO_SPAN, SourceText, type Diagnostic } from '../diagnostics/index.ts';
import type { ArchFile } from '../syntax/ast.ts';
import { parseArch } from '../syntax/parse.ts';
import { checkArch } from './check.ts';
import type { IrNetwork } from './ir.ts';

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
 * Read and compile a file; an unreadable file is a diagnostic (ARCH9001), not an exception. `displayName`
 * is the name diagnostics and the IR use (the path as the user wrote it), defaulting to `path`.
 */
export async function compileFile(path: string, displayName = path): Promise<Compiled> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : e instanceof Error ? e.message : String(e);
    const d = diag('fileNotFound', NO_SPAN, [displayName, reason]);
    d.file = displayName;
    return { source: new SourceText(displayName, ''), ast: undefined, ir: undefined, diagnostics: [d] };
  }
  return compileText(text, displayName);
}
