// The `widths` section: per-instance width overrides change shapes, params, MACs and mask groups exactly;
// each of its diagnostics has its code and position; inconsistent overrides of a residual group are the
// ordinary residual mismatch, related to the entries that caused it; `add(shortcut)` never changes kind.

import { describe, expect, it } from 'vitest';
import type { IrNetwork } from '../../src/semantic/ir.ts';
import { codes, compile, messages } from './helpers.ts';

/** A two-block residual stage at 4 channels on an 8x8x1 input; `widths` entries start on line 16. */
function resnet(entries: string[]): string {
  return `network tiny {
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
  widths {
${entries.map((e) => `    ${e}`).join('\n')}
  }
}
`;
}

function ok(text: string): IrNetwork {
  const c = compile(text);
  expect(c.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
  return c.ir!;
}

function node(ir: IrNetwork, path: string): { params: number; macs: number; shape: string; width: unknown } {
  const n = ir.nodes.find((x) => x.path === path)!;
  const a = n.attrs as { filters?: number; units?: number };
  return { params: n.params, macs: n.macs, shape: n.shape.join('x'), width: a.filters ?? a.units };
}

/** `line:col message` of each related entry of the i-th diagnostic. */
function related(text: string, i = 0): string[] {
  const c = compile(text);
  return c.diagnostics[i]!.related.map((r) => {
    const p = c.source.position(r.span.start);
    return `${p.line}:${p.col} ${r.message}`;
  });
}

describe('widths: overridden widths flow into shapes, params, MACs and groups', () => {
  it('inner convs of two instances of one block get their own widths (exact counts)', () => {
    const ir = ok(resnet(['stage1.basic1.conv1 3', 'stage1.basic2.conv1 2']));
    // conv1 1→4: 36 params, 8·8·4·9 = 2304 MACs; basic1.conv1 4→3: 108, 6912; basic1.conv2 3→4: 108, 6912;
    // basic2.conv1 4→2: 72, 4608; basic2.conv2 2→4: 72, 4608; bns 2 per channel; dense 4→10 with bias: 50, 40.
    expect(node(ir, 'stage1.basic1.conv1')).toEqual({ params: 108, macs: 6912, shape: '8x8x3', width: 3 });
    expect(node(ir, 'stage1.basic1.bn1')).toMatchObject({ params: 6, shape: '8x8x3' });
    expect(node(ir, 'stage1.basic1.conv2')).toEqual({ params: 108, macs: 6912, shape: '8x8x4', width: 4 });
    expect(node(ir, 'stage1.basic2.conv1')).toEqual({ params: 72, macs: 4608, shape: '8x8x2', width: 2 });
    expect(node(ir, 'stage1.basic2.conv2')).toEqual({ params: 72, macs: 4608, shape: '8x8x4', width: 4 });
    expect(ir.params).toBe(480);
    expect(ir.macs).toBe(25384);
    expect(ir.groups.map((g) => `${g.name} ${g.width}`)).toEqual(['g0:stage1 4', 'g1:stage1.basic1.conv1 3', 'g2:stage1.basic2.conv1 2', 'g3:dense1 10']);
    // The layer keeps its own span (the statement in the block), not the override's.
    const c = compile(resnet(['stage1.basic1.conv1 3']));
    expect(c.source.position(c.ir!.nodes.find((n) => n.path === 'stage1.basic1.conv1')!.span.start)).toEqual({ line: 4, col: 5 });
  });

  it('a residual group overridden consistently (stem and every conv2) passes, explicit widths included', () => {
    const ir = ok(resnet(['conv1 3', 'stage1.basic1.conv2 3', 'stage1.basic2.conv2 3']));
    expect(node(ir, 'conv1')).toEqual({ params: 27, macs: 1728, shape: '8x8x3', width: 3 });
    expect(node(ir, 'stage1.basic1.conv1')).toEqual({ params: 108, macs: 6912, shape: '8x8x4', width: 4 });
    expect(node(ir, 'stage1.basic2.add1').shape).toBe('8x8x3');
    expect(node(ir, 'dense1')).toMatchObject({ params: 40, macs: 30 });
    expect(ir.params).toBe(533);
    expect(ir.macs).toBe(29406);
    expect(ir.groups[0]).toMatchObject({ name: 'g0:stage1', width: 3 });
  });

  it('overrides dense and lstm units, and the next layer reads the new width', () => {
    const lm = `network lm {
  input tokens(vocab 50, seq 4)
  layers {
    embedding(8)
    lstm(16)
    lstm(16)
    dense(50)
  }
  widths { lstm1 12 }
}
`;
    const ir = ok(lm);
    // lstm 8→12: 4·(8·12 + 12·12 + 12) = 1008 params, 4·(96 + 144)·4 steps = 3840 MACs; lstm 12→16: 1856, 7168.
    expect(node(ir, 'lstm1')).toEqual({ params: 1008, macs: 3840, shape: '4x12', width: 12 });
    expect(node(ir, 'lstm2')).toEqual({ params: 1856, macs: 7168, shape: '4x16', width: 16 });
    expect(ir.params).toBe(400 + 1008 + 1856 + 850);
    expect(ir.macs).toBe(3840 + 7168 + 3200);
    expect(ir.groups.find((g) => g.members.includes('lstm1'))).toMatchObject({ width: 12, structure: 'hidden' });

    const mlp = 'network m {\n  input image(4, 4, 1)\n  layers { flatten  dense(32)  relu  dense(10) }\n  widths { dense1 20 }\n}\n';
    const m = ok(mlp);
    expect(node(m, 'dense1')).toEqual({ params: 16 * 20 + 20, macs: 320, shape: '20', width: 20 });
    expect(node(m, 'dense2')).toEqual({ params: 20 * 10 + 10, macs: 200, shape: '10', width: 10 });
  });

  it('keeps a projection shortcut a projection even when the overrides make the shapes equal', () => {
    const text = `network proj {
  input image(8, 8, 2)
  block basic(width) {
    conv(width, kernel 3)  bn  relu
    conv(width, kernel 3)  bn
    add(shortcut)
  }
  layers {
    conv(4, kernel 3)  bn  relu
    stage2: { basic(8) }
    gap
    dense(10)
  }
  widths { stage2.basic1.conv2 4 }
}
`;
    const ir = ok(text);
    // 4 → 4 channels now, but the weights have a 1x1 projection: it stays, at the branch's width.
    expect(node(ir, 'stage2.basic1.shortcut.conv')).toEqual({ params: 16, macs: 8 * 8 * 4 * 4, shape: '8x8x4', width: 4 });
    expect(ir.nodes.find((n) => n.path === 'stage2.basic1.add1')!.attrs).toEqual({ shortcut: 'projection' });
  });

  it('a spec without a widths section is unchanged (the nominal pass only runs with one)', () => {
    const plain = compile(resnet([]).replace(/  widths \{\n\n  \}\n/, ''));
    const empty = compile(resnet([]));
    expect(plain.diagnostics).toEqual([]);
    expect(empty.ir!.params).toBe(plain.ir!.params);
    expect(empty.ir!.macs).toBe(plain.ir!.macs);
  });
});

describe('widths: inconsistent overrides of a residual group', () => {
  it('are the ordinary residual mismatch, once, related to the override that broke it', () => {
    const text = resnet(['stage1.basic1.conv2 3']);
    expect(codes(text)).toEqual(['6:5 ARCH3001']);
    expect(messages(text)[0]).toBe('ARCH3001 residual add of [8,8,3] and [8,8,4] needs a projection: write add(shortcut) or add(projection)');
    expect(related(text)).toEqual(["16:5 width override 'stage1.basic1.conv2 3'", "11:22 in block 'basic' instantiated here"]);
  });

  it('relate every override behind either operand (a stem override reaches the skip of the first add)', () => {
    const text = resnet(['conv1 3', 'stage1.basic1.conv2 3', 'stage1.basic2.conv2 2']);
    expect(codes(text)).toEqual(['6:5 ARCH3001']);
    expect(messages(text)[0]).toContain('residual add of [8,8,2] and [8,8,3]');
    expect(related(text)).toEqual([
      "16:5 width override 'conv1 3'",
      "17:5 width override 'stage1.basic1.conv2 3'",
      "18:5 width override 'stage1.basic2.conv2 2'",
      "11:22 in block 'basic' instantiated here",
    ]);
  });

  it('never turn an identity shortcut into a projection', () => {
    const c = compile(resnet(['stage1.basic2.conv2 3']));
    expect(c.diagnostics.map((d) => d.code)).toEqual(['ARCH3001']);
    expect(c.ir).toBeUndefined();
  });
});

describe('widths: diagnostics', () => {
  it('an unknown path, with the closest path or the layers inside a scope', () => {
    const text = resnet(['stage1.basic2.conv3 3', 'stage1.basci1.conv1 3', 'stage1.basic1 3', 'nothing_like_it 3']);
    expect(codes(text)).toEqual(['16:5 ARCH2023', '17:5 ARCH2023', '18:5 ARCH2023', '19:5 ARCH2023']);
    expect(messages(text)).toEqual([
      "ARCH2023 'widths' names 'stage1.basic2.conv3', which is not a layer of this network; did you mean 'stage1.basic2.conv1'?",
      "ARCH2023 'widths' names 'stage1.basci1.conv1', which is not a layer of this network; did you mean 'stage1.basic1.conv1'?",
      "ARCH2023 'widths' names 'stage1.basic1', which is not a layer of this network; it is a block instance or group: name a layer inside it, such as 'stage1.basic1.conv1'",
      "ARCH2023 'widths' names 'nothing_like_it', which is not a layer of this network",
    ]);
  });

  it('a layer without a width of its own: bn, relu, add, dwconv, a projection shortcut, an embedding', () => {
    const text = resnet(['stage1.basic1.bn1 3', 'relu1 3', 'stage1.basic2.add1 3']);
    expect(codes(text)).toEqual(['16:5 ARCH3019', '17:5 ARCH3019', '18:5 ARCH3019']);
    expect(messages(text)[0]).toBe("ARCH3019 'stage1.basic1.bn1' is a 'bn' layer, which has no width of its own to override: 'widths' applies to conv, dense and lstm layers");
    expect(messages(text)[2]).toContain("is an 'add' layer");

    const dw = 'network d {\n  input image(8, 8, 3)\n  layers { conv(8, kernel 3)  dwconv(3)  gap  dense(10) }\n  widths { dwconv1 4 }\n}\n';
    expect(codes(dw)).toEqual(['4:12 ARCH3019']);
    expect(messages(dw)[0]).toContain("'dwconv1' is a depthwise 'dwconv' (its width follows its input)");

    const proj = 'network p {\n  input image(8, 8, 2)\n  block b(w) { conv(w, kernel 3)  add(shortcut) }\n  layers { b(4)  gap  dense(10) }\n  widths { b1.shortcut.conv 2 }\n}\n';
    expect(codes(proj)).toEqual(['5:12 ARCH3019']);
    expect(messages(proj)[0]).toContain("the projection shortcut's conv (its width follows the block's output)");

    const lm = 'network l {\n  input tokens(vocab 50, seq 4)\n  layers { embedding(8)  lstm(16)  dense(50) }\n  widths { embedding1 4 }\n}\n';
    expect(messages(lm)).toEqual([
      "ARCH3019 'embedding1' is an 'embedding' layer, which has no width of its own to override: 'widths' applies to conv, dense and lstm layers",
    ]);
  });

  it('a width that is not a positive integer, or beyond the limit', () => {
    const text = resnet(['conv1 0', 'stage1.basic1.conv1 2.5', 'stage1.basic2.conv1 100000']);
    expect(codes(text)).toEqual(['16:11 ARCH3020', '17:25 ARCH3020', '18:25 ARCH5002']);
    expect(messages(text).slice(0, 2)).toEqual(["ARCH3020 the width of 'conv1' must be a positive integer; got 0", "ARCH3020 the width of 'stage1.basic1.conv1' must be a positive integer; got 2.5"]);
    expect(messages(text)[2]).toBe("ARCH5002 width of 'stage1.basic2.conv1' 100000 exceeds the limit of 65536");
  });

  it('a duplicate entry, related to the first', () => {
    const text = resnet(['stage1.basic1.conv1 3', 'stage1.basic1.conv1 3']);
    expect(codes(text)).toEqual(['17:5 ARCH2024']);
    expect(messages(text)[0]).toBe("ARCH2024 'widths' gives 'stage1.basic1.conv1' a width more than once");
    expect(related(text)).toEqual(["16:5 'stage1.basic1.conv1' is first given a width here"]);
  });

  it('the layer that produces the outputs (classifier or LM logits)', () => {
    const text = resnet(['dense1 12']);
    expect(codes(text)).toEqual(['16:5 ARCH3021']);
    expect(messages(text)[0]).toBe("ARCH3021 'dense1' produces the network's 10 outputs, whose number is fixed by the task; its width cannot be overridden");
    // Through width-keeping layers: a conv head followed by gap is the classifier too.
    const convHead = 'network c {\n  input image(8, 8, 1)\n  layers { conv(10, kernel 1)  bn  gap }\n  widths { conv1 8 }\n}\n';
    expect(codes(convHead)).toEqual(['4:12 ARCH3021']);
    const lm = 'network l {\n  input tokens(vocab 50, seq 4)\n  layers { embedding(8)  lstm(50) }\n  widths { lstm1 40 }\n}\n';
    expect(codes(lm)).toEqual(['4:12 ARCH3021']);
  });

  it('a second widths section, and widths inside a block body', () => {
    const text = resnet(['conv1 4']).replace('\n}\n', '\n  widths { conv1 4 }\n}\n');
    expect(codes(text)).toEqual(['18:3 ARCH2014']);
    const inBlock = 'network b {\n  input image(8, 8, 1)\n  block k(w) { widths { x 1 }  conv(w, kernel 3) }\n  layers { k(4)  gap  dense(10) }\n}\n';
    expect(codes(inBlock)).toEqual(['3:16 ARCH2016']);
  });
});
