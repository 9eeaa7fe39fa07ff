// Gathering and scattering a dense row-major array along several axes at once, on the host: `gatherAxes` keeps
// idx[a] along every axis a (null = the whole axis); `scatterAxes` is its adjoint (writes a gathered array back
// into zeros of the full shape). Compaction slices weights with the first; narrow execution uses both every step
// for the weight slices and their gradients (one pass each, instead of a gather, transposes and a segment sum
// per axis on the tape).

export interface HostTensor {
  shape: number[];
  data: Float32Array;
}

/** Visits every gathered element: calls `f(outIndex, srcIndex)` in row-major order of the gathered shape. */
function walk(shape: readonly number[], sel: readonly (readonly number[] | null)[], f: (o: number, s: number) => void): number[] {
  for (let a = 0; a < shape.length; a++) {
    for (const j of sel[a] ?? []) if (j < 0 || j >= shape[a]!) throw new Error(`slice index ${j} outside axis ${a} of [${shape}]`);
  }
  const outShape = shape.map((d, a) => sel[a]?.length ?? d);
  const size = outShape.reduce((x, y) => x * y, 1);
  if (size === 0) return outShape;
  if (shape.length === 0) {
    f(0, 0);
    return outShape;
  }
  const strides = shape.map((_, a) => shape.slice(a + 1).reduce((x, y) => x * y, 1));
  let o = 0;
  const last = shape.length - 1;
  const rec = (axis: number, base: number): void => {
    const list = sel[axis];
    const n = outShape[axis]!;
    if (axis === last) {
      for (let k = 0; k < n; k++) f(o++, base + (list ? list[k]! : k));
      return;
    }
    for (let k = 0; k < n; k++) rec(axis + 1, base + (list ? list[k]! : k) * strides[axis]!);
  };
  rec(0, 0);
  return outShape;
}

export function gatherAxes(t: HostTensor, idx: readonly (readonly number[] | null)[]): HostTensor {
  const sel = t.shape.map((_, a) => idx[a] ?? null);
  const outShape = t.shape.map((d, a) => sel[a]?.length ?? d);
  const out = new Float32Array(outShape.reduce((x, y) => x * y, 1));
  const src = t.data;
  walk(t.shape, sel, (o, s) => (out[o] = src[s]!));
  return { shape: outShape, data: out };
}

/** The adjoint of `gatherAxes(·, idx)` for a source of shape `fullShape`: zeros except the gathered positions. */
export function scatterAxes(g: HostTensor, idx: readonly (readonly number[] | null)[], fullShape: readonly number[]): HostTensor {
  const sel = fullShape.map((_, a) => idx[a] ?? null);
  const out = new Float32Array(fullShape.reduce((x, y) => x * y, 1));
  const src = g.data;
  walk(fullShape, sel, (o, s) => (out[s] = src[o]!));
  return { shape: [...fullShape], data: out };
}

// Source positions of every gathered element, per (shape, selection): a narrow run keeps the same active sets for
// many steps, so each variable's map is built once and each step's gather/scatter is one indexed loop. Bounded: the
// cache is emptied when it reaches CACHE_LIMIT entries (a run whose sets change every step rebuilds as before).
const CACHE_LIMIT = 4096;
const flatCache = new Map<string, { outShape: number[]; src: Int32Array }>();

function flatIndex(shape: readonly number[], idx: readonly (readonly number[] | null)[]): { outShape: number[]; src: Int32Array } {
  const sel = shape.map((_, a) => idx[a] ?? null);
  const key = `${shape.join(',')}|${sel.map((s) => (s ? s.join(',') : '*')).join('|')}`;
  let hit = flatCache.get(key);
  if (!hit) {
    const outShape = shape.map((d, a) => sel[a]?.length ?? d);
    const src = new Int32Array(outShape.reduce((x, y) => x * y, 1));
    walk(shape, sel, (o, s) => (src[o] = s));
    if (flatCache.size >= CACHE_LIMIT) flatCache.clear();
    hit = { outShape, src };
    flatCache.set(key, hit);
  }
  return hit;
}

/** `gatherAxes` through the cached index map (same result). */
export function gatherAxesCached(t: HostTensor, idx: readonly (readonly number[] | null)[]): HostTensor {
  const { outShape, src } = flatIndex(t.shape, idx);
  const out = new Float32Array(src.length);
  const d = t.data;
  for (let i = 0; i < src.length; i++) out[i] = d[src[i]!]!;
  return { shape: outShape, data: out };
}

/** `scatterAxes` through the cached index map (same result). */
export function scatterAxesCached(g: HostTensor, idx: readonly (readonly number[] | null)[], fullShape: readonly number[]): HostTensor {
  const { src } = flatIndex(fullShape, idx);
  if (g.data.length !== src.length) throw new Error(`scatter: a gradient of ${g.data.length} values for a slice of ${src.length}`);
  const out = new Float32Array(fullShape.reduce((x, y) => x * y, 1));
  const d = g.data;
  for (let i = 0; i < src.length; i++) out[src[i]!] = d[i]!;
  return { shape: [...fullShape], data: out };
}
