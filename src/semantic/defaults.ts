// Every default and every size limit of the language, in one place. The runtime engineer tunes the `archc`
// sparsify defaults after calibration (see README "Calibration"); `mode paper` must stay the literal paper
// values (§3–4: s0 = 0, gradient only inside the hard-sigmoid clip, unnormalised penalty sum, λ as written).
// Nothing else in src/semantic hard-codes a default value.

import type { DatasetKind, ExecutionSetting, SchedulerConfig, SparsifyConfig, TrainConfig } from './ir.ts';

/** Default mode when a spec writes no `mode`: the calibrated one. */
export const DEFAULT_SPARSIFY_MODE: SparsifyConfig['mode'] = 'archc';

const PAPER_SCHEDULER: SchedulerConfig = {
  kind: 'structurewise', // the paper reports structure-wise (Eq. 8) results
  gamma: 0.0005,
  betaFinal: null,
  p: 0.7,
  beta0: 1,
  betaMax: 100,
  // Algorithm 1 says "T > 1" without a value; 1 (every step) is the least surprising reading.
  every: 1,
};

/** Base configurations per mode; fields written in a spec override them one by one. */
export const SPARSIFY_DEFAULTS: Record<SparsifyConfig['mode'], SparsifyConfig> = {
  paper: {
    mode: 'paper',
    lambda: 0.01,
    scheduler: PAPER_SCHEDULER,
    init: 0,
    maskOptimizer: { kind: 'sgd', lr: 0.1, momentum: 0.9, nesterov: false },
    gradient: 'clip',
    penalty: 'sum',
    minWidth: 1,
    warmup: 0,
  },
  // Calibrated defaults (runtime calibration on Fashion-MNIST, see README "Calibration"): a straight-through
  // gradient so saturated masks keep a gradient (regrowth, pruning from σ = 1); a MACs-weighted penalty so λ is
  // "nats per unit of MAC fraction" and does not scale with network size; s0 = 0.5 so 1[s > 0] is the full
  // network at step 0 and σ(β0·s0) = 1; a mask lr relative to the run length (`auto`: 20 / planned steps) because the relaxed mask's task gradient
  // is zero-sum within a group followed by BN, so λ·lr_mask·steps sets how far a group shrinks; β reaching 10 at the
  // end of the run whatever its length (γ from betaFinal).
  archc: {
    mode: 'archc',
    lambda: 0.04,
    scheduler: { ...PAPER_SCHEDULER, gamma: null, betaFinal: 10 },
    init: 0.5,
    maskOptimizer: { kind: 'sgd', lr: 'auto', momentum: 0.9, nesterov: false },
    gradient: 'ste',
    penalty: 'macs',
    minWidth: 1,
    warmup: 0,
  },
};

/**
 * `maskOptimizer sgd(lr auto)`: lr = drive / planned steps, at most `max`. On specs/fashion-cnn.arch (2 epochs, 938
 * steps, λ 0.04) drive 16 removed 26% of the MACs at 87.8% test accuracy and drive 24 removed 74% at 86.7%; drive 20
 * is the calibration runs' lr 0.02 over ~940 steps. On specs/demo-fashion.arch, 150 steps at lr 0.107 (drive 16)
 * removed 51% of the MACs where 150 steps at a fixed lr 0.02 pruned nothing (README "Calibration").
 */
export const MASK_LR_AUTO = { drive: 20, max: 0.2 } as const;

/** The mask learning rate a run uses: a number as written, or `auto` resolved against the planned steps. */
export function resolveMaskLr(lr: number | 'auto', plannedSteps: number): number {
  return lr === 'auto' ? Math.min(MASK_LR_AUTO.max, MASK_LR_AUTO.drive / Math.max(1, plannedSteps)) : lr;
}

/**
 * `sparsify { execution … }` when a spec writes none (README "Narrow execution"): narrow wherever a narrow step is
 * exactly the full-width straight-through step (every mask followed by a ReLU: conv-BN-ReLU nets, ResNets), full
 * width elsewhere (masked dense(relu) units, LSTMs), where narrow steps would lose the off structures' gradient and
 * that has not been measured. Also the `fullEvery` of a bare `execution narrow`.
 */
export const DEFAULT_EXECUTION: ExecutionSetting = { mode: 'auto', fullEvery: 0 };

/** Mask optimizer defaults when a spec names the optimizer but omits fields. */
export const MASK_OPTIMIZER_DEFAULTS = {
  sgd: { lr: 0.1, momentum: 0.9, nesterov: false },
  adam: { lr: 0.01 },
} as const;

/** Training defaults; `epochs` applies only when a spec gives neither `epochs` nor `steps`. */
export const TRAIN_DEFAULTS: TrainConfig = {
  data: { kind: 'synthetic', path: null },
  epochs: 1,
  steps: null,
  batch: 128,
  optimizer: { kind: 'sgd', lr: 0.1, momentum: 0.9, nesterov: false, weightDecay: 0 },
  lrSchedule: { kind: 'constant' },
  augment: { crop: 0, flip: false },
  seed: 0,
  clip: null,
  lossReduction: 'mean',
  checkpointEvery: null,
};

export const OPTIMIZER_DEFAULTS = {
  sgd: { lr: 0.1, momentum: 0, nesterov: false, weightDecay: 0 },
  adam: { lr: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 },
} as const;

export const LR_SCHEDULE_DEFAULTS = {
  step: { factor: 0.1 },
  cosine: { warmup: 0, minLr: 0 },
} as const;

/** What the checker knows about each dataset: classes for the head check, the input it produces, its size. */
export interface DatasetInfo {
  /** Number of classes for vision sets; null for language models (the vocabulary comes from the input). */
  classes: number | null;
  /** Image shape [H, W, C] the loader yields, or null for token streams. */
  image: [number, number, number] | null;
  /** Training examples per epoch when fixed by the dataset, else null (corpus-dependent). */
  trainExamples: number | null;
  task: 'classification' | 'language-model' | 'any';
}

export const DATASETS: Record<DatasetKind, DatasetInfo> = {
  'fashion-mnist': { classes: 10, image: [28, 28, 1], trainExamples: 60000, task: 'classification' },
  mnist: { classes: 10, image: [28, 28, 1], trainExamples: 60000, task: 'classification' },
  cifar10: { classes: 10, image: [32, 32, 3], trainExamples: 50000, task: 'classification' },
  ptb: { classes: null, image: null, trainExamples: null, task: 'language-model' },
  text: { classes: null, image: null, trainExamples: null, task: 'language-model' },
  kjv: { classes: null, image: null, trainExamples: null, task: 'language-model' },
  brown: { classes: null, image: null, trainExamples: null, task: 'language-model' },
  synthetic: { classes: null, image: null, trainExamples: null, task: 'any' },
};

/** Layer attribute defaults. */
export const LAYER_DEFAULTS = {
  /** CIFAR/ImageNet networks pad to keep sizes ("same"); Keras' default would be "valid". */
  convPadding: 'same' as const,
  poolSize: 2,
  poolPadding: 'valid' as const,
  bnEpsilon: 1e-3,
  bnMomentum: 0.99,
};

/**
 * Size limits, refused with ARCH5xxx diagnostics before anything is allocated. Activation memory counts the
 * float32 outputs of every node for ONE example (what a forward pass must keep for the backward pass).
 */
export const LIMITS = {
  /** conv filters, LSTM hidden units, embedding dims, image channels. */
  maxWidth: 65536,
  /** dense units (an LM's output layer is as wide as its vocabulary). */
  maxUnits: 1_048_576,
  maxSpatial: 16384,
  maxVocab: 10_000_000,
  maxSeq: 100_000,
  maxKernel: 1024,
  maxRepeat: 10_000,
  maxNodes: 100_000,
  maxInstantiationDepth: 64,
  maxParams: 2e9,
  /** 2^28 floats = 1 GiB of float32 activations per example. */
  maxActivationFloats: 2 ** 28,
};
