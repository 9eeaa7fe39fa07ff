// Exactness of compaction for the five families: on random weights (BN statistics included) and random mask
// logits, the compacted network (IrModule on the compacted IR with the sliced weights) computes what the masked
// network computes in evaluation mode, within 1e-4 — also when a residual branch vanishes (the runtime's branch gate)
// and when a chain keeps its minimum width. No sliced tensor has a zero-sized axis, and the pruned spec checks to
// the compacted network (params and MACs as `archc stats` prints them).

import { beforeAll, describe, expect, it } from 'vitest';
import { compact } from '../../src/compaction/compact.ts';
import { emitChecked, recheck } from '../../src/compaction/compact-and-write.ts';
import { emitPrunedArch } from '../../src/compaction/pruned-arch.ts';
import { initBackend } from '../../src/runtime/backend/index.ts';
import { compileText } from '../../src/semantic/compile.ts';
import { SPECS, compileSpec, evalOutputs, inputFor, maxAbsDiff, randomWeights } from './helpers.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

const off = (n: number) => Array.from({ length: n }, (_, i) => -0.2 - 0.01 * i);

type Family = keyof typeof SPECS;
const CASES: { family: Family; label: string; seed: number; off?: string[]; expect?: { dead?: string[]; mode?: 'identity' | 'zeroed'; minWidth?: string[] } }[] = [
  { family: 'cnn', label: 'random masks', seed: 1 },
  { family: 'cnn', label: 'a chain at min width', seed: 2, off: ['g0:conv1', 'g2:conv3'], expect: { minWidth: ['g0:conv1', 'g2:conv3'] } },
  { family: 'identity', label: 'random masks', seed: 3 },
  { family: 'identity', label: 'a vanished branch', seed: 4, off: ['g2:stage1.basic2.conv1'], expect: { dead: ['stage1.basic2'], mode: 'identity' } },
  { family: 'identity', label: 'two vanished branches and the stem chain at min width', seed: 5, off: ['g1:stage1.basic1.conv1', 'g3:stage1.basic3.conv1', 'g0:stage1'], expect: { dead: ['stage1.basic1', 'stage1.basic3'], minWidth: ['g0:stage1'] } },
  { family: 'projection', label: 'random masks', seed: 6 },
  { family: 'projection', label: 'vanished identity and projection branches', seed: 7, off: ['g2:stage1.basic2.conv1', 'g3:stage2.basic1.conv1'], expect: { dead: ['stage1.basic2', 'stage2.basic1'] } },
  { family: 'depthwise', label: 'random masks', seed: 8 },
  { family: 'depthwise', label: 'a vanished inverted-residual branch', seed: 9, off: ['g2:inv1.conv1'], expect: { dead: ['inv1'], mode: 'identity' } },
  { family: 'lstm', label: 'random masks', seed: 10 },
  { family: 'lstm', label: 'a layer at min width', seed: 11, off: ['g1:lstm2'], expect: { minWidth: ['g1:lstm2'] } },
];

describe('compaction is exact', () => {
  for (const c of CASES) {
    it(`${c.family}: ${c.label}`, () => {
      const ir = compileSpec(SPECS[c.family]);
      const logits: Record<string, number[]> = {};
      for (const name of c.off ?? []) {
        const g = ir.groups.find((x) => x.name === name);
        expect(g, `group ${name} in ${ir.groups.map((x) => x.name).join(', ')}`).toBeDefined();
        logits[name] = off(g!.width);
      }
      const w = randomWeights(ir, c.seed, logits);
      const comp = compact(ir, w);
      if (c.expect?.dead) expect(comp.plan.dead.map((d) => d.instance).sort()).toEqual([...c.expect.dead].sort());
      if (c.expect?.mode) expect(comp.plan.dead.every((d) => d.mode === c.expect!.mode)).toBe(true);
      if (c.expect?.minWidth) expect(comp.plan.minWidth.map((m) => m.group).sort()).toEqual([...c.expect.minWidth].sort());
      // Size-0 weights never appear (peers crash here with EmptyLayerError-style failures).
      for (const [name, t] of Object.entries(comp.weights)) expect(t.shape.every((d) => d > 0), name).toBe(true);
      expect(comp.compacted.ir.params).toBeLessThan(ir.params);
      for (const x of [inputFor(ir, 3, c.seed)]) {
        const masked = evalOutputs(ir, w, x);
        const compacted = evalOutputs(comp.compacted.ir, comp.weights, x);
        expect(maxAbsDiff(masked, compacted)).toBeLessThanOrEqual(1e-4);
        x.dispose();
      }
    });
  }
});

describe('the pruned spec checks to the compacted network', () => {
  // These run unconditionally: a broken `widths` section must fail them, not skip them (issue 15).
  for (const c of CASES) {
    it(`${c.family}: ${c.label} (stats equal)`, () => {
      const text = SPECS[c.family];
      const compiled = compileText(text, `${c.family}.arch`);
      const ir = compiled.ir!;
      const logits: Record<string, number[]> = {};
      for (const name of c.off ?? []) logits[name] = off(ir.groups.find((x) => x.name === name)!.width);
      const comp = compact(ir, randomWeights(ir, c.seed, logits));
      const { check: r } = emitChecked(text, compiled.ast!, comp, `${c.family}.pruned.arch`);
      expect(r.problems).toEqual([]);
      expect(r.compiles && r.matches).toBe(true);
    });
  }
  it('specs whose widths are all literals round-trip without a widths section', () => {
    const text = SPECS.cnn;
    const compiled = compileText(text, 'cnn.arch');
    const comp = compact(compiled.ir!, randomWeights(compiled.ir!, 12));
    const pruned = emitPrunedArch(text, compiled.ast!, comp.plan, comp.compacted);
    expect(pruned.overrides).toEqual([]);
    expect(recheck(pruned.text, 'cnn.pruned.arch', comp.compacted.ir)).toEqual({ compiles: true, matches: true, problems: [] });
  });
});
