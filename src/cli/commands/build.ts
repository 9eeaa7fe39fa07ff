// `archc build FILE.arch [-o DIR] [--target ts|pytorch]`: compile the spec (diagnostics rendered like `check`,
// exit 1) and write the typed TypeScript trainer module DIR/<network name>.ts (default generated/), or with
// `--target pytorch` DIR/<network name>.py plus the archc_torch runtime package (default generated/pytorch/),
// atomically. Refuses to write over the input.

import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { buildSpecFile, writeFileAtomic } from '../../codegen/build.ts';
import { CANONICAL_OUT_DIR, specDisplayPath } from '../../codegen/index.ts';
import { generatePytorchModule, pytorchRuntimeFiles, PYTORCH_OUT_DIR } from '../../codegen/pytorch/index.ts';
import { samePath } from '../same-path.ts';
import { reportCompiled } from '../compile-or-report.ts';
import { UserError, type Io } from '../io.ts';
import type { RegisterCommand } from './index.ts';

const TARGETS = ['ts', 'pytorch'] as const;

export const registerBuild: RegisterCommand = (program: Command, io: Io, setExit: (code: number) => void) => {
  program
    .command('build')
    .description('generate a typed TypeScript trainer module (or, with --target pytorch, a PyTorch trainer) from a .arch spec')
    .argument('<file>', '.arch spec')
    .option('-o, --out-dir <dir>', `folder for <network name>.ts (default ${CANONICAL_OUT_DIR}; pytorch: ${PYTORCH_OUT_DIR})`)
    .option('--target <target>', 'ts (TypeScript on tfjs) or pytorch (PyTorch, DDP/torchrun)', 'ts')
    .action(async (file: string, opts: { outDir?: string; target: string }) => {
      if (!(TARGETS as readonly string[]).includes(opts.target)) throw new UserError(`unknown --target '${opts.target}': use ts or pytorch`);
      const pytorch = opts.target === 'pytorch';
      const outDir = opts.outDir ?? (pytorch ? PYTORCH_OUT_DIR : CANONICAL_OUT_DIR);
      const r = await buildSpecFile(file, io.cwd);
      const ir = reportCompiled(file, r.compiled, io, setExit, 'nothing written');
      if (!ir || !r.module) return;
      const files = pytorch
        ? [generatePytorchModule(ir, r.compiled.source, { specPath: specDisplayPath(resolve(io.cwd, file), io.cwd) }), ...pytorchRuntimeFiles()]
        : [{ path: r.module.fileName, text: r.module.text }];
      const input = resolve(io.cwd, file);
      for (const f of files) {
        const dest = resolve(io.cwd, outDir, f.path);
        if (samePath(dest, input)) throw new UserError(`refusing to overwrite the input ${file}: choose another -o folder`);
      }
      for (const f of files) {
        const dest = resolve(io.cwd, outDir, f.path);
        try {
          writeFileAtomic(dest, f.text);
        } catch (e) {
          throw new UserError(`cannot write ${relative(io.cwd, dest)}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      const main = resolve(io.cwd, outDir, files[0]!.path);
      const lines = files[0]!.text.split('\n').length - 1;
      const extra = pytorch ? ` and ${files.length - 1} runtime files in ${relative(io.cwd, resolve(io.cwd, outDir, 'archc_torch')) || 'archc_torch'}/; train with: cd ${outDir} && python3 -m ${ir.name} --help` : '';
      io.out(`wrote ${relative(io.cwd, main) || main} (${ir.name}, ${lines} lines)${extra}`);
    });
};
