// The shared atomic write: the new contents replace the old in one step, the folder holds no temporary file after
// success or failure, and a failed write leaves the old file as it was.

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic, writeFileAtomicSync } from '../../src/io/atomic-write.ts';

const fresh = (): string => mkdtempSync(join(tmpdir(), 'archc-atomic-'));

describe('writeFileAtomicSync / writeFileAtomic', () => {
  it('replaces a file and leaves nothing else in the folder', async () => {
    const dir = fresh();
    const p = join(dir, 'model.json');
    writeFileSync(p, 'old');
    writeFileAtomicSync(p, 'new text');
    expect(readFileSync(p, 'utf8')).toBe('new text');
    await writeFileAtomic(p, new Uint8Array([1, 2, 3]));
    expect([...readFileSync(p)]).toEqual([1, 2, 3]);
    expect(readdirSync(dir)).toEqual(['model.json']);
  });

  it('creates missing folders when asked', () => {
    const p = join(fresh(), 'a', 'b', 'x.ts');
    writeFileAtomicSync(p, 'x', { mkdir: true });
    expect(readFileSync(p, 'utf8')).toBe('x');
  });

  it('removes its temporary file when the rename fails, and rethrows', async () => {
    const dir = fresh();
    const target = join(dir, 'busy');
    mkdirSync(join(target, 'inner'), { recursive: true }); // a non-empty folder cannot be renamed over
    expect(() => writeFileAtomicSync(target, 'data')).toThrow();
    await expect(writeFileAtomic(target, 'data')).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['busy']);
    expect(readdirSync(target)).toEqual(['inner']);
  });
});
