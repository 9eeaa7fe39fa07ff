// The list of commands the program registers. Each module adds one subcommand.

import type { Command } from 'commander';
import type { Io } from '../io.ts';
import { registerFmt } from './fmt.ts';
import { registerCheck } from './check.ts';
import { registerStats } from './stats.ts';
import { registerReport } from './report.ts';
import { registerDemo } from './demo.ts';
import { registerBuild } from './build.ts';
import { registerTrain } from './train.ts';
import { registerDiff } from './diff.ts';
import { registerEval } from './eval.ts';
import { registerCompact } from './compact.ts';

export type RegisterCommand = (program: Command, io: Io, setExit: (code: number) => void) => void;

export const commands: RegisterCommand[] = [
  registerFmt,
  registerCheck,
  registerStats,
  registerReport,
  registerDemo,
  registerBuild,
  registerTrain,
  registerDiff,
  registerEval,
  registerCompact,
];
