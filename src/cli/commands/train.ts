// `archc train FILE.arch [flags]`: the one-command path. Checks the spec, parses the flags once into the training
// stage's RunOptions, and runs the stage (src/train/) in this process with the network built from the checked IR by
// the runtime's interpreter (`IrModule`, which test/codegen/forward.test.ts holds equal to the generated module): the
// same run as a generated trainer's. Nothing is written outside --out: no module is generated, written or imported.

import { resolve } from 'node:path';
import type { Command } from 'commander';
import { specDisplayPath } from '../../codegen/index.ts';
import { compileFile } from '../../semantic/compile.ts';
import { FlagError, parseRunOptions, TRAINER_FLAGS, type RunOptions } from '../../train/options.ts';
import { interpretedNet } from '../../train/run.ts';
import { runAndReport } from '../../train/trainer-main.ts';
import { reportCompiled } from '../compile-or-report.ts';
import type { Io } from '../io.ts';
import type { RegisterCommand } from './index.ts';

export const registerTrain: RegisterCommand = (program: Command, io: Io, setExit: (code: number) => void) => {
  const cmd = program
    .command('train')
    .description('check a spec and train it: train, evaluate, compact')
    .argument('<file>', '.arch spec');
  for (const f of TRAINER_FLAGS) cmd.option(f.flags, f.description);
  cmd.action(async (file: string, flags: Record<string, unknown>) => {
    const abs = resolve(io.cwd, file);
    const compiled = await compileFile(abs, file);
    const ir = reportCompiled(file, compiled, io, setExit, 'not trained');
    if (!ir) return;
    let options: RunOptions;
    try {
      options = parseRunOptions(flags);
    } catch (e) {
      if (!(e instanceof FlagError)) throw e;
      io.err(`${ir.name}: ${e.message} (see --help)`);
      setExit(1);
      return;
    }
    const net = interpretedNet(ir, { path: abs, shown: specDisplayPath(abs, io.cwd), source: compiled.source.text });
    setExit(await runAndReport(net, options, io));
  });
};
