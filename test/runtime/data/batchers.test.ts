// Image batching (per-epoch seeded shuffle, augmentation, exact resume from a saved position) and truncated-BPTT
// windows (Zaremba layout, targets shifted by one, continuity across windows, resume).

import { describe, expect, it } from 'vitest';
import { BpttBatcher, DataError, ImageBatcher, evalBatches, type ImageBatch, type ImageSplit } from '../../../src/runtime/data/index.ts';

/** 1×1×1 images whose pixel and label are both the sample index, so batches show which samples they hold. */
function indexSplit(count: number): ImageSplit {
  return {
    pixels: Uint8Array.from({ length: count }, (_, i) => i),
    labels: Int32Array.from({ length: count }, (_, i) => i),
    count,
    height: 1,
    width: 1,
    channels: 1,
  };
}
/** lut[v] = v: mean 0, std 1/255. */
const raw = { mean: [0], std: [1 / 255] };

function epochLabels(b: ImageBatcher): number[][] {
  return [...b.epochBatches()].map((x) => Array.from(x.y));
}

describe('ImageBatcher', () => {
  it('visits every sample once per epoch, last batch partial, pixels follow labels', () => {
    const b = new ImageBatcher(indexSplit(10), { batch: 4, seed: 1, norm: raw });
    expect(b.batchesPerEpoch).toBe(3);
    const batches = [...b.epochBatches()];
    expect(batches.map((x) => x.size)).toEqual([4, 4, 2]);
    expect(batches.map((x) => x.lastOfEpoch)).toEqual([false, false, true]);
    expect(batches[0]!.shape).toEqual([4, 1, 1, 1]);
    const all = batches.flatMap((x) => Array.from(x.y));
    expect([...all].sort((a, c) => a - c)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(all).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const x of batches) expect(Array.from(x.x)).toEqual(Array.from(x.y));
  });

  it('dropLast drops the partial batch', () => {
    const b = new ImageBatcher(indexSplit(10), { batch: 4, seed: 1, norm: raw, dropLast: true });
    expect(epochLabels(b).map((x) => x.length)).toEqual([4, 4]);
  });

  it('order depends on seed and epoch only', () => {
    const a = new ImageBatcher(indexSplit(50), { batch: 8, seed: 3, norm: raw });
    const b = new ImageBatcher(indexSplit(50), { batch: 8, seed: 3, norm: raw });
    const c = new ImageBatcher(indexSplit(50), { batch: 8, seed: 4, norm: raw });
    const a0 = epochLabels(a);
    expect(epochLabels(b)).toEqual(a0);
    expect(epochLabels(c)).not.toEqual(a0);
    const a1 = epochLabels(a);
    expect(a.epoch).toBe(1);
    expect(a1).not.toEqual(a0);
  });

  it('resumes exactly from a saved position, across epochs, with augmentation', () => {
    const split: ImageSplit = {
      pixels: Uint8Array.from({ length: 30 * 4 * 4 * 3 }, (_, i) => (i * 37) % 256),
      labels: Int32Array.from({ length: 30 }, (_, i) => i % 10),
      count: 30,
      height: 4,
      width: 4,
      channels: 3,
    };
    const opts = { batch: 7, seed: 21, norm: { mean: [0.5, 0.4, 0.3], std: [0.2, 0.3, 0.25] }, augment: { crop: 1, flip: true } };
    const a = new ImageBatcher(split, opts);
    for (let i = 0; i < 6; i++) a.next(); // into the second epoch (5 batches per epoch)
    const saved = JSON.parse(JSON.stringify(a.position())) as ReturnType<ImageBatcher['position']>;
    const cont: ImageBatch[] = Array.from({ length: 9 }, () => a.next());

    const b = new ImageBatcher(split, opts);
    b.restore(saved);
    const resumed: ImageBatch[] = Array.from({ length: 9 }, () => b.next());
    expect(resumed.map((x) => [x.epoch, x.batchIndex, x.size])).toEqual(cont.map((x) => [x.epoch, x.batchIndex, x.size]));
    for (let i = 0; i < 9; i++) {
      expect(resumed[i]!.x).toEqual(cont[i]!.x);
      expect(resumed[i]!.y).toEqual(cont[i]!.y);
    }
    // Augmentation really changed something relative to an unaugmented batcher with the same order.
    const plain = new ImageBatcher(split, { ...opts, augment: null });
    const p0 = plain.next();
    const a0 = new ImageBatcher(split, opts).next();
    expect(p0.y).toEqual(a0.y);
    expect(p0.x).not.toEqual(a0.x);
  });

  it('a position saved at an epoch end resumes with the next epoch', () => {
    const a = new ImageBatcher(indexSplit(9), { batch: 3, seed: 5, norm: raw });
    epochLabels(a);
    const pos = a.position();
    const next = epochLabels(a);
    const b = new ImageBatcher(indexSplit(9), { batch: 3, seed: 5, norm: raw });
    b.restore(pos);
    expect(epochLabels(b)).toEqual(next);
    expect(b.epoch).toBe(1);
  });

  it('rejects a bad position', () => {
    const a = new ImageBatcher(indexSplit(9), { batch: 3, seed: 5, norm: raw });
    expect(() => a.restore({ epoch: 0, index: 99, rng: [1, 2, 3, 4] })).toThrow(/invalid batcher position/);
  });

  it('evalBatches: in order, normalised, last batch partial', () => {
    const batches = [...evalBatches(indexSplit(5), 2, raw)];
    expect(batches.map((x) => Array.from(x.y))).toEqual([[0, 1], [2, 3], [4]]);
    expect(Array.from(batches[2]!.x)).toEqual([4]);
    expect(batches[2]!.lastOfEpoch).toBe(true);
  });
});

describe('BpttBatcher', () => {
  const stream = Int32Array.from({ length: 40 }, (_, i) => i);

  it('reshapes into batch rows and shifts targets by one', () => {
    // 40 tokens, batch 3 → rows of 13 (tail token 39 dropped); seq 4 → floor(12 / 4) = 3 windows.
    const b = new BpttBatcher(stream, { batch: 3, seq: 4 });
    expect([b.rowLength, b.windowsPerEpoch]).toEqual([13, 3]);
    const w0 = b.next();
    expect(w0.shape).toEqual([3, 4]);
    expect(Array.from(w0.x)).toEqual([0, 1, 2, 3, 13, 14, 15, 16, 26, 27, 28, 29]);
    expect(Array.from(w0.y)).toEqual([1, 2, 3, 4, 14, 15, 16, 17, 27, 28, 29, 30]);
    expect(w0.resetState).toBe(true);
    const w1 = b.next();
    expect(w1.resetState).toBe(false);
    // Across the window boundary: each row's last target is the next window's first input.
    for (let r = 0; r < 3; r++) expect(w0.y[r * 4 + 3]).toBe(w1.x[r * 4]);
    const w2 = b.next();
    expect(Array.from(w2.y.subarray(8))).toEqual([35, 36, 37, 38]);
    expect(w2.lastOfEpoch).toBe(true);
    const again = b.next();
    expect([again.epoch, again.window, again.resetState]).toEqual([1, 0, true]);
    expect(again.x).toEqual(w0.x);
  });

  it('partialLast keeps a short final window so every token is predicted', () => {
    const b = new BpttBatcher(stream, { batch: 3, seq: 5, partialLast: true });
    const ws = [...b.epochBatches()];
    expect(ws.map((w) => w.shape)).toEqual([[3, 5], [3, 5], [3, 2]]);
    expect(Array.from(ws[2]!.y)).toEqual([11, 12, 24, 25, 37, 38]);
  });

  it('resumes from a saved position', () => {
    const a = new BpttBatcher(stream, { batch: 2, seq: 3 });
    for (let i = 0; i < 8; i++) a.next();
    const pos = JSON.parse(JSON.stringify(a.position())) as ReturnType<BpttBatcher['position']>;
    const cont = Array.from({ length: 5 }, () => a.next());
    const b = new BpttBatcher(stream, { batch: 2, seq: 3 });
    b.restore(pos);
    const res = Array.from({ length: 5 }, () => b.next());
    expect(res.map((w) => [w.epoch, w.window, Array.from(w.x)])).toEqual(cont.map((w) => [w.epoch, w.window, Array.from(w.x)]));
  });

  it('a stream too short for one window is a DataError naming the source', () => {
    expect(() => new BpttBatcher(stream, { batch: 10, seq: 4, source: '/d/ptb.valid.txt' })).toThrow(DataError);
    expect(() => new BpttBatcher(stream, { batch: 10, seq: 4, source: '/d/ptb.valid.txt' })).toThrow(/\/d\/ptb.valid.txt: 40 tokens are too few/);
  });
});
