// Training-time augmentation fused with normalisation: a random crop of the original size after zero-padding by
// `crop` pixels, then an optional horizontal flip (torchvision's RandomCrop(padding) + RandomHorizontalFlip
// order). Padding is black, i.e. raw pixel 0 before normalisation, so padded pixels read lut[0] of their channel.

import type { Rng } from './rng.ts';

/** Matches TrainConfig['augment']: `crop` is the zero-padding in pixels (0 = no crop); flip off for digits. */
export interface AugmentConfig {
  readonly crop: number;
  readonly flip: boolean;
}

/** Where the crop window sits relative to the original image (−crop..crop each way) and whether to mirror. */
export interface SampleTransform {
  readonly shiftY: number;
  readonly shiftX: number;
  readonly flip: boolean;
}

/** Draws one sample's transform. Draw order (y, x, flip) is fixed: resumed runs rely on it. */
export function drawTransform(rng: Rng, aug: AugmentConfig): SampleTransform {
  const p = aug.crop;
  const shiftY = p > 0 ? rng.nextInt(2 * p + 1) - p : 0;
  const shiftX = p > 0 ? rng.nextInt(2 * p + 1) - p : 0;
  const flip = aug.flip ? rng.nextFloat() < 0.5 : false;
  return { shiftY, shiftX, flip };
}

/**
 * Writes one normalised (and optionally transformed) H×W×C image into `out` at `outOffset`:
 * out(y, x) = src(y + shiftY, x' + shiftX) with x' = W−1−x when flipped, and lut[c*256 + 0] outside the image.
 */
export function writeSample(
  out: Float32Array,
  outOffset: number,
  pixels: Uint8Array,
  inOffset: number,
  h: number,
  w: number,
  c: number,
  lut: Float32Array,
  t: SampleTransform | null,
): void {
  if (t === null || (t.shiftX === 0 && t.shiftY === 0 && !t.flip)) {
    const n = h * w * c;
    if (c === 1) {
      for (let i = 0; i < n; i++) out[outOffset + i] = lut[pixels[inOffset + i]!]!;
    } else {
      for (let i = 0; i < n; i++) out[outOffset + i] = lut[(i % c) * 256 + pixels[inOffset + i]!]!;
    }
    return;
  }
  let o = outOffset;
  for (let y = 0; y < h; y++) {
    const sy = y + t.shiftY;
    const rowInside = sy >= 0 && sy < h;
    for (let x = 0; x < w; x++) {
      const sx = (t.flip ? w - 1 - x : x) + t.shiftX;
      if (rowInside && sx >= 0 && sx < w) {
        const i = inOffset + (sy * w + sx) * c;
        for (let ch = 0; ch < c; ch++) out[o++] = lut[ch * 256 + pixels[i + ch]!]!;
      } else {
        for (let ch = 0; ch < c; ch++) out[o++] = lut[ch * 256]!;
      }
    }
  }
}
