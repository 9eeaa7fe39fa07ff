// `archc check FILE...`: compile each file through the checker and print its diagnostics
// (`file(line,col): error ARCH3001: …` with the source line and an underline) or a one-line summary.
// Exit 1 when any file has an error, 0 when every file is clean.

import { resolve } from 'node:path';
import type { Command } from 'commander';
import { hasErrors, renderDiagnostic, type Diagnostic, type SourceText } from '../../diagnostics/index.ts';
import { compileFile } from '../../semantic/compile.ts';
import type { IrNetwork } from '../../semantic/ir.ts';
import type { Io } from '../io.ts';
import type { RegisterCommand } from './index.ts';

export const registerCheck: RegisterCommand = (program: Command, io: Io, setExit: (code: number) => void) => {
  program
    .command('check')
    .description('check .arch files: names, arguments, shapes, mask groups and settings')
    .argument('<files...>', '.arch files to check')
    .action(async (files: string[]) => {
      for (const file of files) {
        const c = await compileFile(resolve(io.cwd, file), file);
        if (c.diagnostics.length > 0) io.err(renderAll(c.diagnostics, c.source, io.isTTY));
        if (hasErrors(c.diagnostics)) {
          const n = c.diagnostics.filter((d) => d.severity === 'error').length;
          io.err(`${file}: ${n} error${n === 1 ? '' : 's'}`);
          setExit(1);
        } else if (c.ir) io.out(summary(file, c.ir));
      }
    });
};

/** Render diagnostics; one without a position (an unreadable file) has no source line to show. */
export function renderAll(ds: readonly Diagnostic[], source: SourceText, color = false): string {
  return ds.map((d) => renderDiagnostic(d, d.code.startsWith('ARCH9') ? undefined : source, color)).join('\n\n');
}

export function summary(file: string, ir: IrNetwork): string {
  const layers = ir.nodes.length - 1;
  const maskable = ir.groups.filter((g) => g.maskable).length;
  return `${file}: ok: ${ir.name}, ${layers} layers, ${ir.params.toLocaleString('en-US')} params (${human(ir.params)}), ${human(ir.macs)} MACs, ${ir.groups.length} mask groups (${maskable} maskable)`;
}

/** 272474 → "0.272M", 40813184 → "40.8M", 1.2e9 → "1.20G". */
export function human(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (n >= 1e5) return `${(n / 1e6).toPrecision(3)}M`;
  if (n >= 1e3) return `${(n / 1e3).toPrecision(3)}k`;
  return String(n);
}
