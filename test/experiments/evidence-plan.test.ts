// The evidence driver's pure parts (experiments/evidence/plan.ts): spec edits, row resolution from dependencies,
// the cache key, the resume decision, --until and --only.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SUITES } from '../../experiments/evidence/config.ts';
import {
  applySpecEdits,
  cacheKey,
  decideAction,
  equalCostSteps,
  resolveRun,
  selectRows,
  stripMaskable,
  untilDeadline,
  type DepFacts,
  type KeyParts,
} from '../../experiments/evidence/plan.ts';
import { compileText } from '../../src/semantic/compile.ts';

const RESNET = readFileSync('specs/fashion-resnet.arch', 'utf8');
const LSTM = readFileSync('specs/kjv-lstm.arch', 'utf8');
const suite = (name: string) => SUITES.find((s) => s.name === name)!;
const row = (s: string, r: string) => suite(s).rows.find((x) => x.name === r)!;

describe('spec edits', () => {
  it('dense: no group is maskable, every layer stays', () => {
    const before = compileText(RESNET, 'a.arch').ir!;
    const ir = compileText(applySpecEdits(RESNET, { dense: true }), 'a.arch').ir!;
    expect(before.groups.some((g) => g.maskable)).toBe(true);
    expect(ir.groups.some((g) => g.maskable)).toBe(false);
    expect(ir.params).toBe(before.params);
    expect(ir.macs).toBe(before.macs);
  });

  it('dense keeps comments that mention maskable, and removes maskable(overrides)', () => {
    const t = stripMaskable('  maskable(lambda 0.1) conv(4)  # a maskable conv\n  maskable dense(3)\n');
    expect(t).toBe('  conv(4)  # a maskable conv\n  dense(3)\n');
  });

  it('global scheduler: the checked IR uses Eq. 7, with the spec\'s scheduler arguments kept', () => {
    const r = compileText(applySpecEdits(RESNET, { scheduler: 'global' }), 'a.arch').ir!;
    expect(r.groups.filter((g) => g.maskable).every((g) => g.sparsify.scheduler.kind === 'global')).toBe(true);
    const l = compileText(applySpecEdits(LSTM, { scheduler: 'global' }), 'b.arch').ir!;
    const g = l.groups.find((x) => x.maskable)!;
    expect(g.sparsify.scheduler.kind).toBe('global');
    expect(g.sparsify.scheduler.p).toBe(1.2);
  });

  it('execution narrow: the checked IR runs narrow', () => {
    const ir = compileText(applySpecEdits(LSTM, { execution: 'narrow' }), 'b.arch').ir!;
    expect(ir.sparsify.execution).toMatchObject({ mode: 'narrow' });
  });

  it('data and lr: the checked IR reads the new values', () => {
    const ir = compileText(applySpecEdits(LSTM, { data: 'brown', lr: 'step(atSteps [1253], factor 0.25)', length: { steps: 1880 } }), 'b.arch').ir!;
    expect(ir.train.steps).toBe(1880);
    expect(ir.train.data.kind).toBe('brown');
    expect(ir.train.lrSchedule).toMatchObject({ kind: 'step', milestones: [1253], unit: 'step', factor: 0.25 });
  });
});

const facts = (over: Partial<DepFacts> = {}): DepFacts => ({ key: 'k', macs: 10e6, trainMacs: 3e12, batch: 128, ...over });

describe('resolveRun', () => {
  it('ours at a target passes --target-macs and the scale\'s length', () => {
    const r = resolveRun(suite('fashion-resnet'), row('fashion-resnet', 'ours-30'), 2, 'full', RESNET, new Map());
    expect(r.args).toEqual(expect.arrayContaining(['--epochs', '5', '--target-macs', '30%']));
    expect(r.id).toBe('fashion-resnet/ours-30/s2');
    expect(r.specText).toBe(RESNET.replace('steps 624', 'epochs 5'));
  });

  it('L1 needs the dense run and ours; it prunes to the MACs ours reached', () => {
    const s = suite('fashion-resnet');
    expect(() => resolveRun(s, row('fashion-resnet', 'l1-50'), 1, 'full', RESNET, new Map())).toThrow(/needs fashion-resnet\/dense\/s1/);
    const deps = new Map([
      ['dense', facts({ key: 'd', weightsDir: 'runs/x/weights' })],
      ['ours-50', facts({ key: 'o', macs: 9.9e6, trainMacs: 4e12 })],
    ]);
    const fixed = resolveRun(s, row('fashion-resnet', 'l1-50'), 1, 'full', RESNET, deps);
    expect(fixed.l1).toEqual({ denseWeights: 'runs/x/weights', targetMacs: 9.9e6 });
    expect(fixed.args).toEqual(expect.arrayContaining(['--epochs', '2', '--lr', '0.01']));
    expect(fixed.depKeys).toEqual(['d', 'o']);
    const eq = resolveRun(s, row('fashion-resnet', 'l1-50-eq'), 1, 'full', RESNET, deps);
    expect(eq.l1?.equalCost).toEqual({ budgetMacs: 4e12, batch: 128 });
    expect(eq.args).not.toContain('--epochs');
  });

  it("scratch trains ours' pruned spec with its masks removed", () => {
    const pruned = RESNET.replace('conv(16, kernel 3)', 'conv(9, kernel 3)');
    const r = resolveRun(suite('fashion-resnet'), row('fashion-resnet', 'scratch-50'), 1, 'full', RESNET, new Map([['ours-50', facts({ prunedText: pruned })]]));
    expect(r.specText).toContain('conv(9, kernel 3)');
    expect(r.specText).not.toMatch(/^\s*maskable/m);
  });

  it('the LSTM suites move the lr milestone to two thirds of the run; Brown reads data brown', () => {
    const r = resolveRun(suite('brown-lstm'), row('brown-lstm', 'ours-50'), 1, 'full', LSTM, new Map());
    expect(r.specText).toMatch(/^\s*data brown/m);
    expect(r.specText).toMatch(/lr step\(atSteps \[1893\], factor 0\.25\)/);
    expect(r.args).toEqual(expect.arrayContaining(['--steps', '2840']));
    // The spec as trained checks: its milestone lies inside the run it plans.
    const c = compileText(r.specText, 'b.arch');
    expect(c.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(c.ir!.train.steps).toBe(2840);
  });

  it('every row of every suite resolves, at both scales, to a spec that checks', () => {
    for (const s of SUITES) {
      if (s.optional) continue;
      const text = readFileSync(s.spec, 'utf8');
      for (const scale of ['smoke', 'full'] as const) {
        const deps = new Map<string, DepFacts>();
        for (const r of s.rows) {
          const run = resolveRun(s, r, 1, scale, text, deps);
          const c = compileText(run.specText, s.spec);
          expect(c.diagnostics.filter((d) => d.severity === 'error'), `${run.id} ${scale}`).toEqual([]);
          deps.set(r.name, facts({ key: r.name, prunedText: run.specText, weightsDir: 'w' }));
        }
      }
    }
  });
});

describe('equalCostSteps', () => {
  it('gives the fine-tuning the training MACs of ours', () => {
    // ours spent 3e12; the pruned net costs 1e7 per example at batch 100 → 1e9 per step → 3000 steps.
    expect(equalCostSteps(3e12, 1e7, 100)).toBe(3000);
    expect(equalCostSteps(1, 1e7, 100)).toBe(1);
    expect(() => equalCostSteps(0, 1e7, 100)).toThrow();
  });
});

describe('cacheKey', () => {
  const base: KeyParts = { specText: 'network a {}', args: ['--steps', '5'], seed: 1, data: 'fashion_mnist:a=1', code: 'abc.def', depKeys: [] };
  it('is stable for the same inputs and changes with each of them', () => {
    const k = cacheKey(base);
    expect(cacheKey({ ...base })).toBe(k);
    const variants: Partial<KeyParts>[] = [
      { specText: 'network b {}' },
      { args: ['--steps', '6'] },
      { seed: 2 },
      { data: 'fashion_mnist:a=2' },
      { code: 'abc.deg' },
      { depKeys: ['x'] },
      { l1: { targetMacs: 5 } },
    ];
    for (const v of variants) expect(cacheKey({ ...base, ...v }), JSON.stringify(v)).not.toBe(k);
  });
});

describe('decideAction', () => {
  const none = { storedKey: null, summaryKey: null, hasCheckpoint: false, finished: false };
  it('reuses a summary of the same key, resumes a checkpoint of the same key, else starts afresh', () => {
    expect(decideAction({ ...none, summaryKey: 'k', storedKey: 'k' }, 'k')).toBe('cached');
    expect(decideAction({ ...none, storedKey: 'k', hasCheckpoint: true }, 'k')).toBe('resume');
    expect(decideAction({ ...none, storedKey: 'k', hasCheckpoint: true, finished: true }, 'k')).toBe('summarise');
    expect(decideAction({ ...none, storedKey: 'k' }, 'k')).toBe('fresh');
    expect(decideAction(none, 'k')).toBe('fresh');
  });
  it('never resumes or reuses another key\'s run', () => {
    expect(decideAction({ storedKey: 'old', summaryKey: 'old', hasCheckpoint: true, finished: true }, 'new')).toBe('fresh');
  });
});

describe('--until and --only', () => {
  it('--until is today in UTC, or tomorrow when the time has passed', () => {
    const start = new Date('2026-12-02T10:00:00Z');
    expect(untilDeadline('12:05', start).toISOString()).toBe('2026-12-02T12:05:00.000Z');
    expect(untilDeadline('09:00', start).toISOString()).toBe('2026-12-03T09:00:00.000Z');
    expect(() => untilDeadline('25:00', start)).toThrow(/HH:MM/);
  });
  it('--only SUITE/ROW selects the row and what it depends on, in config order', () => {
    const sel = selectRows(SUITES, ['fashion-resnet/l1-30-eq']);
    expect(sel).toHaveLength(1);
    expect(sel[0]!.rows.map((r) => r.name)).toEqual(['dense', 'ours-30', 'l1-30-eq']);
    expect(selectRows(SUITES, ['kjv-lstm']).map((s) => s.suite.name)).toEqual(['kjv-lstm']);
    expect(() => selectRows(SUITES, ['fashion-resnet/nope'])).toThrow(/no row nope/);
    expect(() => selectRows(SUITES, ['nope'])).toThrow(/no such suite/);
  });
});
