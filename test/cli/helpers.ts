// Runs the archc program in-process for the CLI tests: `runCli(args, { cwd })` calls `run` from src/cli/main.ts
// with an Io that captures every line written to stdout and stderr (not a terminal), and returns the exit code with
// the captured lines, as arrays and joined by newlines.

import type { Io } from '../../src/cli/io.ts';
import { run } from '../../src/cli/main.ts';
import { PACKAGE_ROOT } from '../../src/codegen/index.ts';

export interface CliResult {
  code: number;
  /** Each `io.out` call, in order. */
  stdout: string[];
  /** Each `io.err` call, in order. */
  stderr: string[];
  /** `stdout` joined by newlines. */
  out: string;
  /** `stderr` joined by newlines. */
  err: string;
}

/** Run `archc ARGS` in `cwd` (default: the package root). */
export async function runCli(args: string[], opts: { cwd?: string } = {}): Promise<CliResult> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io: Io = { out: (t) => void stdout.push(t), err: (t) => void stderr.push(t), isTTY: false, cwd: opts.cwd ?? PACKAGE_ROOT };
  const code = await run(args, io);
  return { code, stdout, stderr, out: stdout.join('\n'), err: stderr.join('\n') };
}
