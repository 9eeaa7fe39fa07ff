// The checked IR: the contract between the front end and everything after it (codegen, runtime, compaction,
// stats, diff). A network is a DAG of nodes in topological order with inferred shapes, per-node params/MACs,
// and statically computed mask groups. Plain data only (JSON-serialisable), no tfjs.
//
// Shapes exclude the batch axis:
//   image feature map  [H, W, C]        (NHWC, as tfjs)
//   token ids          [T]
//   sequence features  [T, F]
//   vector             [F]
//
// Counting conventions (README "Counting"): params = trainable parameters (conv/dense weights and biases,
// BN gamma and beta, LSTM W, U and one bias vector per gate, embeddings). BN moving statistics are not
// trainable and not counted. MACs = multiply-accumulates of one forward pass of ONE example over conv, dense and
// LSTM gate products (per sequence step × T steps for sequence models: see `macsPerStep`); elementwise work
// (BN, ReLU, adds, pooling, gate nonlinearities) is excluded.

import type { Span } from '../diagnostics/span.ts';

export type Shape = number[];

export type InputSpec =
  | { kind: 'image'; height: number; width: number; channels: number }
  | { kind: 'tokens'; vocab: number; seq: number };

export type LayerKind =
  | 'input'
  | 'conv'
  | 'bn'
  | 'relu'
  | 'relu6'
  | 'maxpool'
  | 'avgpool'
  | 'gap'
  | 'flatten'
  | 'dense'
  | 'dropout'
  | 'embedding'
  | 'lstm'
  | 'gru'
  | 'add'
  | 'concat';

export interface ConvAttrs {
  inChannels: number;
  filters: number;
  kernel: [number, number];
  stride: [number, number];
  padding: 'same' | 'valid';
  /** 1 for a normal conv; === inChannels === filters for depthwise. */
  groups: number;
  depthwise: boolean;
  bias: boolean;
}
export interface BnAttrs {
  channels: number;
  epsilon: number;
  momentum: number;
}
export interface PoolAttrs {
  size: [number, number];
  stride: [number, number];
  padding: 'same' | 'valid';
}
export interface DenseAttrs {
  inFeatures: number;
  units: number;
  bias: boolean;
  /** Softmax/none; the loss applies softmax to the final logits, so this is 'none' in every spec so far. */
  activation: 'none' | 'relu';
}
export interface DropoutAttrs {
  rate: number;
}
export interface EmbeddingAttrs {
  vocab: number;
  dim: number;
}
export interface LstmAttrs {
  inFeatures: number;
  units: number;
}
export interface GruAttrs {
  inFeatures: number;
  units: number;
}
export interface AddAttrs {
  /** How the shortcut operand was written: the checker has already expanded projections into nodes. */
  shortcut: 'identity' | 'projection' | 'none';
}
export interface ConcatAttrs {
  /** Always -1 (the last axis, channels or features). */
  axis: number;
  /**
   * The mask group of each operand's channels, in order (a concat belongs to no group itself; a consumer's
   * input channels map to these segments). Set by the checker; absent only in hand-built IR.
   */
  segments?: { group: number | null; width: number }[];
}

interface NodeCommon {
  /** Index into IrNetwork.nodes; nodes are in topological order (inputs always have smaller ids). */
  id: number;
  /** Stable dotted layer path, e.g. "stage2.basic1.conv1". Unique within the network. */
  path: string;
  inputs: number[];
  /** Output shape without the batch axis. */
  shape: Shape;
  params: number;
  /** MACs for one example (for sequence models, all T steps). */
  macs: number;
  /** True if the source marked this layer `maskable` (only conv, dense, lstm can be). */
  maskable: boolean;
  /**
   * Mask group that owns this node's OUTPUT structures (channels / units), or null if the output is not
   * a masked structure set. Conv, BN, dense, LSTM, add, depthwise conv and the shortcut projection of a
   * residual group all point at the group of their output channels. Pass-through layers (relu, relu6,
   * dropout, pools, gap, flatten) carry their input's group too, so a consumer reads the group of its input
   * channels from `nodes[inputs[0]].group` (after flatten of [H,W,C], features are (h, w, c) with c fastest).
   * Null for input, embedding and concat (see ConcatAttrs.segments).
   */
  group: number | null;
  /** Where the node comes from: the layer statement (or the block call that expanded it). */
  span: Span;
  /** Spans of enclosing block calls, outermost first — "instantiated from" context for diagnostics and codegen comments. */
  callSites: Span[];
}

export type IrNode =
  | (NodeCommon & { kind: 'input'; attrs: InputSpec })
  | (NodeCommon & { kind: 'conv'; attrs: ConvAttrs })
  | (NodeCommon & { kind: 'bn'; attrs: BnAttrs })
  | (NodeCommon & { kind: 'relu' | 'relu6' | 'flatten' | 'gap'; attrs: Record<string, never> })
  | (NodeCommon & { kind: 'maxpool' | 'avgpool'; attrs: PoolAttrs })
  | (NodeCommon & { kind: 'dense'; attrs: DenseAttrs })
  | (NodeCommon & { kind: 'dropout'; attrs: DropoutAttrs })
  | (NodeCommon & { kind: 'embedding'; attrs: EmbeddingAttrs })
  | (NodeCommon & { kind: 'lstm'; attrs: LstmAttrs })
  | (NodeCommon & { kind: 'gru'; attrs: GruAttrs })
  | (NodeCommon & { kind: 'add'; attrs: AddAttrs })
  | (NodeCommon & { kind: 'concat'; attrs: ConcatAttrs });

export type NodeOf<K extends LayerKind> = Extract<IrNode, { kind: K }>;

/**
 * Channels/units that must share one mask. Members are the layer paths whose output structures belong to the
 * group (e.g. every conv+BN feeding one identity-shortcut chain, the adds, a depthwise conv and its producer).
 * Rule (README "Mask groups"): a group is maskable iff at least one member producing layer was marked
 * `maskable`; unmarked members of a maskable group are masked with it.
 */
export interface MaskGroup {
  id: number;
  /** Human-readable name, e.g. "g3:stage2" — stable across runs. */
  name: string;
  width: number;
  /** 'channels' for conv feature maps, 'units' for dense, 'hidden' for LSTM hidden units. */
  structure: 'channels' | 'units' | 'hidden';
  members: string[];
  maskable: boolean;
  /** Resolved settings for this group (network defaults ← block ← layer overrides of its maskable members). */
  sparsify: SparsifyConfig;
  /**
   * MACs removed per structure removed, first order (for MAC-weighted penalties and budgets): the producing
   * members' MACs per output structure plus every consumer's MACs per input structure (README "Mask groups").
   */
  macsPerStructure: number;
  /**
   * True if all members can be removed at once (a residual branch whose output group is internal to the branch
   * becomes identity); false for chains, the stem, LSTM layers: they keep `minWidth`.
   */
  canVanish: boolean;
}

export interface SchedulerConfig {
  kind: 'global' | 'structurewise';
  /** γ; when null, derived at run time from betaFinal and the planned number of steps. */
  gamma: number | null;
  /** β the run should reach at its end (alternative to gamma). */
  betaFinal: number | null;
  p: number;
  beta0: number;
  betaMax: number;
  /** Update interval T in steps (Algorithm 1). Global scheduler: every T steps as well (paper: each epoch). */
  every: number;
}

export interface SparsifyConfig {
  /**
   * 'paper': the literal formulas (s0 = 0, gradient only inside the clip, unnormalised penalty sum).
   * 'archc': the calibrated default (see README "Calibration"); individual fields below still override.
   */
  mode: 'paper' | 'archc';
  lambda: number;
  scheduler: SchedulerConfig;
  /** Initial mask logit s0. */
  init: number;
  /**
   * `lr: 'auto'` = relative to the run's length: lr = MASK_LR_AUTO.drive / planned steps (capped at
   * MASK_LR_AUTO.max), so that λ·lr·steps — which sets how far a mask group shrinks — does not depend on how long
   * the run is (README "Calibration").
   */
  maskOptimizer: { kind: 'sgd'; lr: number | 'auto'; momentum: number; nesterov: boolean } | { kind: 'adam'; lr: number | 'auto' };
  /** Gradient through the hard-sigmoid clip: 'clip' = exact (zero outside), 'ste' = straight-through. */
  gradient: 'clip' | 'ste';
  /** How λ·Σσ is normalised: plain sum, mean over all structures, mean per group, or weighted by MACs share. */
  penalty: 'sum' | 'mean' | 'group-mean' | 'macs';
  /** Minimum kept width of a group that cannot vanish. */
  minWidth: number;
  /** Steps before the mask logits start learning (0 = from the start). */
  warmup: number;
  /**
   * How training steps run (network level; absent = DEFAULT_EXECUTION): 'narrow' computes only the sampled
   * sub-network, with a full-width step every `fullEvery` steps (0 = never); 'full' multiplies 0/1 samples in at
   * full width; 'auto' is narrow where that is exactly the full-width step and full elsewhere (README "Narrow
   * execution").
   */
  execution?: ExecutionSetting;
}

export interface ExecutionSetting {
  mode: 'auto' | 'narrow' | 'full';
  fullEvery: number;
}

export type DatasetKind = 'fashion-mnist' | 'mnist' | 'cifar10' | 'ptb' | 'text' | 'kjv' | 'brown' | 'synthetic';

export interface TrainConfig {
  data: { kind: DatasetKind; path: string | null };
  epochs: number | null;
  steps: number | null;
  batch: number;
  optimizer:
    | { kind: 'sgd'; lr: number; momentum: number; nesterov: boolean; weightDecay: number }
    | { kind: 'adam'; lr: number; beta1: number; beta2: number; epsilon: number; weightDecay: number };
  lrSchedule:
    | { kind: 'constant' }
    | { kind: 'step'; milestones: number[]; unit: 'epoch' | 'step'; factor: number }
    | { kind: 'cosine'; warmupSteps: number; minLr: number };
  augment: { crop: number; flip: boolean };
  seed: number;
  /** Global-norm gradient clipping; null = off. */
  clip: number | null;
  /** Language models: 'sum' over time steps (Zaremba) or 'mean'. */
  lossReduction: 'mean' | 'sum';
  /** Checkpoint every N steps (also at each epoch end); null = only at epoch ends. */
  checkpointEvery: number | null;
}

export interface IrNetwork {
  name: string;
  /** Source file the IR was checked from (for codegen headers and comments). */
  file: string;
  input: InputSpec;
  task: 'classification' | 'language-model';
  /** Number of classes (classification) or vocabulary size (LM) = width of the final layer. */
  outputs: number;
  nodes: IrNode[];
  /** id of the node whose output is the logits. */
  output: number;
  groups: MaskGroup[];
  sparsify: SparsifyConfig;
  /** `sparsify { target macs 40% }` (or `--target-macs`): the budget a controller steers λ to; absent without one. */
  budget?: BudgetTarget;
  train: TrainConfig;
  params: number;
  macs: number;
}

/**
 * A size budget for the deterministic architecture 1[s > 0] (README "Budget targets"). `fraction` is the target as
 * a share of the dense network's MACs or params, whether it was written as a percent or as an absolute count.
 */
export interface BudgetTarget {
  metric: 'macs' | 'params';
  /** Target / dense, in (0, 1]. */
  fraction: number;
  /** Allowed |final − target| in fractions of dense (0.02 = 2 percentage points). */
  tolerance: number;
  /** How it was written, for messages: `40%` or `1.2M`. */
  written: string;
}
