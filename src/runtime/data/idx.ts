// IDX files (MNIST, Fashion-MNIST), raw or gzip: header checks (magic, dims, exact byte count), the
// image/label count match, and the directory layout with the standard file names. Pixels are returned as a
// view on the decompressed buffer, not a copy, which keeps loading the 60k training set well under a second.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DataError, hex32 } from './errors.ts';
import { readMaybeGzip, type FileBytes } from './file-read.ts';
import type { ImageSplit } from './types.ts';

export const IDX_IMAGES_MAGIC = 0x00000803;
export const IDX_LABELS_MAGIC = 0x00000801;

export interface IdxArray {
  readonly dims: number[];
  /** The data bytes after the header (a view, not a copy). */
  readonly data: Uint8Array;
}

/** Parses an unsigned-byte IDX array and checks it against the expected magic (which fixes the rank). */
export function parseIdx(fb: FileBytes, expectedMagic: number): IdxArray {
  const { file, bytes } = fb;
  const what = expectedMagic === IDX_IMAGES_MAGIC ? 'an IDX image file' : 'an IDX label file';
  const found = fb.gzip ? 'found (after gunzip)' : 'found';
  if (bytes.length < 4) {
    throw new DataError(file, `truncated: ${bytes.length} bytes ${found}, too short for an IDX header`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new DataError(
      file,
      `not gzip and not IDX (first bytes ${head}; expected 1f 8b for gzip or 00 00 08 0${expectedMagic & 0xff} for ${what})`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (magic !== expectedMagic) {
    throw new DataError(file, `bad magic ${hex32(magic)} (expected ${hex32(expectedMagic)} for ${what})`);
  }
  const rank = expectedMagic & 0xff;
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    throw new DataError(file, `truncated: expected at least ${headerBytes} header bytes, ${found} ${bytes.length}`);
  }
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i, false));
  if (dims.some((d) => d === 0)) throw new DataError(file, `bad dimensions ${dims.join('×')}: a dimension is 0`);
  const expected = headerBytes + dims.reduce((a, b) => a * b, 1);
  if (bytes.length < expected) {
    throw new DataError(file, `truncated: expected ${expected} bytes, ${found} ${bytes.length}`, 'Install or download it again');
  }
  if (bytes.length > expected) {
    throw new DataError(
      file,
      `${bytes.length - expected} unexpected bytes after the data: expected ${expected} bytes (dims ${dims.join('×')}), ${found} ${bytes.length}`,
    );
  }
  return { dims, data: bytes.subarray(headerBytes, expected) };
}

/** Loads one image file and its label file into a split, checking that the counts match and labels are < classes. */
export function loadIdxSplit(imagesFile: string, labelsFile: string, numClasses: number, missingHint: string): ImageSplit {
  const images = parseIdx(readMaybeGzip(imagesFile, missingHint), IDX_IMAGES_MAGIC);
  const labels = parseIdx(readMaybeGzip(labelsFile, missingHint), IDX_LABELS_MAGIC);
  const [count, height, width] = images.dims as [number, number, number];
  const labelCount = labels.dims[0]!;
  if (count !== labelCount) {
    throw new DataError(
      labelsFile,
      `count mismatch: ${labelCount} labels but ${imagesFile} has ${count} images`,
      'The two files come from different sets or one is damaged',
    );
  }
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const v = labels.data[i]!;
    if (v >= numClasses) {
      throw new DataError(labelsFile, `label ${v} at index ${i} is out of range 0..${numClasses - 1}`);
    }
    y[i] = v;
  }
  return { pixels: images.data, labels: y, count, height, width, channels: 1 };
}

/**
 * Finds an IDX file in `dir` under its standard name: gz first, then raw, and also the
 * `train-images.idx3-ubyte` spelling some mirrors use. Returns the gz path when none exists, for the message.
 */
export function findIdxFile(dir: string, stem: 'train' | 't10k', part: 'images' | 'labels'): string {
  const rank = part === 'images' ? 3 : 1;
  const names = [`${stem}-${part}-idx${rank}-ubyte`, `${stem}-${part}.idx${rank}-ubyte`];
  for (const n of names) {
    for (const candidate of [join(dir, n + '.gz'), join(dir, n)]) if (existsSync(candidate)) return candidate;
  }
  return join(dir, names[0] + '.gz');
}

export interface IdxPair {
  readonly train: ImageSplit;
  readonly test: ImageSplit;
}

/** Loads the four standard files of an MNIST-layout directory. */
export function loadIdxDirectory(dir: string, numClasses: number, missingHint: string): IdxPair {
  const train = loadIdxSplit(findIdxFile(dir, 'train', 'images'), findIdxFile(dir, 'train', 'labels'), numClasses, missingHint);
  const test = loadIdxSplit(findIdxFile(dir, 't10k', 'images'), findIdxFile(dir, 't10k', 'labels'), numClasses, missingHint);
  if (train.height !== test.height || train.width !== test.width) {
    throw new DataError(
      findIdxFile(dir, 't10k', 'images'),
      `wrong dims: test images are ${test.height}×${test.width} but train images are ${train.height}×${train.width}`,
    );
  }
  return { train, test };
}
