// The training stage (src/train/): run options are one typed value, validated once by parseRunOptions; trainRun
// resolves them against the spec (or the checkpoint on --resume) and trains. --lambda, when given, is the λ of every
// mask group, a layer's own `maskable(lambda …)` included, whatever its value; not given, each group keeps the λ the
// spec gives it, also through a resume. `archc compact` re-applies a run's recorded settings, budget flag included.

import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { IrModule } from '../../src/runtime/module.ts';
import { compileText } from '../../src/semantic/compile.ts';
import type { IrNetwork } from '../../src/semantic/ir.ts';
import type { Io } from '../../src/train/io.ts';
import { FlagError, parseRunOptions } from '../../src/train/options.ts';
import { LOCK_FILE } from '../../src/train/run-lock.ts';
import { trainerDefaults, trainRun, type TrainerMainOptions } from '../../src/train/run.ts';
import { runCli } from '../cli/helpers.ts';

// Network λ 0.04; the first conv has its own λ 0.5, the second inherits the network's.
const SPEC = `network lam {
  input image(6, 6, 1)
  sparsify { lambda 0.04 }
  train { data synthetic  steps 2  batch 4  optimizer sgd(lr 0.01)  seed 1 }
  layers {
    a: maskable(lambda 0.5) conv(4, kernel 3)  bn  relu
    b: maskable conv(4, kernel 3)  bn  relu
    gap
    dense(3)
  }
}
`;

const quiet: Io = { out: () => {}, err: () => {}, isTTY: false, cwd: process.cwd() };

function network(dir: string): TrainerMainOptions {
  const path = join(dir, 'lam.arch');
  writeFileSync(path, SPEC);
  const c = compileText(SPEC, path);
  expect(c.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const ir = c.ir!;
  return { name: ir.name, specPath: 'lam.arch', specUrl: pathToFileURL(path), specSource: SPEC, ir, defaults: trainerDefaults(ir), createModule: (n: IrNetwork, seed: number) => new IrModule(n, { seed }) };
}

/** Each maskable group's λ in the IR a run trained. */
const lambdas = (ir: IrNetwork): number[] => ir.groups.filter((g) => g.maskable).map((g) => g.sparsify.lambda);

const TINY = ['--data', 'synthetic', '--steps', '1', '--batch', '4', '--synthetic-size', '16', '--eval-limit', '8', '--backend', 'cpu'];
const flags = (argv: string[]): Record<string, string | boolean> => {
  const o: Record<string, string | boolean> = {};
  const keys: Record<string, string> = { '--data': 'data', '--steps': 'steps', '--batch': 'batch', '--synthetic-size': 'syntheticSize', '--eval-limit': 'evalLimit', '--backend': 'backend', '--lambda': 'lambda', '--out': 'out', '--resume': 'resume' };
  for (let i = 0; i < argv.length; i += 2) o[keys[argv[i]!]!] = argv[i + 1]!;
  return o;
};

describe('run options', () => {
  it('are validated once, into typed values; bad values and conflicts are FlagErrors with the flag named', () => {
    expect(parseRunOptions({ steps: '3', lr: '0.5', backend: 'cpu', force: true, syntheticSize: '16', targetMacs: ' 40% ' })).toMatchObject({
      steps: 3,
      lr: 0.5,
      backend: 'cpu',
      force: true,
      synthetic: { train: 16 },
      target: { metric: 'macs', written: '40%' },
    });
    expect(() => parseRunOptions({ lambda: '0.1', targetMacs: '40%' })).toThrow(/--lambda contradicts --target-macs/);
    for (const [raw, message] of [
      [{ steps: '0' }, "--steps must be a positive integer; got '0'"],
      [{ seed: '-1' }, "--seed must be an integer from 0 to 4294967295; got '-1'"],
      [{ lambda: 'x' }, "--lambda must be a number >= 0; got 'x'"],
      [{ backend: 'gpu' }, "--backend must be one of node-gpu, node, native, wasm, cpu; got 'gpu'"],
      [{ steps: '1', epochs: '1' }, 'give --steps or --epochs, not both'],
      [{ data: ' ' }, "--data must be a path or 'synthetic'"],
    ] as const) {
      expect(() => parseRunOptions(raw), message).toThrow(FlagError);
      expect(() => parseRunOptions(raw)).toThrow(message);
    }
    // Not given stays undefined (the spec's value, or the checkpoint's on resume, applies later).
    expect(parseRunOptions({})).toEqual({});
  });
});

describe('--lambda', () => {
  it("given, replaces every group's λ, a layer's own included, even when it equals the network's λ; not given, keeps the spec's", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'archc-lambda-'));
    const net = network(dir);
    expect(lambdas(net.ir)).toEqual([0.5, 0.04]);
    const run = async (extra: string[], out: string): Promise<number[]> => lambdas((await trainRun(net, parseRunOptions(flags([...TINY, ...extra, '--out', join(dir, out)])), quiet)).ir);
    expect(await run([], 'none')).toEqual([0.5, 0.04]);
    // The network's own value: before the training stage, this left the layer's 0.5 in place.
    expect(await run(['--lambda', '0.04'], 'same')).toEqual([0.04, 0.04]);
    expect(await run(['--lambda', '0.2'], 'other')).toEqual([0.2, 0.2]);
  }, 120_000);

  it('not given, stays not given through a resume: the resumed run keeps each group its own λ', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'archc-lambda-resume-'));
    const net = network(dir);
    const out = join(dir, 'run');
    const options = parseRunOptions(flags([...TINY.filter((_, i) => i < 2 || i > 3), '--out', out]));
    // A Ctrl-C that arrives at once: the first step finishes, is checkpointed, and the run stops with exit code 130.
    const sigint = { on: (_e: 'SIGINT', l: () => void) => l(), off: () => {} };
    await expect(trainRun(net, { ...options, steps: 2 }, quiet, { signals: sigint })).rejects.toMatchObject({ exitCode: 130 });
    const resumed = await trainRun(net, { resume: out }, quiet);
    expect(resumed.result.finalMetrics.step).toBe(2);
    expect(lambdas(resumed.ir)).toEqual([0.5, 0.04]);
  }, 120_000);
});

describe('the run folder', () => {
  it('stays locked by the run through compaction and what the command adds after it, and is released at the end', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'archc-lock-'));
    const out = join(dir, 'run');
    const seen: { lockPid: number; pruned: boolean }[] = [];
    await trainRun(network(dir), parseRunOptions(flags([...TINY, '--out', out])), quiet, {
      onDone: async (o) => {
        seen.push({ lockPid: (JSON.parse(readFileSync(join(out, LOCK_FILE), 'utf8')) as { pid: number }).pid, pruned: o.pruned !== null && existsSync(o.pruned) });
      },
    });
    expect(seen).toEqual([{ lockPid: process.pid, pruned: true }]);
    expect(existsSync(join(out, LOCK_FILE))).toBe(false);
  }, 120_000);
});

describe('archc compact of a budget-flag run', () => {
  it('re-applies the recorded --target-macs, so the checkpoint matches its spec and compaction redoes it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'archc-compact-target-'));
    writeFileSync(join(dir, 'lam.arch'), SPEC);
    const out = join(dir, 'run');
    const train = await runCli(['train', 'lam.arch', ...TINY, '--steps', '2', '--target-macs', '60%', '--out', out], { cwd: dir });
    expect(train.code, train.err).toBe(0);
    const compact = await runCli(['compact', out], { cwd: dir });
    expect(compact.err).toBe('');
    expect(compact.code).toBe(0);
    expect(compact.out).toMatch(/pruned spec: run\/lam\.pruned\.arch/);
  }, 120_000);
});
