// MAC and parameter accounting of masked architectures against hand-counted values.
import { describe, expect, it } from 'vitest';
import { buildCostModel, evalCost, macsPerStructure } from '../../src/runtime/macs.ts';
import { lstmLmIr, plainCnnIr } from '../../src/runtime/testing/ir-fixtures.ts';

describe('cost model', () => {
  it('reproduces the IR totals at full width', () => {
    for (const ir of [plainCnnIr(), lstmLmIr()]) {
      const m = buildCostModel(ir);
      expect(m.denseMacs).toBeCloseTo(ir.macs, 6);
      expect(m.denseParams).toBeCloseTo(ir.params, 6);
    }
  });

  it('scales a conv with its input and output groups (q ~ Bern(0.5) ⇒ ~25%)', () => {
    // plain CNN 8×8×1: conv1 8·8·9·1·4 = 2304; conv2 (4×4 after pool) 4·4·9·4·6 = 3456; fc 6·2·2=24 → 24·5 = 120;
    // logits 5·3 = 15. Halving every group: conv1 ½, conv2 ¼, fc ½·½ (flatten keeps conv2's fraction), logits ½.
    const ir = plainCnnIr();
    const m = buildCostModel(ir);
    expect(m.denseMacs).toBe(2304 + 3456 + 120 + 15);
    const half = new Map([[0, 0.5], [1, 0.5], [2, 0.5]]);
    expect(evalCost(m.macs, half)).toBeCloseTo(2304 / 2 + 3456 / 4 + 120 / 4 + 15 / 2, 6);
  });

  it('scales an LSTM: 4·in·h by the h-group, 4·h·h by its square', () => {
    const ir = lstmLmIr({ vocab: 11, seq: 5, dim: 4, hidden: 6 });
    const m = buildCostModel(ir);
    // T·4h·in = 5·24·4 = 480; T·4h·h = 5·24·6 = 720; decoder T·h·V = 5·6·11 = 330.
    expect(evalCost(m.macs, new Map([[0, 0.5]]))).toBeCloseTo(480 / 2 + 720 / 4 + 330 / 2, 6);
    // params: embedding 44; W 96, U 144, b 24; decoder 66 + 11
    expect(evalCost(m.params, new Map([[0, 0.5]]))).toBeCloseTo(44 + 96 / 2 + 144 / 4 + 24 / 2 + 66 / 2 + 11, 6);
    expect(macsPerStructure(ir).get(0)).toBeCloseTo((480 + 2 * 720 + 330) / 6, 6);
  });
});
