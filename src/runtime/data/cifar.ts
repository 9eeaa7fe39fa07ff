// CIFAR-10 binary batches: records of 1 label byte + 3072 pixel bytes stored plane by plane (1024 R, 1024 G,
// 1024 B, each 32×32 row-major). Records are transposed to NHWC on load so every image set shares one layout.
// Training uses data_batch_1..5.bin, testing test_batch.bin; a directory holding `cifar-10-batches-bin/` works too.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from './errors.ts';
import { readDataFile } from './file-read.ts';
import type { ImageSplit } from './types.ts';

export const CIFAR_SIDE = 32;
export const CIFAR_PIXELS = CIFAR_SIDE * CIFAR_SIDE * 3;
export const CIFAR_RECORD = 1 + CIFAR_PIXELS;
export const CIFAR_TRAIN_FILES = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
export const CIFAR_TEST_FILE = 'test_batch.bin';

/** Parses one batch file's bytes into labels and NHWC pixels. */
export function parseCifarBatch(file: string, bytes: Uint8Array): ImageSplit {
  if (bytes.length % CIFAR_RECORD !== 0) {
    const cifar100 = bytes.length % (CIFAR_RECORD + 1) === 0 ? ' (its size fits CIFAR-100, whose records have 2 label bytes)' : '';
    throw new DataError(
      file,
      `size ${bytes.length} is not a multiple of ${CIFAR_RECORD} (1 label byte + ${CIFAR_PIXELS} pixel bytes per record)${cifar100}: truncated or not a CIFAR-10 binary batch`,
    );
  }
  const count = bytes.length / CIFAR_RECORD;
  const labels = new Int32Array(count);
  const pixels = new Uint8Array(count * CIFAR_PIXELS);
  const plane = CIFAR_SIDE * CIFAR_SIDE;
  for (let r = 0; r < count; r++) {
    const rec = r * CIFAR_RECORD;
    const label = bytes[rec]!;
    if (label > 9) {
      throw new DataError(file, `label ${label} in record ${r} is out of range 0..9: not a CIFAR-10 binary batch`);
    }
    labels[r] = label;
    const out = r * CIFAR_PIXELS;
    for (let c = 0; c < 3; c++) {
      const src = rec + 1 + c * plane;
      for (let p = 0; p < plane; p++) pixels[out + p * 3 + c] = bytes[src + p]!;
    }
  }
  return { pixels, labels, count, height: CIFAR_SIDE, width: CIFAR_SIDE, channels: 3 };
}

export function concatSplits(parts: readonly ImageSplit[]): ImageSplit {
  const first = parts[0]!;
  const count = parts.reduce((n, p) => n + p.count, 0);
  const pixels = new Uint8Array(parts.reduce((n, p) => n + p.pixels.length, 0));
  const labels = new Int32Array(count);
  let po = 0;
  let lo = 0;
  for (const p of parts) {
    pixels.set(p.pixels, po);
    labels.set(p.labels, lo);
    po += p.pixels.length;
    lo += p.count;
  }
  return { pixels, labels, count, height: first.height, width: first.width, channels: first.channels };
}

/** The directory that actually holds the batch files: `dir` itself or its `cifar-10-batches-bin` child. */
export function resolveCifarDir(dir: string): string {
  const nested = join(dir, 'cifar-10-batches-bin');
  return !existsSync(join(dir, CIFAR_TEST_FILE)) && existsSync(join(nested, CIFAR_TEST_FILE)) ? nested : dir;
}

export function loadCifar10Directory(dir: string, missingHint: string): { train: ImageSplit; test: ImageSplit } {
  const base = resolveCifarDir(dir);
  const load = (name: string): ImageSplit => {
    const file = join(base, name);
    return parseCifarBatch(file, readDataFile(file, missingHint));
  };
  return { train: concatSplits(CIFAR_TRAIN_FILES.map(load)), test: load(CIFAR_TEST_FILE) };
}
