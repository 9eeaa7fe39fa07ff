// Compaction of concat chains (DenseNet's "keep the input" as an empty block next to a branch): every dense layer
// after the first concatenates a concat, so a concat's channel segments are several groups, not one per operand.
// On random weights and mask logits the concat segments are the kept widths, the compacted network computes what
// the masked one does, and the pruned spec re-checks to the compacted network — for the minimal spec and a
// small DenseNet-BC (bottlenecks, transitions, pre-activation BNs that read concats: masked with the concatenated
// masks of their channels' groups, semantic/placement.ts `segmentMaskPlacement`; without them a pruned channel left
// such a BN as the constant β − γ·μ/σ, max |Δ| ≈ 1.2).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compact } from '../../src/compaction/compact.ts';
import { emitChecked } from '../../src/compaction/compact-and-write.ts';
import { initBackend } from '../../src/runtime/backend/index.ts';
import { compileText } from '../../src/semantic/compile.ts';
import { CONCAT_CHAIN, evalOutputs, inputFor, maxAbsDiff, randomWeights } from './helpers.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

const DENSENET_BC = readFileSync(join(import.meta.dirname, 'cases', 'densenet-bc.arch'), 'utf8');

// Depthwise convs on a concat's channels: one with a bias and no BN after it (masked itself), one followed by a BN
// (without the masks: max |Δ| ≈ 0.03–0.19).
const DEPTHWISE_ON_CONCAT = `network dwcat {
  input image(8, 8, 3)
  train { data synthetic  steps 1  batch 4 }
  block br(g) { maskable conv(g, kernel 3)  bn  relu }
  layers {
    maskable conv(6, kernel 3)  bn  relu
    concat(br(4), br(5))
    dwconv(kernel 3, bias true)  relu
    concat(br(3), dwconv(kernel 3, bias true))
    dwconv(kernel 3)  bn  relu6
    maskable conv(6, kernel 1)  bn  relu
    gap
    dense(10)
  }
}
`;

// A residual block on a concat's channels (found by the valid-spec fuzzer: compaction threw "Operands could not be
// broadcast together with shapes [10,10,8] [10,10,4]"): the add's operands split their channels differently among
// groups, so those groups are kept at full width (warning ARCH3022); the inner branch groups still prune or vanish.
const RESIDUAL_ON_CONCAT = `network roc {
  input image(10, 10, 3)
  train { data synthetic  steps 1  batch 4 }
  block id() { }
  block br(g) { maskable conv(g, kernel 3)  bn  relu }
  block res(w) { maskable conv(w, kernel 3)  bn  relu  maskable conv(w, kernel 3)  bn  add  relu }
  layers {
    maskable conv(8, kernel 3)  bn  relu
    concat(id(), br(4))
    res(12)
    maxpool
    repeat 2 res(12)
    concat(br(3), maxpool(3, stride 1, padding same))
    res(15)
    gap
    dense(10)
  }
}
`;

const CASES = [
  { label: 'the minimal concat chain', text: CONCAT_CHAIN, seeds: [1, 2, 3], exact: true },
  { label: 'a small DenseNet-BC', text: DENSENET_BC, seeds: [4, 5], exact: true },
  { label: 'depthwise convs on concats', text: DEPTHWISE_ON_CONCAT, seeds: [6, 7], exact: true },
  { label: 'residual blocks on concats', text: RESIDUAL_ON_CONCAT, seeds: [8, 9], exact: true },
];

describe('compaction of concat chains', () => {
  for (const c of CASES) {
    for (const seed of c.seeds) {
      it(`${c.label} (seed ${seed}): ${c.exact ? 'exact, and ' : ''}the pruned spec re-checks`, () => {
        const compiled = compileText(c.text, 'dn.arch');
        expect(compiled.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        const ir = compiled.ir!;
        const w = randomWeights(ir, seed);
        const comp = compact(ir, w);
        // Something was pruned, and every concat lists its segments at their kept widths.
        expect(comp.compacted.ir.params).toBeLessThan(ir.params);
        for (const n of comp.compacted.ir.nodes) {
          if (n.kind !== 'concat') continue;
          const segs = n.attrs.segments ?? [];
          expect(segs.reduce((a, s) => a + s.width, 0), n.path).toBe(n.shape[n.shape.length - 1]);
          for (const s of segs) if (s.group !== null) expect(s.width, `${n.path} segment of group ${s.group}`).toBe(comp.compacted.ir.groups[s.group]!.width);
        }
        const x = inputFor(ir, 3, seed);
        const out = evalOutputs(comp.compacted.ir, comp.weights, x);
        expect(out.every(Number.isFinite)).toBe(true);
        if (c.exact) expect(maxAbsDiff(evalOutputs(ir, w, x), out)).toBeLessThanOrEqual(1e-4);
        x.dispose();
        const { check } = emitChecked(c.text, compiled.ast!, comp, 'dn.pruned.arch');
        expect(check.problems).toEqual([]);
        expect(check.matches).toBe(true);
      });
    }
  }
});

describe('a residual block on a concat', () => {
  it('keeps the groups on its add at full width, with a warning on each maskable layer of them', () => {
    const compiled = compileText(RESIDUAL_ON_CONCAT, 'roc.arch');
    const warnings = compiled.diagnostics.filter((d) => d.code === 'ARCH3022');
    expect(compiled.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(warnings.every((d) => d.severity === 'warning')).toBe(true);
    const ir = compiled.ir!;
    const pinned = ir.groups.filter((g) => !g.maskable && g.members.some((m) => ir.nodes.find((n) => n.path === m)!.maskable));
    // The stem, the concats' branches and every residual group on a concat; the inner branch convs stay maskable.
    expect(pinned.map((g) => g.name)).toEqual(expect.arrayContaining(['g0:conv1', 'g1:concat1.br1.conv1']));
    expect(warnings.length).toBe(pinned.length);
    expect(warnings[0]!.message).toMatch(/will not be pruned: residual add 'res1\.add1'/);
    expect(ir.groups.filter((g) => g.maskable && g.canVanish).length).toBeGreaterThanOrEqual(4);
  });
});
