// `archc build FILE.arch [-o DIR] [--target ts|pytorch] [--no-typecheck]`: compile the spec (diagnostics rendered
// like `check`, exit 1). The ts target type-checks the trainer module it generates (a failure is reported and
// nothing is written) and writes DIR/<network name>.ts (default generated/); outside the package DIR is made
// runnable (an ES module package.json and a link to this archc, see codegen/runnable.ts). `--target pytorch` writes
// DIR/<network name>.py plus the archc_torch runtime package (default generated/pytorch/). Atomic writes; refuses
// to write over the input.

import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { buildSpecFile, writeFileAtomic } from '../../codegen/build.ts';
import { CANONICAL_OUT_DIR, specDisplayPath, typecheckModules } from '../../codegen/index.ts';
import { generatePytorchModule, pytorchRuntimeFiles, PYTORCH_OUT_DIR } from '../../codegen/pytorch/index.ts';
import { makeRunnable } from '../../codegen/runnable.ts';
import { samePath } from '../../train/same-path.ts';
import { reportCompiled } from '../compile-or-report.ts';
import { UserError, type Io } from '../io.ts';
import type { RegisterCommand } from './index.ts';

const TARGETS = ['ts', 'pytorch'] as const;

interface BuildOptions {
  outDir?: string;
  target: string;
  typecheck: boolean;
}

export const registerBuild: RegisterCommand = (program: Command, io: Io, setExit: (code: number) => void) => {
  program
    .command('build')
    .description('generate a typed TypeScript trainer module (or, with --target pytorch, a PyTorch trainer) from a .arch spec')
    .argument('<file>', '.arch spec')
    .option('-o, --out-dir <dir>', `folder for <network name>.ts (default ${CANONICAL_OUT_DIR}; pytorch: ${PYTORCH_OUT_DIR})`)
    .option('--target <target>', 'ts (TypeScript on tfjs) or pytorch (PyTorch, DDP/torchrun)', 'ts')
    .option('--no-typecheck', 'skip type-checking the generated TypeScript module (faster; the module is then unchecked)')
    .action(async (file: string, opts: BuildOptions) => {
      if (!(TARGETS as readonly string[]).includes(opts.target)) throw new UserError(`unknown --target '${opts.target}': use ts or pytorch`);
      const pytorch = opts.target === 'pytorch';
      const outDir = opts.outDir ?? (pytorch ? PYTORCH_OUT_DIR : CANONICAL_OUT_DIR);
      const r = await buildSpecFile(file, io.cwd, { outDir });
      const ir = reportCompiled(file, r.compiled, io, setExit, 'nothing written');
      if (!ir || !r.module) return;
      const shown = (p: string): string => relative(io.cwd, p) || p;
      const input = resolve(io.cwd, file);
      const files = pytorch
        ? [generatePytorchModule(ir, r.compiled.source, { specPath: specDisplayPath(input, io.cwd) }), ...pytorchRuntimeFiles()]
        : [{ path: r.module.fileName, text: r.module.text }];
      for (const f of files) {
        if (samePath(resolve(io.cwd, outDir, f.path), input)) throw new UserError(`refusing to overwrite the input ${file}: choose another -o folder`);
      }
      const typecheck = opts.typecheck && !pytorch;
      if (typecheck) {
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
      for (const f of files) {
        const dest = resolve(io.cwd, outDir, f.path);
        try {
          writeFileAtomic(dest, f.text);
        } catch (e) {
          throw new UserError(`cannot write ${shown(dest)}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      const main = resolve(io.cwd, outDir, files[0]!.path);
      const lines = files[0]!.text.split('\n').length - 1;
      if (pytorch) {
        io.out(`wrote ${shown(main)} (${ir.name}, ${lines} lines) and ${files.length - 1} runtime files in ${shown(resolve(io.cwd, outDir, 'archc_torch'))}/; train with: cd ${outDir} && python3 -m ${ir.name} --help`);
        return;
      }
      io.out(`wrote ${shown(main)} (${ir.name}, ${lines} lines, ${typecheck ? 'type-checked' : 'not type-checked'})`);
      let setup;
      try {
        setup = makeRunnable(resolve(io.cwd, outDir));
      } catch (e) {
        throw new UserError(`wrote ${shown(main)}, but cannot set up its folder to run it: ${e instanceof Error ? e.message : String(e)}`);
      }
      for (const w of setup.wrote) io.out(`wrote ${shown(w.path)}: ${w.why}`);
      for (const n of setup.notes) io.err(`note: ${n}`);
      io.out(`train it: npx tsx ${shown(main)} --help`);
    });
};
