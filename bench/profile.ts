// `node --cpu-prof --import tsx bench/profile.ts SPEC [BATCH] [STEPS] [--backend B]`: runs STEPS timed training
// steps (after one warm-up step) of the real trainer on synthetic data and prints ms/step and the tfjs kernel calls
// per step by kernel name with their wall time (the top 15 by time), for reading next to a --cpu-prof profile. Backend: native when the addon
// loads, else wasm (or --backend).
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { configureNative, initBackend, loadNative, nativeOptionsFromEnv, type BackendChoice } from '../src/runtime/backend/index.ts';
import { compileText } from '../src/semantic/compile.ts';
import { stepStamps } from './train.ts';

const argv = process.argv.slice(2);
const bAt = argv.indexOf('--backend');
const backendArg = bAt >= 0 ? argv.splice(bAt, 2)[1] : undefined;
const [spec, batchArg, stepsArg] = argv;
if (spec === undefined) {
  console.error('usage: bench/profile.ts SPEC [BATCH] [STEPS] [--backend native|wasm|cpu]');
  process.exit(2);
}
const r = compileText(readFileSync(spec, 'utf8'), spec);
if (!r.ir) {
  console.error(`profile: ${spec} does not check`);
  process.exit(1);
}
const ir = r.ir;
const batch = Number(batchArg ?? 20);
const steps = Number(stepsArg ?? 3);

configureNative(nativeOptionsFromEnv(process.env));
const sel = await initBackend((backendArg ?? ('addon' in loadNative() ? 'native' : 'wasm')) as BackendChoice);

// Count kernel calls by name, and their wall time (outermost calls only: a kernel that falls back to another is
// timed once): every tfjs op (forward and in the gradients) goes through engine.runKernel, synchronously on the
// cpu, wasm and native backends.
const counts = new Map<string, number>();
const times = new Map<string, number>();
let counting = false;
let depth = 0;
const engine = tf.engine() as unknown as { runKernel(name: string, ...rest: unknown[]): unknown };
const runKernel = engine.runKernel.bind(engine);
engine.runKernel = (name: string, ...rest: unknown[]) => {
  if (!counting) return runKernel(name, ...rest);
  counts.set(name, (counts.get(name) ?? 0) + 1);
  const t = depth === 0 ? performance.now() : 0;
  depth++;
  try {
    return runKernel(name, ...rest);
  } finally {
    depth--;
    if (depth === 0) times.set(name, (times.get(name) ?? 0) + performance.now() - t);
  }
};

// One warm-up step, then `steps` counted and timed ones: count from the warm-up's stamp to the last timed one.
const stamps = await stepStamps(ir, batch, 1, steps, (k) => {
  counting = k >= 1 && k < 1 + steps;
});
const ms = (stamps[steps]! - stamps[0]!) / steps;
const calls = [...counts.values()].reduce((a, b) => a + b, 0) / steps;
const inKernels = [...times.values()].reduce((a, b) => a + b, 0) / steps;
console.log(`${spec} on ${sel.name}: batch ${batch}, ${steps} steps: ${ms.toFixed(0)} ms/step, ${calls.toFixed(0)} kernel calls/step, ${inKernels.toFixed(1)} ms/step in kernels; load ${loadavg()[0]!.toFixed(2)}`);
console.log(`  ${'kernel'.padEnd(28)} ${'calls'.padStart(6)} ${'ms/step'.padStart(8)}`);
for (const [k, v] of [...times].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${k.padEnd(28)} ${((counts.get(k) ?? 0) / steps).toFixed(0).padStart(6)} ${(v / steps).toFixed(2).padStart(8)}`);
