// The command line of every generated trainer module (`npx tsx generated/<name>.ts …`), exported to them as
// `archc/trainer`: parses argv once into a RunOptions (options.ts) and runs the training stage (run.ts) with the
// generated network. Errors are one-line messages and exit code 1 (130 after Ctrl-C); no stack traces reach the user.
// `archc train` runs the same stage with the same flags, parsed by the CLI's own command.

import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { DataError } from '../runtime/data/index.ts';
import type { MaskGroup } from '../semantic/ir.ts';
import { processIo, UserError, type Io } from './io.ts';
import { FlagError, parseRunOptions, TRAINER_FLAGS, type RunOptions } from './options.ts';
import { trainRun, type TrainerConfig, type TrainerMainOptions } from './run.ts';

export type { IrNetwork } from '../semantic/ir.ts';
export type { TrainerConfig, TrainerMainOptions } from './run.ts';
export type TrainerIo = Io;

/** A mask group as generated modules describe it (`groups` const): typed members, no settings. */
export interface MaskGroupInfo<P extends string = string> {
  readonly id: number;
  readonly width: number;
  readonly structure: MaskGroup['structure'];
  readonly maskable: boolean;
  readonly canVanish: boolean;
  readonly members: readonly P[];
}

/** Parses `argv` and trains; resolves to the exit code (0 ok, 1 any error, 130 after Ctrl-C), never throws. */
export async function runTrainerMain(argv: readonly string[], opts: TrainerMainOptions, io: Io = processIo): Promise<number> {
  let options: RunOptions | 'help';
  try {
    options = parseArgv(argv, opts, io);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 1;
    if (e instanceof FlagError) {
      io.err(`${opts.name}: ${e.message} (see --help)`);
      return 1;
    }
    throw e;
  }
  if (options === 'help') return 0;
  return runAndReport(opts, options, io);
}

/**
 * Runs the stage with options already parsed (`archc train`, generated trainers): resolves to the exit code,
 * with every failure as one line prefixed by the network's name.
 */
export async function runAndReport(net: TrainerMainOptions, options: RunOptions, io: Io): Promise<number> {
  const say = (t: string): void => io.err(`${net.name}: ${t}`);
  try {
    await trainRun(net, options, io);
    return 0;
  } catch (e) {
    if (e instanceof UserError) {
      say(e.message);
      return e.exitCode;
    }
    if (e instanceof FlagError || e instanceof DataError) say(e.message);
    else say(`training failed: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

/** argv → RunOptions, through commander (usage, --help with the spec's defaults) and parseRunOptions. */
function parseArgv(argv: readonly string[], opts: TrainerMainOptions, io: Io): RunOptions | 'help' {
  const cmd = new Command(opts.name)
    .description(`Train ${opts.name} (${opts.specPath}) with structured continuous sparsification, then compact it.`)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.replace(/\n$/, '')), writeErr: (s) => io.err(s.replace(/\n$/, '')) })
    .allowExcessArguments(false);
  for (const f of TRAINER_FLAGS) {
    const def = f.config ? opts.defaults[f.key as keyof TrainerConfig] : undefined;
    cmd.option(f.flags, f.description + (def !== undefined && def !== null ? ` (default ${def})` : ''));
  }
  let helped = false;
  cmd.on('option:help', () => (helped = true));
  cmd.parse([...argv], { from: 'user' });
  if (helped) return 'help';
  return parseRunOptions(cmd.opts());
}

/**
 * Runs a generated module's `main` when that module is the program's entry point (`npx tsx generated/x.ts`), and
 * does nothing when it is imported (tests, `archc train`). Sets the process exit code; only entry points do that.
 */
export async function runIfMain(moduleUrl: string, main: (argv: readonly string[], io?: Io) => Promise<number>): Promise<void> {
  const entry = process.argv[1];
  if (entry === undefined || !samePath(fileURLToPath(moduleUrl), resolve(entry))) return;
  process.exitCode = await main(process.argv.slice(2));
}

function samePath(a: string, b: string): boolean {
  const real = (p: string): string => {
    try {
      return realpathSync(p);
    } catch {
      return p;
    }
  };
  return real(a) === real(b) || real(a) === real(`${b}.ts`);
}
