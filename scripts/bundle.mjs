// The second half of `npm run build` (tsc writes dist/src/**/*.d.ts first): bundles the CLI and the two package
// entry points (`archc/runtime`, `archc/trainer`) with esbuild into dist/bundle/, one build with code splitting, so
// every module exists once however it is reached (a generated trainer importing `archc/runtime` and `archc train`
// share the same chunks) and each command's lazy `import()` stays a separate chunk. Chevrotain is bundled in (its
// 50 small modules cost ~55 ms of CPU to load one by one, a sixth of `archc check`); the other dependencies stay
// external packages. dist/bundle/meta.json (esbuild's metafile: which source files each chunk holds) lets the
// startup test see which parts of archc a command loaded.

import { rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../', import.meta.url));
const outdir = `${root}dist/bundle`;
const pkg = JSON.parse(await readFile(`${root}package.json`, 'utf8'));
const BUNDLED = new Set(['chevrotain']);
const external = Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies, ...pkg.devDependencies })
  .filter((name) => !BUNDLED.has(name))
  .flatMap((name) => [name, `${name}/*`]);

rmSync(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { cli: 'src/cli/main.ts', runtime: 'src/runtime/index.ts', trainer: 'src/train/trainer-main.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  // Error and class names appear in messages; never let the bundler rename them apart.
  keepNames: true,
  chunkNames: 'chunks/[name]-[hash]',
  metafile: true,
  logLevel: 'warning',
});
writeFileSync(`${outdir}/meta.json`, `${JSON.stringify(result.metafile.outputs)}\n`);
