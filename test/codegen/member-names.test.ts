// Issue 15 #10: a label named like a member of the generated class's base (`bnLayers:`) made a module that failed
// tsc and crashed training (`module.bnLayers is not iterable`). The member names are read from NetworkModule itself
// (an instance and its prototype chain, Object.prototype included), every one that is an identifier labels a layer
// with weights, and the generated module must type-check, keep every inherited member intact, and train a step.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LAYERS_FIELD } from '../../src/codegen/identifiers.ts';
import { generateModule, typecheckModules } from '../../src/codegen/index.ts';
import { makeRunnable } from '../../src/codegen/runnable.ts';
import { hasErrors } from '../../src/diagnostics/index.ts';
import { initBackend } from '../../src/runtime/backend/index.ts';
import { NetworkModule, runTraining, type ForwardContext } from '../../src/runtime/index.ts';
import { compileText } from '../../src/semantic/compile.ts';
import type { IrNetwork } from '../../src/semantic/ir.ts';
import type * as tf from '@tensorflow/tfjs';

/** Every property name an instance of a NetworkModule subclass has or inherits. */
function baseMemberNames(ir: IrNetwork): string[] {
  class Probe extends NetworkModule {
    forward(x: tf.Tensor, _ctx: ForwardContext): tf.Tensor {
      return x;
    }
  }
  const probe = new Probe(ir, { seed: 1 });
  const names = new Set<string>();
  for (let o: object | null = probe; o !== null && o !== Probe.prototype; o = Object.getPrototypeOf(o) as object | null) {
    for (const n of Object.getOwnPropertyNames(o)) names.add(n);
  }
  for (let o: object | null = NetworkModule.prototype; o !== null; o = Object.getPrototypeOf(o) as object | null) {
    for (const n of Object.getOwnPropertyNames(o)) names.add(n);
  }
  probe.dispose();
  return [...names].sort();
}

const spec = (labels: readonly string[]): string =>
  [
    'network clash {',
    '  input image(6, 6, 1)',
    '  train { data synthetic  steps 1  batch 4  optimizer sgd(lr 0.01)  seed 1 }',
    '  layers {',
    ...labels.map((l) => `    ${l}: conv(2, kernel 1)`),
    '    gap',
    '    dense(3)',
    '  }',
    '}',
  ].join('\n');

describe('labels named like base-class members', () => {
  it('type-check, leave every inherited member intact, and train a step', async () => {
    const base = compileText(spec(['c']), 'base.arch').ir!;
    // `forward` is abstract (no runtime trace on the prototype); the generated class overrides it.
    const members = [...baseMemberNames(base), 'forward'];
    // The members that broke generated modules before, and the namespace field itself, are among them.
    expect(members).toEqual(expect.arrayContaining(['bnLayers', 'masks', 'store', 'ir', 'forward', 'variables', 'dispose', 'constructor', 'toString', '__proto__']));
    // The namespace field too, should the grammar ever let it be a label.
    const identifiers = [...members, LAYERS_FIELD].filter((n) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(n));
    // Keywords of the .arch language (e.g. `conv`, `bn`) cannot be labels; the checker says so, and those are left out.
    const accepted = identifiers.filter((n) => !hasErrors(compileText(spec([n]), 'one.arch').diagnostics));
    expect(accepted).toEqual(expect.arrayContaining(['bnLayers', 'masks', 'store', 'ir', 'forward', 'variables', 'weightVariables', 'getWeights', 'setWeights', 'dispose', 'rngFor', 'initRng', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__']));
    const c = compileText(spec(accepted), 'clash.arch');
    expect(c.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const ir = c.ir!;

    const dir = mkdtempSync(join(tmpdir(), 'archc-members-'));
    const m = generateModule(ir, c.source, { specPath: 'clash.arch', specFile: join(dir, 'clash.arch'), outDir: dir });
    expect(typecheckModules([m])[0]!.diagnostics).toEqual([]);

    writeFileSync(join(dir, 'clash.arch'), c.source.text);
    writeFileSync(join(dir, m.fileName), m.text);
    makeRunnable(dir);
    const mod = (await import(pathToFileURL(join(dir, m.fileName)).href)) as Record<string, unknown>;
    const Cls = mod['Clash'] as new (network: IrNetwork, opts: { seed: number }) => NetworkModule & { layers: Record<string, unknown> };
    await initBackend('cpu');
    const net = new Cls(ir, { seed: 1 });
    try {
      expect(Array.isArray(net.bnLayers)).toBe(true);
      expect(typeof net.forward).toBe('function');
      expect(typeof net.dispose).toBe('function');
      expect(Object.keys(net.layers)).toHaveLength(accepted.length + 1); // + dense
      const r = await runTraining({ ir, module: net, data: 'synthetic', overrides: { steps: 1, evalLimit: 8, synthetic: { train: 16, test: 8 } }, outDir: null, backend: 'cpu', log: () => {} });
      expect(r.finalMetrics.step).toBe(1);
      expect(Number.isFinite(r.finalMetrics.loss)).toBe(true);
    } finally {
      net.dispose();
    }
  }, 180_000);
});
