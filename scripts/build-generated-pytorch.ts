// Regenerates generated/pytorch/ (`npx tsx scripts/build-generated-pytorch.ts`): `<network>.py` for every spec in
// specs/ plus the archc_torch runtime, the committed output of `archc build --target pytorch`, which
// test/codegen/pytorch/generated.test.ts rebuilds in memory and compares byte for byte. Files carrying the archc
// header whose spec (or runtime source) is gone are removed.

import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { specDisplayPath, PACKAGE_ROOT } from '../src/codegen/index.ts';
import { generatePytorchModule, pytorchRuntimeFiles, PY_GENERATED_MARK, PYTORCH_OUT_DIR, RUNTIME_PACKAGE, type GeneratedFile } from '../src/codegen/pytorch/index.ts';
import { writeFileAtomic } from '../src/codegen/build.ts';
import { compileFile } from '../src/semantic/compile.ts';
import { hasErrors } from '../src/diagnostics/index.ts';
import { specFiles } from './build-generated.ts';

export const PYTORCH_DIR = join(PACKAGE_ROOT, PYTORCH_OUT_DIR);

/** Every file of generated/pytorch/, built in memory from the package root. */
export async function buildAllPytorch(): Promise<{ files: GeneratedFile[]; failed: string[] }> {
  const files: GeneratedFile[] = [];
  const failed: string[] = [];
  for (const spec of specFiles()) {
    const abs = join(PACKAGE_ROOT, spec);
    const c = await compileFile(abs, spec);
    if (!c.ir || hasErrors(c.diagnostics)) {
      failed.push(spec);
      continue;
    }
    files.push(generatePytorchModule(c.ir, c.source, { specPath: specDisplayPath(abs, PACKAGE_ROOT) }));
  }
  return { files: [...files, ...pytorchRuntimeFiles()], failed };
}

/** Generated files now on disk (top-level .py modules and the runtime package). */
export function pytorchFilesOnDisk(): string[] {
  if (!existsSync(PYTORCH_DIR)) return [];
  const top = readdirSync(PYTORCH_DIR).filter((f) => f.endsWith('.py'));
  const rt = existsSync(join(PYTORCH_DIR, RUNTIME_PACKAGE)) ? readdirSync(join(PYTORCH_DIR, RUNTIME_PACKAGE)).filter((f) => f.endsWith('.py')).map((f) => `${RUNTIME_PACKAGE}/${f}`) : [];
  return [...top, ...rt].filter((f) => readFileSync(join(PYTORCH_DIR, f), 'utf8').startsWith(PY_GENERATED_MARK)).sort();
}

async function main(): Promise<number> {
  const { files, failed } = await buildAllPytorch();
  for (const f of files) {
    const dest = join(PYTORCH_DIR, f.path);
    const old = existsSync(dest) ? readFileSync(dest, 'utf8') : null;
    if (old === f.text) continue;
    writeFileAtomic(dest, f.text);
    process.stdout.write(`${old === null ? 'wrote' : 'updated'} ${PYTORCH_OUT_DIR}/${f.path}\n`);
  }
  const keep = new Set(files.map((f) => f.path));
  if (failed.length === 0) {
    for (const f of pytorchFilesOnDisk()) {
      if (keep.has(f)) continue;
      rmSync(join(PYTORCH_DIR, f));
      process.stdout.write(`removed ${PYTORCH_OUT_DIR}/${f}\n`);
    }
  }
  for (const s of failed) process.stderr.write(`${s}: not built (run archc check on it)\n`);
  process.stdout.write(`${files.length} files in ${PYTORCH_OUT_DIR}/\n`);
  return failed.length > 0 ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = await main();
