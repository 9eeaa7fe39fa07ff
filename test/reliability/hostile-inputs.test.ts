// Hostile inputs beyond the spec fuzzer: damaged dataset files get one clear line naming the file (exit 1, no
// stack); an absurdly large spec is refused by a diagnostic before anything is allocated; output names cannot
// leave --out or land on the input spec; --force only replaces the run's own files.

import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/cli/io.ts';
import { outputPath, prepareOutDir } from '../../src/train/run-control.ts';
import { hasErrors } from '../../src/diagnostics/index.ts';
import { compileText } from '../../src/semantic/compile.ts';
import { ROOT, SHIM, TINY, spawnNode, tempDir, type Exit } from './helpers.ts';

const FASHION = join(ROOT, 'test/reliability/fixtures/tiny-fashion.arch');
const noStack = (e: Exit): void => expect(e.stdout + e.stderr).not.toMatch(/^\s+at .*:\d+:\d+\)?$|training failed|internal error/m);

function idxHeader(magic: number, dims: number[]): Buffer {
  const b = Buffer.alloc(4 + 4 * dims.length);
  b.writeUInt32BE(magic, 0);
  dims.forEach((d, i) => b.writeUInt32BE(d, 4 + 4 * i));
  return b;
}

describe('damaged datasets', () => {
  it('a truncated IDX file and a non-gzip file each fail with one line naming the file', async () => {
    const dir = tempDir('archc-data-');
    // Truncated: the header promises 100 images of 28×28, the body has 10 bytes.
    const images = join(dir, 'train-images-idx3-ubyte.gz');
    writeFileSync(images, gzipSync(Buffer.concat([idxHeader(0x803, [100, 28, 28]), Buffer.alloc(10)])));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(Buffer.concat([idxHeader(0x801, [100]), Buffer.alloc(100)])));
    writeFileSync(join(dir, 't10k-images-idx3-ubyte.gz'), 'this is not gzip');
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'), 'nor this');
    const e = await spawnNode(SHIM, [FASHION, '--data', dir, '--backend', 'cpu', '--out', join(tempDir(), 'run')]);
    expect(e.code, e.stderr).toBe(1);
    noStack(e);
    const line = e.stderr.split('\n').find((l) => l.startsWith('tiny_fashion: '));
    expect(line, e.stderr).toMatch(/(train-images-idx3-ubyte\.gz: truncated|t10k-images-idx3-ubyte\.gz)/);

    // The same folder with the training images repaired: now the garbage test file is named.
    writeFileSync(images, gzipSync(Buffer.concat([idxHeader(0x803, [100, 28, 28]), Buffer.alloc(100 * 28 * 28)])));
    const e2 = await spawnNode(SHIM, [FASHION, '--data', dir, '--backend', 'cpu', '--out', join(tempDir(), 'run')]);
    expect(e2.code, e2.stderr).toBe(1);
    noStack(e2);
    expect(e2.stderr).toMatch(/t10k-images-idx3-ubyte\.gz/);
  });
});

describe('sizes', () => {
  it('conv(60000) on a 4096×4096 input is refused by `archc check` with a diagnostic, quickly and without allocating', () => {
    const t0 = Date.now();
    const r = spawnSync(process.execPath, ['bin/archc.js', 'check', 'test/reliability/regressions/absurd-size.arch'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/error ARCH5004: activations need .* more than the limit/);
    expect(r.stderr + r.stdout).not.toMatch(/internal error|^\s+at /m);
    expect(Date.now() - t0).toBeLessThan(20_000);
  });
});

describe('output names and folders', () => {
  it('a name cannot escape --out', () => {
    for (const bad of ['../x.arch', 'a/b.arch', '..', '.', '', '/etc/passwd', 'a\\b', 'x\0y']) {
      expect(() => outputPath('/tmp/out', bad), bad).toThrow(UserError);
    }
    expect(outputPath('/tmp/out', 'net.pruned.arch')).toBe('/tmp/out/net.pruned.arch');
    // And the lexer never lets such a name through as a network name.
    for (const name of ['..', '../x', 'a/b', '"x"']) expect(hasErrors(compileText(`network ${name} { input image(8, 8, 1) layers { gap dense(10) } }`, 'x.arch').diagnostics)).toBe(true);
  });

  it('never overwrites the input spec, even with --force and --out set to its folder', async () => {
    const dir = tempDir();
    // A spec saved under the name of a file the run writes (any name works for a spec file): --force must not
    // delete or overwrite it.
    const spec = join(dir, 'metrics.jsonl');
    copyFileSync(TINY, spec);
    const before = readFileSync(spec, 'utf8');
    const e = await spawnNode(SHIM, [spec, '--data', 'synthetic', '--steps', '2', '--backend', 'cpu', '--out', dir, '--force']);
    expect(e.code).toBe(1);
    expect(e.stderr).toMatch(/refusing to overwrite the input spec/);
    noStack(e);
    expect(readFileSync(spec, 'utf8')).toBe(before);
    expect(() => prepareOutDir({ outDir: dir, specPath: spec, ir: { name: 'tiny' }, force: true })).toThrow(/refusing to overwrite the input spec/);
    expect(readFileSync(spec, 'utf8')).toBe(before);
  });

  it('--force replaces only the run files; a non-empty folder is refused without it', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'run'));
    const run = join(dir, 'run');
    writeFileSync(join(run, 'metrics.jsonl'), '{"step":1}\n');
    writeFileSync(join(run, 'notes.txt'), 'mine');
    expect(() => prepareOutDir({ outDir: run, specPath: TINY, ir: { name: 'tiny' } })).toThrow(/is not empty; pass --force/);
    // No run.json says metrics.jsonl is a run's: --force refuses rather than overwrite it (issue 15 #3).
    expect(() => prepareOutDir({ outDir: run, specPath: TINY, ir: { name: 'tiny' }, force: true })).toThrow(/no run\.json of an archc run: 'metrics\.jsonl'/);
    writeFileSync(join(run, 'run.json'), JSON.stringify({ archcRun: 1, id: 'earlier', files: ['metrics.jsonl', 'run.json'] }));
    prepareOutDir({ outDir: run, specPath: TINY, ir: { name: 'tiny' }, force: true });
    expect(existsSync(join(run, 'metrics.jsonl'))).toBe(false);
    expect(readFileSync(join(run, 'notes.txt'), 'utf8')).toBe('mine');
    // A temp file left by a process killed mid-checkpoint is tidied when the folder is used again.
    writeFileSync(join(run, '.checkpoint.archckpt.123.abcd.tmp'), 'torn');
    prepareOutDir({ outDir: run, specPath: TINY, ir: { name: 'tiny' }, resume: true });
    expect(existsSync(join(run, '.checkpoint.archckpt.123.abcd.tmp'))).toBe(false);
    writeFileSync(join(dir, 'file'), 'x');
    expect(() => prepareOutDir({ outDir: join(dir, 'file'), specPath: TINY, ir: { name: 'tiny' }, force: true })).toThrow(/is a file/);
  });
});
