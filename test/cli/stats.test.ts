// `archc stats`: `--json` is exactly one object with the documented shape (and the paper's counts); the
// table is aligned with totals; errors and missing files exit 1 without a stack trace.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers.ts';

const SPECS = new URL('../../specs', import.meta.url).pathname;

async function statsJson(name: string): Promise<Record<string, unknown>> {
  const cli = await runCli(['stats', `${name}.arch`, '--json'], { cwd: SPECS });
  expect(cli.code).toBe(0);
  expect(cli.stdout).toHaveLength(1);
  return JSON.parse(cli.stdout[0]!) as Record<string, unknown>;
}

describe('archc stats --json', () => {
  it('has exactly the documented keys', async () => {
    const j = await statsJson('resnet20');
    expect(Object.keys(j)).toEqual(['name', 'params', 'macs', 'layers', 'groups']);
    const layers = j['layers'] as Record<string, unknown>[];
    expect(Object.keys(layers[0]!)).toEqual(['path', 'kind', 'width', 'params', 'macs', 'maskable', 'group']);
    expect(layers[0]).toEqual({ path: 'conv1', kind: 'conv', width: 16, params: 432, macs: 442368, maskable: false, group: 0 });
    const groups = j['groups'] as { id: number; width: number; members: string[] }[];
    expect(groups[0]).toMatchObject({ id: 0, width: 16 });
    expect(groups[0]!.members).toContain('stage1.basic3.add1');
    const sum = layers.reduce((a, l) => a + (l['params'] as number), 0);
    expect(sum).toBe(j['params']);
  });

  it.each([
    ['vgg16', 14.99e6],
    ['resnet20', 0.27e6],
    ['wrn28-10', 36.5e6],
    ['lstm-ptb', 66e6],
  ])('%s reproduces the published parameter count within 1%%', async (name, paper) => {
    const j = await statsJson(name);
    expect(Math.abs((j['params'] as number) - paper) / paper).toBeLessThan(0.01);
  });

  it('resnet20 lists one residual mask group per stage', async () => {
    const j = await statsJson('resnet20');
    const residual = (j['groups'] as { name: string; members: string[] }[]).filter((g) => g.members.some((m) => m.includes('.add')));
    expect(residual.map((g) => g.name)).toEqual(['g0:stage1', 'g5:stage2', 'g9:stage3']);
  });
});

describe('archc stats (table)', () => {
  it('prints an aligned table with totals and the groups', async () => {
    const cli = await runCli(['stats', 'fashion-resnet.arch'], { cwd: SPECS });
    expect(cli.code).toBe(0);
    const text = cli.out;
    expect(text).toMatch(/^fashion_resnet: input \[28x28x1\], classification, 10 outputs/);
    expect(text).toMatch(/^total\s+174,970\s+20,183,936$/m);
    expect(text).toContain('params 174,970 (0.175M)');
    expect(text).toMatch(/^g0:stage1\s+16\s+channels\s+yes\s+no/m);
  });

  it('errors: diagnostics and exit 1; missing file: clear message and exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'archc-stats-'));
    writeFileSync(join(dir, 'bad.arch'), 'network n {\n  input image(8, 8, 1)\n  layers {\n    gap\n    dense(0)\n  }\n}\n');
    const cli = await runCli(['stats', 'bad.arch', '--json'], { cwd: dir });
    expect(cli.code).toBe(1);
    expect(cli.stdout).toEqual([]);
    expect(cli.err).toContain('bad.arch(5,11): error ARCH5001: units must be a positive integer; got 0');
    const cli2 = await runCli(['stats', 'missing.arch'], { cwd: dir });
    expect(cli2.code).toBe(1);
    expect(cli2.stderr).toEqual(["archc: cannot read file 'missing.arch': no such file"]);
  });
});
