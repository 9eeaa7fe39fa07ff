// Installs (and can remove) archc's kernels for one backend in tfjs's global kernel registry.
// Kernel-level registration, rather than custom gradients, means every caller benefits: tf.conv2d,
// tf.fused.conv2d and tf.layers all reach Conv2DBackpropFilter/Input through the stock gradient definitions.
import * as tf from '@tensorflow/tfjs';
import { conv2DBackpropFilter, conv2DBackpropInput, depthwiseBackpropFilter, depthwiseBackpropInput } from './conv-grads.ts';
import { markArchc, rememberStock } from './kernel-utils.ts';
import { untransposedMatMul } from './matmul.ts';
import { maxPoolGrad } from './max-pool-grad.ts';
import { unsortedSegmentSum } from './segment-sum.ts';
import { fusedBatchNormGrad } from './batch-norm.ts';
import { multiplyGrad, reluGrad } from './elementwise-grads.ts';
import { NATIVE_KERNELS } from './native-kernels.ts';

type Factory = (backendName: string) => tf.KernelFunc;

const conv = (f: typeof conv2DBackpropFilter): Factory => (name) => (args) => f(args as Parameters<typeof f>[0], name);

const WASM_PLAN: Record<string, Factory> = {
    // Missing on wasm: without these a conv net cannot train at all.
    Conv2DBackpropFilter: conv(conv2DBackpropFilter),
    DepthwiseConv2dNativeBackpropFilter: conv(depthwiseBackpropFilter),
    DepthwiseConv2dNativeBackpropInput: conv(depthwiseBackpropInput),
    UnsortedSegmentSum: () => (args) => unsortedSegmentSum(args as Parameters<typeof unsortedSegmentSum>[0]),
    // Present but slow (~2 GFLOP/s) or wrong.
    Conv2DBackpropInput: conv(conv2DBackpropInput),
    BatchMatMul: (name) => untransposedMatMul('BatchMatMul', name),
    _FusedMatMul: (name) => untransposedMatMul('_FusedMatMul', name),
    MaxPoolGrad: () => (args) => maxPoolGrad(args as Parameters<typeof maxPoolGrad>[0]),
};

/**
 * Which archc kernels each plan gets, and why. A plan is named after a tfjs backend, except 'native', which is
 * tfjs-wasm with the oneDNN addon's kernels on top (registered under 'wasm'). Backends not listed (tfjs-node's
 * 'tensorflow') get none.
 */
const PLAN: Record<string, Record<string, Factory>> = {
  wasm: WASM_PLAN,
  native: {
    // Kernels the addon does not cover (UnsortedSegmentSum) keep archc's wasm versions.
    ...WASM_PLAN,
    ...Object.fromEntries(Object.entries(NATIVE_KERNELS).map(([k, f]) => [k, (() => f as unknown as tf.KernelFunc) as Factory])),
  },
  cpu: {
    // Only where measured faster than cpu's own (dW ~1000×, depthwise dW 5×, segment sum O(V) fewer passes);
    // cpu's Conv2DBackpropInput and depthwise dX are as fast or faster than a forward-conv rewrite, so stay.
    Conv2DBackpropFilter: conv(conv2DBackpropFilter),
    DepthwiseConv2dNativeBackpropFilter: conv(depthwiseBackpropFilter),
    UnsortedSegmentSum: () => (args) => unsortedSegmentSum(args as Parameters<typeof unsortedSegmentSum>[0]),
  },
};

/** Plan name per tfjs backend and the configs it installed, keyed `${backend}_${kernel}`. */
const installed = new Map<string, tf.KernelConfig>();
const installedPlan = new Map<string, string>();

/**
 * Gradients archc replaces globally, each made from the stock config (which it falls back to): the broadcasting
 * BatchNorm gradient and the native ReLU and mask-Multiply gradients (elementwise-grads.ts).
 */
const GRADIENTS: Record<string, (stock: tf.GradConfig) => tf.GradConfig> = {
  [tf.FusedBatchNorm]: () => fusedBatchNormGrad,
  [tf.Relu]: reluGrad,
  [tf.Multiply]: multiplyGrad,
};
/** Per kernel name: the stock gradient and archc's replacement. */
const gradients = new Map<string, { stock: tf.GradConfig; mine: tf.GradConfig }>();

function registerGradients(): void {
  for (const [name, make] of Object.entries(GRADIENTS)) {
    const current = tf.getGradient(name);
    const known = gradients.get(name);
    if (known !== undefined && current === known.mine) continue;
    if (current === undefined) continue;
    const entry = known ?? { stock: current, mine: make(current) };
    gradients.set(name, entry);
    tf.registerGradient(entry.mine);
  }
}

function restoreGradients(): void {
  for (const [name, { stock, mine }] of gradients) if (tf.getGradient(name) === mine) tf.registerGradient(stock);
}

/** Kernel names archc replaces or adds on `backendName` (empty for backends it leaves alone); plan 'native' for the addon's. */
export function archcKernelNames(backendName: string, plan: string = backendName): string[] {
  return Object.keys(PLAN[plan] ?? {});
}

function replace(cfg: tf.KernelConfig): void {
  // unregister first: registerKernel warns on the console whenever a key already exists.
  if (tf.getKernel(cfg.kernelName, cfg.backendName) !== undefined) tf.unregisterKernel(cfg.kernelName, cfg.backendName);
  tf.registerKernel(cfg);
}

/**
 * Registers archc's kernels for `backendName` plus archc's gradients (`GRADIENTS`). Idempotent.
 * Overridden stock kernels keep their setupFunc so a later re-initialisation of the backend still works.
 */
export function registerArchcKernels(backendName: string, plan: string = backendName): string[] {
  const done: string[] = [];
  // Switching plans on one backend (wasm ↔ native) first puts the stock kernels back.
  if (installedPlan.has(backendName) && installedPlan.get(backendName) !== plan) unregisterKernels(backendName);
  installedPlan.set(backendName, plan);
  for (const [kernelName, make] of Object.entries(PLAN[plan] ?? {})) {
    const key = `${backendName}_${kernelName}`;
    const mine = installed.get(key);
    if (mine !== undefined && tf.getKernel(kernelName, backendName) === mine) {
      done.push(kernelName);
      continue;
    }
    const stock = rememberStock(kernelName, backendName);
    const cfg = markArchc({
      kernelName,
      backendName,
      kernelFunc: make(backendName),
      setupFunc: stock?.setupFunc,
      disposeFunc: stock?.disposeFunc,
    });
    replace(cfg);
    installed.set(key, cfg);
    done.push(kernelName);
  }
  registerGradients();
  return done;
}

/** Restores the stock kernels (used by tests and the stock-vs-ours benchmark). */
export function unregisterArchcKernels(backendName: string): void {
  unregisterKernels(backendName);
  installedPlan.delete(backendName);
  restoreGradients();
}

function unregisterKernels(backendName: string): void {
  const prefix = `${backendName}_`;
  for (const [key, mine] of [...installed]) {
    if (!key.startsWith(prefix)) continue;
    const kernelName = key.slice(prefix.length);
    if (tf.getKernel(kernelName, backendName) === mine) tf.unregisterKernel(kernelName, backendName);
    const stock = rememberStock(kernelName, backendName);
    if (stock !== undefined && stock !== mine) tf.registerKernel(stock);
    installed.delete(key);
  }
}
