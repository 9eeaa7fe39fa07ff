// Spawning trainer processes for the reliability tests: run to the end, or wait for a step and send a signal.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = new URL('../../', import.meta.url).pathname;
export const SHIM = join(ROOT, 'test/reliability/fixtures/trainer-shim.ts');
export const TINY = join(ROOT, 'test/reliability/fixtures/tiny.arch');

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function tempDir(prefix = 'archc-rel-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Spawns `node --import tsx <script> args`; `until(stdout)` returning a signal sends it once. */
export function spawnNode(script: string, args: string[], until?: (stdout: string) => NodeJS.Signals | null, env: Record<string, string> = {}): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (until && !sent) {
        const sig = until(stdout);
        if (sig) {
          sent = true;
          child.kill(sig);
        }
      }
    });
    child.stderr!.on('data', (d: Buffer) => void (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** The highest `step N` line a child printed so far. */
export function lastStep(stdout: string): number {
  const m = [...stdout.matchAll(/^step (\d+)$/gm)];
  return m.length ? Number(m[m.length - 1]![1]) : 0;
}

/** metrics.jsonl as objects without wall times (wallTime, stepMs: the only fields allowed to differ between runs). */
export function metricsOf(dir: string): Record<string, unknown>[] {
  return readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => {
      const o = JSON.parse(l) as Record<string, unknown>;
      delete o['wallTime'];
      delete o['stepMs'];
      return o;
    });
}
