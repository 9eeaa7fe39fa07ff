// The spec fuzzer in CI: 10k generated and mutated specs through parse → check → print → re-parse with no throw,
// no hang and no malformed diagnostic (count and time printed), and a few hundred through the real CLI `check`
// in one process, whose output must never hold a stack trace or an internal error.
// Longer runs: `npx tsx scripts/fuzz-specs.ts --long` (100k).

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fuzzInput, runFuzz, seedCorpus } from '../../scripts/fuzz-specs.ts';
import { ROOT, tempDir } from './helpers.ts';

const COUNT = Number(process.env['ARCHC_FUZZ_COUNT'] ?? 10_000);
const SEED = Number(process.env['ARCHC_FUZZ_SEED'] ?? 1);

describe('spec fuzzing', () => {
  it(`${COUNT} fuzzed specs: no throw, no hang, no malformed diagnostic`, async () => {
    const report = await runFuzz({ count: COUNT, seed: SEED, timeoutMs: 10_000, save: true });
    console.log(`fuzz: ${report.count} inputs (seed ${SEED}) in ${report.seconds.toFixed(1)} s; slowest ${report.slowest.ms.toFixed(0)} ms (input ${report.slowest.index})`);
    expect(report.failures.map((f) => `input ${f.index}: ${f.problem.split('\n')[0]} -> regressions/${f.saved}.arch`)).toEqual([]);
  }, 240_000);

  it('the CLI check on 300 fuzzed specs prints diagnostics only: no stack trace, no internal error', () => {
    const dir = tempDir('archc-fuzz-cli-');
    const corpus = seedCorpus();
    const files: string[] = [];
    for (let i = 0; i < 300; i++) {
      const f = join(dir, `f${i}.arch`);
      writeFileSync(f, fuzzInput(corpus, SEED + 1000, i));
      files.push(f);
    }
    const r = spawnSync(process.execPath, ['bin/archc.js', 'check', ...files], { cwd: ROOT, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });
    const out = r.stdout + r.stderr;
    expect(r.status === 0 || r.status === 1, out.slice(-2000)).toBe(true);
    expect(out).not.toMatch(/internal error/);
    expect(out).not.toMatch(/^\s+at .*\(.*:\d+:\d+\)$/m);
    // Every file got a verdict: a summary line or an error count.
    for (const f of files) expect(out.includes(`${f}: ok:`) || out.includes(`${f}: `)).toBe(true);
  }, 180_000);
});
