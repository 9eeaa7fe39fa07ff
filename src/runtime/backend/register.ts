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

type Factory = (backendName: string) => tf.KernelFunc;

const conv = (f: typeof conv2DBackpropFilter): Factory => (name) => (args) => f(args as Parameters<typeof f>[0], name);

/** Which archc kernels each backend gets, and why. Backends not listed (tfjs-node's 'tensorflow') get none. */
const PLAN: Record<string, Record<string, Factory>> = {
  wasm: {
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
  },
  cpu: {
    // Only where measured faster than cpu's own (dW ~1000×, depthwise dW 5×, segment sum O(V) fewer passes);
    // cpu's Conv2DBackpropInput and depthwise dX are as fast or faster than a forward-conv rewrite, so stay.
    Conv2DBackpropFilter: conv(conv2DBackpropFilter),
    DepthwiseConv2dNativeBackpropFilter: conv(depthwiseBackpropFilter),
    UnsortedSegmentSum: () => (args) => unsortedSegmentSum(args as Parameters<typeof unsortedSegmentSum>[0]),
  },
};

const installed = new Map<string, tf.KernelConfig>();
let gradientStock: tf.GradConfig | undefined;

/** Kernel names archc replaces or adds on `backendName` (empty for backends it leaves alone). */
export function archcKernelNames(backendName: string): string[] {
  return Object.keys(PLAN[backendName] ?? {});
}

function replace(cfg: tf.KernelConfig): void {
  // unregister first: registerKernel warns on the console whenever a key already exists.
  if (tf.getKernel(cfg.kernelName, cfg.backendName) !== undefined) tf.unregisterKernel(cfg.kernelName, cfg.backendName);
  tf.registerKernel(cfg);
}

/**
 * Registers archc's kernels for `backendName` plus the broadcasting BatchNorm gradient. Idempotent.
 * Overridden stock kernels keep their setupFunc so a later re-initialisation of the backend still works.
 */
export function registerArchcKernels(backendName: string): string[] {
  const done: string[] = [];
  for (const [kernelName, make] of Object.entries(PLAN[backendName] ?? {})) {
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
  if (tf.getGradient(tf.FusedBatchNorm) !== fusedBatchNormGrad) {
    gradientStock ??= tf.getGradient(tf.FusedBatchNorm);
    tf.registerGradient(fusedBatchNormGrad);
  }
  return done;
}

/** Restores the stock kernels (used by tests and the stock-vs-ours benchmark). */
export function unregisterArchcKernels(backendName: string): void {
  for (const kernelName of Object.keys(PLAN[backendName] ?? {})) {
    const key = `${backendName}_${kernelName}`;
    const mine = installed.get(key);
    if (mine === undefined) continue;
    if (tf.getKernel(kernelName, backendName) === mine) tf.unregisterKernel(kernelName, backendName);
    const stock = rememberStock(kernelName, backendName);
    if (stock !== undefined && stock !== mine) tf.registerKernel(stock);
    installed.delete(key);
  }
  if (gradientStock !== undefined && tf.getGradient(tf.FusedBatchNorm) === fusedBatchNormGrad) {
    tf.registerGradient(gradientStock);
  }
}
