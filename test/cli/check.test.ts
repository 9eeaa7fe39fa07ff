// `archc check`: rendered diagnostics (`file(line,col): error CODE: message`, source line, underline) and
// exit 1 on errors; a one-line summary and exit 0 when clean; a missing file is an error, never a stack.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './helpers.ts';

const GOOD = 'network n {\n  input image(28, 28, 1)\n  layers {\n    conv(8, kernel 3)  bn  relu\n    gap\n    dense(10)\n  }\n}\n';
const BAD = 'network n {\n  input image(28, 28, 1)\n  layers {\n    convv(8, kernel 3)\n    conv(8, kernel 50, padding valid)\n    gap\n    dense(10)\n  }\n}\n';
const SYNTAX = 'network n {\n  layers {\n    conv(8, kernel 3 {\n  }\n}\n';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'archc-check-'));
  writeFileSync(join(dir, 'good.arch'), GOOD);
  writeFileSync(join(dir, 'bad.arch'), BAD);
  writeFileSync(join(dir, 'syntax.arch'), SYNTAX);
});

describe('archc check', () => {
  it('prints a summary and exits 0 for a clean file', async () => {
    const cli = await runCli(['check', 'good.arch'], { cwd: dir });
    expect(cli.code).toBe(0);
    expect(cli.stdout).toEqual(['good.arch: ok: n, 5 layers, 178 params (178), 56.5k MACs, 2 mask groups (0 maskable)']);
    expect(cli.stderr).toEqual([]);
  });

  it('renders each error with position, source line and underline, and exits 1', async () => {
    const cli = await runCli(['check', 'bad.arch'], { cwd: dir });
    expect(cli.code).toBe(1);
    const err = cli.err;
    expect(err).toContain("bad.arch(4,5): error ARCH2001: unknown layer 'convv'; did you mean 'conv'?\n4 |     convv(8, kernel 3)\n  |     ~~~~~");
    expect(err).toContain('bad.arch: 1 error');
    expect(err).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('checks several files, reporting each, and fails if any fails', async () => {
    const cli = await runCli(['check', 'good.arch', 'bad.arch', 'syntax.arch'], { cwd: dir });
    expect(cli.code).toBe(1);
    expect(cli.out).toContain('good.arch: ok');
    expect(cli.err).toMatch(/syntax\.arch\(\d+,\d+\): error ARCH1/);
  });

  it('a missing file is a clear error with exit 1', async () => {
    const cli = await runCli(['check', 'nope.arch'], { cwd: dir });
    expect(cli.code).toBe(1);
    expect(cli.err).toContain("nope.arch: error ARCH9001: cannot read file 'nope.arch': no such file");
  });

  it('every shipped spec checks cleanly', async () => {
    const specs = resolve(new URL('../../specs', import.meta.url).pathname);
    const names = ['vgg16', 'resnet20', 'resnet56', 'wrn28-10', 'mobilenetv1', 'resnet50', 'lstm-ptb', 'fashion-cnn', 'fashion-resnet', 'kjv-lstm'];
    const cli = await runCli(['check', ...names.map((n) => `${n}.arch`)], { cwd: specs });
    expect(cli.code).toBe(0);
    expect(cli.stdout).toHaveLength(names.length);
  });
});
