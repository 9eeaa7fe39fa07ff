// `archc build FILE.arch [-o DIR]`: compile the spec (diagnostics rendered like `check`, exit 1) and write the typed
// trainer module DIR/<network name>.ts (default generated/), atomically. Refuses to write over the input.

import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { buildSpecFile, writeFileAtomic } from '../../codegen/build.ts';
import { CANONICAL_OUT_DIR } from '../../codegen/index.ts';
import { samePath } from '../same-path.ts';
import { reportCompiled } from '../compile-or-report.ts';
import { UserError, type Io } from '../io.ts';
import type { RegisterCommand } from './index.ts';

export const registerBuild: RegisterCommand = (program: Command, io: Io, setExit: (code: number) => void) => {
  program
    .command('build')
    .description('generate a typed TypeScript trainer module from a .arch spec')
    .argument('<file>', '.arch spec')
    .option('-o, --out-dir <dir>', 'folder for <network name>.ts', CANONICAL_OUT_DIR)
    .action(async (file: string, opts: { outDir: string }) => {
      const r = await buildSpecFile(file, io.cwd);
      const ir = reportCompiled(file, r.compiled, io, setExit, 'nothing written');
      if (!ir || !r.module) return;
      const dest = resolve(io.cwd, opts.outDir, r.module.fileName);
      if (samePath(dest, resolve(io.cwd, file))) throw new UserError(`refusing to overwrite the input ${file}: choose another -o folder`);
      try {
        writeFileAtomic(dest, r.module.text);
      } catch (e) {
        throw new UserError(`cannot write ${relative(io.cwd, dest)}: ${e instanceof Error ? e.message : String(e)}`);
      }
      const lines = r.module.text.split('\n').length - 1;
      io.out(`wrote ${relative(io.cwd, dest) || dest} (${ir.name}, ${lines} lines)`);
    });
};
