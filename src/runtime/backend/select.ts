// Chooses the tfjs backend archc trains on (tfjs-node-gpu > tfjs-node > native > wasm > cpu, or a forced one),
// records why each better one was skipped, and installs archc's kernels for the winner. 'native' is tfjs-wasm
// with archc's oneDNN addon (native/) running the heavy kernels.
// Optional packages are imported through a `string` variable so tsc does not need them installed (TS2307).
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { registerArchcKernels } from './register.ts';
import { loadNative, nativeThreads } from './native-addon.ts';

export type BackendChoice = 'node-gpu' | 'node' | 'native' | 'wasm' | 'cpu';

export interface BackendSelection {
  /** archc's name for the backend ('node-gpu' | 'node' | 'native' | 'wasm' | 'cpu'). */
  name: BackendChoice;
  /** The tfjs backend name it runs as ('tensorflow' | 'wasm' | 'cpu'). */
  tfBackend: string;
  /** Why each preferred backend was skipped, e.g. "tfjs-node: not installed". */
  reasons: string[];
  /** archc kernels registered for this backend. */
  kernels: string[];
  /** oneDNN's OpenMP thread count (native only). */
  threads?: number;
}

interface Candidate {
  choice: BackendChoice;
  label: string;
  pkg?: string;
  tfBackend: string;
}

const CANDIDATES: Candidate[] = [
  { choice: 'node-gpu', label: 'tfjs-node-gpu', pkg: '@tensorflow/tfjs-node-gpu', tfBackend: 'tensorflow' },
  { choice: 'node', label: 'tfjs-node', pkg: '@tensorflow/tfjs-node', tfBackend: 'tensorflow' },
  { choice: 'native', label: 'native', pkg: '@tensorflow/tfjs-backend-wasm', tfBackend: 'wasm' },
  { choice: 'wasm', label: 'wasm', pkg: '@tensorflow/tfjs-backend-wasm', tfBackend: 'wasm' },
  { choice: 'cpu', label: 'cpu', tfBackend: 'cpu' },
];

const requireHere = createRequire(import.meta.url);
let current: BackendSelection | undefined;

/** Test seam: lets tests pretend a package is absent or broken without uninstalling it. */
export type PackageLoader = (pkg: string) => Promise<unknown>;
let loadPackage: PackageLoader = (pkg) => import(pkg);
let isInstalled = (pkg: string): boolean => {
  try {
    requireHere.resolve(pkg);
    return true;
  } catch {
    return false;
  }
};
export function setPackageProbeForTests(load?: PackageLoader, installed?: (pkg: string) => boolean): void {
  loadPackage = load ?? ((pkg) => import(pkg));
  isInstalled =
    installed ??
    ((pkg) => {
      try {
        requireHere.resolve(pkg);
        return true;
      } catch {
        return false;
      }
    });
  current = undefined;
}

function firstLine(e: unknown): string {
  return String(e instanceof Error ? e.message : e).split('\n')[0]!.slice(0, 160);
}

/** Loads one candidate and makes it the active backend; returns null on success or the skip reason. */
async function tryCandidate(c: Candidate): Promise<string | null> {
  if (c.choice === 'native') {
    const native = loadNative();
    if ('reason' in native) return native.reason;
  }
  if (c.pkg !== undefined) {
    if (!isInstalled(c.pkg)) return 'not installed';
    try {
      const mod = (await loadPackage(c.pkg)) as { setWasmPaths?: (p: string) => void };
      if (c.tfBackend === 'wasm' && typeof mod.setWasmPaths === 'function') {
        // Point at the package's own dist folder: never fetch the binary over the network.
        mod.setWasmPaths(requireHere.resolve(`${c.pkg}/dist/tfjs-backend-wasm.wasm`).replace(/[^/\\]+$/, ''));
      }
    } catch (e) {
      const msg = firstLine(e);
      // `npm ci --ignore-scripts` leaves tfjs-node without its .node binding, so the import throws.
      if (/\.node\b|binding|libtensorflow/i.test(msg)) return `native binary missing (${msg})`;
      return `failed to load (${msg})`;
    }
    if (tf.findBackendFactory(c.tfBackend) === null) {
      // It registered into another @tensorflow/tfjs-core copy, or under an unexpected name.
      return `loaded but did not register backend '${c.tfBackend}' with archc's @tensorflow/tfjs`;
    }
  }
  try {
    const ok = await tf.setBackend(c.tfBackend);
    if (!ok) return 'failed to init';
    await tf.ready();
  } catch (e) {
    return `failed to init (${firstLine(e)})`;
  }
  return null;
}

function installHint(c: Candidate, reason: string): string {
  if (c.pkg === undefined || c.choice === 'native') return '';
  if (reason.startsWith('native binary missing')) {
    return ` Reinstall it with its install script (needs network to fetch libtensorflow): npm rebuild ${c.pkg}`;
  }
  return ` Install it with: npm install ${c.pkg}`;
}

/**
 * Selects and initialises the backend, then registers archc's kernels for it. Call once, before creating any
 * tensor (a tensor made before `setBackend` on wasm throws). Calling again is cheap and returns the same
 * selection; a different `preferred` switches backends. Throws if a forced backend cannot load.
 */
export async function initBackend(preferred?: BackendChoice): Promise<BackendSelection> {
  if (current !== undefined && (preferred === undefined || preferred === current.name) && tf.getBackend() === current.tfBackend) {
    registerArchcKernels(current.tfBackend, current.name);
    return current;
  }
  silenceCpuBanner();
  const reasons: string[] = [];
  const pool = preferred === undefined ? CANDIDATES : CANDIDATES.filter((c) => c.choice === preferred);
  if (pool.length === 0) {
    throw new Error(`archc: unknown backend '${preferred}'; expected one of ${CANDIDATES.map((c) => c.choice).join(', ')}`);
  }
  for (const c of pool) {
    const why = await tryCandidate(c);
    if (why === null) {
      const kernels = registerArchcKernels(c.tfBackend, c.choice);
      current = { name: c.choice, tfBackend: c.tfBackend, reasons, kernels, ...(c.choice === 'native' ? { threads: nativeThreads() } : {}) };
      return current;
    }
    reasons.push(`${c.label}: ${why}`);
    if (preferred !== undefined) {
      throw new Error(`archc: backend '${preferred}' is unavailable: ${c.label}: ${why}.${installHint(c, why)}`);
    }
  }
  // cpu ships inside @tensorflow/tfjs, so reaching here means tfjs itself is broken.
  throw new Error(`archc: no tfjs backend could be initialised (${reasons.join('; ')})`);
}

/**
 * tfjs's cpu backend prints a "install tfjs-node" banner on its first tensor. archc prints its own backend line with
 * the reason each faster backend was skipped, so the banner only repeats (less precisely) what the user was told.
 */
function silenceCpuBanner(): void {
  // engine().findBackend initialises the (cheap) cpu backend if needed, so this works before its first tensor.
  const cpu = tf.engine().findBackend('cpu') as { firstUse?: boolean } | null;
  if (cpu && 'firstUse' in cpu) cpu.firstUse = false;
}

/** One line for the CLI, e.g. "backend: wasm (tfjs-node-gpu: not installed; tfjs-node: not installed)". */
export function describeBackend(selection: BackendSelection | undefined = current): string {
  if (selection === undefined) return `backend: ${tf.getBackend() ?? 'none'} (not selected by archc)`;
  const name = selection.threads !== undefined ? `${selection.name} (oneDNN, ${selection.threads} threads)` : selection.name;
  return selection.reasons.length === 0 ? `backend: ${name}` : `backend: ${name} (${selection.reasons.join('; ')})`;
}

/** The current selection, if `initBackend` has run. */
export function currentBackend(): BackendSelection | undefined {
  return current;
}
