// `archc train FILE.arch [flags]`: the one-command path. Checks the spec and trains it in this process with the
// same command line as a generated trainer (trainer-main.ts), the network built from the checked IR by the runtime's
// interpreter (`IrModule`, which test/codegen/forward.test.ts holds equal to the generated module). Nothing is
// written outside --out: no module is generated, written or imported (a read-only install trains as well).

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { specDisplayPath } from '../../codegen/index.ts';
import { IrModule } from '../../runtime/module.ts';
import { compileFile } from '../../semantic/compile.ts';
import { runTrainerMain, TRAINER_FLAGS, trainerDefaults } from '../trainer-main.ts';
import { reportCompiled } from '../compile-or-report.ts';
import type { Io } from '../io.ts';
import type { RegisterCommand } from './index.ts';

export const registerTrain: RegisterCommand = (program: Command, io: Io, setExit: (code: number) => void) => {
  const cmd = program
    .command('train')
    .description('check a spec and train it: train, evaluate, compact')
    .argument('<file>', '.arch spec');
  for (const f of TRAINER_FLAGS) cmd.option(f.flags, f.description);
  cmd.action(async (file: string, _opts: unknown, self: Command) => {
    const abs = resolve(io.cwd, file);
    const compiled = await compileFile(abs, file);
    const ir = reportCompiled(file, compiled, io, setExit, 'not trained');
    if (!ir) return;
    const code = await runTrainerMain(
      forwardedArgs(self),
      {
        name: ir.name,
        specPath: specDisplayPath(abs, io.cwd),
        specUrl: pathToFileURL(abs),
        specSource: compiled.source.text,
        ir,
        defaults: trainerDefaults(ir),
        createModule: (network, seed) => new IrModule(network, { seed }),
      },
      io,
    );
    setExit(code);
  });
};

/** The trainer flags given on this command line, in the trainer's syntax (values were not parsed here). */
function forwardedArgs(cmd: Command): string[] {
  const opts = cmd.opts<Record<string, string | boolean | undefined>>();
  const out: string[] = [];
  for (const f of TRAINER_FLAGS) {
    if (cmd.getOptionValueSource(f.key) !== 'cli') continue;
    const flag = f.flags.split(' ')[0]!;
    const v = opts[f.key];
    if (typeof v === 'string') out.push(flag, v);
    else if (v === true) out.push(flag);
  }
  return out;
}
