// Weight initialisers drawing from our RNG (never tfjs's own random ops), so init is reproducible and independent
// of layer declaration order: each layer forks the module's init stream by its path.

import type { Rng } from '../rng.ts';

/** He/Kaiming normal: N(0, 2/fanIn) — for ReLU conv and dense layers. */
export function heNormal(rng: Rng, n: number, fanIn: number): Float32Array {
  return rng.fillNormal(n, 0, Math.sqrt(2 / Math.max(1, fanIn)));
}

/** U(−limit, limit). */
export function uniform(rng: Rng, n: number, limit: number): Float32Array {
  return rng.fillUniform(n, -limit, limit);
}

export function constant(n: number, value: number): Float32Array {
  return new Float32Array(n).fill(value);
}
