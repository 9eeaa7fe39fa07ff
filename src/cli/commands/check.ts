// `archc check FILE...`: compile each file through the checker and print its diagnostics
// (`file(line,col): error ARCH3001: …` with the source line and an underline) or a one-line summary.
// Exit 1 when any file has an error, 0 when every file is clean.

import { resolve } from 'node:path';
import type { Command } from 'commander';
import { compileFile } from '../../semantic/compile.ts';
import type { IrNetwork } from '../../semantic/ir.ts';
import { reportCompiled } from '../compile-or-report.ts';
import type { Io } from '../io.ts';
import type { RegisterCommand } from './index.ts';
import { grouped, human } from '../../io/numbers.ts';

export const registerCheck: RegisterCommand = (program: Command, io: Io, setExit: (code: number) => void) => {
  program
    .command('check')
    .description('check .arch files: names, arguments, shapes, mask groups and settings')
    .argument('<files...>', '.arch files to check')
    .action(async (files: string[]) => {
      for (const file of files) {
        const ir = reportCompiled(file, await compileFile(resolve(io.cwd, file), file), io, setExit);
        if (ir) io.out(summary(file, ir));
      }
    });
};

// Re-exported for the commands that still import it from here (demo).
export { renderAll } from '../compile-or-report.ts';

export function summary(file: string, ir: IrNetwork): string {
  const layers = ir.nodes.length - 1;
  const maskable = ir.groups.filter((g) => g.maskable).length;
  return `${file}: ok: ${ir.name}, ${layers} layers, ${grouped(ir.params)} params (${human(ir.params)}), ${human(ir.macs)} MACs, ${ir.groups.length} mask groups (${maskable} maskable)`;
}

/** 272474 → "0.272M", 40813184 → "40.8M", 1.2e9 → "1.20G". */
