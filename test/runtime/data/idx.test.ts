// IDX loader on format-true fixtures: raw and gzip, values and shapes, and every corruption case ending in a
// DataError that names the file.

import { readFileSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadIdxDirectory } from '../../../src/runtime/data/index.ts';
import { expectDataError, idxBytes, imagePixels, tempDir, writeIdxDir } from './fixtures.ts';

const HINT = 'apt-get install dataset-fashion-mnist';

describe('IDX loader', () => {
  for (const gzip of [false, true]) {
    it(`loads ${gzip ? 'gzip' : 'raw'} files: values, shapes, labels`, () => {
      const dir = tempDir();
      writeIdxDir(dir, { train: 12, test: 5, rows: 4, cols: 3, gzip });
      const { train, test } = loadIdxDirectory(dir, 10, HINT);
      expect([train.count, train.height, train.width, train.channels]).toEqual([12, 4, 3, 1]);
      expect(test.count).toBe(5);
      expect(Array.from(train.pixels)).toEqual(Array.from(imagePixels(12, 12)));
      expect(Array.from(train.labels)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
      expect(train.labels).toBeInstanceOf(Int32Array);
    });
  }

  it('accepts the train-images.idx3-ubyte spelling', () => {
    const dir = tempDir();
    writeIdxDir(dir);
    for (const [from, to] of [
      ['train-images-idx3-ubyte', 'train-images.idx3-ubyte'],
      ['t10k-labels-idx1-ubyte', 't10k-labels.idx1-ubyte'],
    ]) {
      writeFileSync(join(dir, to!), readFileSync(join(dir, from!)));
      unlinkSync(join(dir, from!));
    }
    expect(loadIdxDirectory(dir, 10, HINT).train.count).toBe(12);
  });

  it('missing directory/file: says how to get the data', () => {
    const dir = join(tempDir(), 'nowhere');
    const err = expectDataError(() => loadIdxDirectory(dir, 10, HINT), join(dir, 'train-images-idx3-ubyte.gz'), /missing file/);
    expect(err.message).toContain(HINT);
  });

  it('empty file', () => {
    const dir = tempDir();
    writeIdxDir(dir);
    const f = join(dir, 'train-labels-idx1-ubyte');
    writeFileSync(f, '');
    expectDataError(() => loadIdxDirectory(dir, 10, HINT), f, /empty file/);
  });

  it('truncated raw file: expected vs found byte counts', () => {
    const dir = tempDir();
    writeIdxDir(dir, { train: 12, rows: 4, cols: 3 });
    const f = join(dir, 'train-images-idx3-ubyte');
    truncateSync(f, 100);
    expectDataError(() => loadIdxDirectory(dir, 10, HINT), f, /truncated: expected 160 bytes, found 100/);
  });

  it('truncated gzip stream', () => {
    const dir = tempDir();
    writeIdxDir(dir, { gzip: true });
    const f = join(dir, 't10k-images-idx3-ubyte.gz');
    const gz = readFileSync(f);
    writeFileSync(f, gz.subarray(0, gz.length - 12));
    expectDataError(() => loadIdxDirectory(dir, 10, HINT), f, /corrupt or truncated gzip/);
  });

  it('gzip of a truncated IDX: says the decompressed size', () => {
    const dir = tempDir();
    writeIdxDir(dir, { gzip: true });
    const f = join(dir, 'train-images-idx3-ubyte.gz');
    const full = idxBytes(0x803, [12, 4, 3], imagePixels(12, 12));
    writeFileSync(f, gzipSync(full.subarray(0, 50)));
    expectDataError(() => loadIdxDirectory(dir, 10, HINT), f, /truncated: expected 160 bytes, found \(after gunzip\) 50/);
  });

  it('bad magic (a label file where images belong)', () => {
    const dir = tempDir();
    writeIdxDir(dir);
    const f = join(dir, 'train-images-idx3-ubyte');
    writeFileSync(f, idxBytes(0x802, [12, 4, 3], imagePixels(12, 12)));
    expectDataError(() => loadIdxDirectory(dir, 10, HINT), f, /bad magic 0x00000802 \(expected 0x00000803 for an IDX image file\)/);
  });

  it('not gzip and not IDX', () => {
    const dir = tempDir();
    writeIdxDir(dir);
    const f = join(dir, 'train-labels-idx1-ubyte');
    writeFileSync(f, '<html>404 Not Found</html>');
    expectDataError(() => loadIdxDirectory(dir, 10, HINT), f, /not gzip and not IDX/);
  });

  it('extra bytes after the data', () => {
    const dir = tempDir();
    writeIdxDir(dir);
    const f = join(dir, 'train-labels-idx1-ubyte');
    writeFileSync(f, Buffer.concat([readFileSync(f), Buffer.from([1, 2, 3])]));
    expectDataError(() => loadIdxDirectory(dir, 10, HINT), f, /3 unexpected bytes after the data/);
  });

  it('image/label count mismatch', () => {
    const dir = tempDir();
    writeIdxDir(dir, { train: 12 });
    const f = join(dir, 'train-labels-idx1-ubyte');
    writeFileSync(f, idxBytes(0x801, [11], new Uint8Array(11)));
    const err = expectDataError(() => loadIdxDirectory(dir, 10, HINT), f, /count mismatch: 11 labels but .* has 12 images/);
    expect(err.message).toContain('train-images-idx3-ubyte');
  });

  it('wrong dims: train and test image sizes differ', () => {
    const dir = tempDir();
    writeIdxDir(dir, { rows: 4, cols: 3 });
    const f = join(dir, 't10k-images-idx3-ubyte');
    writeFileSync(f, idxBytes(0x803, [5, 5, 5], imagePixels(5, 25)));
    expectDataError(() => loadIdxDirectory(dir, 10, HINT), f, /wrong dims: test images are 5×5 but train images are 4×3/);
  });

  it('a zero dimension', () => {
    const dir = tempDir();
    writeIdxDir(dir);
    const f = join(dir, 'train-images-idx3-ubyte');
    writeFileSync(f, idxBytes(0x803, [12, 0, 3], new Uint8Array(0)));
    expectDataError(() => loadIdxDirectory(dir, 10, HINT), f, /bad dimensions 12×0×3/);
  });

  it('label out of range', () => {
    const dir = tempDir();
    writeIdxDir(dir, { train: 12 });
    const f = join(dir, 'train-labels-idx1-ubyte');
    const labels = new Uint8Array(12);
    labels[7] = 10;
    writeFileSync(f, idxBytes(0x801, [12], labels));
    expectDataError(() => loadIdxDirectory(dir, 10, HINT), f, /label 10 at index 7 is out of range 0\.\.9/);
  });
});
