// How commands turn a spec into an IR or report why they cannot: the two ways the CLI renders a compile's
// diagnostics. `reportCompiled` (check, build, train) shows every diagnostic and an `N errors` line;
// `compileOrReport` (stats, diff, eval) makes an unreadable file a one-line user error and shows diagnostics only
// when the file has errors. Either way a failed file sets exit code 1 and yields no IR.

import { resolve } from 'node:path';
import { hasErrors, limitShown, renderDiagnostic, type Diagnostic, type SourceText } from '../diagnostics/index.ts';
import { compileFile, type Compiled } from '../semantic/compile.ts';
import type { IrNetwork } from '../semantic/ir.ts';
import { UserError, type Io } from './io.ts';

type SetExit = (code: number) => void;

/** Render diagnostics; one without a position (an unreadable file) has no source line to show. */
export function renderAll(ds: readonly Diagnostic[], source: SourceText, color = false): string {
  // A binary or garbled file can have hundreds of errors: show the first ones and count the rest.
  const { shown, more } = limitShown(ds);
  const text = shown.map((d) => renderDiagnostic(d, d.code.startsWith('ARCH9') ? undefined : source, color)).join('\n\n');
  return more ? `${text}\n\n${more}` : text;
}

/**
 * Render all of a compile's diagnostics (warnings too). On errors, add `FILE: N error(s)[; consequence]` and set exit
 * code 1, returning undefined; otherwise return the IR.
 */
export function reportCompiled(file: string, c: Compiled, io: Io, setExit: SetExit, consequence?: string): IrNetwork | undefined {
  if (c.diagnostics.length > 0) io.err(renderAll(c.diagnostics, c.source, io.isTTY));
  if (hasErrors(c.diagnostics) || !c.ir) {
    const n = c.diagnostics.filter((d) => d.severity === 'error').length;
    io.err(`${file}: ${n} error${n === 1 ? '' : 's'}${consequence ? `; ${consequence}` : ''}`);
    setExit(1);
    return undefined;
  }
  return c.ir;
}

/**
 * Compile FILE (relative to the working directory) for a command that needs its IR. An unreadable file throws a
 * UserError; a file with errors has its diagnostics rendered, sets exit code 1 and yields undefined.
 */
export async function compileOrReport(file: string, io: Io, setExit: SetExit): Promise<IrNetwork | undefined> {
  const c = await compileFile(resolve(io.cwd, file), file);
  const unreadable = c.diagnostics.find((d) => d.code === 'ARCH9001');
  if (unreadable) throw new UserError(unreadable.message);
  if (hasErrors(c.diagnostics) || !c.ir) {
    io.err(renderAll(c.diagnostics, c.source, io.isTTY));
    setExit(1);
    return undefined;
  }
  return c.ir;
}
