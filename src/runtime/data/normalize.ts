// Per-channel normalisation. Stats are computed on the train split from a 256-bin histogram per channel, which
// is exact for uint8 pixels and one cheap pass; batches are normalised through a 256-entry lookup table per
// channel, so normalising costs one table read per pixel.

import type { ImageSplit, NormStats } from './types.ts';

export function computeNormStats(split: ImageSplit): NormStats {
  const c = split.channels;
  const hist = new Float64Array(c * 256);
  const px = split.pixels;
  for (let ch = 0; ch < c; ch++) {
    const off = ch * 256;
    for (let i = ch; i < px.length; i += c) hist[off + px[i]!]!++;
  }
  const mean: number[] = [];
  const std: number[] = [];
  for (let ch = 0; ch < c; ch++) {
    let n = 0;
    let s = 0;
    let s2 = 0;
    for (let v = 0; v < 256; v++) {
      const k = hist[ch * 256 + v]!;
      const x = v / 255;
      n += k;
      s += k * x;
      s2 += k * x * x;
    }
    const m = n > 0 ? s / n : 0;
    const variance = n > 0 ? Math.max(0, s2 / n - m * m) : 0;
    mean.push(m);
    // A constant channel would divide by zero; leave it unscaled instead.
    std.push(variance > 1e-12 ? Math.sqrt(variance) : 1);
  }
  return { mean, std };
}

/** lut[c * 256 + v] = (v / 255 − mean[c]) / std[c]. */
export function normLut(norm: NormStats): Float32Array {
  const c = norm.mean.length;
  const lut = new Float32Array(c * 256);
  for (let ch = 0; ch < c; ch++) {
    for (let v = 0; v < 256; v++) lut[ch * 256 + v] = (v / 255 - norm.mean[ch]!) / norm.std[ch]!;
  }
  return lut;
}
