// L1-norm filter pruning (Li et al. 2017): scores follow the weights' L1 norms, the plan keeps the top filters of
// every maskable group at one ratio, and that ratio is the largest whose MACs stay within the target.
import { describe, expect, it } from 'vitest';
import { fixedMaskLogits, keptCount, l1Scores, macsAt, planL1Pruning, planL1ToBudget, topIndices, type Weights } from '../../src/baselines/index.ts';
import { buildCostModel } from '../../src/runtime/macs.ts';
import { compileText } from '../../src/semantic/compile.ts';

const SPEC = `network tiny {
  input image(8, 8, 1)
  layers {
    maskable conv(4, kernel 3)  bn  relu
    maskable conv(6, kernel 3)  bn  relu
    gap
    dense(3)
  }
}`;

function setup() {
  const c = compileText(SPEC, 'tiny.arch');
  if (!c.ir) throw new Error(c.diagnostics.map((d) => d.message).join('\n'));
  const ir = c.ir;
  const weights: Weights = {};
  for (const n of ir.nodes) {
    if (n.kind !== 'conv') continue;
    const [kh, kw] = n.attrs.kernel;
    const shape = [kh, kw, n.attrs.inChannels, n.attrs.filters];
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    // Filter j has |w| = j + 1 everywhere, with alternating signs (L1 must use magnitudes).
    for (let i = 0; i < data.length; i++) data[i] = ((i % n.attrs.filters) + 1) * (i % 2 ? -1 : 1);
    weights[`${n.path}/kernel`] = { shape, data };
  }
  return { ir, weights };
}

describe('L1-norm filter pruning', () => {
  it('scores each filter by the mean |w| of its kernel', () => {
    const { ir, weights } = setup();
    const g = ir.groups.find((x) => x.maskable && x.width === 6)!;
    expect(Array.from(l1Scores(ir, weights, g))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('keeps the largest scores, ties to the lower index', () => {
    expect(topIndices([3, 1, 3, 2], 2)).toEqual([0, 2]);
    expect(topIndices([1, 2], 5)).toEqual([0, 1]);
  });

  it('finds the largest uniform ratio within the MAC target and keeps the top-L1 filters', () => {
    const { ir, weights } = setup();
    const model = buildCostModel(ir);
    const target = ir.macs * 0.5;
    const plan = planL1Pruning(ir, weights, target);
    expect(plan.macs).toBeLessThanOrEqual(target + 1e-6);
    const groups = ir.groups.filter((g) => g.maskable);
    // A slightly larger ratio would add a filter somewhere and exceed the target.
    const next = new Map(groups.map((g) => [g.id, keptCount(g, plan.ratio + 0.05)]));
    expect(macsAt(model, ir, next)).toBeGreaterThan(target);
    const g6 = groups.find((g) => g.width === 6)!;
    const kept = plan.kept.get(g6.id)!;
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => 6 - kept.length + i));
    const s = fixedMaskLogits(ir, plan).get(g6.id)!;
    expect(Array.from(s).filter((v) => v > 0).length).toBe(kept.length);
  });

  it('keeps the minimum width of a group that cannot vanish even for a zero target', () => {
    const { ir, weights } = setup();
    const plan = planL1Pruning(ir, weights, 0);
    for (const [gid, idx] of plan.kept) expect(idx.length).toBe(ir.groups[gid]!.canVanish ? 0 : 1);
  });

  it('takes the same budget target as a run: MACs or params, from the spec', () => {
    const spec = SPEC.replace('input image(8, 8, 1)', 'input image(8, 8, 1)\n  sparsify { target params 60% }');
    const c = compileText(spec, 'tiny.arch');
    if (!c.ir?.budget) throw new Error(c.diagnostics.map((d) => d.message).join('\n'));
    const { weights } = setup();
    const model = buildCostModel(c.ir);
    const plan = planL1ToBudget(c.ir, weights, c.ir.budget);
    expect(c.ir.budget).toMatchObject({ metric: 'params', fraction: 0.6 });
    expect(plan.params).toBeLessThanOrEqual(0.6 * model.denseParams + 1e-6);
    const groups = c.ir.groups.filter((g) => g.maskable);
    const fr = (r: number) => new Map(groups.map((g) => [g.id, keptCount(g, r) / g.width]));
    const paramsAt = (r: number) => model.params.reduce((a, t) => a + t.value * t.groups.reduce((p, g) => p * (fr(r).get(g) ?? 1), 1), 0);
    expect(paramsAt(plan.ratio + 0.05)).toBeGreaterThan(0.6 * model.denseParams);
    // A MACs budget plans on MACs: the same as planning to the MAC count directly.
    const macsPlan = planL1ToBudget(c.ir, weights, { metric: 'macs', fraction: 0.5, tolerance: 0.02, written: '50%' });
    expect(macsPlan.kept).toEqual(planL1Pruning(c.ir, weights, 0.5 * model.denseMacs).kept);
  });
});
