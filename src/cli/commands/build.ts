// `archc build FILE.arch [-o DIR] [--no-typecheck]`: compile the spec (diagnostics rendered like `check`, exit 1),
// type-check the trainer module it generates (a failure is reported and nothing is written), and write it as
// DIR/<network name>.ts (default generated/), atomically. Outside the package, DIR is made runnable (an ES module
// package.json and a link to this archc, see codegen/runnable.ts). Refuses to write over the input.

import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { buildSpecFile, writeFileAtomic } from '../../codegen/build.ts';
import { CANONICAL_OUT_DIR, typecheckModules } from '../../codegen/index.ts';
import { makeRunnable } from '../../codegen/runnable.ts';
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
    .option('--no-typecheck', 'skip type-checking the generated module (faster; the module is then unchecked)')
    .action(async (file: string, opts: { outDir: string; typecheck: boolean }) => {
      const r = await buildSpecFile(file, io.cwd, { outDir: opts.outDir });
      const ir = reportCompiled(file, r.compiled, io, setExit, 'nothing written');
      if (!ir || !r.module) return;
      const dest = resolve(io.cwd, opts.outDir, r.module.fileName);
      const shown = (p: string): string => relative(io.cwd, p) || p;
      if (samePath(dest, resolve(io.cwd, file))) throw new UserError(`refusing to overwrite the input ${file}: choose another -o folder`);
      if (opts.typecheck) {
        let checked;
        try {
          [checked] = typecheckModules([r.module]);
        } catch (e) {
          throw new UserError(`cannot type-check the module for ${file}: ${e instanceof Error ? e.message : String(e)}; --no-typecheck writes it unchecked`);
        }
        if (checked && checked.diagnostics.length > 0) {
          io.err(checked.diagnostics.slice(0, 20).join('\n'));
          throw new UserError(`internal error: the module generated for ${file} does not type-check (${checked.diagnostics.length} errors above); nothing written. Please report it; --no-typecheck writes it anyway`);
        }
      }
      try {
        writeFileAtomic(dest, r.module.text);
      } catch (e) {
        throw new UserError(`cannot write ${shown(dest)}: ${e instanceof Error ? e.message : String(e)}`);
      }
      const lines = r.module.text.split('\n').length - 1;
      io.out(`wrote ${shown(dest)} (${ir.name}, ${lines} lines, ${opts.typecheck ? 'type-checked' : 'not type-checked'})`);
      let setup;
      try {
        setup = makeRunnable(resolve(io.cwd, opts.outDir));
      } catch (e) {
        throw new UserError(`wrote ${shown(dest)}, but cannot set up its folder to run it: ${e instanceof Error ? e.message : String(e)}`);
      }
      for (const w of setup.wrote) io.out(`wrote ${shown(w.path)}: ${w.why}`);
      for (const n of setup.notes) io.err(`note: ${n}`);
      io.out(`train it: npx tsx ${shown(dest)} --help`);
    });
};
