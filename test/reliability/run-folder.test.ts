// The run folder as a user meets it (issue 15, part B): `archc train` writes nothing outside --out (#2); --force
// removes only files the earlier run's run.json lists as its own, never a user's file of the same name (#3); one
// process per folder, a live owner named by pid and a dead one's lock taken over (#9); a resume with an edited spec
// is refused, naming the setting that changed (#8).

import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCK_FILE } from '../../src/train/run-lock.ts';
import { readRunMarker } from '../../src/train/run-marker.ts';
import { runCli } from '../cli/helpers.ts';
import { ROOT, SHIM, TINY, lastStep, spawnNode, tempDir } from './helpers.ts';

const FAST = ['--data', 'synthetic', '--steps', '3', '--eval-limit', '16', '--synthetic-size', '32', '--backend', 'cpu'];

/**
 * Every file under `dir` modified at or after `since` (ms), skipping node_modules, .git and the scratch folders
 * that tests running in parallel write (test/, .fuzz-tmp/, runs/).
 */
function changedSince(dir: string, since: number): string[] {
  const out: string[] = [];
  const skip = new Set(['node_modules', '.git', 'test', '.fuzz-tmp', 'runs']);
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (skip.has(e.name)) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (statSync(p).mtimeMs >= since) out.push(relative(ROOT, p));
    }
  };
  walk(dir);
  return out;
}

describe('the run folder', () => {
  it('archc train writes nothing outside --out (no module built into the package: a read-only install trains)', async () => {
    const dir = tempDir();
    // A spec text never trained before, so a content-addressed build cache could not already hold its module.
    const spec = join(dir, 'fresh.arch');
    writeFileSync(spec, readFileSync(TINY, 'utf8').replace('network tiny', `# ${Date.now()} ${Math.random()}\nnetwork tiny`));
    const since = Date.now() - 1;
    const r = await runCli(['train', spec, ...FAST, '--out', join(dir, 'run')], { cwd: dir });
    expect(r.code, r.err).toBe(0);
    expect(changedSince(ROOT, since)).toEqual([]);
    expect(readdirSync(dir).sort()).toEqual(['fresh.arch', 'run']);
  }, 120_000);

  it('--force never removes or overwrites a user file that merely shares a run file name', async () => {
    const dir = tempDir();
    const out = join(dir, 'run');
    mkdirSync(join(out, 'weights'), { recursive: true });
    writeFileSync(join(out, 'metrics.jsonl'), 'my own metrics\n');
    writeFileSync(join(out, 'weights', 'model.json'), '{"mine": true}');
    const r = await runCli(['train', TINY, ...FAST, '--out', out, '--force'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/--force removes only files an earlier archc run recorded as its own.*no run\.json.*'metrics\.jsonl', 'weights\/model\.json'/);
    expect(readFileSync(join(out, 'metrics.jsonl'), 'utf8')).toBe('my own metrics\n');
    expect(readFileSync(join(out, 'weights', 'model.json'), 'utf8')).toBe('{"mine": true}');
  }, 60_000);

  it('--force over an archc run removes what that run recorded, and keeps the user files beside it', async () => {
    const dir = tempDir();
    const out = join(dir, 'run');
    const first = await runCli(['train', TINY, ...FAST, '--out', out], { cwd: dir });
    expect(first.code, first.err).toBe(0);
    const marker = readRunMarker(out)!;
    expect(marker.files).toEqual(expect.arrayContaining(['metrics.jsonl', 'checkpoint.archckpt', 'tiny.pruned.arch', 'weights/model.json', 'weights/weights.bin']));
    writeFileSync(join(out, 'notes.txt'), 'mine');
    writeFileSync(join(out, 'weights', 'my-export.bin'), 'mine too');
    const again = await runCli(['train', TINY, ...FAST, '--out', out, '--force'], { cwd: dir });
    expect(again.code, again.err).toBe(0);
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine');
    expect(readFileSync(join(out, 'weights', 'my-export.bin'), 'utf8')).toBe('mine too');
    const second = readRunMarker(out)!;
    expect(second.id).not.toBe(marker.id);
    expect(existsSync(join(out, LOCK_FILE))).toBe(false); // released
  }, 120_000);

  it('refuses a second process in a locked folder with the owner pid, and takes over a dead owner lock', async () => {
    const dir = tempDir();
    const out = join(dir, 'run');
    mkdirSync(out);
    const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      writeFileSync(join(out, LOCK_FILE), JSON.stringify({ pid: sleeper.pid, host: (await import('node:os')).hostname(), since: '2026-01-01T00:00:00Z' }));
      const refused = await runCli(['train', TINY, ...FAST, '--out', out], { cwd: dir });
      expect(refused.code).toBe(1);
      expect(refused.err).toContain(`is in use by process ${sleeper.pid}`);
      expect(readdirSync(out)).toEqual([LOCK_FILE]);
    } finally {
      sleeper.kill('SIGKILL');
      await new Promise((r) => sleeper.once('exit', r));
    }
    // Its process is gone: the lock is stale, and the run goes ahead.
    const ok = await runCli(['train', TINY, ...FAST, '--out', out], { cwd: dir });
    expect(ok.code, ok.err).toBe(0);
    expect(existsSync(join(out, LOCK_FILE))).toBe(false);
  }, 120_000);

  it('a --resume alongside a running run of the same folder is refused with its pid; metrics stay in order', async () => {
    const out = join(tempDir(), 'run');
    const flags = ['--data', 'synthetic', '--steps', '40', '--checkpoint-every', '2', '--eval-limit', '16', '--synthetic-size', '64', '--backend', 'cpu', '--log-every', '5'];
    let second: Awaited<ReturnType<typeof runCli>> | undefined;
    let pid = 0;
    const first = spawnNode(SHIM, [TINY, ...flags, '--out', out], (stdout) => {
      if (second === undefined && lastStep(stdout) >= 6 && existsSync(join(out, 'checkpoint.archckpt'))) {
        second = {} as never; // start once
        pid = JSON.parse(readFileSync(join(out, LOCK_FILE), 'utf8')).pid as number;
        void runCli(['train', TINY, '--resume', out], { cwd: ROOT }).then((r) => (second = r));
      }
      return null;
    }, { ARCHC_TEST_STEP_DELAY_MS: '60' });
    const e = await first;
    expect(e.code, e.stderr).toBe(0);
    while (second === undefined || !('code' in second)) await new Promise((r) => setTimeout(r, 50));
    expect(second.code).toBe(1);
    expect(second.err).toContain(`is in use by process ${pid}`);
    const steps = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { step: number }).step);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    expect(new Set(steps).size).toBe(steps.length);
  }, 120_000);

  it('refuses to resume with an edited spec, naming the setting; resumes once the spec is restored', async () => {
    const dir = tempDir();
    const spec = join(dir, 'tiny.arch');
    copyFileSync(TINY, spec);
    const out = join(dir, 'run');
    const flags = ['--data', 'synthetic', '--steps', '24', '--checkpoint-every', '3', '--eval-limit', '16', '--synthetic-size', '64', '--backend', 'cpu'];
    const killed = await spawnNode(SHIM, [spec, ...flags, '--out', out], (s) => (lastStep(s) >= 8 ? 'SIGKILL' : null), { ARCHC_TEST_STEP_DELAY_MS: '40' });
    expect(killed.signal).toBe('SIGKILL');
    const original = readFileSync(spec, 'utf8');
    writeFileSync(spec, original.replace('lambda 0.01', 'lambda 0.08'));
    const edited = await runCli(['train', spec, '--resume', out], { cwd: dir });
    expect(edited.code).toBe(1);
    expect(edited.err).toMatch(/cannot resume: .*tiny\.arch changed since the run started \(sparsify\.lambda is 0\.08 in it now, the run started with 0\.01\)/);
    expect(edited.err).not.toMatch(/^\s+at /m);
    writeFileSync(spec, original);
    const resumed = await runCli(['train', spec, '--resume', out], { cwd: dir });
    expect(resumed.code, resumed.err).toBe(0);
    expect(readFileSync(join(out, 'tiny.pruned.arch'), 'utf8')).toContain('lambda 0.01');
  }, 120_000);
});
