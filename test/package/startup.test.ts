// Which modules each command loads, seen from outside: the compiled CLI runs under a resolve hook that logs every
// module URL. `check`, `stats`, `fmt` and `diff` must start without tfjs, its wasm backend, ts-morph or the runtime
// (that is what keeps them near `node -e 0`); `build` needs ts-morph but not tfjs, and `train` the runtime. archc's
// own code is bundled (dist/bundle/): each loaded chunk is mapped back to the source files it holds through the
// bundle's metafile, so "loads the runtime" still means "loads a chunk holding src/runtime/".

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/codegen/package-root.ts';

const HOOK = join(PACKAGE_ROOT, 'test/package/fixtures/record-loads.mjs');

const BUNDLE = join(PACKAGE_ROOT, 'dist/bundle');
/** esbuild's metafile outputs: chunk path (from the package root) → the source files bundled into it. */
const META = JSON.parse(readFileSync(join(BUNDLE, 'meta.json'), 'utf8')) as Record<string, { inputs: Record<string, unknown> }>;

/**
 * What `archc ARGS` loaded, after checking that it exited 0: every resolved URL outside the bundle (packages, Node
 * built-ins) and, for each bundle chunk, `file://<root>/<source path>` of each file in it, as if it were unbundled.
 */
function loadedBy(args: string[]): string[] {
  return resolvedBy(args).flatMap((url) => {
    if (!url.startsWith(pathToFileURL(BUNDLE).href)) return [url];
    const chunk = relative(PACKAGE_ROOT, fileURLToPath(url)).split(sep).join('/');
    const out = META[chunk];
    if (out === undefined) throw new Error(`${chunk} is not in dist/bundle/meta.json: rebuild (npm run build)`);
    return Object.keys(out.inputs).map((input) => pathToFileURL(join(PACKAGE_ROOT, input)).href);
  });
}

/** The module URLs `archc ARGS` resolved, after checking that it exited 0. */
function resolvedBy(args: string[]): string[] {
  const log = join(mkdtempSync(join(tmpdir(), 'archc-loads-')), 'loads.txt');
  const r = spawnSync(process.execPath, ['--import', HOOK, 'bin/archc.js', ...args], {
    cwd: PACKAGE_ROOT,
    encoding: 'utf8',
    env: { ...process.env, ARCHC_LOAD_LOG: log },
  });
  expect(r.status, r.stderr).toBe(0);
  return readFileSync(log, 'utf8').trim().split('\n');
}

const HEAVY: [string, RegExp][] = [
  ['@tensorflow/tfjs', /\/node_modules\/@tensorflow\/tfjs\//],
  ['@tensorflow/tfjs-backend-wasm', /\/node_modules\/@tensorflow\/tfjs-backend-wasm\//],
  ['ts-morph', /\/node_modules\/ts-morph\//],
  ['the runtime', /\/src\/runtime\//],
  ['codegen', /\/src\/codegen\/(?!package-root)/],
];

describe('startup: each command loads only what it needs', () => {
  const light: [string, string[]][] = [
    ['check', ['check', 'specs/fashion-cnn.arch']],
    ['stats', ['stats', 'specs/resnet50.arch', '--json']],
    ['fmt', ['fmt', 'specs/fashion-cnn.arch']],
    ['diff', ['diff', 'specs/fashion-cnn.arch', 'specs/fashion-cnn.arch']],
  ];
  for (const [name, args] of light) {
    it(`${name} loads the compiled front end and none of tfjs, wasm, ts-morph, the runtime or codegen`, () => {
      const urls = loadedBy(args);
      expect(urls.some((u) => u.includes('/src/syntax/'))).toBe(true);
      expect(urls.some((u) => u.includes('/node_modules/chevrotain/')), 'chevrotain is bundled').toBe(true);
      expect(resolvedBy(args).filter((u) => u.includes('/node_modules/chevrotain/')), 'and not loaded module by module').toEqual([]);
      expect(urls.some((u) => u.includes('/node_modules/tsx/'))).toBe(false);
      for (const [what, re] of HEAVY) expect(urls.filter((u) => re.test(u)), what).toEqual([]);
    });
  }

  it('build loads ts-morph, and not tfjs or the runtime', () => {
    const out = mkdtempSync(join(tmpdir(), 'archc-build-'));
    const urls = loadedBy(['build', 'specs/fashion-cnn.arch', '-o', out]);
    expect(urls.some((u) => /\/node_modules\/ts-morph\//.test(u))).toBe(true);
    for (const [what, re] of HEAVY.filter(([what]) => what !== 'ts-morph' && what !== 'codegen')) expect(urls.filter((u) => re.test(u)), what).toEqual([]);
  });

  it('train loads the runtime', () => {
    const urls = loadedBy(['train', '--help']);
    expect(urls.some((u) => u.includes('/src/runtime/'))).toBe(true);
  });
});
