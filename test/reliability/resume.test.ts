// Kill-and-resume for real, through the trainer command line (runTrainerMain, as every generated trainer and
// `archc train` run it): a process SIGKILLed at a random step and resumed with --resume must end with the same
// widths and the same metrics.jsonl (every line, wall times aside) as an uninterrupted run with the same seed.
// SIGINT finishes the step, checkpoints, names the checkpoint and the pruned spec, exits 130, and resumes too.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCheckpoint, CHECKPOINT_FILE } from '../../src/runtime/train/checkpoint.ts';
import { SHIM, TINY, lastStep, metricsOf, spawnNode, tempDir, type Exit } from './helpers.ts';

const flags = ['--data', 'synthetic', '--steps', '24', '--checkpoint-every', '3', '--log-every', '4', '--eval-limit', '16', '--synthetic-size', '64', '--backend', 'cpu'];
const SLOW = { ARCHC_TEST_STEP_DELAY_MS: '40' };
let refDir: string;

beforeAll(async () => {
  refDir = join(tempDir(), 'run');
  const e = await spawnNode(SHIM, [TINY, ...flags, '--out', refDir]);
  expect(e.stderr).not.toMatch(/training failed|\n\s+at /);
  expect(e.code, e.stderr).toBe(0);
});

const noStack = (e: Exit): void => expect(e.stdout + e.stderr).not.toMatch(/^\s+at .*:\d+:\d+\)?$/m);

describe('resume', () => {
  it('a run killed with SIGKILL at a random step and resumed ends exactly like an uninterrupted one', async () => {
    const dir = join(tempDir(), 'run');
    const killAt = 4 + Math.floor(Math.random() * 17); // 4…20; named in failure messages
    const killed = await spawnNode(SHIM, [TINY, ...flags, '--out', dir], (out) => (lastStep(out) >= killAt ? 'SIGKILL' : null), SLOW);
    expect(killed.signal, `kill at ${killAt}`).toBe('SIGKILL');
    expect(existsSync(join(dir, CHECKPOINT_FILE)), `kill at ${killAt}`).toBe(true);
    const at = readCheckpoint(join(dir, CHECKPOINT_FILE)).meta.step;
    expect(at).toBeLessThan(24);

    // Only --resume: the settings come from the checkpoint.
    const resumed = await spawnNode(SHIM, [TINY, '--resume', dir]);
    expect(resumed.code, `kill at ${killAt}: ${resumed.stderr}`).toBe(0);
    expect(resumed.stdout).toContain(`resuming from ${join(dir, CHECKPOINT_FILE)} at step ${at}`);
    noStack(resumed);
    // Every line, not just the last: nothing duplicated from the steps after the checkpoint, nothing missing.
    expect(metricsOf(dir), `kill at ${killAt}`).toEqual(metricsOf(refDir));
  });

  it('SIGINT finishes the step, writes a checkpoint, says where it and the pruned spec are, exits 130; it resumes', async () => {
    const dir = join(tempDir(), 'run');
    const e = await spawnNode(SHIM, [TINY, ...flags, '--out', dir], (out) => (lastStep(out) >= 7 ? 'SIGINT' : null), { ARCHC_TEST_STEP_DELAY_MS: '60' });
    expect(e.code, e.stderr).toBe(130);
    noStack(e);
    const ckpt = join(dir, CHECKPOINT_FILE);
    const m = e.stderr.match(/interrupted at step (\d+); checkpoint: (\S+); pruned spec: ([^;]+);/);
    expect(m, e.stderr).not.toBeNull();
    expect(m![2]).toBe(ckpt);
    expect(readCheckpoint(ckpt).meta.step).toBe(Number(m![1]));
    // The pruned spec of the interrupted state, written by the same compaction entry a finished run uses.
    expect(m![3]).toBe(join(dir, 'tiny.pruned.arch'));
    expect(existsSync(m![3]!)).toBe(true);
    expect(e.stderr).toContain(`--resume ${dir}`);

    const resumed = await spawnNode(SHIM, [TINY, '--resume', dir]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(metricsOf(dir)).toEqual(metricsOf(refDir));
  });

  it('refuses a resume with other settings, a finished run, and a non-empty --out without --force', async () => {
    const other = await spawnNode(SHIM, [TINY, '--resume', refDir, '--steps', '30']);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/cannot resume: (config\.)?steps is 30 but the checkpoint's run used 24/);
    const done = await spawnNode(SHIM, [TINY, '--resume', refDir]);
    expect(done.code).toBe(1);
    expect(done.stderr).toMatch(/nothing to resume: the run in .* finished all 24 steps/);
    const before = readFileSync(join(refDir, 'metrics.jsonl'), 'utf8');
    const again = await spawnNode(SHIM, [TINY, ...flags, '--out', refDir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/output folder .* is not empty; pass --force/);
    expect(readFileSync(join(refDir, 'metrics.jsonl'), 'utf8')).toBe(before);
    for (const e of [other, done, again]) noStack(e);
  });
});
