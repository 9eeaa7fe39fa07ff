// Valid-spec fuzzing in the suite (issue 15): generated specs that `archc check` must accept, 1,000 through
// check → build → type-check (one shared type-checker program) and the first 100 of them on through train 2 steps
// in process → compact → re-check of the pruned spec. `npx tsx scripts/fuzz-specs.ts --valid --long` runs 100,000.
//
// KNOWN_DEFECTS_ELSEWHERE turns off generator features whose chain failures are open defects outside the front
// end (issue 15, the run/compaction/codegen part). When one is fixed, delete its line: the suite then covers it.

import { describe, expect, it } from 'vitest';
import { ALL_FEATURES, runValidFuzz, validSpec, type ValidFeatures } from '../../scripts/fuzz-valid-specs.ts';

const KNOWN_DEFECTS_ELSEWHERE: Partial<ValidFeatures> = {
  // (denseNetChains, defect 1, is fixed on main: concat chains with identity operands compact; the suite covers them.)
  // Found by this fuzzer, same family: a residual block (identity add) on a concat's channels ("Operands could not
  // be broadcast together with shapes [10,10,8] [10,10,4]" in compaction).
  residualOnConcat: false,
  // Defect 10: a label named like a NetworkModule member (`bnLayers:`) shadows it in the generated class.
  baseClassMemberLabels: false,
  // Found by this fuzzer: a label starting with '_' (`__proto__:`) makes weight names the tfjs export refuses.
  leadingUnderscoreLabels: false,
};
const FEATURES: ValidFeatures = { ...ALL_FEATURES, ...KNOWN_DEFECTS_ELSEWHERE };

const COUNT = Number(process.env['ARCHC_FUZZ_VALID_COUNT'] ?? 1000);
const FULL = Number(process.env['ARCHC_FUZZ_VALID_FULL'] ?? 100);
const SEED = Number(process.env['ARCHC_FUZZ_SEED'] ?? 1);

describe('valid-spec fuzzing', () => {
  it('the generator covers what it claims: concat chains with identity operands, vanishing branches, depthwise, LSTM stacks, hostile labels', () => {
    const specs = Array.from({ length: 300 }, (_, i) => validSpec(SEED, i, ALL_FEATURES));
    const some = (re: RegExp): number => specs.filter((s) => re.test(s)).length;
    expect(some(/concat\(id\(\), br\(\d\)\)\n\s+(\w+: )?concat\(id\(\)/)).toBeGreaterThan(0);
    expect(some(/maskable\(init -4\)/)).toBeGreaterThan(10);
    expect(some(/dwconv/)).toBeGreaterThan(10);
    expect(some(/lstm\(\d\)\n\s+(\w+: )?(maskable )?lstm/)).toBeGreaterThan(5);
    expect(some(/^\s+(class|constructor|__proto__|await|default|function): /m)).toBeGreaterThan(5);
    expect(some(/^\s+(bnLayers|forward|masks|getWeights|dispose): /m)).toBeGreaterThan(0);
    // With a feature off, the generator never uses it.
    const without = Array.from({ length: 300 }, (_, i) => validSpec(SEED, i, { ...FEATURES, denseNetChains: false })).join('\n');
    expect(without).not.toMatch(/concat\(id\(\), br\(\d\)\)\n\s+(\w+: )?concat\(/);
    expect(without).not.toMatch(/^\s+(bnLayers|forward|masks|getWeights|dispose|ir|store|__proto__): /m);
    expect(without).not.toMatch(/concat\(id\(\), br\(\d\)\)\n\s+(\w+: )?(repeat \d )?(res|vres|inv)\(/);
    expect(some(/concat\(id\(\), br\(\d\)\)\n\s+(\w+: )?(repeat \d )?(res|vres|inv)\(/)).toBeGreaterThan(0);
  });

  it(`${COUNT} specs through check → build → type-check, the first ${FULL} through train → compact → re-check: no failure`, async () => {
    const report = await runValidFuzz({ seed: SEED, count: COUNT, full: FULL, features: FEATURES, batch: 250 });
    console.log(`valid fuzz: ${report.count} specs (${report.full} through the whole chain) in ${report.seconds.toFixed(0)} s`);
    expect(report.failures.map((f) => `spec ${f.index} (${f.stage}): ${f.problem}`)).toEqual([]);
  }, 1_800_000);
});
