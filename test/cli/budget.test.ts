// `archc train --target-macs / --target-params` (README "Budget targets"): a short run on synthetic data ends with
// the kept MACs of the last metrics line within 2 points of the target and says so; bad budget flags are one-line
// errors with exit 1 before anything is written. The full acceptance command (specs/fashion-cnn.arch, 300 steps)
// takes minutes on 2 cores; its result is in /work/notes/issue-12.md and experiments/results/budget.md.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/codegen/index.ts';
import { runCli } from './helpers.ts';

const SPEC = `network budget_cnn {
  input image(12, 12, 1)
  train { data synthetic  steps 10  batch 16  seed 1 }
  block cbr(width) {
    maskable conv(width, kernel 3)  bn  relu
  }
  layers {
    cbr(16)  maxpool
    cbr(24)  maxpool
    flatten
    dense(3)
  }
}
`;
const RUN = ['--data', 'synthetic', '--batch', '16', '--synthetic-size', '256', '--eval-limit', '64', '--backend', 'cpu'];

let dir: string;
let spec: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'archc-budget-'));
  spec = join(dir, 'budget-cnn.arch');
  writeFileSync(spec, SPEC);
});

describe('archc train with a budget target', () => {
  it('--target-macs 50%: the last metrics line keeps 50% ± 2 points of the dense MACs, and the summary says met', async () => {
    const out = join(dir, 'run');
    const cli = await runCli(['train', spec, ...RUN, '--steps', '100', '--log-every', '25', '--target-macs', '50%', '--out', out]);
    expect(cli.code, cli.err).toBe(0);
    expect(cli.out).toMatch(/training .* target MACs 50% \(λ steered\)/);
    const lines = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { archMacs: number; denseMacs: number; budget: { target: number; lambda: number; gap: number; met: boolean | null } });
    const last = lines.at(-1)!;
    expect(Math.abs(last.archMacs / last.denseMacs - 0.5)).toBeLessThanOrEqual(0.02);
    expect(last.budget.target).toBe(0.5);
    expect(last.budget.met).toBe(true);
    expect(lines.every((l) => typeof l.budget.lambda === 'number' && typeof l.budget.gap === 'number')).toBe(true);
    expect(cli.out).toMatch(/^target MACs 50\.0% of dense: the kept network has \d+\.\d% \(within ±2\.0 points: met\)$/m);
  }, 300_000);

  const bad: [string[], RegExp][] = [
    [['--target-macs', '140%'], /--target-macs must be a percent of the dense network in \(0%, 100%\] \(40%\) or a count \(150M, 1\.2M, 30000\); got '140%'/],
    [['--target-macs', 'half'], /--target-macs must be a percent .*; got 'half'/],
    [['--target-macs', '50%', '--target-params', '1k'], /give --target-macs or --target-params, not both/],
    [['--target-macs', '50%', '--lambda', '0.1'], /--lambda contradicts --target-macs: with a target, the budget controller sets λ/],
    [['--target-params', '50M'], /--target-params 50M is more than the dense network's \S+ params/],
    // With minWidth 8 the chains keep half of conv1 and a third of conv2: 21.5% of the MACs at least.
    [['--target-macs', '5%', '--min-width-8'], /--target-macs 5% is below the smallest network minWidth allows: 31\.3k \(21\.5% of the dense MACs\); lower minWidth in the spec, or raise the target/],
  ];
  for (const [flags, message] of bad) {
    it(`rejects ${flags.filter((f) => f !== '--min-width-8').join(' ')}${flags.includes('--min-width-8') ? ' (minWidth 8)' : ''} with exit 1 and one line`, async () => {
      const out = join(dir, 'x');
      const narrow = flags.includes('--min-width-8');
      if (narrow) writeFileSync(spec, SPEC.replace('input image(12, 12, 1)', 'input image(12, 12, 1)\n  sparsify { minWidth 8 }'));
      const cli = await runCli(['train', spec, ...RUN, '--steps', '2', '--out', out, ...flags.filter((f) => f !== '--min-width-8')]);
      expect(cli.code).toBe(1);
      expect(cli.err).toMatch(message);
      expect(cli.err).not.toMatch(/\n\s+at /);
      expect(existsSync(out)).toBe(false);
    });
  }
});

describe('a generated trainer', () => {
  it('takes the same budget flags (it shares archc train\'s flag table)', () => {
    const help = spawnSync(process.execPath, ['--import', 'tsx', 'test/codegen/baselines/plain-cnn.ts', '--help'], { cwd: PACKAGE_ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toContain('--target-macs <P%|N>');
    expect(help.stdout).toContain('--target-params <N|P%>');
    const bad = spawnSync(process.execPath, ['--import', 'tsx', 'test/codegen/baselines/plain-cnn.ts', '--target-params', '-3'], { cwd: PACKAGE_ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^plain_cnn: --target-params must be a percent of the dense network .*; got '-3' \(see --help\)$/m);
  });
});
