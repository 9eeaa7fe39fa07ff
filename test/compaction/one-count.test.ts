// One count of the kept architecture (issue 15, defect 7): the params and MACs the trainer reports
// (`architectureSummary`, hence metrics.jsonl `archParams`/`archMacs` and the summary line) equal those of the network
// compaction builds — also when a residual branch vanishes (its BN, in the stage's group, goes with the block) and
// when a branch the spec cannot drop is kept at minimum width with a zero output.

import { beforeAll, describe, expect, it } from 'vitest';
import { compact } from '../../src/compaction/compact.ts';
import { initBackend } from '../../src/runtime/backend/index.ts';
import { IrModule } from '../../src/runtime/module.ts';
import { architectureSummary } from '../../src/runtime/train/evaluate.ts';
import { CONCAT_CHAIN, SPECS, compileSpec, randomWeights } from './helpers.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

const off = (n: number) => Array.from({ length: n }, (_, i) => -0.2 - 0.01 * i);

const CASES: { label: string; text: string; seed: number; off?: string[]; dead?: 'identity' | 'zeroed' }[] = [
  { label: 'cnn, random masks', text: SPECS.cnn, seed: 1 },
  { label: 'identity residual, a vanished branch', text: SPECS.identity, seed: 4, off: ['g2:stage1.basic2.conv1'], dead: 'identity' },
  { label: 'identity residual, two vanished branches and the stem at min width', text: SPECS.identity, seed: 5, off: ['g1:stage1.basic1.conv1', 'g3:stage1.basic3.conv1', 'g0:stage1'], dead: 'identity' },
  { label: 'projection residual, a projection block disabled at min width', text: SPECS.projection, seed: 7, off: ['g3:stage2.basic1.conv1'], dead: 'zeroed' },
  { label: 'depthwise inverted residual vanished', text: SPECS.depthwise, seed: 9, off: ['g2:inv1.conv1'], dead: 'identity' },
  { label: 'lstm, random masks', text: SPECS.lstm, seed: 10 },
  { label: 'concat chain, random masks', text: CONCAT_CHAIN, seed: 2 },
];

describe('the trainer and compaction count the kept architecture alike', () => {
  for (const c of CASES) {
    it(c.label, () => {
      const ir = compileSpec(c.text);
      const logits: Record<string, number[]> = {};
      for (const name of c.off ?? []) logits[name] = off(ir.groups.find((g) => g.name === name)!.width);
      const w = randomWeights(ir, c.seed, logits);
      const comp = compact(ir, w);
      if (c.dead) expect(comp.plan.dead.map((d) => d.mode)).toContain(c.dead);
      const m = new IrModule(ir, { seed: 1 });
      m.setWeights(w);
      const s = architectureSummary(m);
      m.dispose();
      expect({ params: s.params, macs: s.macs }).toEqual({ params: comp.compacted.ir.params, macs: comp.compacted.ir.macs });
      for (const g of ir.groups) {
        const ng = comp.compacted.groupMap.get(g.id);
        expect(s.keptWidths[g.name], g.name).toBe(ng === undefined ? 0 : comp.compacted.ir.groups[ng]!.width);
      }
    });
  }
});
