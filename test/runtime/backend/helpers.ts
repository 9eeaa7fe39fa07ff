// Shared test helpers: a seeded RNG, running a computation on a named backend with or without archc's
// kernels, and the tolerance every kernel test uses: max|Δ| ≤ 1e-4·(1 + max|ref|).
import * as tf from '@tensorflow/tfjs';
import { registerArchcKernels, unregisterArchcKernels } from '../../../src/runtime/backend/index.ts';

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randArray(r: () => number, n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = r() * 2 - 1;
  return a;
}

export const int = (r: () => number, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
export function pick<T>(r: () => number, xs: readonly T[]): T {
  const x = xs[Math.floor(r() * xs.length)];
  if (x === undefined) throw new Error(`pick: nothing to pick from (${xs.length} items)`);
  return x;
}

/** 'native' = archc's wasm kernels plus the oneDNN addon's (registered on the wasm backend). */
export type Mode = 'stock' | 'archc' | 'native';

/**
 * Runs `f` on `backend` with stock kernels or archc's, returning every output as a plain array.
 * Tensors are built inside from the given arrays so nothing crosses backends.
 */
export async function on(backend: string, mode: Mode, f: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  if (mode === 'stock') unregisterArchcKernels(backend);
  else registerArchcKernels(backend, mode === 'native' ? 'native' : backend);
  const outs = tf.tidy(f);
  const arrays = outs.map((t) => t.dataSync() as Float32Array);
  tf.dispose(outs);
  return arrays;
}

export function maxDiff(a: Float32Array, ref: Float32Array): { diff: number; scale: number } {
  if (a.length !== ref.length) throw new Error(`length ${a.length} vs ${ref.length}`);
  let diff = 0, scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - ref[i]!));
    scale = Math.max(scale, Math.abs(ref[i]!));
  }
  return { diff, scale };
}

export const TOL = 1e-4;

/** Throws a message naming the case when any output differs beyond the tolerance. */
export function expectClose(got: Float32Array[], ref: Float32Array[], label: string): void {
  got.forEach((g, i) => {
    const r = ref[i];
    if (r === undefined) throw new Error(`${label} output ${i}: no reference output (${got.length} outputs, ${ref.length} references)`);
    const { diff, scale } = maxDiff(g, r);
    if (!(diff <= TOL * (1 + scale))) {
      throw new Error(`${label} output ${i}: max|Δ| = ${diff} > ${TOL}·(1+${scale})`);
    }
  });
}
