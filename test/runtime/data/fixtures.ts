// Writers for small dataset files in their true on-disk formats (IDX raw/gzip, CIFAR-10 binary batches, text),
// shared by the data-loader tests. Each test gets its own temporary directory.

import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, expect } from 'vitest';
import { DataError } from '../../../src/runtime/data/index.ts';

const made: string[] = [];
// Registered while the importing test file is collected, so each file removes the directories it made.
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

export function tempDir(prefix = 'archc-data-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

/** An IDX file: magic (big-endian), dims (big-endian uint32 each), then the bytes. */
export function idxBytes(magic: number, dims: number[], data: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(magic, 0);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(data)]);
}

/** Image n has pixel p = (n * 7 + p) % 256, so any mix-up of images or pixels shows. */
export function imagePixels(count: number, per: number): Uint8Array {
  const a = new Uint8Array(count * per);
  for (let n = 0; n < count; n++) for (let p = 0; p < per; p++) a[n * per + p] = (n * 7 + p) % 256;
  return a;
}

export interface IdxDirOptions {
  train?: number;
  test?: number;
  rows?: number;
  cols?: number;
  gzip?: boolean;
}

/** Writes the four standard MNIST-layout files; labels are n % 10. */
export function writeIdxDir(dir: string, o: IdxDirOptions = {}): void {
  mkdirSync(dir, { recursive: true });
  const rows = o.rows ?? 4;
  const cols = o.cols ?? 3;
  for (const [stem, count] of [['train', o.train ?? 12], ['t10k', o.test ?? 5]] as const) {
    const images = idxBytes(0x803, [count, rows, cols], imagePixels(count, rows * cols));
    const labels = idxBytes(0x801, [count], Uint8Array.from({ length: count }, (_, i) => i % 10));
    const ext = o.gzip ? '.gz' : '';
    writeFileSync(join(dir, `${stem}-images-idx3-ubyte${ext}`), o.gzip ? gzipSync(images) : images);
    writeFileSync(join(dir, `${stem}-labels-idx1-ubyte${ext}`), o.gzip ? gzipSync(labels) : labels);
  }
}

/**
 * A CIFAR-10 record in its true layout: label byte, then the R plane, G plane and B plane (32×32 each).
 * Pixel (y, x, c) of record r holds (r * 31 + y * 5 + x * 3 + c * 101) % 256.
 */
export function cifarPixel(r: number, y: number, x: number, c: number): number {
  return (r * 31 + y * 5 + x * 3 + c * 101) % 256;
}

export function cifarBytes(labels: number[], firstRecord = 0): Buffer {
  const out = Buffer.alloc(labels.length * 3073);
  labels.forEach((label, i) => {
    const r = firstRecord + i;
    const base = i * 3073;
    out[base] = label;
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) out[base + 1 + c * 1024 + y * 32 + x] = cifarPixel(r, y, x, c);
    }
  });
  return out;
}

/** Five train batches of `perBatch` records and a test batch of `test` records; labels are record % 10. */
export function writeCifarDir(dir: string, perBatch = 3, test = 4): void {
  mkdirSync(dir, { recursive: true });
  for (let b = 0; b < 5; b++) {
    const labels = Array.from({ length: perBatch }, (_, i) => (b * perBatch + i) % 10);
    writeFileSync(join(dir, `data_batch_${b + 1}.bin`), cifarBytes(labels, b * perBatch));
  }
  writeFileSync(join(dir, 'test_batch.bin'), cifarBytes(Array.from({ length: test }, (_, i) => i % 10), 1000));
}

/** Asserts that `fn` throws a DataError whose message names `file` and matches `pattern`. */
export function expectDataError(fn: () => unknown, file: string, pattern: RegExp): DataError {
  let caught: unknown = null;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected a DataError').toBeInstanceOf(DataError);
  const err = caught as DataError;
  expect(err.message).toContain(file);
  expect(err.message).toMatch(pattern);
  return err;
}
