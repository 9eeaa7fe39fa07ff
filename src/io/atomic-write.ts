// The one way archc replaces a file: write a temporary file next to it, fsync it, rename it over the target and
// fsync the folder, so a reader (or a crash) sees the old file or the new one, never half of either. On any failure
// the temporary file is removed and the error rethrown. Every writer of specs, modules, weights and logs uses this;
// only the checkpoint writer streams its own (same steps) because it hashes while it writes.

import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  /** Create the target's folder (and its parents) first. */
  mkdir?: boolean;
}

/** A hidden temporary name beside `path` (same folder, so the rename cannot cross file systems). */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
}

export function writeFileAtomicSync(path: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): void {
  if (opts.mkdir) mkdirSync(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx');
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    for (let off = 0; off < buf.byteLength; ) off += writeSync(fd, buf, off, buf.byteLength - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) closeQuietly(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  fsyncDirSync(dirname(path));
}

export async function writeFileAtomic(path: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): Promise<void> {
  if (opts.mkdir) await mkdir(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  try {
    const handle = await open(tmp, 'wx');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  fsyncDirSync(dirname(path));
}

/** Makes a rename in `dir` durable. Best effort: some platforms (Windows) cannot open a folder for fsync. */
export function fsyncDirSync(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // not supported here; the rename itself is still atomic
  } finally {
    if (fd !== undefined) closeQuietly(fd);
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed or invalid; nothing left to release
  }
}
