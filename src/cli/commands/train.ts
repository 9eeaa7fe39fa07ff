// `archc train FILE.arch [flags]`: the one-command path. Builds the spec's trainer module into a folder inside the
// package (.archc/build/<name>-<hash>/, where the `archc/runtime` self-reference resolves), imports it, and runs
// its `main` in this process with the same flags a generated trainer takes (see trainer-main.ts). The module is
// stored as JavaScript (transpiled with ts-morph's TypeScript) so an installed archc runs it with no TS loader.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { ts } from 'ts-morph';
import { buildSpecFile, writeFileAtomic } from '../../codegen/build.ts';
import { PACKAGE_ROOT } from '../../codegen/index.ts';
import { TRAINER_FLAGS } from '../trainer-main.ts';
import { reportCompiled } from '../compile-or-report.ts';
import { UserError, type Io } from '../io.ts';
import type { RegisterCommand } from './index.ts';

/** Where `archc train` builds modules (gitignored). Content-addressed: an unchanged spec reuses its module. */
export const BUILD_CACHE_DIR = join(PACKAGE_ROOT, '.archc', 'build');

type GeneratedMain = (argv: readonly string[], io?: Io) => Promise<number>;

export const registerTrain: RegisterCommand = (program: Command, io: Io, setExit: (code: number) => void) => {
  const cmd = program
    .command('train')
    .description('build a spec into a trainer module and run it: train, evaluate, compact')
    .argument('<file>', '.arch spec');
  for (const f of TRAINER_FLAGS) cmd.option(f.flags, f.description);
  cmd.action(async (file: string, _opts: unknown, self: Command) => {
    const r = await buildSpecFile(file, io.cwd);
    const ir = reportCompiled(file, r.compiled, io, setExit, 'not trained');
    if (!ir || !r.module) return;
    const hash = createHash('sha256').update(r.module.text).digest('hex').slice(0, 12);
    const dest = join(BUILD_CACHE_DIR, `${ir.name}-${hash}`, r.module.fileName.replace(/\.ts$/, '.js'));
    const js = toJavaScript(r.module.text);
    if (!existsSync(dest) || readFileSync(dest, 'utf8') !== js) writeFileAtomic(dest, js);
    let main: unknown;
    try {
      const mod = (await import(pathToFileURL(dest).href)) as Record<string, unknown>;
      main = mod['main'];
    } catch (e) {
      throw new UserError(`cannot load the built module ${dest}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (typeof main !== 'function') throw new UserError(`the built module ${dest} has no main()`);
    setExit(await (main as GeneratedMain)(forwardedArgs(self), io));
  });
};

/** The generated module as an ES module: types erased, nothing else changed (it imports only `archc/*`). */
function toJavaScript(text: string): string {
  const options = { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false };
  return ts.transpileModule(text, { compilerOptions: options }).outputText;
}

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
