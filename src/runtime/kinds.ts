// The runtime half of every layer kind's entry (README "Adding a layer kind"): the layer a node creates through the
// module's factory helpers, and its forward computation at full width (`IrModule`) and narrow (`NarrowExecutor`,
// on the gathered slices of its variables). The semantic half (schema, groups, mask placement, weight layout) is in
// src/semantic/kinds/. A missing kind is a type error here: the record is keyed by every IR kind.

import type * as tf from '@tensorflow/tfjs';
import type { BnAttrs, ConvAttrs, DenseAttrs, EmbeddingAttrs, GruAttrs, IrNode, LayerKind, LstmAttrs, NodeOf, PoolAttrs } from '../semantic/ir.ts';
import type { BatchNorm } from './layers/batchnorm.ts';
import type { ForwardContext } from './layers/context.ts';
import type { Conv2d } from './layers/conv.ts';
import type { Dense } from './layers/dense.ts';
import { dropout } from './layers/dropout.ts';
import type { Embedding } from './layers/embedding.ts';
import type { Layer } from './layers/index.ts';
import type { Gru } from './layers/gru.ts';
import type { Lstm } from './layers/lstm.ts';
import { applyGate } from './layers/masking.ts';
import * as ops from './layers/ops.ts';

/** The `NetworkModule` helpers that create (and register) a layer with variables. */
export interface LayerFactories {
  conv(path: string, attrs: ConvAttrs): Conv2d;
  bn(path: string, attrs: BnAttrs): BatchNorm;
  dense(path: string, attrs: DenseAttrs): Dense;
  lstm(path: string, attrs: LstmAttrs): Lstm;
  gru(path: string, attrs: GruAttrs): Gru;
  embedding(path: string, attrs: EmbeddingAttrs): Embedding;
}

export interface ForwardArgs {
  /** The network's input batch. */
  x: tf.Tensor;
  /** The values of the node's inputs, in order. */
  args: tf.Tensor[];
  ctx: ForwardContext;
  /**
   * For kinds whose mask goes inside the layer (entry `mask: 'in-cell'`) or that apply their output mask themselves
   * (`takesOutputMask`): the group's mask, or null.
   */
  mask: tf.Tensor | null;
  /** A residual add's vanishing-branch gate groups (semantic/placement.ts `branchGates`). */
  gate: readonly number[] | undefined;
  /** The node's only consumer is fused into it (`fusesConsumer`, runtime/fusion.ts): compute that consumer too. */
  fused?: boolean;
}

export interface NarrowArgs extends ForwardArgs {
  /** Variable `v` (leaf `leaf` of this node) gathered to the step's active structures, on the tape. */
  weight(leaf: string, v: tf.Variable): tf.Tensor;
  /** Index tensor of the node's active output features (null: full width). */
  indices(): tf.Tensor1D | null;
  /** The same features as host indices (ascending; null: full width), for host-side updates. */
  selection(): readonly number[] | null;
}

export interface RuntimeKind {
  /**
   * The layer multiplies the mask placed at its output itself (gets it in `ForwardArgs.mask`), in a cheaper way than
   * a full-size product: BN folds it into γ and β. The function is the same; callers skip `applyMask`.
   */
  takesOutputMask?: true;
  /**
   * Whether the layer can compute `consumer` (its only consumer) as part of itself, given `fused` (BN: a ReLU,
   * inside its kernels). The consumer's value is then the layer's (runtime/fusion.ts).
   */
  fusesConsumer?(consumer: IrNode): boolean;
  /** Creates the node's layer (kinds with variables). */
  create?(f: LayerFactories, n: IrNode): Layer;
  forward(n: IrNode, layer: Layer | undefined, a: ForwardArgs): tf.Tensor;
  /** The narrow step; default `forward` (kinds without variables compute the same on narrower inputs). */
  narrow?(n: IrNode, layer: Layer | undefined, a: NarrowArgs): tf.Tensor;
}

const add = (a: ForwardArgs): tf.Tensor => ops.add(a.args.map((v, i) => (i === 0 && a.gate ? applyGate(v, a.ctx, a.gate) : v)));

export const RUNTIME_KINDS: Readonly<Record<LayerKind, RuntimeKind>> = {
  input: { forward: (_n, _l, a) => a.x },
  conv: {
    create: (f, n) => f.conv(n.path, (n as NodeOf<'conv'>).attrs),
    forward: (_n, l, a) => (l as Conv2d).apply(a.args[0]!),
    narrow(_n, layer, a) {
      const l = layer as Conv2d;
      return l.applyWith(a.args[0]!, a.weight('kernel', l.kernel), l.bias ? a.weight('bias', l.bias) : null);
    },
  },
  bn: {
    takesOutputMask: true,
    fusesConsumer: (c) => c.kind === 'relu',
    create: (f, n) => f.bn(n.path, (n as NodeOf<'bn'>).attrs),
    forward: (_n, l, a) => (l as BatchNorm).apply(a.args[0]!, a.ctx.training, a.mask, a.fused === true),
    narrow(_n, layer, a) {
      const l = layer as BatchNorm;
      return l.trainWith(a.args[0]!, a.weight('gamma', l.gamma), a.weight('beta', l.beta), a.selection(), a.mask, a.fused === true);
    },
  },
  dense: {
    create: (f, n) => f.dense(n.path, (n as NodeOf<'dense'>).attrs),
    forward: (_n, l, a) => (l as Dense).apply(a.args[0]!),
    narrow(_n, layer, a) {
      const l = layer as Dense;
      return l.applyWith(a.args[0]!, a.weight('kernel', l.kernel), l.bias ? a.weight('bias', l.bias) : null);
    },
  },
  embedding: {
    create: (f, n) => f.embedding(n.path, (n as NodeOf<'embedding'>).attrs),
    forward: (_n, l, a) => (l as Embedding).apply(a.args[0]!),
  },
  lstm: {
    create: (f, n) => f.lstm(n.path, (n as NodeOf<'lstm'>).attrs),
    forward: (_n, l, a) => (l as Lstm).apply(a.args[0]!, a.mask, a.ctx),
    narrow(_n, layer, a) {
      const l = layer as Lstm;
      const w = { kernel: a.weight('kernel', l.kernel), recurrentKernel: a.weight('recurrentKernel', l.recurrentKernel), bias: a.weight('bias', l.bias) };
      return l.applyWith(a.args[0]!, a.mask, a.ctx, w, a.indices());
    },
  },
  gru: {
    create: (f, n) => f.gru(n.path, (n as NodeOf<'gru'>).attrs),
    forward: (_n, l, a) => (l as Gru).apply(a.args[0]!, a.mask, a.ctx),
    narrow(_n, layer, a) {
      const l = layer as Gru;
      return l.applyWith(a.args[0]!, a.mask, a.ctx, { kernel: a.weight('kernel', l.kernel), recurrentKernel: a.weight('recurrentKernel', l.recurrentKernel), bias: a.weight('bias', l.bias) });
    },
  },
  relu: { forward: (_n, _l, a) => ops.relu(a.args[0]!) },
  relu6: { forward: (_n, _l, a) => ops.relu6(a.args[0]!) },
  maxpool: { forward: (n, _l, a) => ops.maxPool(a.args[0]!, n.attrs as PoolAttrs) },
  avgpool: { forward: (n, _l, a) => ops.avgPool(a.args[0]!, n.attrs as PoolAttrs) },
  gap: { forward: (_n, _l, a) => ops.globalAvgPool(a.args[0]!) },
  flatten: { forward: (_n, _l, a) => ops.flatten(a.args[0]!) },
  // Narrow: drawn at the narrow width, so the random stream differs from a full-width step's (same rate, same law).
  dropout: { forward: (n, _l, a) => dropout(a.args[0]!, (n as NodeOf<'dropout'>).attrs.rate, a.ctx) },
  // Narrow: the full masks decide the gate (any(σ·q > 0) over the group is any over its active structures).
  add: { forward: (_n, _l, a) => add(a) },
  concat: { forward: (n, _l, a) => ops.concat(a.args, (n as NodeOf<'concat'>).attrs.axis) },
};

export function runtimeKind(kind: LayerKind): RuntimeKind {
  return RUNTIME_KINDS[kind];
}
