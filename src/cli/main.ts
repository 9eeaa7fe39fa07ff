// archc's command-line program. Only src/cli and the training stage (src/train: signals, a trainer's exit code)
// touch process, the console and exit codes.
// Each command lives in commands/<name>.ts and exports `register(program, io, setExit)`; only the invoked
// command's module is loaded (commands/index.ts), so `archc check` starts without the training stack.

import { Command, CommanderError } from 'commander';
import { FileFormatError } from '../io/read-json.ts';
import { processIo, UserError, type Io } from './io.ts';
import { commandsFor } from './commands/index.ts';

export async function run(argv: string[], io: Io = processIo): Promise<number> {
  let exitCode = 0;
  const program = new Command('archc')
    .description('Grow efficient neural networks from a declarative .arch spec')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.replace(/\n$/, '')), writeErr: (s) => io.err(s.replace(/\n$/, '')) })
    .showHelpAfterError(false);
  const setExit = (code: number): void => {
    exitCode = Math.max(exitCode, code);
  };
  try {
    for (const register of await commandsFor(argv)) register(program, io, setExit);
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit with 0; usage errors with 1.
      return e.exitCode === 0 ? 0 : 1;
    }
    if (e instanceof UserError) {
      io.err(`archc: ${e.message}`);
      return e.exitCode;
    }
    // A damaged file archc wrote earlier (model.json, compaction.json, metrics.jsonl): the user's to fix or remove.
    if (e instanceof FileFormatError) {
      io.err(`archc: ${e.message}`);
      return 1;
    }
    const msg = e instanceof Error ? e.message : String(e);
    io.err(`archc: internal error: ${msg}\nPlease report this with the command and input that caused it.`);
    return 2;
  }
  return exitCode;
}
