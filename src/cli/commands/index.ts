// The commands the program knows, each loaded on demand: `archc check` imports only check.ts and what it needs, so
// a command that never trains does not pay for tfjs, the wasm backend or ts-morph. Each module adds one subcommand.

import type { Command } from 'commander';
import type { Io } from '../io.ts';

export type RegisterCommand = (program: Command, io: Io, setExit: (code: number) => void) => void;

/** Command name → its module's register function, imported when that command (or the full help) is needed. */
export const commandLoaders: Readonly<Record<string, () => Promise<RegisterCommand>>> = {
  fmt: async () => (await import('./fmt.ts')).registerFmt,
  check: async () => (await import('./check.ts')).registerCheck,
  stats: async () => (await import('./stats.ts')).registerStats,
  report: async () => (await import('./report.ts')).registerReport,
  demo: async () => (await import('./demo.ts')).registerDemo,
  build: async () => (await import('./build.ts')).registerBuild,
  train: async () => (await import('./train.ts')).registerTrain,
  diff: async () => (await import('./diff.ts')).registerDiff,
  eval: async () => (await import('./eval.ts')).registerEval,
  compact: async () => (await import('./compact.ts')).registerCompact,
};

/**
 * The register functions `argv` needs: only the named command's when the first argument names one, else all of
 * them (top-level help, `help <cmd>`, an unknown command), in the order the help lists them.
 */
export async function commandsFor(argv: readonly string[]): Promise<RegisterCommand[]> {
  const first = argv[0];
  const one = first !== undefined && Object.hasOwn(commandLoaders, first) ? commandLoaders[first] : undefined;
  return Promise.all(one ? [one()] : Object.values(commandLoaders).map((load) => load()));
}
