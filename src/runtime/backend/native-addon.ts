// Loads archc's oneDNN kernel pack (native/build/Release/archc_native.node, built by `npm run build:native`) and
// holds its settings: whether it may be used at all and its OpenMP thread count (default: the machine's cores).
// The CLI reads ARCHC_NATIVE / ARCHC_THREADS / --threads and passes them in; the runtime itself reads no env.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

/** The addon's exports (native/src/addon.cc). Operands are heap byte offsets or TypedArrays. */
export interface NativeAddon {
  conv2d(kind: 0 | 1 | 2, heap: ArrayBuffer | undefined, dims: number[], x: number | Float32Array, w: number | Float32Array, y: number | Float32Array): void;
  matmul(heap: ArrayBuffer | undefined, dims: number[], a: number | Float32Array, b: number | Float32Array, c: number | Float32Array, bias: number | Float32Array | null): void;
  batchNormForward(heap: ArrayBuffer | undefined, rows: number, c: number, eps: number, x: number | Float32Array, gamma: number | Float32Array, beta: number | Float32Array, y: number | Float32Array, mean: number | Float32Array, variance: number | Float32Array, relu?: boolean): void;
  batchNormBackward(heap: ArrayBuffer | undefined, rows: number, c: number, eps: number, x: number | Float32Array, gamma: number | Float32Array, mean: number | Float32Array, variance: number | Float32Array, dy: number | Float32Array, dx: number | Float32Array, dgamma: number | Float32Array, dbeta: number | Float32Array, reluY?: number | Float32Array | null): void;
  columnSum(heap: ArrayBuffer | undefined, rows: number, c: number, scale: number, x: number | Float32Array, out: number | Float32Array): void;
  /** kind 0: exp, 1: relu (relu absent from addons built before binary). */
  unary(kind: 0 | 1, heap: ArrayBuffer | undefined, n: number, x: number | Float32Array, y: number | Float32Array): void;
  /** y[r, j] = x[r, j]·m[j] over x viewed as [rows, c] (absent from addons built before it). */
  scaleColumns?(heap: ArrayBuffer | undefined, rows: number, c: number, x: number | Float32Array, m: number | Float32Array, y: number | Float32Array): void;
  /** y = a + b (0), a·b (1) or a·step(b) (2, the ReLU gradient), elementwise over n floats (absent from older addons). */
  binary?(kind: 0 | 1 | 2, heap: ArrayBuffer | undefined, n: number, a: number | Float32Array, b: number | Float32Array, y: number | Float32Array): void;
  /** dm[j] = Σ_r dy[r, j]·x[r, j] over [rows, c], the mask's gradient (absent from older addons). */
  scaleColumnsGrad?(heap: ArrayBuffer | undefined, rows: number, c: number, dy: number | Float32Array, x: number | Float32Array, dm: number | Float32Array): void;
  rowReduce(kind: 0 | 1, heap: ArrayBuffer | undefined, rows: number, c: number, x: number | Float32Array, out: number | Float32Array): void;
  pool2d(kind: 0 | 1 | 2 | 3, heap: ArrayBuffer | undefined, dims: number[], x: number | Float32Array | null, dy: number | Float32Array | null, out: number | Float32Array): void;
  /** buf and bufOut null: SGD without momentum; gradScale (default 1) multiplies g first. */
  sgdUpdate(heap: ArrayBuffer | undefined, n: number, lr: number, weightDecay: number, momentum: number, nesterov: boolean, w: number | Float32Array, g: number | Float32Array, buf: number | Float32Array | null, wOut: number | Float32Array, bufOut: number | Float32Array | null, gradScale?: number): void;
  /** Σ x² in double (absent from addons built before it). */
  sumSquares?(heap: ArrayBuffer | undefined, n: number, x: number | Float32Array): number;
  setThreads(n: number): number;
  threads(): number;
  setCacheCapacity(n: number): void;
  clearCache(): void;
  cacheStats(): { cached: number; capacity: number; created: number };
  version(): string;
}

export interface NativeOptions {
  /** false turns the native backend off (ARCHC_NATIVE=0); `disabledBy` says who did, for the skip reason. */
  enabled?: boolean;
  disabledBy?: string;
  /** OpenMP threads for oneDNN; default: the machine's cores. */
  threads?: number;
}

// From src/runtime/backend/ (tsx, tests), dist/bundle/ or dist/bundle/chunks/ (the compiled package) up to the
// package root.
const ADDON_CANDIDATES = ['../../../', '../../'].map((up) =>
  fileURLToPath(new URL(`${up}native/build/Release/archc_native.node`, import.meta.url)),
);
const ADDON_PATH = ADDON_CANDIDATES.find((p) => existsSync(p)) ?? ADDON_CANDIDATES[0]!;
export const NATIVE_INSTALL_HINT = 'apt-get install libdnnl-dev, then npm run build:native';

let addonPath = ADDON_PATH;
let options: NativeOptions = {};
let loaded: { addon: NativeAddon } | { reason: string } | undefined;

/**
 * Options from ARCHC_NATIVE (0 turns the native backend off) and ARCHC_THREADS (a positive integer), with an
 * explicit thread count (the CLI's --threads) taking precedence. Pure: the caller hands in its environment.
 */
export function nativeOptionsFromEnv(env: Record<string, string | undefined>, threads?: number): NativeOptions {
  const o: NativeOptions = {};
  if (env['ARCHC_NATIVE'] === '0') {
    o.enabled = false;
    o.disabledBy = 'ARCHC_NATIVE=0';
  }
  const t = threads ?? (env['ARCHC_THREADS'] !== undefined && /^[1-9]\d*$/.test(env['ARCHC_THREADS']) ? Number(env['ARCHC_THREADS']) : undefined);
  if (t !== undefined) o.threads = t;
  return o;
}

export function configureNative(o: NativeOptions): void {
  options = { ...o };
  if (loaded !== undefined && 'addon' in loaded) loaded.addon.setThreads(nativeThreads());
}

export function nativeThreads(): number {
  return options.threads ?? availableParallelism();
}

/** The addon, or why it cannot be used (a reason that says what to install). Loads it once. */
export function loadNative(): { addon: NativeAddon } | { reason: string } {
  if (options.enabled === false) return { reason: `disabled${options.disabledBy ? ` by ${options.disabledBy}` : ''}` };
  if (loaded !== undefined) return loaded;
  if (!existsSync(addonPath)) {
    loaded = { reason: `oneDNN addon not built (${NATIVE_INSTALL_HINT})` };
    return loaded;
  }
  try {
    // libgomp reads its wait policy once, when the addon loads. Its default (spin after every parallel region)
    // costs a training step 2–5× on a busy machine: JS runs between the kernels while the idle OpenMP thread
    // spins on the other core. An explicit setting from the user wins.
    process.env['OMP_WAIT_POLICY'] ??= 'PASSIVE';
    const addon = createRequire(import.meta.url)(addonPath) as NativeAddon;
    addon.setThreads(nativeThreads());
    loaded = { addon };
  } catch (e) {
    const msg = String(e instanceof Error ? e.message : e).split('\n')[0]!.slice(0, 160);
    loaded = { reason: `oneDNN addon failed to load (${msg}); rebuild it: ${NATIVE_INSTALL_HINT}` };
  }
  return loaded;
}

/** Test seam: load the addon from another path (a missing or broken one), or the real one again. */
export function setNativeAddonPathForTests(path?: string): void {
  addonPath = path ?? ADDON_PATH;
  loaded = undefined;
}

/** The loaded addon; throws if `loadNative` did not succeed (kernels are only registered after it did). */
export function nativeAddon(): NativeAddon {
  const l = loadNative();
  if ('reason' in l) throw new Error(`archc: native backend unavailable: ${l.reason}`);
  return l.addon;
}
