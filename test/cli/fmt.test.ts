// `archc fmt`: stdout by default, --check lists unformatted files, --write rewrites atomically, and
// syntax errors are rendered diagnostics with exit 1 (never a stack trace, never a write).

import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './helpers.ts';

const CANONICAL = 'network n {\n  input image(28, 28, 1)\n  layers {\n    conv(8, kernel 3)  bn  # c\n    relu\n  }\n}\n';
const MESSY = 'network n { input image(28,28,1)\n layers { conv(8,kernel 3) bn # c\n relu } }';
const BROKEN = 'network n {\n  layers {\n    conv(8, kernel 3 {\n  }\n}\n';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'archc-fmt-'));
  writeFileSync(join(dir, 'good.arch'), CANONICAL);
  writeFileSync(join(dir, 'messy.arch'), MESSY);
  writeFileSync(join(dir, 'broken.arch'), BROKEN);
});

describe('archc fmt', () => {
  it('prints the canonical form to stdout', async () => {
    const cli = await runCli(['fmt', 'messy.arch'], { cwd: dir });
    expect(cli.code).toBe(0);
    expect(cli.stdout.join('')).toBe(CANONICAL);
    expect(readFileSync(join(dir, 'messy.arch'), 'utf8')).toBe(MESSY);
  });

  it('--check passes on formatted files', async () => {
    const cli = await runCli(['fmt', '--check', 'good.arch'], { cwd: dir });
    expect(cli.code).toBe(0);
    expect(cli.stdout).toEqual([]);
  });

  it('--check lists files that would change and exits 1', async () => {
    const cli = await runCli(['fmt', '--check', 'good.arch', 'messy.arch'], { cwd: dir });
    expect(cli.code).toBe(1);
    expect(cli.stdout).toEqual(['messy.arch']);
    expect(cli.err).toContain('1 file would be reformatted');
  });

  it('--write rewrites in place, leaves no temporary file, and is then clean', async () => {
    const cli = await runCli(['fmt', '--write', 'messy.arch', 'good.arch'], { cwd: dir });
    expect(cli.code).toBe(0);
    expect(readFileSync(join(dir, 'messy.arch'), 'utf8')).toBe(CANONICAL);
    expect(cli.stdout).toEqual(['formatted messy.arch']);
    expect(readdirSync(dir).sort()).toEqual(['broken.arch', 'good.arch', 'messy.arch']);
    expect((await runCli(['fmt', '--check', 'messy.arch'], { cwd: dir })).code).toBe(0);
  });

  it('renders syntax errors with position, code, source line and underline, exits 1 and never writes', async () => {
    const cli = await runCli(['fmt', '--write', 'broken.arch'], { cwd: dir });
    expect(cli.code).toBe(1);
    expect(cli.err).toBe(
      [
        "broken.arch(3,22): error ARCH1003: expected ',' or ')' after arguments of 'conv' but found '{'",
        '3 |     conv(8, kernel 3 {',
        '  |                      ~',
      ].join('\n'),
    );
    expect(readFileSync(join(dir, 'broken.arch'), 'utf8')).toBe(BROKEN);
  });

  it('--check reports syntax errors too, and still checks the other files', async () => {
    const cli = await runCli(['fmt', '--check', 'broken.arch', 'messy.arch'], { cwd: dir });
    expect(cli.code).toBe(1);
    expect(cli.err).toContain('broken.arch(3,22): error ARCH1003');
    expect(cli.stdout).toEqual(['messy.arch']);
  });

  it('reports a missing file as a diagnostic', async () => {
    const cli = await runCli(['fmt', 'nope.arch'], { cwd: dir });
    expect(cli.code).toBe(1);
    expect(cli.err).toMatch(/^nope\.arch: error ARCH9001: cannot read file 'nope\.arch': ENOENT/);
  });

  it('refuses --check together with --write', async () => {
    const cli = await runCli(['fmt', '--check', '--write', 'good.arch'], { cwd: dir });
    expect(cli.code).toBe(1);
    expect(cli.err).toContain('use either --check or --write');
  });
});
