// `archc train --init-weights DIR`: a run starts from another run's exported weights (what fine-tuning a pruned
// network needs, e.g. the L1 baseline of experiments/evidence.ts) instead of its random init; weights of another
// network are refused with one line naming the layer. Tiny spec, cpu backend, a few steps.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './helpers.ts';

// No maskable layer: compaction keeps every width, so the exported weights fit the same spec again.
const DENSE = `network tiny {
  input image(8, 8, 1)
  train { data synthetic  steps 4  batch 4  optimizer sgd(lr 0.1, momentum 0.9) }
  layers {
    conv(6, kernel 3)  bn  relu  maxpool
    flatten
    dense(3)
  }
}
`;
const TINY = ['--data', 'synthetic', '--batch', '4', '--synthetic-size', '16', '--eval-limit', '16', '--backend', 'cpu'];

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'archc-initw-'));
});

function kernel(runDir: string): Float32Array {
  const model = JSON.parse(readFileSync(join(runDir, 'weights', 'model.json'), 'utf8')) as { weightsManifest: { weights: { name: string; shape: number[] }[] }[] };
  const bin = readFileSync(join(runDir, 'weights', 'weights.bin'));
  const all = new Float32Array(bin.buffer, bin.byteOffset, bin.byteLength / 4);
  let offset = 0;
  for (const w of model.weightsManifest[0]!.weights) {
    const n = w.shape.reduce((a, b) => a * b, 1);
    if (w.name.endsWith('/kernel') && w.shape.length === 4) return all.slice(offset, offset + n);
    offset += n;
  }
  throw new Error('no conv kernel in the export');
}

const maxAbsDiff = (a: Float32Array, b: Float32Array): number => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0);

describe('archc train --init-weights', () => {
  it("starts from the given run's weights, not from the random init", async () => {
    const spec = join(dir, 'tiny.arch');
    writeFileSync(spec, DENSE);
    const a = await runCli(['train', spec, ...TINY, '--steps', '4', '--out', join(dir, 'a')]);
    expect(a.code, a.err).toBe(0);
    // One step at a vanishing learning rate: the weights stay where they started.
    const b = await runCli(['train', spec, ...TINY, '--steps', '1', '--lr', '1e-12', '--init-weights', join(dir, 'a', 'weights'), '--out', join(dir, 'b')]);
    expect(b.code, b.err).toBe(0);
    expect(b.out).toMatch(/^init: \d+ weights from .*a\/weights/m);
    const c = await runCli(['train', spec, ...TINY, '--steps', '1', '--lr', '1e-12', '--out', join(dir, 'c')]);
    expect(c.code, c.err).toBe(0);
    const ka = kernel(join(dir, 'a'));
    expect(maxAbsDiff(kernel(join(dir, 'b')), ka)).toBeLessThan(1e-6);
    // Without the flag the same seed starts from the random init, which 4 steps at lr 0.1 moved away from.
    expect(maxAbsDiff(kernel(join(dir, 'c')), ka)).toBeGreaterThan(1e-4);
  });

  it("refuses another network's weights with one line naming the layer", async () => {
    const spec = join(dir, 'tiny.arch');
    writeFileSync(spec, DENSE);
    const other = join(dir, 'other.arch');
    writeFileSync(other, DENSE.replace('conv(6,', 'conv(5,'));
    const a = await runCli(['train', other, ...TINY, '--steps', '1', '--out', join(dir, 'a')]);
    expect(a.code, a.err).toBe(0);
    const b = await runCli(['train', spec, ...TINY, '--steps', '1', '--init-weights', join(dir, 'a', 'weights'), '--out', join(dir, 'b')]);
    expect(b.code).toBe(1);
    expect(b.err).toMatch(/--init-weights: the weights in .* do not match tiny/);
    expect(b.err).toMatch(/conv1/);
    expect(b.err).not.toMatch(/\n\s+at /);
    const c = await runCli(['train', spec, ...TINY, '--steps', '1', '--init-weights', join(dir, 'nowhere'), '--out', join(dir, 'c')]);
    expect(c.code).toBe(1);
    expect(c.err).toMatch(/--init-weights: cannot read .*nowhere: expected model.json and weights.bin there/);
  });
});
