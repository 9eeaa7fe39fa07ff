// `archc check` and `archc stats` on a spec with a widths section (as compaction writes it): the overridden
// widths are what both commands report, and a bad override renders with the override entry as related info.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './helpers.ts';

const PRUNED = `network pruned {
  input image(8, 8, 1)
  block basic(width) {
    conv(width, kernel 3)  bn  relu
    conv(width, kernel 3)  bn
    add(shortcut)
    relu
  }
  layers {
    conv(4, kernel 3)  bn  relu
    stage1: repeat 2 basic(4)
    gap
    dense(10)
  }
  # learned widths (archc compaction): per-instance overrides of block-parameter widths
  widths {
    stage1.basic1.conv1 3
    stage1.basic2.conv1 2
  }
}
`;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'archc-widths-'));
  writeFileSync(join(dir, 'pruned.arch'), PRUNED);
  writeFileSync(join(dir, 'bad.arch'), PRUNED.replace('stage1.basic2.conv1 2', 'stage1.basic2.conv2 2'));
});

describe('archc check / stats with a widths section', () => {
  it('check: ok, with the overridden counts', async () => {
    const cli = await runCli(['check', 'pruned.arch'], { cwd: dir });
    expect(cli.code).toBe(0);
    expect(cli.stdout).toEqual(['pruned.arch: ok: pruned, 19 layers, 480 params (480), 25.4k MACs, 4 mask groups (0 maskable)']);
  });

  it('stats --json: per-layer widths, params and MACs follow the overrides', async () => {
    const cli = await runCli(['stats', 'pruned.arch', '--json'], { cwd: dir });
    expect(cli.code).toBe(0);
    const j = JSON.parse(cli.stdout[0]!) as { params: number; macs: number; layers: { path: string; width: number; params: number; macs: number }[]; groups: { name: string; width: number }[] };
    expect([j.params, j.macs]).toEqual([480, 25384]);
    const layer = (p: string) => j.layers.find((l) => l.path === p);
    expect(layer('stage1.basic1.conv1')).toMatchObject({ width: 3, params: 108, macs: 6912 });
    expect(layer('stage1.basic2.conv1')).toMatchObject({ width: 2, params: 72, macs: 4608 });
    expect(layer('stage1.basic2.conv2')).toMatchObject({ width: 4, params: 72, macs: 4608 });
    expect(j.groups.map((g) => `${g.name} ${g.width}`)).toEqual(['g0:stage1 4', 'g1:stage1.basic1.conv1 3', 'g2:stage1.basic2.conv1 2', 'g3:dense1 10']);
  });

  it('stats (table): the overridden rows and totals', async () => {
    const cli = await runCli(['stats', 'pruned.arch'], { cwd: dir });
    expect(cli.code).toBe(0);
    const text = cli.out;
    expect(text).toMatch(/^stage1\.basic2\.conv1\s+conv\s+\[8x8x2\]\s+72\s+4,608/m);
    expect(text).toMatch(/^total\s+480\s+25,384$/m);
  });

  it('check: an inconsistent override is the residual mismatch, pointing at the entry', async () => {
    const cli = await runCli(['check', 'bad.arch'], { cwd: dir });
    expect(cli.code).toBe(1);
    const err = cli.err;
    expect(err).toContain('bad.arch(6,5): error ARCH3001: residual add of [8,8,2] and [8,8,4] needs a projection');
    expect(err).toContain("  bad.arch(18,5): width override 'stage1.basic2.conv2 2'");
    expect(err).toContain('bad.arch: 1 error');
  });
});
