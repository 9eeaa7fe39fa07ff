// Narrow execution of a training forward pass: walks the IR like `IrModule`, but every layer runs on the slices of
// its variables that the step's `NarrowView` selects (gathered inside the differentiated function, so the gradient
// of each gather scatters back into the full variable), and every mask is the sampled one restricted to the active
// structures. Works for any `NetworkModule` (interpreter or generated): layers are found by IR path, and a generated
// module computes the same function as the interpreter by contract.

import * as tf from '@tensorflow/tfjs';
import type { IrNetwork, IrNode } from '../../semantic/ir.ts';
import { branchGates, maskPlacement, segmentMaskPlacement, type MaskSegment } from '../../semantic/placement.ts';
import type { ForwardContext } from '../layers/context.ts';
import type { BatchNorm } from '../layers/batchnorm.ts';
import type { Conv2d } from '../layers/conv.ts';
import type { Dense } from '../layers/dense.ts';
import { dropout } from '../layers/dropout.ts';
import type { Embedding } from '../layers/embedding.ts';
import type { Lstm } from '../layers/lstm.ts';
import * as ops from '../layers/ops.ts';
import type { Layer } from '../layers/index.ts';
import { applyGate, segmentMask } from '../layers/masking.ts';
import { sliceOnTape, type NarrowView } from './view.ts';

export class NarrowExecutor {
  private readonly ir: IrNetwork;
  private readonly placement: Map<number, number>;
  private readonly gates: Map<number, number[]>;
  private readonly segmentMasks: Map<number, MaskSegment[]>;
  private readonly layers = new Map<number, Layer>();

  constructor(ir: IrNetwork, module: { layerAt(path: string): Layer | undefined }) {
    this.ir = ir;
    this.placement = maskPlacement(this.ir);
    this.gates = branchGates(this.ir);
    this.segmentMasks = segmentMaskPlacement(this.ir);
    for (const n of this.ir.nodes) {
      if (n.kind !== 'conv' && n.kind !== 'bn' && n.kind !== 'dense' && n.kind !== 'lstm' && n.kind !== 'embedding') continue;
      const layer = module.layerAt(n.path);
      if (!layer) throw new Error(`narrow execution: ${this.ir.name} has no layer for '${n.path}' (a module must create its layers through the NetworkModule helpers)`);
      this.layers.set(n.id, layer);
    }
  }

  /** Training-mode logits of the narrow network `view`; call inside `tf.variableGrads` (like `module.forward`). */
  forward(x: tf.Tensor, ctx: ForwardContext, view: NarrowView): tf.Tensor {
    if (!ctx.training) throw new Error('narrow execution is for training steps (evaluation runs the deterministic network at full width)');
    const values: tf.Tensor[] = [];
    for (const n of this.ir.nodes) {
      const arg = (i = 0): tf.Tensor => {
        const v = values[n.inputs[i]!];
        if (!v) throw new Error(`narrow execution: node ${n.path} reads a value that was not computed (IR not topological)`);
        return v;
      };
      let y = this.node(n, arg, ctx, view, x);
      const g = this.placement.get(n.id);
      if (g !== undefined && n.kind !== 'lstm') {
        const m = this.maskOf(n, g, ctx, view);
        if (m) y = tf.mul(y, m);
      }
      const segments = this.segmentMasks.get(n.id);
      if (segments) {
        // The full concatenated mask restricted to the node's active features (original indexing).
        const m = segmentMask(ctx, segments);
        if (m) y = tf.mul(y, sliceOnTape(m, [view.selection(n.id)]));
      }
      values[n.id] = y;
    }
    const out = values[this.ir.output];
    if (!out) throw new Error(`narrow execution: output node ${this.ir.output} was not computed`);
    return out;
  }

  /** Group `g`'s training mask σ(βs)·q at node `n`'s features (its gather's gradient reaches the logits). */
  private maskOf(n: IrNode, g: number, ctx: ForwardContext, view: NarrowView): tf.Tensor | null {
    const m = ctx.mask(g);
    if (!m) return null;
    return sliceOnTape(m, [view.selection(n.id)]);
  }

  private weight(n: IrNode, leaf: string, v: tf.Variable, view: NarrowView): tf.Tensor {
    return sliceOnTape(v, view.axes(n, leaf));
  }

  private node(n: IrNode, arg: (i?: number) => tf.Tensor, ctx: ForwardContext, view: NarrowView, x: tf.Tensor): tf.Tensor {
    const layer = this.layers.get(n.id);
    switch (n.kind) {
      case 'input':
        return x;
      case 'conv': {
        const l = layer as Conv2d;
        return l.applyWith(arg(), this.weight(n, 'kernel', l.kernel, view), l.bias ? this.weight(n, 'bias', l.bias, view) : null);
      }
      case 'dense': {
        const l = layer as Dense;
        return l.applyWith(arg(), this.weight(n, 'kernel', l.kernel, view), l.bias ? this.weight(n, 'bias', l.bias, view) : null);
      }
      case 'bn': {
        const l = layer as BatchNorm;
        return l.trainWith(arg(), this.weight(n, 'gamma', l.gamma, view), this.weight(n, 'beta', l.beta, view), view.selection(n.id));
      }
      case 'embedding':
        return (layer as Embedding).apply(arg());
      case 'lstm': {
        const l = layer as Lstm;
        const g = this.placement.get(n.id);
        const mask = g === undefined ? null : this.maskOf(n, g, ctx, view);
        const w = {
          kernel: this.weight(n, 'kernel', l.kernel, view),
          recurrentKernel: this.weight(n, 'recurrentKernel', l.recurrentKernel, view),
          bias: this.weight(n, 'bias', l.bias, view),
        };
        return l.applyWith(arg(), mask, ctx, w, view.indices(n.id));
      }
      case 'relu':
        return ops.relu(arg());
      case 'relu6':
        return ops.relu6(arg());
      case 'maxpool':
        return ops.maxPool(arg(), n.attrs);
      case 'avgpool':
        return ops.avgPool(arg(), n.attrs);
      case 'gap':
        return ops.globalAvgPool(arg());
      case 'flatten':
        return ops.flatten(arg());
      case 'dropout':
        // Drawn at the narrow width: the random stream differs from a full-width step's (same rate, same law).
        return dropout(arg(), n.attrs.rate, ctx);
      case 'add': {
        // The full masks decide the gate: any(σ·q > 0) over the group is any over its active structures.
        const gate = this.gates.get(n.id);
        return ops.add(n.inputs.map((_, i) => (i === 0 && gate ? applyGate(arg(0), ctx, gate) : arg(i))));
      }
      case 'concat':
        return ops.concat(n.inputs.map((_, i) => arg(i)), n.attrs.axis);
    }
  }
}
