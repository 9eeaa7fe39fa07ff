// `archc train` and generated trainers: a few steps on synthetic data write metrics.jsonl with the expected fields
// and the pruned spec; bad flags, a non-empty --out and a broken spec are one-line errors with exit 1; a generated
// module run directly answers --help. Kept short (a tiny spec, 2 steps) so the file stays well under a minute.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { PACKAGE_ROOT } from '../../src/codegen/index.ts';
import { runCli } from './helpers.ts';

const SPEC = 'test/codegen/cases/plain-cnn.arch';
const TINY = ['--data', 'synthetic', '--steps', '2', '--batch', '4', '--synthetic-size', '16', '--eval-limit', '16', '--backend', 'cpu'];

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'archc-train-'));
});

describe('archc train', () => {
  it('trains a few steps on synthetic data and writes metrics.jsonl and the pruned spec', async () => {
    const out = join(dir, 'run');
    const cli = await runCli(['train', SPEC, ...TINY, '--out', out]);
    const stdout = cli.out;
    expect(cli.code, cli.err).toBe(0);
    expect(stdout).toMatch(/^backend: cpu/m);
    expect(stdout).toMatch(/^evaluation \(test, \d+ examples, masks 1\[s > 0\]\): accuracy \d+\.\d+%/m);
    expect(stdout).toMatch(/^params [\d,]+ → [\d,]+ \(\d+\.\d%\), MACs \S+ → \S+/m);
    const lines = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.length).toBeGreaterThanOrEqual(1);
    const last = lines.at(-1)!;
    expect(last['step']).toBe(2);
    for (const field of ['epoch', 'loss', 'taskLoss', 'lambdaTerm', 'evalAccuracy', 'archParams', 'archMacs', 'denseParams', 'denseMacs', 'sampledMacs', 'expectedMacs', 'lr']) {
      expect(typeof last[field], field).toBe('number');
    }
    const kept = Object.entries(last['kept'] as Record<string, unknown>);
    expect(kept.length).toBeGreaterThan(0);
    for (const [group, width] of kept) expect(typeof width, group).toBe('number');
    expect(existsSync(join(out, 'plain-cnn.pruned.arch'))).toBe(true);
    expect(stdout).toMatch(/pruned spec: /);
  });

  it('prints no tfjs initializer warnings on an LSTM spec (issue 15 #18)', async () => {
    writeFileSync(
      join(dir, 'lm.arch'),
      'network lm {\n  input tokens(vocab 50, seq 8)\n  train { data synthetic  steps 2  batch 4  optimizer sgd(lr 1)  seed 1 }\n' +
        '  layers {\n    embedding(16)\n    maskable lstm(32)\n    maskable lstm(32)\n    dense(50)\n  }\n}\n',
    );
    const warnings: string[] = [];
    const spy = vi.spyOn(console, 'warn').mockImplementation((...a: unknown[]) => void warnings.push(a.map(String).join(' ')));
    try {
      // 32 units: recurrent kernels of 32 × 128 = 4,096 elements, over the 2,000 that tfjs's orthogonal init warns at.
      const cli = await runCli(['train', 'lm.arch', '--synthetic-size', '200', '--eval-limit', '32', '--backend', 'cpu', '--out', 'run'], { cwd: dir });
      expect(cli.code, cli.err).toBe(0);
      expect(existsSync(join(dir, 'run', 'weights', 'model.json'))).toBe(true);
      const ev = await runCli(['eval', 'run/lm.pruned.arch', '--weights', 'run/weights', '--backend', 'cpu', '--limit', '2'], { cwd: dir });
      expect(ev.code, ev.err).toBe(0);
      expect(cli.out + cli.err + ev.out + ev.err).not.toMatch(/Orthogonal/);
    } finally {
      spy.mockRestore();
    }
    expect(warnings.filter((w) => /Orthogonal initializer/.test(w))).toEqual([]);
  }, 120_000);

  it('refuses a non-empty --out without --force', async () => {
    const out = join(dir, 'busy');
    mkdirSync(out);
    writeFileSync(join(out, 'notes.txt'), 'mine');
    const cli = await runCli(['train', SPEC, ...TINY, '--out', out]);
    expect(cli.code).toBe(1);
    expect(cli.err).toMatch(/not empty; pass --force/);
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine');
  });

  const badFlags: [string[], RegExp][] = [
    [['--steps', '0'], /--steps must be a positive integer; got '0'/],
    [['--steps', 'ten'], /--steps must be a positive integer; got 'ten'/],
    [['--lr', '-1'], /--lr must be a positive number; got '-1'/],
    [['--backend', 'gpu'], /--backend must be one of node-gpu, node, native, wasm, cpu; got 'gpu'/],
    [['--steps', '2', '--epochs', '1'], /give --steps or --epochs, not both/],
  ];
  for (const [flags, message] of badFlags) {
    it(`rejects ${flags.join(' ')} with exit 1 and a one-line message`, async () => {
      const cli = await runCli(['train', SPEC, '--out', join(dir, 'x'), ...flags]);
      expect(cli.code).toBe(1);
      const err = cli.err;
      expect(err).toMatch(message);
      expect(err).not.toMatch(/\n\s+at /);
      expect(existsSync(join(dir, 'x'))).toBe(false);
    });
  }

  it('rejects an unknown flag', async () => {
    const cli = await runCli(['train', SPEC, '--bogus', '1']);
    expect(cli.code).toBe(1);
    expect(cli.err).toMatch(/unknown option '--bogus'/);
  });

  it('renders the diagnostics of a broken spec and exits 1', async () => {
    writeFileSync(join(dir, 'bad.arch'), 'network bad {\n  input image(8, 8, 1)\n  layers { dense(2 }\n}\n');
    const cli = await runCli(['train', 'bad.arch', '--data', 'synthetic'], { cwd: dir });
    expect(cli.code).toBe(1);
    expect(cli.err).toMatch(/bad\.arch\(3,\d+\): error ARCH1\d{3}[\s\S]*not trained/);
  });
});

describe('a generated trainer run directly', () => {
  it('answers --help with its flags and exit 0', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/codegen/baselines/plain-cnn.ts', '--help'], {
      cwd: PACKAGE_ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Usage: plain_cnn \[options\]/);
    for (const flag of ['--data <path|synthetic>', '--seed <n>', '--backend <node-gpu|node|native|wasm|cpu>', '--epochs <n>', '--steps <n>', '--batch <n>', '--out <dir>', '--lr <x>', '--lambda <x>']) {
      expect(r.stdout).toContain(flag);
    }
  });
  it('reports a bad flag with exit 1', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/codegen/baselines/plain-cnn.ts', '--batch', '0'], {
      cwd: PACKAGE_ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/plain_cnn: --batch must be a positive integer; got '0' \(see --help\)/);
  });
});
