// The runtime's seedable random streams. Every random number in a run (weight init, Bernoulli mask samples,
// dropout masks, shuffling) comes from one spec seed through named forks, so the same spec + seed + data give the
// same widths, and each stream's position is four uint32s that a checkpoint can store.
// The generator itself (xoshiro128** seeded by splitmix32) is the data loaders' one, extended here.

import { Rng as XoshiroRng, deriveSeed, type RngState } from './data/rng.ts';

export type { RngState };

/** FNV-1a over the label's UTF-16 code units: a stable 32-bit id for a stream name. */
function hashLabel(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export class Rng extends XoshiroRng {
  /** A generator positioned at a saved state. */
  static override fromState(state: RngState): Rng {
    const r = new Rng(0);
    r.setState(state);
    return r;
  }

  /** Next uniform uint32. */
  next(): number {
    return this.nextU32();
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.nextFloat();
  }

  /** Normal(mean, std) (Box–Muller, two draws, no cached second value so the state stays four words). */
  normal(mean = 0, std = 1): number {
    return mean + std * this.nextNormal();
  }

  /**
   * An independent stream named `label`, derived from this generator's CURRENT state without advancing it.
   * Forking the same generator with the same label twice gives the same stream: weight init forks one root per
   * layer path, so the weights do not depend on the order in which layers are declared (an `IrModule` and a
   * generated module that declares layers in another order get identical weights).
   */
  fork(label: string): Rng {
    const [a, b, c, d] = this.state();
    return new Rng(deriveSeed(a, b, c, d, hashLabel(label)));
  }

  /** n uniforms in [lo, hi). */
  fillUniform(n: number, lo = 0, hi = 1): Float32Array {
    const out = new Float32Array(n);
    const span = hi - lo;
    for (let i = 0; i < n; i++) out[i] = lo + span * this.nextFloat();
    return out;
  }

  /** n normals N(mean, std²). */
  fillNormal(n: number, mean = 0, std = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = mean + std * this.nextNormal();
    return out;
  }
}
