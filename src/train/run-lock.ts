// One process at a time in a run folder: `<out>/.archc-lock` holds the owner's pid (created exclusively, so two
// processes cannot both take it). A lock whose process is gone (killed, crashed) is stale and taken over; a live
// owner is named in the refusal, so the user knows what to wait for or stop.

import { openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { UserError } from './io.ts';

export const LOCK_FILE = '.archc-lock';

interface LockInfo {
  pid: number;
  host: string;
  since: string;
}

/** True when `pid` names a running process (EPERM: it exists but belongs to someone else). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(p: string): LockInfo | null {
  try {
    const o = JSON.parse(readFileSync(p, 'utf8')) as Partial<LockInfo>;
    return typeof o.pid === 'number' && Number.isInteger(o.pid) && o.pid > 0 ? { pid: o.pid, host: String(o.host ?? ''), since: String(o.since ?? '') } : null;
  } catch {
    return null;
  }
}

/**
 * Locks the run folder `dir` (which must exist) for this process; returns the release function. Throws a
 * UserError naming the other process when a live one holds the lock. `shown` is how messages name the folder.
 */
export function lockRunDir(dir: string, shown: string = dir): () => void {
  const p = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(p, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const held = readLock(p);
      // A lock from another machine (a shared file system) cannot be checked for liveness here: respect it.
      if (held && (held.host !== hostname() || alive(held.pid))) {
        const where = held.host !== hostname() ? ` on ${held.host}` : '';
        throw new UserError(
          `the run folder ${shown} is in use by process ${held.pid}${where} (since ${held.since || 'unknown'}); wait for it to finish or stop it. ` +
            `If no such run is going on, delete ${join(shown, LOCK_FILE)}`,
        );
      }
      // Stale (its process is gone) or torn (killed while writing it): take it over.
      rmSync(p, { force: true });
      continue;
    }
    writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() } satisfies LockInfo));
    closeSync(fd);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // Only our own lock: a folder someone emptied and relocked is theirs.
      if (readLock(p)?.pid === process.pid) rmSync(p, { force: true });
    };
  }
  throw new UserError(`cannot lock the run folder ${shown}: ${join(shown, LOCK_FILE)} keeps reappearing; is another run starting there?`);
}
