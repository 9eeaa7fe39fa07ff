// `archc compact RUN_DIR` and "a failure after training is recoverable" (issue 15, defect 1): the concat
// chain trains and compacts end to end; the checkpoint holds the final state and the spec's text, so `archc compact`
// rebuilds the very files the run wrote; a compaction that fails after training (planted here) exits 1 naming the
// checkpoint and the command, and `archc compact` then recovers the run; bad folders and foreign specs exit 1; a
// compact takes the run folder's lock, so it never runs alongside a train, --resume or compact of the same folder.

import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { LOCK_FILE, lockRunDir } from '../../src/train/run-lock.ts';
import { runTrainerMain } from '../../src/train/trainer-main.ts';
import { IrModule } from '../../src/runtime/module.ts';
import { compileText } from '../../src/semantic/compile.ts';
import { runCli } from './helpers.ts';

/** When set, the next compaction throws (a failure after training, e.g. a full disk). */
const planted = vi.hoisted(() => ({ fail: false }));
vi.mock('../../src/compaction/compact-and-write.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/compaction/compact-and-write.ts')>();
  return {
    ...real,
    compactAndWrite: async (o: Parameters<typeof real.compactAndWrite>[0]) => {
      if (planted.fail) {
        planted.fail = false;
        throw new Error('ENOSPC: no space left on device (planted)');
      }
      return real.compactAndWrite(o);
    },
  };
});

/** The reproduction of defect 1: c2 concatenates c1, itself a concat with an identity operand. */
const CHAIN = `network dn {
  input image(8, 8, 1)
  train { data synthetic  steps 3  batch 8 }
  block id() { }
  block br() { maskable conv(4, kernel 3) bn relu }
  layers {
    conv(8, kernel 3)
    c1: concat(id(), br())
    c2: concat(id(), br())
    gap
    dense(10)
  }
}
`;
const TINY = ['--data', 'synthetic', '--steps', '3', '--batch', '8', '--synthetic-size', '64', '--eval-limit', '32', '--backend', 'cpu'];

let dir: string;
let spec: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'archc-compact-'));
  spec = join(dir, 'dn.arch');
  writeFileSync(spec, CHAIN);
});

/** Trains the chain through the generated-trainer entry (what `archc train` runs), with the IR interpreter. */
async function trainChain(out: string): Promise<{ code: number; out: string; err: string }> {
  const c = compileText(CHAIN, spec);
  const ir = c.ir!;
  const lines: string[] = [];
  const errs: string[] = [];
  const io = { out: (t: string) => void lines.push(t), err: (t: string) => void errs.push(t), isTTY: false, cwd: dir };
  const code = await runTrainerMain([...TINY, '--out', out], {
    name: ir.name,
    specPath: spec,
    specSource: CHAIN,
    ir,
    defaults: { data: 'synthetic', epochs: null, steps: 3, batch: 8, lr: ir.train.optimizer.lr, weightDecay: ir.train.optimizer.weightDecay, lambda: ir.sparsify.lambda, seed: ir.train.seed },
    createModule: (network, seed) => new IrModule(network, { seed }),
  }, io);
  return { code, out: lines.join('\n'), err: errs.join('\n') };
}

describe('archc compact', () => {
  it('a concat-of-concat network trains and compacts end to end; compact rebuilds the same files from the checkpoint', async () => {
    const out = join(dir, 'run');
    const t = await trainChain(out);
    expect(t.code, t.err).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['checkpoint.archckpt', 'compaction.json', 'dn.pruned.arch', 'metrics.jsonl', 'run.json', 'weights']);
    const pruned = readFileSync(join(out, 'dn.pruned.arch'), 'utf8');
    const report = readFileSync(join(out, 'compaction.json'), 'utf8');
    const weights = readFileSync(join(out, 'weights', 'weights.bin'));
    for (const f of ['dn.pruned.arch', 'compaction.json', 'weights']) rmSync(join(out, f), { recursive: true });

    const cli = await runCli(['compact', out], { cwd: dir });
    expect(cli.code, cli.err).toBe(0);
    expect(cli.out).toMatch(/^dn: compacting the state of run\/checkpoint\.archckpt at step 3$/m);
    expect(cli.out).toMatch(/^pruned spec: run\/dn\.pruned\.arch$/m);
    expect(readFileSync(join(out, 'dn.pruned.arch'), 'utf8')).toBe(pruned);
    expect(readFileSync(join(out, 'compaction.json'), 'utf8')).toBe(report);
    expect(readFileSync(join(out, 'weights', 'weights.bin')).equals(weights)).toBe(true);
  });

  it('a failure after training exits 1, names the checkpoint and archc compact, which then recovers the run', async () => {
    const out = join(dir, 'run');
    planted.fail = true;
    const t = await trainChain(out);
    expect(t.code).toBe(1);
    expect(t.err).toMatch(/compaction failed: ENOSPC: no space left on device \(planted\); the trained network is saved in run\/checkpoint\.archckpt; after fixing the cause, archc compact run redoes it/);
    expect(readdirSync(out).sort()).toEqual(['checkpoint.archckpt', 'metrics.jsonl', 'run.json']);
    const resumed = await runCli(['train', spec, '--resume', out], { cwd: dir });
    expect(resumed.code).toBe(1);
    expect(resumed.err).toMatch(/nothing to resume: .*\(archc compact \S+ redoes its compaction from the checkpoint\)/);

    const cli = await runCli(['compact', 'run'], { cwd: dir });
    expect(cli.code, cli.err).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['checkpoint.archckpt', 'compaction.json', 'dn.pruned.arch', 'metrics.jsonl', 'run.json', 'weights']);
    const recheck = await runCli(['check', join(out, 'dn.pruned.arch')]);
    expect(recheck.code, recheck.err).toBe(0);
  });

  it('refuses a missing folder, a folder without a checkpoint, a damaged checkpoint and a spec the run did not train, with exit 1', async () => {
    let cli = await runCli(['compact', join(dir, 'no-such-run')]);
    expect(cli.code).toBe(1);
    expect(cli.err).toMatch(/no such folder/);
    cli = await runCli(['compact', dir]);
    expect(cli.code).toBe(1);
    expect(cli.err).toMatch(/has no checkpoint\.archckpt: nothing to compact/);

    const out = join(dir, 'run');
    expect((await trainChain(out)).code).toBe(0);
    const dmg = join(dir, 'damaged');
    mkdirSync(dmg);
    writeFileSync(join(dmg, 'checkpoint.archckpt'), readFileSync(join(out, 'checkpoint.archckpt')).subarray(0, 100));
    cli = await runCli(['compact', dmg]);
    expect(cli.code).toBe(1);
    expect(cli.err).toMatch(/cannot compact: .*checkpoint\.archckpt: truncated or corrupt/);
    const other = join(dir, 'other.arch');
    writeFileSync(other, CHAIN.replace('conv(8, kernel 3)', 'conv(6, kernel 3)'));
    cli = await runCli(['compact', out, '--input', other], { cwd: dir });
    expect(cli.code).toBe(1);
    expect(cli.err).toMatch(/other\.arch is not the spec that run\/checkpoint\.archckpt was trained with \(network 'dn'\)/);
    expect(cli.err).not.toMatch(/\n\s+at /);
  });

  it('refuses while another process holds the run folder (a train, --resume or compact), naming its pid, and writes nothing; takes over a dead owner lock', async () => {
    const out = join(dir, 'run');
    expect((await trainChain(out)).code).toBe(0);
    for (const f of ['dn.pruned.arch', 'compaction.json', 'weights']) rmSync(join(out, f), { recursive: true });
    // The trainer's own lock, held by a live process (this one: what a running train or compact of the folder holds).
    const release = lockRunDir(out);
    let cli = await runCli(['compact', 'run'], { cwd: dir });
    release();
    expect(cli.code).toBe(1);
    expect(cli.err).toMatch(new RegExp(`^archc: cannot compact: the run folder run is in use by process ${process.pid} \\(since [^)]+\\); wait for it to finish or stop it`, 'm'));
    expect(readdirSync(out).sort()).toEqual(['checkpoint.archckpt', 'metrics.jsonl', 'run.json']);
    // A lock left by a process that is gone (a killed run) is stale: compact takes it over, and releases it.
    writeFileSync(join(out, LOCK_FILE), JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), since: '2026-01-01T00:00:00.000Z' }));
    cli = await runCli(['compact', 'run'], { cwd: dir });
    expect(cli.code, cli.err).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['checkpoint.archckpt', 'compaction.json', 'dn.pruned.arch', 'metrics.jsonl', 'run.json', 'weights']);
  });
});
