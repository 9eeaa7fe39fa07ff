// `sparsify { execution … }` from the spec to the trainer: `auto`, `narrow`, `narrow(fullEvery K)` and `full` select
// how steps run; without the setting `auto` applies (narrow where exact, full elsewhere); a wrong word or a negative K is a diagnostic on the setting.

import * as tf from '@tensorflow/tfjs';
import { readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/runtime/backend/index.ts';
import { openDataset } from '../../../src/runtime/data/index.ts';
import { IrModule } from '../../../src/runtime/module.ts';
import { groupsNeedingFullWidth } from '../../../src/runtime/narrow/exactness.ts';
import { AUTO_NARROW_MAX_SHARE, Trainer } from '../../../src/runtime/train/trainer.ts';
import { buildCostModel, evalCost } from '../../../src/runtime/macs.ts';
import { compileText } from '../../../src/semantic/compile.ts';
import { DEFAULT_EXECUTION } from '../../../src/semantic/defaults.ts';
import type { IrNetwork } from '../../../src/semantic/ir.ts';
import { codes, messages, net } from '../../semantic/helpers.ts';
import { compileSpec } from '../../compaction/helpers.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

const spec = (sparsify: string) =>
  net({ input: 'image(8, 8, 1)', sparsify, train: 'data synthetic  steps 6  batch 4', layers: 'maskable conv(4, kernel 3)  bn  relu\ngap\ndense(3)' });

function trainerFor(ir: IrNetwork): { t: Trainer; m: IrModule } {
  const m = new IrModule(ir, { seed: 1 });
  const dataset = openDataset({ kind: 'synthetic', path: null }, { input: ir.input, classes: ir.outputs, seed: 1, synthetic: { train: 16, test: 8, valid: 8 } });
  return { t: new Trainer({ ir, module: m, dataset, seed: 1, outDir: null, log: () => {}, isTTY: false }), m };
}

describe('sparsify { execution }', () => {
  it('narrow(fullEvery 3), narrow, full and the default reach the trainer', () => {
    const cases: [string, boolean[]][] = [
      ['execution narrow(fullEvery 3)', [true, true, false, true, true, false]],
      ['execution narrow', [true, true, true, true, true, true]],
      ['execution full', [false, false, false, false, false, false]],
      // auto (the default): this conv-BN-ReLU net runs narrow, where that is exact.
      ['lambda 0.04', [true, true, true, true, true, true]],
      ['execution auto', [true, true, true, true, true, true]],
    ];
    for (const [s, want] of cases) {
      const ir = compileSpec(spec(s));
      const { t, m } = trainerFor(ir);
      expect(want.map((_, i) => t.isNarrowStep(i)), s).toEqual(want);
      t.trainStep();
      t.dispose();
      m.dispose();
    }
  });

  it('auto runs full width where a narrow step would drop off structures\' gradient (a masked dense(relu))', () => {
    expect(DEFAULT_EXECUTION.mode).toBe('auto');
    const ir = compileSpec(net({ input: 'image(8, 8, 1)', train: 'data synthetic  steps 6  batch 4', layers: 'maskable conv(4, kernel 3)  bn  relu\nflatten\nmaskable dense(6, activation relu)\ndense(3)' }));
    expect(groupsNeedingFullWidth(ir)).toEqual(['g1:dense1']);
    const { t, m } = trainerFor(ir);
    expect(t.execution).toEqual({ mode: 'full', fullEvery: 0 });
    t.dispose();
    m.dispose();
  });

  it('auto runs a step full width when most of the MACs are sampled (same result, cheaper there) and narrow below', async () => {
    const ir = compileSpec(spec('lambda 0.04'));
    for (const [s0, want] of [[2, 0], [-2, 1]] as const) {
      const { t, m } = trainerFor(ir);
      // s0 = 2: every structure on (100% of the MACs sampled) → full width; −2 for all but one: a thin net → narrow.
      for (const g of m.masks.groups) g.s.assign(tf.tensor1d(Array.from({ length: g.width }, (_, j) => (j === 0 ? 2 : s0))));
      t.trainStep();
      const { line } = await t.writeMetrics();
      expect(line.narrowSteps, `s0 ${s0}`).toBe(want);
      t.dispose();
      m.dispose();
    }
  });

  it('auto switches at AUTO_NARROW_MAX_SHARE of the dense MACs: just above runs full width, just below narrow', async () => {
    expect(AUTO_NARROW_MAX_SHARE).toBe(0.6); // the idle sweep's crossing on fashion-resnet (README "Narrow execution")
    const ir = compileSpec(net({ input: 'image(8, 8, 1)', train: 'data synthetic  steps 6  batch 4', layers: 'maskable conv(20, kernel 3)  bn  relu\nmaskable conv(20, kernel 3)  bn  relu\ngap\ndense(3)' }));
    const model = buildCostModel(ir);
    const share = (on: number) => evalCost(model.macs, new Map(ir.groups.filter((g) => g.maskable).map((g) => [g.id, on / g.width]))) / model.denseMacs;
    // The largest count of structures per group at or below the threshold, and the next one (above it).
    let below = 1;
    while (share(below + 1) <= AUTO_NARROW_MAX_SHARE) below++;
    expect(share(below + 1)).toBeGreaterThan(AUTO_NARROW_MAX_SHARE);
    for (const [on, want] of [[below, 1], [below + 1, 0]] as const) {
      const { t, m } = trainerFor(ir);
      for (const g of m.masks.groups) g.s.assign(tf.tensor1d(Array.from({ length: g.width }, (_, j) => (j < on ? 2 : -2))));
      t.trainStep();
      const { line } = await t.writeMetrics();
      expect(line.narrowSteps, `${on} of 20 on: ${(100 * share(on)).toFixed(1)}% of the MACs`).toBe(want);
      t.dispose();
      m.dispose();
    }
  });

  it('which shipped specs run narrow under auto (the README list): all but the recurrent LMs, fashion-grouped and WRN', () => {
    const needsFull: Record<string, string[]> = {};
    for (const f of readdirSync('specs').filter((x) => x.endsWith('.arch')).sort()) {
      const ir = compileText(readFileSync(`specs/${f}`, 'utf8'), f).ir;
      expect(ir, f).toBeDefined();
      const groups = groupsNeedingFullWidth(ir!);
      if (groups.length > 0) needsFull[f] = groups;
    }
    expect(Object.keys(needsFull)).toEqual(['fashion-grouped.arch', 'gru-lm.arch', 'kjv-lstm.arch', 'lstm-ptb.arch', 'wrn28-10.arch']);
  });

  it('a wrong word or a negative fullEvery is a diagnostic on the setting', () => {
    expect(codes(spec('execution thin'))).toEqual(['3:24 ARCH2018']);
    expect(messages(spec('execution thin'))).toEqual(["ARCH2018 'thin' is not a valid value for 'execution'; expected auto | narrow | narrow(fullEvery K) | full"]);
    expect(codes(spec('execution narrow(fullEvery -1)'))).toEqual(['3:31 ARCH4001']);
    expect(messages(spec('execution narrow(fullEvery -1)'))).toEqual(['ARCH4001 fullEvery must be an integer >= 0 (steps; 0 = never); got -1']);
    expect(codes(spec('execution full(fullEvery 2)'))).toEqual(['3:29 ARCH2002']);
  });
});
