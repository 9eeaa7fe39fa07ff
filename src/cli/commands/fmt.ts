// `archc fmt FILE... [--check | --write]`: print, check or rewrite files in the canonical form of
// src/printer. Files with syntax errors are reported as diagnostics and never rewritten; writes go to a
// temporary file renamed over the original so an interrupted run cannot leave a half-written spec.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { writeFileAtomicSync } from '../../io/atomic-write.ts';
import { diag, hasErrors, renderDiagnostics, SourceText } from '../../diagnostics/index.ts';
import { printArch } from '../../printer/index.ts';
import { parseArch, sameSyntax } from '../../syntax/index.ts';
import { UserError, type Io } from '../io.ts';
import type { RegisterCommand } from './index.ts';

interface FmtOptions {
  check?: boolean;
  write?: boolean;
}

export const registerFmt: RegisterCommand = (program: Command, io: Io, setExit: (code: number) => void) => {
  program
    .command('fmt')
    .description('format .arch files canonically (prints to stdout unless --check or --write)')
    .argument('<files...>', '.arch files to format')
    .option('--check', 'list files that are not formatted and exit 1 if there are any')
    .option('--write', 'rewrite files in place')
    .action((files: string[], opts: FmtOptions) => {
      if (opts.check && opts.write) throw new UserError('use either --check or --write, not both');
      const unformatted: string[] = [];
      for (const file of files) {
        const formatted = formatFile(file, io);
        if (formatted === undefined) {
          setExit(1);
          continue;
        }
        const changed = formatted.text !== formatted.original;
        if (opts.check) {
          if (changed) unformatted.push(file);
        } else if (opts.write) {
          if (changed) {
            writeAtomically(resolve(io.cwd, file), formatted.text);
            io.out(`formatted ${file}`);
          }
        } else {
          io.out(formatted.text);
        }
      }
      if (unformatted.length > 0) {
        for (const f of unformatted) io.out(f);
        io.err(`archc: ${unformatted.length} file${unformatted.length === 1 ? '' : 's'} would be reformatted (run archc fmt --write)`);
        setExit(1);
      }
    });
};

/** Read, parse and print one file; undefined (after reporting) when it cannot be read or has syntax errors. */
function formatFile(file: string, io: Io): { original: string; text: string } | undefined {
  let original: string;
  try {
    original = readFileSync(resolve(io.cwd, file), 'utf8');
  } catch (e) {
    const reason = e instanceof Error && 'code' in e ? String((e as NodeJS.ErrnoException).code) : String(e);
    const d = { ...diag('fileNotFound', { start: 0, end: 0 }, [file, reason]), file };
    io.err(renderDiagnostics([d], undefined));
    return undefined;
  }
  const parsed = parseArch(original, file);
  if (hasErrors(parsed.diagnostics)) {
    io.err(renderDiagnostics(parsed.diagnostics, new SourceText(file, original)));
    return undefined;
  }
  const text = printArch(parsed.value, original);
  // Safety net (as Prettier's --debug-check): the output must mean exactly what the input meant.
  const again = parseArch(text, file);
  if (hasErrors(again.diagnostics) || !sameSyntax(parsed.value, again.value)) {
    throw new Error(`the formatter changed the meaning of ${file}; the file was left untouched`);
  }
  return { original, text };
}

function writeAtomically(path: string, text: string): void {
  try {
    writeFileAtomicSync(path, text);
  } catch (e) {
    throw new UserError(`cannot write ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
