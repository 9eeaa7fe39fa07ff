// Every semantic diagnostic with its exact code and position (line:col), plus multi-error reporting.

import { describe, expect, it } from 'vitest';
import { codes, compile, messages, net } from './helpers.ts';

const CIFAR = 'data cifar10("x")';

describe('names and binding (ARCH2xxx)', () => {
  it('unknown layer, with a suggestion', () => {
    const src = net({ layers: 'convv(16, kernel 3)\ngap\ndense(10)' });
    expect(codes(src)).toEqual(['7:5 ARCH2001']);
    expect(messages(src)[0]).toBe("ARCH2001 unknown layer 'convv'; did you mean 'conv'?");
  });
  it('unknown argument on the argument name, plus the missing one on the callee', () => {
    expect(codes(net({ layers: 'conv(16, kernal 3)\ngap\ndense(10)' }))).toEqual(['7:5 ARCH2003', '7:14 ARCH2002']);
  });
  it('duplicate and extra arguments', () => {
    expect(codes(net({ layers: 'conv(16, kernel 3, kernel 5)\ngap\ndense(10)' }))).toEqual(['7:24 ARCH2004']);
    expect(codes(net({ layers: 'gap\ndense(10, 20)' }))).toEqual(['8:15 ARCH2005']);
  });
  it('duplicate block, duplicate parameter, block named like a layer', () => {
    expect(codes(net({ blocks: 'block b(w) { relu }  block b(w) { relu }' }))).toEqual(['5:30 ARCH2006']);
    expect(codes(net({ blocks: 'block b(w, w) { relu }' }))).toEqual(['5:14 ARCH2007']);
    expect(codes(net({ blocks: 'block conv(w) { relu }' }))).toEqual(['5:9 ARCH2011']);
  });
  it('duplicate label', () => {
    expect(codes(net({ layers: 'x: conv(16, kernel 3)\nx: relu\ngap\ndense(10)' }))).toEqual(['8:5 ARCH2008']);
  });
  it('recursion between blocks', () => {
    const src = net({ blocks: 'block a(w) { b(w) }  block b(w) { a(w) }', layers: 'a(16)\ngap\ndense(10)' });
    expect(codes(src)).toEqual(['5:37 ARCH2009']);
    expect(messages(src)[0]).toContain('a → b → a');
  });
  it('unknown name in a block, with the call site as related info', () => {
    const c = compile(net({ blocks: 'block b(width) { conv(widht, kernel 3) }', layers: 'b(16)\ngap\ndense(10)' }));
    expect(c.diagnostics.map((d) => d.code)).toEqual(['ARCH2010']);
    expect(c.diagnostics[0]!.message).toBe("unknown name 'widht'; did you mean 'width'?");
    expect(c.diagnostics[0]!.related.map((r) => c.source.position(r.span.start))).toEqual([{ line: 7, col: 5 }]);
  });
  it('missing input and missing layers', () => {
    expect(codes(net({ input: null }))).toEqual(['1:9 ARCH2012']);
    expect(codes(net({ layers: null }))).toEqual(['1:9 ARCH2013']);
  });
  it('add outside a block; invalid enum; unknown setting; train inside a block', () => {
    expect(codes(net({ layers: 'add\ngap\ndense(10)' }))).toEqual(['7:5 ARCH2020']);
    expect(codes(net({ layers: 'conv(16, kernel 3, padding samee)\ngap\ndense(10)' }))).toEqual(['7:32 ARCH2018']);
    expect(codes(net({ train: 'epoch 3' }))).toEqual(['4:11 ARCH2015']);
    expect(codes(net({ blocks: 'block b(w) { train { epochs 1 } relu }', layers: 'conv(8, kernel 3)\nb(1)\ngap\ndense(10)' }))).toEqual(['5:16 ARCH2016']);
  });
});

describe('layers and shapes (ARCH3xxx)', () => {
  it('residual add of different shapes without a projection', () => {
    const src = net({ blocks: 'block down(w) { conv(w, kernel 3, stride 2)  bn  add }', layers: 'conv(16, kernel 3)\ndown(32)\ngap\ndense(10)' });
    expect(codes(src)).toEqual(['5:52 ARCH3001']);
    expect(messages(src)[0]).toBe('ARCH3001 residual add of [16,16,32] and [32,32,16] needs a projection: write add(shortcut) or add(projection)');
  });
  it('add(shortcut) and add(projection) expand into explicit conv + bn nodes', () => {
    const c = compile(net({ blocks: 'block down(w) { conv(w, kernel 3, stride 2)  bn  add(shortcut) }', layers: 'conv(16, kernel 3)\ndown(32)\ngap\ndense(10)' }));
    expect(c.diagnostics).toEqual([]);
    const paths = c.ir!.nodes.map((n) => n.path);
    expect(paths).toContain('down1.shortcut.conv');
    expect(paths).toContain('down1.shortcut.bn');
    const sc = c.ir!.nodes.find((n) => n.path === 'down1.shortcut.conv')!;
    expect(sc.kind === 'conv' && sc.attrs).toMatchObject({ kernel: [1, 1], stride: [2, 2], bias: false, inChannels: 16, filters: 32 });
  });
  it('kernel larger than its input is reported on the kernel argument', () => {
    expect(codes(net({ input: 'image(8, 8, 3)', layers: 'conv(16, kernel 9, padding valid)\ngap\ndense(10)' }))).toEqual(['7:14 ARCH3002']);
    expect(codes(net({ input: 'image(8, 8, 3)', layers: 'maxpool(16)\ngap\ndense(10)' }))).toEqual(['7:13 ARCH3002']);
  });
  it('lstm fed a feature map', () => {
    expect(codes(net({ layers: 'conv(8, kernel 3)\nlstm(10)\ngap\ndense(10)' }))).toEqual(['8:5 ARCH3003']);
  });
  it('gru fed a feature map: the same diagnostic, naming gru', () => {
    const text = net({ layers: 'conv(8, kernel 3)\ngru(10)\ngap\ndense(10)' });
    expect(codes(text)).toEqual(['8:5 ARCH3003']);
    expect(messages(text)[0]).toMatch(/^ARCH3003 gru needs a sequence \[T, F\]/);
  });
  it('maskable on a kind that cannot be masked, and on a block call', () => {
    expect(codes(net({ layers: 'conv(8, kernel 3)\nmaskable bn\ngap\ndense(10)' }))).toEqual(['8:5 ARCH3004']);
    expect(codes(net({ blocks: 'block b(w) { conv(w, kernel 3) }', layers: 'maskable b(8)\ngap\ndense(10)' }))).toEqual(['7:5 ARCH3005']);
  });
  it('the classifier cannot be maskable', () => {
    expect(codes(net({ layers: 'gap\nmaskable dense(10)' }))).toEqual(['8:5 ARCH3006']);
  });
  it('classification head must match the dataset; LM head must match the vocabulary', () => {
    expect(codes(net({ train: CIFAR, layers: 'gap\ndense(100)' }))).toEqual(['8:5 ARCH3007']);
    expect(codes(net({ input: 'tokens(vocab 100, seq 5)', layers: 'embedding(8)\nlstm(8)\ndense(99)' }))).toEqual(['9:5 ARCH3008']);
  });
  it('dense on a feature map; output not a vector', () => {
    expect(codes(net({ layers: 'dense(10)' }))).toEqual(['7:5 ARCH3009']);
    expect(codes(net({ layers: 'conv(10, kernel 1)' }))).toEqual(['7:5 ARCH3010']);
  });
  it('dataset and input disagree', () => {
    expect(codes(net({ train: 'data fashion-mnist("x")' }))).toEqual(['4:11 ARCH3016']);
    expect(codes(net({ train: 'data ptb("x")' }))).toEqual(['4:11 ARCH3018']);
  });
  it('grouped conv: groups must divide channels, and cannot be maskable', () => {
    expect(codes(net({ layers: 'conv(16, kernel 3, groups 5)\ngap\ndense(10)' }))).toEqual(['7:24 ARCH3012']);
    expect(codes(net({ layers: 'conv(16, kernel 3)\nmaskable conv(32, kernel 3, groups 2)\ngap\ndense(10)' }))).toEqual(['8:5 ARCH3013']);
  });
  it('concat branches must agree spatially', () => {
    expect(codes(net({ layers: 'concat(conv(8, kernel 3), conv(8, kernel 3, stride 2))\ngap\ndense(10)' }))).toEqual(['7:5 ARCH3014']);
    expect(codes(net({ layers: 'concat(conv(8, kernel 3))\ngap\ndense(10)' }))).toEqual(['7:5 ARCH3015']);
  });
});

describe('sparsify and train settings (ARCH4xxx)', () => {
  it.each([
    ['lambda -1', '3:14', 'lambda must be >= 0; got -1'],
    ['scheduler structurewise(beta0 0)', '3:38', 'beta0 must be > 0; got 0'],
    ['scheduler structurewise(p 0)', '3:38', 'p must be > 0; got 0'],
    ['scheduler structurewise(gamma -0.1)', '3:38', 'gamma must be >= 0; got -0.1'],
    ['scheduler structurewise(beta0 2, betaMax 1)', '3:47', 'betaMax must be >= beta0 (2); got 1'],
  ])('%s', (s, pos, msg) => {
    const src = net({ sparsify: s });
    expect(codes(src)).toEqual([`${pos} ARCH4001`]);
    expect(messages(src)).toEqual([`ARCH4001 ${msg}`]);
  });
  it('every must be an integer number of steps >= 1, and within the planned run', () => {
    expect(codes(net({ sparsify: 'scheduler global(every 0)' }))).toEqual(['3:31 ARCH4006']);
    expect(codes(net({ sparsify: 'scheduler global(every 2.5)' }))).toEqual(['3:31 ARCH4006']);
    expect(codes(net({ sparsify: 'scheduler global(every 500)', train: `${CIFAR}  steps 100` }))).toEqual(['3:31 ARCH4007']);
    // 1 epoch of CIFAR at batch 128 = 391 steps
    expect(codes(net({ sparsify: 'scheduler global(every 392)', train: `${CIFAR}  epochs 1` }))).toEqual(['3:31 ARCH4007']);
    expect(codes(net({ sparsify: 'scheduler global(every 391)', train: `${CIFAR}  epochs 1` }))).toEqual([]);
  });
  it('epochs and steps together', () => {
    expect(codes(net({ train: 'epochs 3  steps 10' }))).toEqual(['4:21 ARCH4002']);
  });
  it('lr milestones: increasing, inside the run, in the right unit', () => {
    expect(codes(net({ train: `${CIFAR}  epochs 160  lr step(at [120, 80])` }))).toEqual(['4:50 ARCH4003']);
    expect(codes(net({ train: `${CIFAR}  epochs 100  lr step(at [80, 120])` }))).toEqual(['4:50 ARCH4004']);
    expect(codes(net({ train: `${CIFAR}  steps 1000  lr step(atSteps [500, 1000])` }))).toEqual(['4:50 ARCH4004']);
    expect(codes(net({ input: 'tokens(vocab 10, seq 5)', train: 'data ptb("p")  steps 1000  lr step(at [5])', layers: 'embedding(4)\ndense(10)' }))).toEqual(['4:46 ARCH4005']);
    // CIFAR has a known epoch length, so epochs milestones in a steps-planned run are checkable: 391 steps/epoch.
    expect(codes(net({ train: `${CIFAR}  steps 1000  lr step(at [2])` }))).toEqual([]);
    expect(codes(net({ train: `${CIFAR}  steps 1000  lr step(at [3])` }))).toEqual(['4:50 ARCH4004']);
  });
  it('betaFinal needs a planned run and excludes gamma', () => {
    expect(codes(net({ sparsify: 'scheduler structurewise(betaFinal 10)' }))).toEqual(['3:38 ARCH4008']);
    expect(codes(net({ sparsify: 'scheduler structurewise(betaFinal 10)', train: 'steps 100' }))).toEqual([]);
    expect(codes(net({ sparsify: 'scheduler structurewise(gamma 0.1, betaFinal 10)', train: 'steps 100' }))).toEqual(['3:49 ARCH4009']);
  });
  it('conflicting overrides within one mask group', () => {
    const src = net({
      blocks: 'block b(w) { maskable(lambda 0.5) conv(w, kernel 3)  bn  add }',
      layers: 'maskable conv(16, kernel 3)  bn\nb(16)\ngap\ndense(10)',
    });
    expect(codes(src)).toEqual(['5:16 ARCH4010']);
    expect(messages(src)[0]).toContain("'conv1' and 'b1.conv1' differ in lambda");
  });
  it('augmentation needs images', () => {
    expect(codes(net({ input: 'tokens(vocab 10, seq 5)', train: 'augment [flip]', layers: 'embedding(4)\ndense(10)' }))).toEqual(['4:20 ARCH4011']);
  });
});

describe('sizes and limits (ARCH5xxx)', () => {
  it('width 0, non-integer widths, absurd widths', () => {
    expect(codes(net({ layers: 'conv(0, kernel 3)\ngap\ndense(10)' }))).toEqual(['7:10 ARCH5001']);
    expect(codes(net({ blocks: 'block b(w) { conv(w / 3, kernel 3) }', layers: 'b(16)\ngap\ndense(10)' }))).toEqual(['5:21 ARCH5001']);
    expect(codes(net({ layers: 'conv(1000000, kernel 3)\ngap\ndense(10)' }))).toEqual(['7:10 ARCH5002']);
  });
  it('total parameters and activation memory', () => {
    expect(codes(net({ input: 'image(1024, 1024, 3)', layers: 'flatten\ndense(1000)' }))).toEqual(['1:9 ARCH5003']);
    expect(codes(net({ input: 'image(16384, 16384, 3)', layers: 'conv(64, kernel 3)\ngap\ndense(10)' }))).toEqual(['1:9 ARCH5004']);
  });
  it('repeat count', () => {
    expect(codes(net({ layers: 'repeat 0 relu\ngap\ndense(10)' }))).toEqual(['7:12 ARCH5005']);
  });
});

describe('multi-error reporting', () => {
  it('reports independent errors in one run, and a block error once however often the block is used', () => {
    const src = net({
      sparsify: 'lambda -1',
      train: 'epochs 1  steps 5',
      blocks: 'block b(w) { conv(w, kernell 3) }',
      layers: 'b(8)\nb(8)\nconvv(3)\nrelu\ngap\ndense(10)',
    });
    expect(codes(src)).toEqual(['3:14 ARCH4001', '4:21 ARCH4002', '5:16 ARCH2003', '5:24 ARCH2002', '9:5 ARCH2001']);
  });
  it("an unknown dataset suggests the canonical underscore spelling ('fashion_mnist')", () => {
    for (const data of ['fashionmnist("d")', 'fashion_mnst("d")', 'fashion-mnst("d")']) {
      const src = net({ input: 'image(28, 28, 1)', train: `data ${data}` });
      expect(codes(src)).toEqual(['4:16 ARCH2025']);
      expect(messages(src)[0]).toMatch(/^ARCH2025 unknown dataset '[a-z_-]+'; did you mean 'fashion_mnist'\?$/);
    }
    expect(messages(net({ train: 'data fashionmnist("d")' }))[0]).toBe("ARCH2025 unknown dataset 'fashionmnist'; did you mean 'fashion_mnist'?");
    expect(messages(net({ train: 'data imagenet("d")' }))[0]).toBe(
      "ARCH2025 unknown dataset 'imagenet'; expected one of fashion_mnist, mnist, cifar10, ptb, text, kjv, brown, synthetic",
    );
    // Other messages name the dataset as a spec writes it.
    expect(messages(net({ train: 'data fashion_mnist("x")' }))[0]).toContain("dataset 'fashion_mnist' yields images");
  });

  it('hyphenated words and dataset names read as one word', () => {
    const c = compile(net({ input: 'image(28, 28, 1)', sparsify: 'penalty group-mean', train: 'data fashion-mnist("d")' }));
    expect(c.diagnostics).toEqual([]);
    expect(c.ir!.sparsify.penalty).toBe('group-mean');
    expect(c.ir!.train.data).toEqual({ kind: 'fashion-mnist', path: 'd' });
    // The printer spaces binary operators; the spaced form and the underscore alias mean the same.
    for (const data of ['fashion - mnist("d")', 'fashion_mnist("d")']) {
      expect(compile(net({ input: 'image(28, 28, 1)', train: `data ${data}` })).ir!.train.data.kind).toBe('fashion-mnist');
    }
  });
});
