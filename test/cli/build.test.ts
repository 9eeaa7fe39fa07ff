// `archc build`: writes <out>/<name>.ts identical to the committed generated/ file (but for the lines naming -o),
// type-checked; a trainer built outside the package runs there (issue 15 #11); renders diagnostics and writes
// nothing for a broken spec, refuses to overwrite its input, and always exits 0 or 1 without a stack trace.

import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/codegen/index.ts';
import { runCli } from './helpers.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'archc-build-'));
});

describe('archc build', () => {
  it('writes a type-checked module equal to generated/ but for the lines that name its -o folder', async () => {
    const out = join(dir, 'check');
    const cli = await runCli(['build', 'specs/resnet20.arch', '-o', out]);
    expect(cli.code, cli.err).toBe(0);
    const written = readFileSync(join(out, 'resnet20.ts'), 'utf8').split('\n');
    const committed = readFileSync(join(PACKAGE_ROOT, 'generated', 'resnet20.ts'), 'utf8').split('\n');
    expect(written.length).toBe(committed.length);
    const differing = written.map((l, i) => [l, committed[i]] as const).filter(([a, b]) => a !== b);
    expect(differing.map(([a]) => /^(\/\/ \w+|\s*\w+):/.exec(a)?.[1]?.trim())).toEqual(['// Regenerate', '// Train', 'specUrl']);
    expect(written[2]).toBe(`// Regenerate: npx archc build specs/resnet20.arch -o ${out}`);
    expect(cli.stdout[0]).toMatch(/^wrote .*check\/resnet20\.ts \(resnet20, \d+ lines, type-checked\)$/);
    expect(cli.stderr).toEqual([]);
    // Atomic: no temporary file is left behind; the folder is outside the package, so it is made runnable.
    expect(readdirSync(out).sort()).toEqual(['node_modules', 'package.json', 'resnet20.ts']);
  }, 120_000);

  it('a trainer built with -o outside the package runs from any folder, finds its spec, and names the real command', async () => {
    mkdirSync(join(dir, 'specs'));
    copyFileSync(join(PACKAGE_ROOT, 'test/reliability/fixtures/tiny.arch'), join(dir, 'specs', 'tiny.arch'));
    const cli = await runCli(['build', 'specs/tiny.arch', '-o', 'trainers', '--no-typecheck'], { cwd: dir });
    expect(cli.code, cli.err).toBe(0);
    expect(cli.out).toContain('not type-checked');
    const text = readFileSync(join(dir, 'trainers', 'tiny.ts'), 'utf8');
    expect(text.split('\n').slice(2, 4)).toEqual(['// Regenerate: npx archc build specs/tiny.arch -o trainers', '// Train: npx tsx trainers/tiny.ts --help']);
    const tsx = join(PACKAGE_ROOT, 'node_modules', '.bin', 'tsx');
    const help = spawnSync(tsx, ['trainers/tiny.ts', '--help'], { cwd: dir, encoding: 'utf8' });
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toContain('--resume <dir>');
    // From another working directory: the module finds its spec next to itself, not relative to the cwd.
    const elsewhere = mkdtempSync(join(tmpdir(), 'archc-elsewhere-'));
    const run = spawnSync(tsx, [join(dir, 'trainers', 'tiny.ts'), '--data', 'synthetic', '--steps', '2', '--backend', 'cpu', '--synthetic-size', '16', '--eval-limit', '8', '--out', 'run'], { cwd: elsewhere, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(existsSync(join(elsewhere, 'run', 'tiny.pruned.arch'))).toBe(true);
    expect((JSON.parse(readFileSync(join(elsewhere, 'run', 'run.json'), 'utf8')) as { spec: string }).spec).toBe(realpathSync(join(dir, 'specs', 'tiny.arch')));
  }, 120_000);

  it('renders diagnostics like check, exits 1 and writes nothing for a broken spec', async () => {
    writeFileSync(join(dir, 'bad.arch'), 'network bad {\n  input image(8, 8, 1)\n  layers { conv(0, kernel 3) dense(2) }\n}\n');
    const cli = await runCli(['build', 'bad.arch', '-o', 'out'], { cwd: dir });
    expect(cli.code).toBe(1);
    const err = cli.err;
    expect(err).toMatch(/bad\.arch\(3,\d+\): error ARCH\d{4}/);
    expect(err).toMatch(/nothing written/);
    expect(err).not.toMatch(/\n\s+at /); // no stack trace
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('reports a missing file with exit 1', async () => {
    const cli = await runCli(['build', 'nope.arch'], { cwd: dir });
    expect(cli.code).toBe(1);
    expect(cli.err).toMatch(/ARCH9001.*nope\.arch/);
  });

  it('refuses to overwrite its input', async () => {
    // A spec saved as net.ts would be overwritten by `-o .`: refused.
    const spec = 'network net {\n  input image(8, 8, 1)\n  layers { flatten dense(2) }\n}\n';
    writeFileSync(join(dir, 'net.ts'), spec);
    const cli = await runCli(['build', 'net.ts', '-o', '.'], { cwd: dir });
    expect(cli.code).toBe(1);
    expect(cli.err).toMatch(/refusing to overwrite the input net\.ts/);
    expect(readFileSync(join(dir, 'net.ts'), 'utf8')).toBe(spec);
  });

  it('defaults to generated/ under the working directory', async () => {
    writeFileSync(join(dir, 'tiny.arch'), 'network tiny {\n  input image(8, 8, 1)\n  layers { flatten dense(2) }\n}\n');
    const cli = await runCli(['build', 'tiny.arch', '--no-typecheck'], { cwd: dir });
    expect(cli.code).toBe(0);
    expect(readFileSync(join(dir, 'generated', 'tiny.ts'), 'utf8')).toMatch(/^\/\/ Generated by archc — DO NOT EDIT\.\n\/\/ Source: tiny\.arch/);
  });
});
