// Reading a spec file for the front end, in bounded memory: a regular file over the size limit is refused by its
// size before it is read, anything else (a pipe, /dev/zero) is read only up to the limit; and bytes that are not
// text (a NUL, invalid UTF-8) are one "not a text file" diagnostic, not hundreds of lexing errors.

import { isUtf8 } from 'node:buffer';
import { open } from 'node:fs/promises';
import { diag, NO_SPAN, type Diagnostic } from '../diagnostics/index.ts';
import { mebibytes, SOURCE_LIMITS } from '../syntax/limits.ts';

export type SpecRead = { text: string } | { diagnostic: Diagnostic };

/** Read `path` as a spec; an unreadable, too large or binary file is a diagnostic named with `displayName`. */
export async function readSpec(path: string, displayName: string): Promise<SpecRead> {
  const max = SOURCE_LIMITS.maxChars;
  const limit = `${max / 2 ** 20} MiB`;
  let bytes: Buffer;
  try {
    const fh = await open(path, 'r');
    try {
      const st = await fh.stat();
      if (st.isFile() && st.size > max) return { diagnostic: diag('sourceTooLarge', NO_SPAN, [mebibytes(st.size), limit]) };
      bytes = await readUpTo(fh, max + 1);
    } finally {
      await fh.close();
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : e instanceof Error ? e.message : String(e);
    return { diagnostic: diag('fileNotFound', NO_SPAN, [displayName, reason]) };
  }
  const binary = notText(bytes);
  if (binary) return { diagnostic: diag('notText', NO_SPAN, [displayName, binary]) };
  if (bytes.length > max) return { diagnostic: diag('sourceTooLarge', NO_SPAN, [`over ${limit}`, limit]) };
  return { text: bytes.toString('utf8') };
}

async function readUpTo(fh: import('node:fs/promises').FileHandle, n: number): Promise<Buffer> {
  const buf = Buffer.alloc(n);
  let got = 0;
  while (got < n) {
    const { bytesRead } = await fh.read(buf, got, n - got, null);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}

/** Why `bytes` is not UTF-8 text without NULs (`a NUL byte at byte 34 (line 2, column 23)`), or undefined. */
export function notText(bytes: Buffer): string | undefined {
  const nul = bytes.indexOf(0);
  const bad = isUtf8(bytes) ? -1 : firstInvalidUtf8(bytes);
  if (nul < 0 && bad < 0) return undefined;
  const at = nul >= 0 && (bad < 0 || nul <= bad) ? nul : bad;
  const lineStart = bytes.lastIndexOf(10, at - 1) + 1;
  let line = 1;
  for (let i = bytes.indexOf(10); i >= 0 && i < at; i = bytes.indexOf(10, i + 1)) line++;
  const column = bytes.subarray(lineStart, at).toString('utf8').length + 1;
  return `${at === nul ? 'a NUL byte' : 'invalid UTF-8'} at byte ${at} (line ${line}, column ${column})`;
}

/** Offset of the first byte that starts no valid UTF-8 sequence (the buffer is known to be invalid). */
function firstInvalidUtf8(b: Buffer): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    const n = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0 || i + n >= b.length + (n === 0 ? 1 : 0)) return i;
    if (n > 0 && !isUtf8(b.subarray(i, i + n + 1))) return i;
    i += n + 1;
  }
  return 0;
}
