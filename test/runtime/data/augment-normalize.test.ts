// Normalisation stats and the fused crop/flip/normalise writer, checked pixel by pixel on tiny images.

import { describe, expect, it } from 'vitest';
import { Rng, computeNormStats, drawTransform, normLut, writeSample, type ImageSplit } from '../../../src/runtime/data/index.ts';

/** A lookup table that leaves raw pixel values unchanged, so outputs can be compared with plain numbers. */
function identityLut(c: number): Float32Array {
  const lut = new Float32Array(c * 256);
  for (let ch = 0; ch < c; ch++) for (let v = 0; v < 256; v++) lut[ch * 256 + v] = v;
  return lut;
}

// 3×3 single-channel image with values 1..9 (row-major).
const img = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);

function apply(t: { shiftY: number; shiftX: number; flip: boolean } | null, pixels = img, h = 3, w = 3, c = 1): number[] {
  const out = new Float32Array(h * w * c);
  writeSample(out, 0, pixels, 0, h, w, c, identityLut(c), t);
  return Array.from(out);
}

describe('augmentation', () => {
  it('identity', () => {
    expect(apply(null)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(apply({ shiftY: 0, shiftX: 0, flip: false })).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('crop window shifted down-right reads further into the image and pads with 0', () => {
    expect(apply({ shiftY: 1, shiftX: 1, flip: false })).toEqual([5, 6, 0, 8, 9, 0, 0, 0, 0]);
  });

  it('crop window shifted up-left pads at the top and left', () => {
    expect(apply({ shiftY: -1, shiftX: -2, flip: false })).toEqual([0, 0, 0, 0, 0, 1, 0, 0, 4]);
  });

  it('horizontal flip mirrors each row; flip applies after the crop', () => {
    expect(apply({ shiftY: 0, shiftX: 0, flip: true })).toEqual([3, 2, 1, 6, 5, 4, 9, 8, 7]);
    // crop(shiftX = 1) gives rows [2,3,0]; flipped → [0,3,2].
    expect(apply({ shiftY: 0, shiftX: 1, flip: true })).toEqual([0, 3, 2, 0, 6, 5, 0, 9, 8]);
  });

  it('keeps channels together (NHWC) when moving pixels', () => {
    // 1×2 image, 2 channels: pixel0 = (10, 20), pixel1 = (30, 40).
    const px = Uint8Array.from([10, 20, 30, 40]);
    expect(apply({ shiftY: 0, shiftX: 0, flip: true }, px, 1, 2, 2)).toEqual([30, 40, 10, 20]);
    expect(apply({ shiftY: 0, shiftX: 1, flip: false }, px, 1, 2, 2)).toEqual([30, 40, 0, 0]);
  });

  it('padding is black after normalisation (lut of pixel 0 per channel)', () => {
    const lut = normLut({ mean: [0.5, 0.25], std: [0.5, 0.25] });
    const out = new Float32Array(4);
    writeSample(out, 0, Uint8Array.from([255, 255, 255, 255]), 0, 1, 2, 2, lut, { shiftY: 0, shiftX: 1, flip: false });
    expect(Array.from(out)).toEqual([1, 3, -1, -1]);
  });

  it('draws shifts within ±crop, flips about half the time, and none when flip is off', () => {
    const r = new Rng(9);
    const seen = new Set<number>();
    let flips = 0;
    for (let i = 0; i < 4000; i++) {
      const t = drawTransform(r, { crop: 4, flip: true });
      seen.add(t.shiftY);
      seen.add(t.shiftX);
      if (t.flip) flips++;
    }
    expect([...seen].sort((a, b) => a - b)).toEqual([-4, -3, -2, -1, 0, 1, 2, 3, 4]);
    expect(Math.abs(flips / 4000 - 0.5)).toBeLessThan(0.04);
    for (let i = 0; i < 100; i++) expect(drawTransform(r, { crop: 2, flip: false }).flip).toBe(false);
  });
});

describe('normalisation', () => {
  it('per-channel mean/std of pixel/255 over the split', () => {
    // Two 1×1 RGB images: channel 0 = {0, 255}, channel 1 = {51, 51}, channel 2 = {0, 102}.
    const split: ImageSplit = {
      pixels: Uint8Array.from([0, 51, 0, 255, 51, 102]),
      labels: Int32Array.from([0, 1]),
      count: 2,
      height: 1,
      width: 1,
      channels: 3,
    };
    const s = computeNormStats(split);
    expect(s.mean[0]).toBeCloseTo(0.5, 10);
    expect(s.std[0]).toBeCloseTo(0.5, 10);
    expect(s.mean[1]).toBeCloseTo(0.2, 10);
    expect(s.std[1]).toBe(1); // constant channel is left unscaled
    expect(s.mean[2]).toBeCloseTo(0.2, 10);
    expect(s.std[2]).toBeCloseTo(0.2, 10);
  });

  it('normalised values have zero mean and unit variance', () => {
    const r = new Rng(2);
    const pixels = Uint8Array.from({ length: 3000 }, () => r.nextInt(256));
    const split: ImageSplit = { pixels, labels: new Int32Array(1000), count: 1000, height: 1, width: 1, channels: 3 };
    const s = computeNormStats(split);
    const lut = normLut(s);
    for (let c = 0; c < 3; c++) {
      let m = 0;
      let v = 0;
      for (let i = c; i < 3000; i += 3) m += lut[c * 256 + pixels[i]!]! / 1000;
      for (let i = c; i < 3000; i += 3) v += (lut[c * 256 + pixels[i]!]! - m) ** 2 / 1000;
      expect(Math.abs(m)).toBeLessThan(1e-5);
      expect(Math.abs(v - 1)).toBeLessThan(1e-4);
    }
  });
});
