// openDataset: each kind resolves to the right loader, the data is checked against the spec's input and class
// count, missing data explains how to get it, and the description line reads well.

import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError, openDataset, type Dataset, type ImageDataset, type TokenDataset } from '../../../src/runtime/data/index.ts';
import type { InputSpec } from '../../../src/semantic/ir.ts';
import { expectDataError, tempDir, writeCifarDir, writeIdxDir } from './fixtures.ts';

const img = (height: number, width: number, channels: number): InputSpec => ({ kind: 'image', height, width, channels });
const tokens = (vocab: number, seq = 5): InputSpec => ({ kind: 'tokens', vocab, seq });

function asImage(d: Dataset): ImageDataset {
  if (d.kind !== 'image') throw new Error('expected an image dataset');
  return d;
}
function asTokens(d: Dataset): TokenDataset {
  if (d.kind !== 'tokens') throw new Error('expected a token dataset');
  return d;
}

describe('openDataset', () => {
  it('fashion-mnist from a user directory: splits, classes, stats, description', () => {
    const dir = tempDir();
    writeIdxDir(dir, { train: 20, test: 6, rows: 28, cols: 28, gzip: true });
    const d = asImage(openDataset({ kind: 'fashion-mnist', path: dir }, { input: img(28, 28, 1), classes: 10 }));
    expect(d.description).toBe(`fashion-mnist: 20 train / 6 test from ${dir}`);
    expect([d.train.count, d.test.count, d.numClasses]).toEqual([20, 6, 10]);
    expect(d.classNames?.[9]).toBe('Ankle boot');
    expect(d.norm.mean).toHaveLength(1);
    expect(d.norm.mean[0]).toBeGreaterThan(0);
  });

  it('a 32×32×3 spec with fashion-mnist is refused with a clear error', () => {
    const dir = tempDir();
    writeIdxDir(dir, { rows: 28, cols: 28 });
    expectDataError(
      () => openDataset({ kind: 'fashion-mnist', path: dir }, { input: img(32, 32, 3) }),
      dir,
      /fashion-mnist images are 28×28×1 but the spec's input is 32×32×3/,
    );
  });

  it('class count and input kind are checked', () => {
    const dir = tempDir();
    writeIdxDir(dir, { rows: 28, cols: 28 });
    expectDataError(() => openDataset({ kind: 'mnist', path: dir }, { input: img(28, 28, 1), classes: 100 }), dir, /10 classes but the network's last layer has 100 outputs/);
    expectDataError(() => openDataset({ kind: 'mnist', path: dir }, { input: tokens(100) }), dir, /image dataset .* spec's input is tokens/);
  });

  it('missing Fashion-MNIST says how to install it or use synthetic data', () => {
    const dir = join(tempDir(), 'missing');
    const err = expectDataError(() => openDataset({ kind: 'fashion-mnist', path: dir }, { input: img(28, 28, 1) }), dir, /missing file/);
    expect(err.message).toContain('apt-get install dataset-fashion-mnist');
    expect(err.message).toContain('/usr/share/datasets/fashion-mnist/');
    expect(err.message).toContain('--data synthetic');
  });

  it('cifar10 from a directory', () => {
    const dir = tempDir();
    writeCifarDir(dir, 2, 3);
    const d = asImage(openDataset({ kind: 'cifar10', path: dir }, { input: img(32, 32, 3), classes: 10 }));
    expect(d.description).toBe(`cifar10: 10 train / 3 test from ${dir}`);
    expect(d.norm.mean).toHaveLength(3);
    expectDataError(() => openDataset({ kind: 'cifar10', path: dir }, { input: img(28, 28, 1) }), dir, /cifar10 images are 32×32×3/);
  });

  it('ptb from a directory, capped at the spec vocabulary', () => {
    const dir = tempDir();
    for (const s of ['train', 'valid', 'test']) writeFileSync(join(dir, `ptb.${s}.txt`), ' a b c d e \n a b \n');
    const d = asTokens(openDataset({ kind: 'ptb', path: dir }, { input: tokens(4) }));
    expect(d.vocab.words).toEqual(['<eos>', '<unk>', 'a', 'b']);
    expect(d.description).toBe(`ptb: 9 train / 9 valid / 9 test tokens, vocabulary 4 (cap 4) from ${dir}`);
    expectDataError(() => openDataset({ kind: 'ptb', path: dir }, { input: img(28, 28, 1) }), dir, /text dataset but the spec's input is 28×28×1 images/);
  });

  it('text needs a path; a user text file loads', () => {
    expect(() => openDataset({ kind: 'text', path: null }, { input: tokens(10) })).toThrow(DataError);
    const f = join(tempDir(), 'corpus.txt');
    writeFileSync(f, Array.from({ length: 30 }, (_, i) => `Line number ${i}, with words.`).join('\n'));
    const d = asTokens(openDataset({ kind: 'text', path: f }, { input: tokens(10) }));
    expect(d.source).toBe(f);
    expect(d.train.length).toBeGreaterThan(0);
    expect(d.vocab.words.slice(0, 4)).toEqual(['<eos>', '<unk>', 'N', 'line']);
  });

  it('kjv from a given dump file', () => {
    const f = join(tempDir(), 'dump.txt');
    writeFileSync(f, '\nGenesis 1\n\n' + Array.from({ length: 20 }, (_, i) => `  ${i + 1} And God saw verse ${i}.`).join('\n') + '\n');
    const d = asTokens(openDataset({ kind: 'kjv', path: f }, { input: tokens(20), cacheDir: tempDir() }));
    expect(d.source).toBe(f);
    expect(d.vocab.words.slice(0, 5)).toEqual(['<eos>', '<unk>', 'N', 'and', 'god']); // equal counts: code-unit order puts 'N' first
  });

  it('synthetic images follow the spec input and class count; synthetic tokens follow the vocab', () => {
    const d = asImage(openDataset({ kind: 'synthetic', path: null }, { input: img(8, 6, 3), classes: 5, seed: 1, synthetic: { train: 50, test: 10 } }));
    expect([d.train.count, d.train.height, d.train.width, d.train.channels, d.numClasses]).toEqual([50, 8, 6, 3, 5]);
    expect(d.description).toBe('synthetic: 50 train / 10 test 8×6×3 images, 5 classes (seed 1)');
    const t = asTokens(openDataset({ kind: 'synthetic', path: null }, { input: tokens(30), synthetic: { train: 1000, valid: 100, test: 100 } }));
    expect([t.vocab.size, t.train.length, t.valid.length]).toEqual([30, 1000, 100]);
  });

  it.skipIf(!existsSync('/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz'))(
    'real Fashion-MNIST from /usr/share/datasets/fashion-mnist (skipped: dataset-fashion-mnist not installed)',
    () => {
      const d = asImage(openDataset({ kind: 'fashion-mnist', path: null }, { input: img(28, 28, 1), classes: 10 }));
      expect(d.description).toBe('fashion-mnist: 60000 train / 10000 test from /usr/share/datasets/fashion-mnist');
      expect([d.train.count, d.test.count]).toEqual([60000, 10000]);
      expect(d.train.labels[0]).toBe(9); // ankle boot
      expect(d.test.labels[0]).toBe(9);
      const perClass = Array.from({ length: 10 }, (_, k) => d.train.labels.filter((l) => l === k).length);
      expect(perClass).toEqual(new Array(10).fill(6000));
      expect(d.norm.mean[0]).toBeCloseTo(0.286, 3);
      expect(d.norm.std[0]).toBeCloseTo(0.353, 3);
    },
  );
});
