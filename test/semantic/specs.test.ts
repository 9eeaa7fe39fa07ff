// The shipped specs: every one checks cleanly, the paper's networks reproduce their published parameter
// counts within 1%, and the mask groups, paths and overrides come out as documented.

import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileFile } from '../../src/semantic/compile.ts';
import type { IrNetwork } from '../../src/semantic/ir.ts';
import { compile, net } from './helpers.ts';

const SPECS = new URL('../../specs/', import.meta.url).pathname;

async function spec(name: string): Promise<IrNetwork> {
  const c = await compileFile(`${SPECS}${name}.arch`);
  expect(c.diagnostics).toEqual([]);
  return c.ir!;
}

describe('specs/', () => {
  it.each(readdirSync(SPECS).filter((f) => f.endsWith('.arch')))('%s checks cleanly', async (f) => {
    const c = await compileFile(`${SPECS}${f}`);
    expect(c.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
    expect(c.ir).toBeDefined();
  });

  it.each([
    ['vgg16', 14.99e6],
    ['resnet20', 0.27e6],
    ['wrn28-10', 36.5e6],
    ['lstm-ptb', 66e6],
  ])('%s has the paper’s parameter count (%d) within 1%%', async (name, paper) => {
    const ir = await spec(name);
    expect(Math.abs(ir.params - paper) / paper).toBeLessThan(0.01);
  });

  it('exact counts under the documented convention', async () => {
    expect((await spec('vgg16')).params).toBe(14_986_698);
    expect((await spec('resnet20')).params).toBe(272_474);
    expect((await spec('lstm-ptb')).params).toBe(66_022_000);
    expect((await spec('resnet50')).params).toBe(25_557_032);
  });

  it('fashion-resnet matches the reference run: 175k params, 20.2M MACs', async () => {
    const ir = await spec('fashion-resnet');
    expect(ir.params).toBe(174_970);
    expect(Math.abs(ir.macs - 20.2e6) / 20.2e6).toBeLessThan(0.005);
  });
});

describe('mask groups', () => {
  it('resnet20: one residual group per stage with the stem, every conv2/bn2/add and the projection', async () => {
    const ir = await spec('resnet20');
    const residual = ir.groups.filter((g) => g.members.some((m) => m.endsWith('.add1')));
    expect(residual.map((g) => [g.name, g.width])).toEqual([
      ['g0:stage1', 16],
      ['g5:stage2', 32],
      ['g9:stage3', 64],
    ]);
    expect(residual[0]!.members).toEqual([
      'conv1',
      'bn1',
      ...[1, 2, 3].flatMap((k) => [`stage1.basic${k}.conv2`, `stage1.basic${k}.bn2`, `stage1.basic${k}.add1`]),
    ]);
    expect(residual[1]!.members).toContain('stage2.basic1.shortcut.conv');
    expect(residual[1]!.members).toContain('stage2.basic1.shortcut.bn');
    expect(residual.every((g) => g.maskable && !g.canVanish)).toBe(true);
    // The inner conv1/bn1 of each basic block is its own group, and can vanish (the branch becomes identity).
    const inner = ir.groups.filter((g) => g.members.length === 2 && g.members[0]!.endsWith('.conv1') && g.members[0] !== 'conv1');
    expect(inner).toHaveLength(9);
    expect(inner.every((g) => g.canVanish && g.maskable)).toBe(true);
    // The classifier is its own, unmaskable group.
    const head = ir.groups.at(-1)!;
    expect(head).toMatchObject({ members: ['dense1'], maskable: false, canVanish: false, width: 10 });
    // Every node's group points back at a group that lists it (or is a pass-through of it).
    for (const n of ir.nodes) if (n.group !== null) expect(ir.groups[n.group]).toBeDefined();
  });

  it('a depthwise conv joins the group of the conv that feeds it', async () => {
    const ir = await spec('mobilenetv1');
    const g = ir.groups.find((x) => x.members.includes('body.dws1.dwconv1'))!;
    expect(g.members).toEqual(['body.conv1', 'body.bn1', 'body.dws1.dwconv1', 'body.dws1.bn1']);
    expect(g.width).toBe(16);
    const dw = ir.nodes.find((n) => n.path === 'body.dws1.dwconv1')!;
    expect(dw.kind === 'conv' && dw.attrs).toMatchObject({ depthwise: true, groups: 16, filters: 16, inChannels: 16 });
  });

  it('LSTM hidden units are one group per layer; the LM head is not maskable', async () => {
    const ir = await spec('lstm-ptb');
    expect(ir.groups.map((g) => [g.members, g.structure, g.maskable])).toEqual([
      [['lstm1'], 'hidden', true],
      [['lstm2'], 'hidden', true],
      [['dense1'], 'units', false],
    ]);
    expect(ir.groups[0]!.sparsify.lambda).toBe(0.1);
    expect(ir.groups[0]!.sparsify.scheduler.p).toBe(1.2);
  });
});

describe('paths', () => {
  it('numbers layers per kind and block instances per block within a scope; labels rename or open scopes', () => {
    const c = compile(
      net({
        blocks: 'block basic(w, stride = 1) { conv(w, kernel 3, stride stride)  bn  relu  conv(w, kernel 3)  bn  add(shortcut) }',
        layers: 'stem: conv(16, kernel 3)\nstage1: repeat 3 basic(16)\nstage2: { basic(32, stride 2)  repeat 2 basic(32) }\nhead: basic(32)\ngap\ndense(10)',
      }),
    );
    expect(c.diagnostics).toEqual([]);
    const paths = c.ir!.nodes.map((n) => n.path);
    for (const p of ['stem', 'stage1.basic1.conv1', 'stage1.basic3.bn2', 'stage2.basic1.conv1', 'stage2.basic3.bn2', 'stage2.basic1.shortcut.conv', 'head.conv2', 'gap1', 'dense1']) {
      expect(paths).toContain(p);
    }
    expect(new Set(paths).size).toBe(paths.length);
    const n = c.ir!.nodes.find((x) => x.path === 'stage2.basic2.conv1')!;
    expect(n.callSites).toHaveLength(1);
  });

  it('bias auto: no bias before bn, a bias otherwise', () => {
    const ir = compile(net({ layers: 'conv(8, kernel 3)  bn\nconv(8, kernel 3)  relu\nconv(8, kernel 3, bias true)  bn\ngap\ndense(10)' })).ir!;
    const convs = ir.nodes.filter((n) => n.kind === 'conv');
    expect(convs.map((n) => n.kind === 'conv' && n.attrs.bias)).toEqual([false, true, true]);
  });

  it('sparsify resolves network ← block ← layer, with paper mode literal values', () => {
    const ir = compile(
      net({
        sparsify: 'mode paper  lambda 0.02',
        blocks: 'block b(w) { sparsify { lambda 0.03 }  maskable conv(w, kernel 3)  maskable(init 0.5) conv(w, kernel 3) }',
        layers: 'maskable conv(8, kernel 3)\nb(8)\ngap\ndense(10)',
      }),
    ).ir!;
    const [g0, g1, g2] = ir.groups;
    expect(g0!.sparsify).toMatchObject({ mode: 'paper', lambda: 0.02, init: 0, gradient: 'clip', penalty: 'sum' });
    expect(g1!.sparsify).toMatchObject({ lambda: 0.03, init: 0 });
    expect(g2!.sparsify).toMatchObject({ lambda: 0.03, init: 0.5 });
    expect(ir.sparsify.scheduler).toMatchObject({ kind: 'structurewise', gamma: 0.0005, p: 0.7, beta0: 1, betaMax: 100 });
  });
});
