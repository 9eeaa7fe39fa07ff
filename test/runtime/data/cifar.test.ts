// CIFAR-10 binary batches written in the true record layout: plane order to NHWC, labels, the nested
// cifar-10-batches-bin directory, and the corruption cases.

import { mkdirSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCifar10Directory, parseCifarBatch } from '../../../src/runtime/data/index.ts';
import { cifarBytes, cifarPixel, expectDataError, tempDir, writeCifarDir } from './fixtures.ts';

const HINT = 'pass its cifar-10-batches-bin directory';

describe('CIFAR-10 loader', () => {
  it('converts plane-ordered records to NHWC with the right labels', () => {
    const split = parseCifarBatch('x.bin', cifarBytes([3, 7], 0));
    expect([split.count, split.height, split.width, split.channels]).toEqual([2, 32, 32, 3]);
    expect(Array.from(split.labels)).toEqual([3, 7]);
    for (const [r, y, x, c] of [[0, 0, 0, 0], [0, 0, 0, 2], [1, 31, 31, 1], [1, 5, 17, 2], [0, 12, 0, 1]] as const) {
      expect(split.pixels[((r * 32 + y) * 32 + x) * 3 + c]).toBe(cifarPixel(r, y, x, c));
    }
  });

  it('loads five train batches in order and the test batch', () => {
    const dir = tempDir();
    writeCifarDir(dir, 3, 4);
    const { train, test } = loadCifar10Directory(dir, HINT);
    expect(train.count).toBe(15);
    expect(test.count).toBe(4);
    expect(Array.from(train.labels)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4]);
    // Record 13 sits in data_batch_5 at index 1.
    expect(train.pixels[((13 * 32 + 2) * 32 + 9) * 3 + 1]).toBe(cifarPixel(13, 2, 9, 1));
  });

  it('finds the nested cifar-10-batches-bin directory', () => {
    const dir = tempDir();
    writeCifarDir(join(dir, 'cifar-10-batches-bin'));
    expect(loadCifar10Directory(dir, HINT).test.count).toBe(4);
  });

  it('truncated batch: size not a multiple of 3073', () => {
    const dir = tempDir();
    writeCifarDir(dir);
    const f = join(dir, 'data_batch_3.bin');
    truncateSync(f, 1200);
    expectDataError(() => loadCifar10Directory(dir, HINT), f, /size 1200 is not a multiple of 3073/);
  });

  it('CIFAR-100 style records are recognised as the wrong format', () => {
    const dir = tempDir();
    writeCifarDir(dir);
    const f = join(dir, 'test_batch.bin');
    writeFileSync(f, Buffer.alloc(3074 * 2));
    expectDataError(() => loadCifar10Directory(dir, HINT), f, /fits CIFAR-100/);
  });

  it('label out of range', () => {
    const dir = tempDir();
    writeCifarDir(dir);
    const f = join(dir, 'data_batch_1.bin');
    writeFileSync(f, cifarBytes([1, 42]));
    expectDataError(() => loadCifar10Directory(dir, HINT), f, /label 42 in record 1 is out of range/);
  });

  it('empty and missing batch files', () => {
    const dir = tempDir();
    writeCifarDir(dir);
    const empty = join(dir, 'data_batch_2.bin');
    writeFileSync(empty, '');
    expectDataError(() => loadCifar10Directory(dir, HINT), empty, /empty file/);
    const missing = join(dir, 'data_batch_4.bin');
    writeCifarDir(dir);
    unlinkSync(missing);
    const err = expectDataError(() => loadCifar10Directory(dir, HINT), missing, /missing file/);
    expect(err.message).toContain(HINT);
  });

  it('missing directory names the first file it needs', () => {
    const dir = join(tempDir(), 'absent');
    mkdirSync(join(dir, '..'), { recursive: true });
    expectDataError(() => loadCifar10Directory(dir, HINT), join(dir, 'data_batch_1.bin'), /missing file/);
  });
});
