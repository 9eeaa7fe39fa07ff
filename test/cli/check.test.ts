// `archc check`: rendered diagnostics (`file(line,col): error CODE: message`, source line, underline) and
// exit 1 on errors; a one-line summary and exit 0 when clean; a missing file is an error, never a stack.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Io } from '../../src/cli/io.ts';
import { run } from '../../src/cli/main.ts';

interface Captured extends Io {
  stdout: string[];
  stderr: string[];
}

function capture(cwd: string): Captured {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => void stdout.push(t), err: (t) => void stderr.push(t), isTTY: false, cwd };
}

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
    const io = capture(dir);
    expect(await run(['check', 'good.arch'], io)).toBe(0);
    expect(io.stdout).toEqual(['good.arch: ok: n, 5 layers, 178 params (178), 56.5k MACs, 2 mask groups (0 maskable)']);
    expect(io.stderr).toEqual([]);
  });

  it('renders each error with position, source line and underline, and exits 1', async () => {
    const io = capture(dir);
    expect(await run(['check', 'bad.arch'], io)).toBe(1);
    const err = io.stderr.join('\n');
    expect(err).toContain("bad.arch(4,5): error ARCH2001: unknown layer 'convv'; did you mean 'conv'?\n4 |     convv(8, kernel 3)\n  |     ~~~~~");
    expect(err).toContain('bad.arch: 1 error');
    expect(err).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('checks several files, reporting each, and fails if any fails', async () => {
    const io = capture(dir);
    expect(await run(['check', 'good.arch', 'bad.arch', 'syntax.arch'], io)).toBe(1);
    expect(io.stdout.join('\n')).toContain('good.arch: ok');
    expect(io.stderr.join('\n')).toMatch(/syntax\.arch\(\d+,\d+\): error ARCH1/);
  });

  it('a missing file is a clear error with exit 1', async () => {
    const io = capture(dir);
    expect(await run(['check', 'nope.arch'], io)).toBe(1);
    expect(io.stderr.join('\n')).toContain("nope.arch: error ARCH9001: cannot read file 'nope.arch': no such file");
  });

  it('every shipped spec checks cleanly', async () => {
    const specs = resolve(new URL('../../specs', import.meta.url).pathname);
    const names = ['vgg16', 'resnet20', 'resnet56', 'wrn28-10', 'mobilenetv1', 'resnet50', 'lstm-ptb', 'fashion-cnn', 'fashion-resnet', 'kjv-lstm'];
    const io = capture(specs);
    expect(await run(['check', ...names.map((n) => `${n}.arch`)], io)).toBe(0);
    expect(io.stdout).toHaveLength(names.length);
  });
});
