// Reading dataset files with checks that turn every low-level failure (missing, a directory, empty, a gzip
// stream that is cut short) into a DataError naming the file. Gzip is detected by its magic bytes 1f 8b, not by
// the file name, so a renamed or pre-decompressed file still loads.

import { gunzipSync } from 'node:zlib';
import { readFileSync, statSync } from 'node:fs';
import { DataError } from './errors.ts';

export interface FileBytes {
  readonly file: string;
  readonly bytes: Uint8Array;
  /** True when the file was gzip and `bytes` holds the decompressed stream (messages then say "decompressed"). */
  readonly gzip: boolean;
}

/** Reads a whole file; `missingHint` tells the user how to get it when it is not there. */
export function readDataFile(file: string, missingHint: string): Uint8Array {
  let size: number;
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw new DataError(file, 'is a directory, expected a file', missingHint);
    size = st.size;
  } catch (e) {
    if (e instanceof DataError) throw e;
    throw new DataError(file, 'missing file', missingHint);
  }
  if (size === 0) throw new DataError(file, 'empty file (0 bytes)', 'The download or copy was probably cut short');
  try {
    return readFileSync(file);
  } catch (e) {
    throw new DataError(file, `cannot read: ${(e as Error).message}`);
  }
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Reads a file and gunzips it when it starts with the gzip magic. */
export function readMaybeGzip(file: string, missingHint: string): FileBytes {
  const raw = readDataFile(file, missingHint);
  if (!isGzip(raw)) return { file, bytes: raw, gzip: false };
  try {
    return { file, bytes: gunzipSync(raw), gzip: true };
  } catch (e) {
    throw new DataError(
      file,
      `corrupt or truncated gzip stream (${(e as Error).message})`,
      'Delete the file and install or download it again',
    );
  }
}

/** Decodes UTF-8 text strictly, so a binary or wrongly encoded file is reported instead of read as garbage. */
export function decodeText(file: string, bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw new DataError(file, `not a text file (NUL byte at offset ${nul})`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new DataError(file, 'not valid UTF-8 text');
  }
}
