// Helpers for writing archc kernels as compositions of a backend's own kernels on TensorInfos.
// Kernels run below the engine (no tape, no tidy), so every intermediate must be released by hand;
// `KernelScope` tracks them and releases everything except the returned output.
import * as tf from '@tensorflow/tfjs';

export type Info = tf.TensorInfo;
export type Attrs = tf.NamedAttrMap;

/**
 * Stock kernel functions captured before archc overrides a kernel name, keyed `${backend}_${kernel}`.
 * Our wrappers (e.g. BatchMatMul) delegate to these, and re-registration must not wrap a wrapper.
 */
const stockKernels = new Map<string, tf.KernelConfig>();
/** Configs archc created; never mistaken for stock ones. */
const archcConfigs = new WeakSet<tf.KernelConfig>();

export function markArchc(cfg: tf.KernelConfig): tf.KernelConfig {
  archcConfigs.add(cfg);
  return cfg;
}

export function rememberStock(kernelName: string, backendName: string): tf.KernelConfig | undefined {
  const key = `${backendName}_${kernelName}`;
  if (!stockKernels.has(key)) {
    const cfg = tf.getKernel(kernelName, backendName);
    if (cfg !== undefined && !archcConfigs.has(cfg)) stockKernels.set(key, cfg);
  }
  return stockKernels.get(key);
}

export function stockKernel(kernelName: string, backendName: string): tf.KernelConfig | undefined {
  const remembered = stockKernels.get(`${backendName}_${kernelName}`);
  if (remembered !== undefined) return remembered;
  const current = tf.getKernel(kernelName, backendName);
  return current !== undefined && !archcConfigs.has(current) ? current : undefined;
}

/** A rank-4 shape (NHWC activations, HWIO filters) as a tuple; another rank here is a broken invariant. */
export function dims4(shape: readonly number[]): [number, number, number, number] {
  if (shape.length !== 4) throw new Error(`archc: expected a rank-4 shape, got [${shape.join(', ')}]`);
  return shape as [number, number, number, number];
}

/** The channel count of a channels-last shape (its last dimension); a scalar has none, so `op` cannot run on it. */
export function channelsLast(shape: readonly number[], op: string): number {
  const c = shape[shape.length - 1];
  if (c === undefined) throw new Error(`archc: ${op} needs a tensor of rank 1 or more (channels last), got a scalar`);
  return c;
}

/** The subset of KernelBackend we rely on; both wasm and cpu implement these. */
interface BackendLike {
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
  readSync(dataId: tf.DataId): tf.BackendValues;
  makeOutput?: (shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: tf.BackendValues) => Info;
  makeTensorInfo?: (shape: number[], dtype: tf.DataType, values?: tf.BackendValues) => Info;
}

/** Runs stock kernels of one backend and remembers their outputs so they can be freed together. */
export class KernelScope {
  private readonly temps: Info[] = [];
  constructor(
    readonly backend: tf.KernelBackend,
    readonly backendName: string,
  ) {}

  /** Runs the backend's stock kernel `name` (never an archc override, to avoid recursion). */
  run(name: string, inputs: tf.NamedTensorInfoMap, attrs: Attrs = {}): Info {
    const cfg = stockKernel(name, this.backendName);
    if (cfg === undefined) throw new Error(`archc: kernel '${name}' is not available on backend '${this.backendName}'`);
    const out = cfg.kernelFunc({ inputs, backend: this.backend, attrs }) as Info;
    this.temps.push(out);
    return out;
  }

  reshape(x: Info, shape: number[]): Info {
    return this.run('Reshape', { x }, { shape });
  }
  transpose(x: Info, perm: number[]): Info {
    if (perm.every((p, i) => p === i)) return x;
    return this.run('Transpose', { x }, { perm });
  }

  /**
   * Pads (positive) or crops (negative) the two spatial axes of an NHWC tensor. Backward convolutions need
   * both: padding for the "full" correlation, cropping where a forward conv never read the last rows.
   */
  padOrCrop(x: Info, top: number, bottom: number, left: number, right: number): Info {
    const [b, h, w, c] = dims4(x.shape);
    let y = x;
    if (top < 0 || bottom < 0 || left < 0 || right < 0) {
      const t = Math.max(0, -top), bo = Math.max(0, -bottom), l = Math.max(0, -left), r = Math.max(0, -right);
      y = this.run('Slice', { x: y }, { begin: [0, t, l, 0], size: [b, h - t - bo, w - l - r, c] });
    }
    const pt = Math.max(0, top), pb = Math.max(0, bottom), pl = Math.max(0, left), pr = Math.max(0, right);
    if (pt + pb + pl + pr > 0) {
      y = this.run('PadV2', { x: y }, { paddings: [[0, 0], [pt, pb], [pl, pr], [0, 0]], constantValue: 0 });
    }
    return y;
  }

  /**
   * Inserts stride-1 zeros between the rows and columns of dy (NHWC) and trailing zeros after the last one,
   * so the result has spatial size [oH*sh, oW*sw]. Done with reshape + pad, which stay on fast kernels.
   */
  zeroDilate(dy: Info, sh: number, sw: number): Info {
    if (sh === 1 && sw === 1) return dy;
    const [b, oh, ow, c] = dims4(dy.shape);
    const six = this.reshape(dy, [b, oh, 1, ow, 1, c]);
    const padded = this.run('PadV2', { x: six }, {
      paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]],
      constantValue: 0,
    });
    return this.reshape(padded, [b, oh * sh, ow * sw, c]);
  }

  /** Frees every intermediate except `keep`; reshapes share data ids, so refcounts keep `keep` alive. */
  finish(keep: Info): Info {
    // Returning an input unchanged would hand the engine a data id it already owns without a refcount.
    if (!this.temps.includes(keep)) throw new Error('archc internal: kernel output must be a fresh tensor');
    const be = this.backend as unknown as BackendLike;
    for (const t of this.temps) if (t !== keep) be.disposeData(t.dataId);
    return keep;
  }
}

/** Creates an output TensorInfo from JS values on either wasm (makeOutput) or cpu (makeTensorInfo). */
export function makeInfo(backend: tf.KernelBackend, shape: number[], dtype: tf.DataType, values: tf.BackendValues): Info {
  const be = backend as unknown as BackendLike & { typedArrayFromHeap?: unknown };
  // Detect wasm by its heap API: cpu also has a `makeOutput`, but with a different signature (values first).
  if (typeof be.typedArrayFromHeap === 'function' && be.makeOutput) return be.makeOutput(shape, dtype, undefined, values);
  if (be.makeTensorInfo) return be.makeTensorInfo(shape, dtype, values);
  throw new Error('archc: backend cannot create tensors from values');
}

export function readValues(backend: tf.KernelBackend, x: Info): tf.BackendValues {
  return (backend as unknown as BackendLike).readSync(x.dataId);
}

export function pair(v: number | [number, number] | undefined, dflt = 1): [number, number] {
  if (v === undefined) return [dflt, dflt];
  return typeof v === 'number' ? [v, v] : v;
}
