// Hostile spec files through the real CLI `check`, in one process under a small V8 heap: a 50 MB file, hundreds of
// thousands of statements or tokens, random bytes, a NUL, /dev/zero, control characters. Each gets a few lines of
// diagnostics naming the limit it broke or saying it is not a text file, exit 1, no stack trace, no raw control
// bytes on the terminal.

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from './helpers.ts';

const HEAD = 'network big {\n  input image(8, 8, 1)\n  layers {\n';
const TAIL = '    gap\n    dense(10)\n  }\n}\n';
/** ESC, BEL, CR and the other C0 controls except tab and line feed, and DEL. */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

let status: number | null = null;
let out = '';
/** The lines of the output that belong to one file: its diagnostics' heads and its summary. */
const linesOf = (name: string): string[] => out.split('\n').filter((l) => l.includes(`/${name}`));

beforeAll(() => {
  const dir = tempDir('archc-hostile-');
  const file = (name: string, data: string | Buffer): string => {
    writeFileSync(join(dir, name), data);
    return join(dir, name);
  };
  let s = 12345;
  const random = Buffer.alloc(4096);
  for (let i = 0; i < random.length; i++) random[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
  const files = [
    // 5.2M `relu` statements, 47 MB.
    file('big.arch', HEAD + '    relu\n'.repeat(5_200_000) + TAIL),
    // Under the size and token limits, but 400k statements.
    file('many.arch', HEAD + '  relu\n'.repeat(400_000) + TAIL),
    // 80k statements (under the statement limit) of 13 tokens each.
    file('tokens.arch', HEAD + '    conv(8, kernel 3, stride 1, padding same)\n'.repeat(80_000) + TAIL),
    file('random.arch', random),
    file('nul.arch', 'network n {\n  input image(8, 8, 1)\0\n}\n'),
    file('ctl.arch', HEAD + Array.from({ length: 60 }, (_, i) => `    relu \u001b[31m \u0007 x${i}\r\n`).join('') + TAIL),
    '/dev/zero',
  ];
  // A 192 MB heap: a spec that needed more would die of "heap out of memory".
  const r = spawnSync(process.execPath, ['--max-old-space-size=192', 'bin/archc.js', 'check', ...files], { cwd: ROOT, encoding: 'utf8', timeout: 170_000, maxBuffer: 64 << 20 });
  status = r.status;
  out = r.stdout + r.stderr;
}, 180_000);

describe('hostile spec files through `archc check`', () => {
  it('exit 1, no crash, no stack trace, no raw control character, a verdict for every file', () => {
    expect(status, out.slice(0, 3000)).toBe(1);
    expect(out).not.toMatch(/heap out of memory|internal error|^\s+at .*:\d+:\d+\)?$/m);
    expect(out).not.toMatch(RAW_CONTROL);
    for (const f of ['big', 'many', 'tokens', 'random', 'nul', 'ctl']) expect(out).toMatch(new RegExp(`/${f}\\.arch: \\d+ errors?$`, 'm'));
  });

  it('defect 5: a 50 MB file of 5.2M `relu` statements is refused by its size, before it is read', () => {
    expect(linesOf('big.arch')).toEqual([expect.stringMatching(/big\.arch: error ARCH5008: the file is 44\.6 MiB, more than the limit of 4 MiB$/), expect.stringMatching(/big\.arch: 1 error$/)]);
  });

  it('defect 5: 400k statements get the statement limit at statement 100,001, and no spurious ARCH2013', () => {
    expect(linesOf('many.arch')).toEqual([
      expect.stringMatching(/many\.arch\(100004,3\): error ARCH5010: the file has more than 100000 layer statements/),
      expect.stringMatching(/many\.arch: 1 error$/),
    ]);
  });

  it('defect 5: over 500k tokens in few statements stop the lexer at the token limit', () => {
    expect(linesOf('tokens.arch')).toEqual([
      expect.stringMatching(/tokens\.arch\(\d+,\d+\): error ARCH5009: the file has more than 500000 tokens; reading stopped here$/),
      expect.stringMatching(/tokens\.arch: 1 error$/),
    ]);
  });

  it('defect 13: 4 KB of random bytes is one "not a text file" error, not hundreds of excerpts with raw escapes', () => {
    expect(linesOf('random.arch')).toEqual([
      expect.stringMatching(/random\.arch: error ARCH9002: '[^']*random\.arch' is not a text file: (invalid UTF-8|a NUL byte) at byte \d+ \(line \d+, column \d+\)$/),
      expect.stringMatching(/random\.arch: 1 error$/),
    ]);
  });

  it('defect 13: a NUL names its byte, line and column; /dev/zero neither hangs nor fills memory', () => {
    expect(linesOf('nul.arch')[0]).toMatch(/error ARCH9002: '[^']*nul\.arch' is not a text file: a NUL byte at byte 34 \(line 2, column 23\)$/);
    expect(out).toMatch(/^\/dev\/zero: error ARCH9002: '\/dev\/zero' is not a text file: a NUL byte at byte 0/m);
  });

  it('defect 13: control characters are escaped in excerpts, and only the first 20 diagnostics are shown', () => {
    expect(out).toContain('|     relu \\u{1b}[31m \\u{7} x0');
    expect(linesOf('ctl.arch').filter((l) => / error ARCH\d+/.test(l))).toHaveLength(20);
    expect(out).toMatch(/^… and \d+ more diagnostics \(\d+ in all\)$/m);
  });
});
