// Narrow execution of a training forward pass: walks the IR like `IrModule`, but every layer runs on the slices of
// its variables that the step's `NarrowView` selects (gathered inside the differentiated function, so the gradient
// of each gather scatters back into the full variable), and every mask is the sampled one restricted to the active
// structures. Works for any `NetworkModule` (interpreter or generated): layers are found by IR path, and a generated
// module computes the same function as the interpreter by contract.

import * as tf from '@tensorflow/tfjs';
import type { IrNetwork, IrNode } from '../../semantic/ir.ts';
import { branchGates, maskPlacement, segmentMaskPlacement, type MaskSegment } from '../../semantic/placement.ts';
import { fusions } from '../fusion.ts';
import type { ForwardContext } from '../layers/context.ts';
import { kindEntry } from '../../semantic/registry.ts';
import { runtimeKind } from '../kinds.ts';
import type { Layer } from '../layers/index.ts';
import { segmentMask } from '../layers/masking.ts';
import { sliceOnTape, type NarrowView } from './view.ts';

export class NarrowExecutor {
  private readonly ir: IrNetwork;
  private readonly placement: Map<number, number>;
  private readonly gates: Map<number, number[]>;
  private readonly segmentMasks: Map<number, MaskSegment[]>;
  private readonly layers = new Map<number, Layer>();
  /** Consumer id → the node that computes it (runtime/fusion.ts); the producers, to tell them. */
  private readonly fused: Map<number, number>;
  private readonly fusing: Set<number>;

  constructor(ir: IrNetwork, module: { layerAt(path: string): Layer | undefined }) {
    this.ir = ir;
    this.placement = maskPlacement(this.ir);
    this.gates = branchGates(this.ir);
    this.segmentMasks = segmentMaskPlacement(this.ir);
    this.fused = fusions(this.ir, new Set(this.segmentMasks.keys()));
    this.fusing = new Set(this.fused.values());
    for (const n of this.ir.nodes) {
      if (!runtimeKind(n.kind).create) continue; // a kind without variables
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
      const producer = this.fused.get(n.id);
      if (producer !== undefined) {
        values[n.id] = values[producer]!; // computed by its producer (runtime/fusion.ts)
        continue;
      }
      const arg = (i = 0): tf.Tensor => {
        const v = values[n.inputs[i]!];
        if (!v) throw new Error(`narrow execution: node ${n.path} reads a value that was not computed (IR not topological)`);
        return v;
      };
      const g = this.placement.get(n.id);
      const rk = runtimeKind(n.kind);
      // The mask goes into the layer: inside an LSTM/GRU cell, or folded into BN's γ, β (`takesOutputMask`).
      const inCell = kindEntry(n.kind).mask === 'in-cell' || rk.takesOutputMask === true;
      const a = {
        x,
        args: n.inputs.map((_, i) => arg(i)),
        ctx,
        mask: inCell && g !== undefined ? this.maskOf(n, g, ctx, view) : null,
        gate: this.gates.get(n.id),
        fused: this.fusing.has(n.id),
        weight: (leaf: string, v: tf.Variable) => this.weight(n, leaf, v, view),
        indices: () => view.indices(n.id),
        selection: () => view.selection(n.id),
      };
      const layer = this.layers.get(n.id);
      let y = rk.narrow ? rk.narrow(n, layer, a) : rk.forward(n, layer, a);
      if (g !== undefined && !inCell) {
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
}
