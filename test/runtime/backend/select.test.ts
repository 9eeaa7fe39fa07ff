// Backend selection: the preference order (node-gpu > node > native > wasm > cpu), the recorded skip reasons
// (not installed / binary missing / addon not built / disabled), forcing a backend, and the error for a forced
// backend that cannot load. A probe seam fakes package presence so the test does not depend on what npm managed
// to install; configureNative turns the native backend off the way ARCHC_NATIVE=0 does.
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { configureNative, describeBackend, initBackend, loadNative, nativeOptionsFromEnv } from '../../../src/runtime/backend/index.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setNativeAddonPathForTests } from '../../../src/runtime/backend/native-addon.ts';
import { setPackageProbeForTests } from '../../../src/runtime/backend/select.ts';

const NODE = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'];

/** Pretends the tfjs-node packages are absent (the usual state on this machine). */
function withoutNode(): void {
  setPackageProbeForTests(undefined, (pkg) => !NODE.includes(pkg));
}

/** The suite's own setting (ARCHC_NATIVE / ARCHC_THREADS), restored after each test. */
const suiteNative = nativeOptionsFromEnv(process.env);
const nativeOff = () => configureNative({ ...suiteNative, enabled: false, disabledBy: 'ARCHC_NATIVE=0' });
const addonBuilt = 'addon' in loadNative();

afterEach(() => {
  setPackageProbeForTests();
  setNativeAddonPathForTests();
  configureNative(suiteNative);
});

describe('initBackend', () => {
  it('falls back to wasm and says why the node backends and native were skipped', async () => {
    withoutNode();
    nativeOff();
    const sel = await initBackend();
    expect(sel.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(sel.reasons).toEqual(['tfjs-node-gpu: not installed', 'tfjs-node: not installed', 'native: disabled by ARCHC_NATIVE=0']);
    expect(sel.kernels).toContain('Conv2DBackpropFilter');
    expect(sel.kernels).not.toContain('Conv2D');
    expect(describeBackend(sel)).toBe(
      'backend: wasm (tfjs-node-gpu: not installed; tfjs-node: not installed; native: disabled by ARCHC_NATIVE=0)',
    );
  });

  it.runIf(addonBuilt && suiteNative.enabled !== false)('prefers native (wasm + oneDNN) when the addon is built', async () => {
    withoutNode();
    configureNative({ threads: 2 });
    const sel = await initBackend();
    expect(sel.name).toBe('native');
    expect(tf.getBackend()).toBe('wasm');
    expect(sel.threads).toBe(2);
    expect(sel.kernels).toEqual(expect.arrayContaining(['Conv2D', 'Conv2DBackpropFilter', 'BatchMatMul', 'MaxPoolGrad']));
    expect(describeBackend(sel)).toBe('backend: native (oneDNN, 2 threads) (tfjs-node-gpu: not installed; tfjs-node: not installed)');
    // Forcing wasm afterwards puts the stock wasm Conv2D back.
    const wasm = await initBackend('wasm');
    expect(wasm.kernels).not.toContain('Conv2D');
  });

  it('says what to install when the addon is not built, or cannot load', async () => {
    withoutNode();
    configureNative({ ...suiteNative, enabled: true });
    setNativeAddonPathForTests('/nonexistent/archc_native.node');
    const sel = await initBackend();
    expect(sel.name).toBe('wasm');
    expect(sel.reasons[2]).toBe('native: oneDNN addon not built (apt-get install libdnnl-dev, then npm run build:native)');
    await expect(initBackend('native')).rejects.toThrow(
      "archc: backend 'native' is unavailable: native: oneDNN addon not built (apt-get install libdnnl-dev, then npm run build:native).",
    );
    const broken = join(mkdtempSync(join(tmpdir(), 'archc-native-')), 'archc_native.node');
    writeFileSync(broken, 'not a shared object');
    setNativeAddonPathForTests(broken);
    const again = await initBackend('wasm');
    expect(again.name).toBe('wasm');
    expect(loadNative()).toEqual({ reason: expect.stringMatching(/^oneDNN addon failed to load \(.+\); rebuild it: apt-get install libdnnl-dev, then npm run build:native$/) });
  });

  it('explains a forced native backend that is turned off', async () => {
    nativeOff();
    await expect(initBackend('native')).rejects.toThrow("archc: backend 'native' is unavailable: native: disabled by ARCHC_NATIVE=0.");
  });

  it('reads ARCHC_NATIVE and ARCHC_THREADS; --threads wins', () => {
    expect(nativeOptionsFromEnv({ ARCHC_NATIVE: '0' })).toEqual({ enabled: false, disabledBy: 'ARCHC_NATIVE=0' });
    expect(nativeOptionsFromEnv({ ARCHC_THREADS: '3' })).toEqual({ threads: 3 });
    expect(nativeOptionsFromEnv({ ARCHC_THREADS: '3' }, 1)).toEqual({ threads: 1 });
    expect(nativeOptionsFromEnv({ ARCHC_THREADS: 'lots' })).toEqual({});
  });

  it('is idempotent', async () => {
    withoutNode();
    nativeOff();
    const a = await initBackend();
    const b = await initBackend();
    expect(b).toBe(a);
    expect(await initBackend('wasm')).toBe(a);
  });

  it('reports a package whose native binary is missing (npm ci --ignore-scripts)', async () => {
    setPackageProbeForTests(
      async (pkg) => {
        if (NODE.includes(pkg)) throw new Error(`Cannot find module '${pkg}/lib/napi-v8/tfjs_binding.node'`);
        return import(pkg);
      },
      () => true,
    );
    nativeOff();
    const sel = await initBackend();
    expect(sel.name).toBe('wasm');
    expect(sel.reasons[0]).toMatch(/^tfjs-node-gpu: native binary missing/);
    expect(sel.reasons[1]).toMatch(/^tfjs-node: native binary missing/);
  });

  it('reports a package that loads but registers no backend', async () => {
    setPackageProbeForTests(async (pkg) => (NODE.includes(pkg) ? {} : import(pkg)), () => true);
    const sel = await initBackend();
    expect(sel.reasons[0]).toMatch(/did not register backend 'tensorflow'/);
  });

  it('honours a forced backend', async () => {
    withoutNode();
    const cpu = await initBackend('cpu');
    expect(cpu.name).toBe('cpu');
    expect(cpu.reasons).toEqual([]);
    expect(tf.getBackend()).toBe('cpu');
    expect(cpu.kernels).toEqual(['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'UnsortedSegmentSum']);
    const wasm = await initBackend('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(wasm.name).toBe('wasm');
  });

  it('explains what to install when a forced backend is unavailable', async () => {
    withoutNode();
    await expect(initBackend('node')).rejects.toThrow(
      "archc: backend 'node' is unavailable: tfjs-node: not installed. Install it with: npm install @tensorflow/tfjs-node",
    );
    await expect(initBackend('node-gpu')).rejects.toThrow(/npm install @tensorflow\/tfjs-node-gpu/);
    // A failed forced attempt leaves a usable backend behind.
    expect(['wasm', 'cpu']).toContain(tf.getBackend());
  });
});
