// The pruned .arch: the input text with only the widths changed. Golden test on a small residual spec with fixed
// keep sets (a labelled repeat that loses its last instance, an unlabelled repeat that loses its middle one, a single
// call removed, in-place literal edits at a layer and at a block call, per-instance overrides), plus the round trip
// (the pruned file parses, checks, and checks to the compacted network) and the atomic, never-over-the-input write.
// To accept a changed baseline: ACCEPT=1 npx vitest run test/compaction/pruned-arch.test.ts, then review the diff.

import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compact } from '../../src/compaction/compact.ts';
import { emitChecked, recheck } from '../../src/compaction/compact-and-write.ts';
import { emitPrunedArch, writePrunedArch } from '../../src/compaction/pruned-arch.ts';
import { compileText } from '../../src/semantic/compile.ts';
import { randomWeights } from './helpers.ts';

const CASE = join(import.meta.dirname, 'cases', 'small-resnet.arch');
const BASELINE = join(import.meta.dirname, 'baselines', 'small-resnet.pruned.arch');

/** Kept indices by group name: every other index up to `n`, or none. */
const KEEP: Record<string, number> = {
  'g0:stage1': 10,
  'g1:stage1.basic1.conv1': 7,
  'g2:stage1.basic2.conv1': 0,
  'g3:stage2.basic1.conv1': 20,
  'g4:stage2.basic1': 24,
  'g5:stage2.basic2.conv1': 9,
  'g6:basic1.conv1': 12,
  'g7:basic2.conv1': 0,
  'g8:basic3.conv1': 5,
  'g9:basic4.conv1': 0,
  'g10:head1.dense1': 13,
};

function golden() {
  const text = readFileSync(CASE, 'utf8');
  const compiled = compileText(text, 'cases/small-resnet.arch');
  const ir = compiled.ir!;
  const keep = new Map<number, number[]>();
  for (const g of ir.groups) {
    const n = KEEP[g.name];
    if (n !== undefined) keep.set(g.id, Array.from({ length: n }, (_, i) => (i * 2) % g.width + (i * 2 >= g.width ? 1 : 0)));
  }
  const c = compact(ir, randomWeights(ir, 1), { keep });
  return { text, compiled, c };
}

describe('pruned .arch', () => {
  it('matches the golden baseline', () => {
    const { text, compiled, c } = golden();
    expect(Object.keys(KEEP).sort()).toEqual(compiled.ir!.groups.filter((g) => g.maskable).map((g) => g.name).sort());
    const { pruned } = emitChecked(text, compiled.ast!, c, 'small-resnet.pruned.arch');
    if (process.env['ACCEPT']) writeFileSync(BASELINE, pruned.text);
    expect(pruned.text).toBe(readFileSync(BASELINE, 'utf8'));
    expect(pruned.removedInstances.sort()).toEqual(['basic2', 'basic4', 'stage1.basic2']);
  });

  it('changes only width literals, removed statements and the appended widths section', () => {
    const { text, compiled, c } = golden();
    const pruned = emitPrunedArch(text, compiled.ast!, c.plan, c.compacted);
    // Every comment line of the input survives verbatim.
    for (const line of text.split('\n').filter((l) => l.trim().startsWith('#'))) expect(pruned.text).toContain(line);
    // The stem shares its group with block-parameter widths, so it is overridden with them (see pruned-arch.ts).
    expect(pruned.text).toContain('maskable conv(16, kernel 3)  bn  relu   # stem');
    expect(pruned.text).toContain('    conv1 10  # was 16');
    expect(pruned.text).toContain('head(13)');
    expect(pruned.text).toContain('stage1: repeat 1 basic(16)');
    expect(pruned.text).toContain('# archc: stage1.basic2 pruned to identity (all 16 inner channels of g2:stage1.basic2.conv1 removed)');
    expect(pruned.text).toContain('basic(32)  basic3: basic(32)');
  });

  // Unconditional: a broken `widths` section must fail this, not skip it (issue 15).
  it('re-checks to the compacted network (params, MACs, paths, groups)', () => {
    const { text, compiled, c } = golden();
    const pruned = emitPrunedArch(text, compiled.ast!, c.plan, c.compacted);
    expect(recheck(pruned.text, 'small-resnet.pruned.arch', c.compacted.ir)).toEqual({ compiles: true, matches: true, problems: [] });
  });

  it('writes atomically and never over the input', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'archc-pruned-'));
    const input = join(dir, 'a.arch');
    writeFileSync(input, 'x');
    await expect(writePrunedArch(input, 'y', input)).rejects.toThrow(/overwrite the input/);
    await writePrunedArch(join(dir, 'a.pruned.arch'), 'y\n', input);
    expect(readdirSync(dir).sort()).toEqual(['a.arch', 'a.pruned.arch']);
    expect(readFileSync(input, 'utf8')).toBe('x');
  });
});
