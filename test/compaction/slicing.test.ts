// Slicing details the exactness tests exercise only indirectly: gatherAxes on any axis, the dense after a flatten of
// a conv map (every spatial position of the kept channels), the LSTM's four gate blocks, mask logits renamed to the
// compacted groups, optimizer state cut exactly like its variables, and the end-of-run entry `compactAndWrite`.

import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compact, sliceOptimizer, sliceWeightMap } from '../../src/compaction/compact.ts';
import { compactAndWrite } from '../../src/compaction/compact-and-write.ts';
import { gatherAxes } from '../../src/compaction/slice-weights.ts';
import { initBackend } from '../../src/runtime/backend/index.ts';
import { IrModule } from '../../src/runtime/module.ts';
import { SPECS, compileSpec, randomWeights } from './helpers.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

const iota = (n: number) => Float32Array.from({ length: n }, (_, i) => i);

describe('slicing', () => {
  it('gathers any axes of a row-major tensor', () => {
    const t = { shape: [2, 3, 4], data: iota(24) };
    expect(Array.from(gatherAxes(t, [null, [0, 2], [1, 3]]).data)).toEqual([1, 3, 9, 11, 13, 15, 21, 23]);
    expect(gatherAxes(t, [[1], null, [0]]).shape).toEqual([1, 3, 1]);
  });

  it('cuts a dense after flatten at every position of the kept channels, and LSTM gates block by block', () => {
    const cnn = compileSpec(SPECS.cnn);
    const w = randomWeights(cnn, 1);
    const c = compact(cnn, w);
    const conv3 = cnn.groups.find((g) => g.name === 'g2:conv3')!;
    const k = c.plan.kept.get(conv3.id)!;
    const dense = w['dense1/kernel']!;
    const sliced = c.weights['dense1/kernel']!;
    const positions = dense.shape[0]! / conv3.width;
    expect(sliced.shape[0]).toBe(positions * k.length);
    const cols = c.plan.kept.get(cnn.groups.find((g) => g.name === 'g3:dense1')!.id)!;
    // Row (p, k[j]) of the original is row p·|k| + j of the sliced kernel.
    const p = positions - 1;
    const j = k.length - 1;
    expect(sliced.data[(p * k.length + j) * cols.length]).toBe(dense.data[(p * conv3.width + k[j]!) * dense.shape[1]! + cols[0]!]);

    const lm = compileSpec(SPECS.lstm);
    const lw = randomWeights(lm, 2);
    const lc = compact(lm, lw);
    const h = 10;
    const kept = lc.plan.kept.get(0)!;
    const bias = lc.weights['lstm1/bias']!.data;
    for (let gate = 0; gate < 4; gate++) kept.forEach((u, i) => expect(bias[gate * kept.length + i]).toBe(lw['lstm1/bias']!.data[gate * h + u]));
  });

  it('renames mask logits to the compacted groups and cuts optimizer state like the variables', () => {
    const ir = compileSpec(SPECS.identity);
    const g2 = ir.groups.find((g) => g.name === 'g2:stage1.basic2.conv1')!;
    const w = randomWeights(ir, 3, { [g2.name]: new Array<number>(g2.width).fill(-1) });
    const c = compact(ir, w);
    expect(Object.keys(c.weights).filter((n) => n.startsWith('masks/')).sort()).toEqual(c.compacted.ir.groups.filter((g) => g.maskable).map((g) => `masks/${g.name}/s`).sort());
    expect(Object.keys(c.weights).some((n) => n.startsWith('stage1.basic2.'))).toBe(false);
    // Momentum equal to the weights must come out equal to the sliced weights.
    const momentum = Object.fromEntries(Object.entries(w).map(([n, t]) => [n, t.data]));
    const shapes = new Map(Object.entries(w).map(([n, t]) => [n, t.shape]));
    const sliced = sliceOptimizer(c, { step: 7, slots: { momentum } }, shapes);
    expect(sliced.step).toBe(7);
    for (const [name, t] of Object.entries(c.weights)) expect(Array.from(sliced.slots['momentum']![name]!)).toEqual(Array.from(t.data));
    // The brief's form: slice any map with a finished compaction, or plan one from fixed keep sets.
    expect(sliceWeightMap(ir, w, c)).toEqual(c.weights);
    const fixed = sliceWeightMap(ir, w, new Map([[g2.id, [0, 3]]]));
    expect(fixed['stage1.basic2.conv1/kernel']!.shape[3]).toBe(2);
  });

  it('compactAndWrite writes the pruned spec, the tfjs weights and a report', async () => {
    const ir = compileSpec(SPECS.identity, 'resid.arch');
    const g2 = ir.groups.find((g) => g.name === 'g2:stage1.basic2.conv1')!;
    const g0 = ir.groups.find((g) => g.name === 'g0:stage1')!;
    const m = new IrModule(ir, { seed: 1 });
    m.setWeights(randomWeights(ir, 4, { [g2.name]: new Array<number>(g2.width).fill(-1), [g0.name]: new Array<number>(g0.width).fill(-1) }));
    const dir = mkdtempSync(join(tmpdir(), 'archc-compact-'));
    const lines: string[] = [];
    const r = await compactAndWrite({ ir, sourceText: SPECS.identity, sourcePath: 'specs/resid.arch', module: m, outDir: join(dir, 'run'), log: (l) => lines.push(l) });
    m.dispose();
    expect(readdirSync(join(dir, 'run')).sort()).toEqual(['compaction.json', 'resid.pruned.arch', 'weights']);
    expect(readdirSync(join(dir, 'run', 'weights')).sort()).toEqual(['model.json', 'weights.bin']);
    expect(r.vanished).toEqual([{ instance: 'stage1.basic2', mode: 'identity', what: 'all 8 inner channels of g2:stage1.basic2.conv1 removed', reason: 'branch pruned to identity' }]);
    expect(r.minWidth.map((e) => [e.group, e.kept])).toEqual([['g0:stage1', 1]]);
    expect(r.after.params).toBeLessThan(r.before.params);
    expect(r.recheck).toEqual({ compiles: true, matches: true, problems: [] });
    expect(readFileSync(join(dir, 'run', 'resid.pruned.arch'), 'utf8')).toContain('# archc: stage1.basic2 pruned to identity');
    expect(lines.join('\n')).toMatch(/pruned to identity: stage1\.basic2/);
  });
});
