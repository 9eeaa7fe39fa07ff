// Backend selection: the preference order, the recorded skip reasons (not installed / binary missing /
// failed to init), forcing a backend, and the error for a forced backend that cannot load.
// A probe seam fakes package presence so the test does not depend on what npm managed to install.
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { describeBackend, initBackend } from '../../../src/runtime/backend/index.ts';
import { setPackageProbeForTests } from '../../../src/runtime/backend/select.ts';

const NODE = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'];

/** Pretends the tfjs-node packages are absent (the usual state on this machine). */
function withoutNode(): void {
  setPackageProbeForTests(undefined, (pkg) => !NODE.includes(pkg));
}

afterEach(() => setPackageProbeForTests());

describe('initBackend', () => {
  it('falls back to wasm and says why the node backends were skipped', async () => {
    withoutNode();
    const sel = await initBackend();
    expect(sel.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(sel.reasons).toEqual(['tfjs-node-gpu: not installed', 'tfjs-node: not installed']);
    expect(sel.kernels).toContain('Conv2DBackpropFilter');
    expect(describeBackend(sel)).toBe('backend: wasm (tfjs-node-gpu: not installed; tfjs-node: not installed)');
  });

  it('is idempotent', async () => {
    withoutNode();
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
