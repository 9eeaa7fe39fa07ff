// Deterministic synthetic data for tests and for running without any dataset installed: images whose class is
// a fixed random low-frequency pattern plus noise (learnable, any H×W×C and class count), and a token stream from
// a sparse random Markov chain (low entropy, so an LM's perplexity visibly falls). Both depend only on the seed.

import { Rng, deriveSeed } from './rng.ts';
import type { ImageSplit, Vocabulary } from './types.ts';
import { EOS, UNK, fromWords } from './vocab.ts';

export interface SyntheticImageOptions {
  height: number;
  width: number;
  channels: number;
  classes: number;
  count: number;
  seed: number;
  /** Which split: train and test share the class patterns but draw different samples. */
  split: 'train' | 'test';
}

/** Class prototypes on a coarse grid (at most 4×4 cells) so neighbouring pixels agree, like real images. */
function prototypes(h: number, w: number, c: number, classes: number, seed: number): Float32Array {
  const rng = new Rng(deriveSeed(seed, 0x5e71));
  const gh = Math.min(4, h);
  const gw = Math.min(4, w);
  const out = new Float32Array(classes * h * w * c);
  for (let k = 0; k < classes; k++) {
    const grid = Array.from({ length: gh * gw * c }, () => rng.nextFloat() * 2 - 1);
    for (let y = 0; y < h; y++) {
      const gy = Math.floor((y * gh) / h);
      for (let x = 0; x < w; x++) {
        const gx = Math.floor((x * gw) / w);
        for (let ch = 0; ch < c; ch++) out[((k * h + y) * w + x) * c + ch] = grid[(gy * gw + gx) * c + ch]!;
      }
    }
  }
  return out;
}

export function syntheticImages(o: SyntheticImageOptions): ImageSplit {
  const { height: h, width: w, channels: c, classes, count } = o;
  const per = h * w * c;
  const protos = prototypes(h, w, c, classes, o.seed);
  const rng = new Rng(deriveSeed(o.seed, o.split === 'train' ? 1 : 2));
  const pixels = new Uint8Array(count * per);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const k = i % classes; // balanced classes; the batcher shuffles
    labels[i] = k;
    const base = k * per;
    const out = i * per;
    for (let p = 0; p < per; p++) {
      const noise = rng.nextFloat() + rng.nextFloat() - 1; // triangular on (-1, 1): cheap and bounded
      const v = 128 + 60 * protos[base + p]! + 50 * noise;
      pixels[out + p] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
    }
  }
  return { pixels, labels, count, height: h, width: w, channels: c };
}

export interface SyntheticTokens {
  vocab: Vocabulary;
  train: Int32Array;
  valid: Int32Array;
  test: Int32Array;
}

/**
 * A stream from a Markov chain where each word has three successors with probabilities 0.6/0.3/0.1. `<unk>`
 * (id 1) never occurs, as in a corpus whose vocabulary covers everything.
 */
export function syntheticTokens(vocabSize: number, lengths: { train: number; valid: number; test: number }, seed: number): SyntheticTokens {
  if (vocabSize < 3) throw new Error(`synthetic token data needs a vocabulary of at least 3, got ${vocabSize}`);
  const words = [EOS, UNK, ...Array.from({ length: vocabSize - 2 }, (_, i) => `w${i + 2}`)];
  const rng = new Rng(deriveSeed(seed, 0x70c));
  const usable = (): number => {
    const id = rng.nextInt(vocabSize - 1);
    return id === 0 ? 0 : id + 1; // skip id 1 = <unk>
  };
  const succ = new Int32Array(vocabSize * 3);
  for (let s = 0; s < succ.length; s++) succ[s] = usable();
  let state = 0;
  const gen = (n: number): Int32Array => {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const u = rng.nextFloat();
      state = succ[state * 3 + (u < 0.6 ? 0 : u < 0.9 ? 1 : 2)]!;
      out[i] = state;
    }
    return out;
  };
  return { vocab: fromWords(words), train: gen(lengths.train), valid: gen(lengths.valid), test: gen(lengths.test) };
}
