// Which structures a narrow step computes, and the index tensors that slice every variable to them. Per maskable
// group the active set is {j : q_j = 1}; a group with no structure on keeps its best one (largest s) with mask
// value 0, so the step computes exactly what the masked full-width step computes (an all-zero group, a closed
// branch gate) without zero-sized tensors. The per-node layout is the semantic stage's layout walk, the same one
// compaction slices with.

import * as tf from '@tensorflow/tfjs';
import { featureLayoutOf, gateColumns, lastDim, variableAxes, type Layout } from '../../semantic/feature-layout.ts';
import type { IrNetwork, IrNode } from '../../semantic/ir.ts';
import type { MaskSet } from '../masks.ts';

/** Active structures per maskable group id (ascending indices) for the samples `q`. */
export function activeSets(masks: MaskSet, q: ReadonlyMap<number, ArrayLike<number>>): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const g of masks.groups) {
    const qs = q.get(g.group.id);
    if (!qs) continue;
    const on: number[] = [];
    for (let j = 0; j < qs.length; j++) if (qs[j]! > 0) on.push(j);
    if (on.length === 0) {
      const s = g.logits();
      let best = 0;
      for (let j = 1; j < s.length; j++) if (s[j]! > s[best]!) best = j;
      on.push(best);
    }
    out.set(g.group.id, on);
  }
  return out;
}

/** One step's narrow network: the layout of every node and int32 index tensors for the sliced axes. */
export class NarrowView {
  readonly layout: Layout;
  private readonly ir: IrNetwork;
  private readonly cache = new Map<string, tf.Tensor1D>();
  private readonly byNode = new Map<number, tf.Tensor1D | null>();
  private readonly gatesByNode = new Map<number, tf.Tensor1D | null>();

  constructor(ir: IrNetwork, active: ReadonlyMap<number, readonly number[]>) {
    this.ir = ir;
    this.layout = featureLayoutOf(ir, active);
  }

  /** Kept features of node `id`'s output (original indexing). */
  features(id: number): number[] {
    const l = this.layout[id];
    if (!l) throw new Error(`narrow view: node ${this.ir.nodes[id]?.path ?? id} has no layout`);
    return l;
  }

  /** Index tensor of node `id`'s output features, or null when the node is at full width. */
  indices(id: number): tf.Tensor1D | null {
    if (!this.byNode.has(id)) {
      const node = this.ir.nodes[id]!;
      this.byNode.set(id, this.tensorFor(this.features(id), lastDim(node.shape)));
    }
    return this.byNode.get(id)!;
  }

  /** The selection along every axis of `node`'s variable `leaf` (null = whole axis). */
  axes(node: IrNode, leaf: string): (tf.Tensor1D | null)[] {
    const sel = { in: node.inputs.length > 0 ? this.indices(node.inputs[0]!) : null, out: this.indices(node.id), gates: this.gatesOf(node) };
    const axes = variableAxes(node, leaf, sel);
    if (!axes) throw new Error(`narrow view: no layout for '${node.path}/${leaf}' of a ${node.kind} layer`);
    return axes;
  }

  private gatesOf(node: IrNode): tf.Tensor1D | null {
    if (node.kind !== 'lstm') return null;
    if (!this.gatesByNode.has(node.id)) {
      const h = node.attrs.units;
      this.gatesByNode.set(node.id, this.tensorFor(gateColumns(h, this.features(node.id)), 4 * h));
    }
    return this.gatesByNode.get(node.id)!;
  }

  private tensorFor(idx: number[], width: number): tf.Tensor1D | null {
    if (idx.length === width) return null; // ascending distinct indices of a full axis: the identity
    const key = idx.join(',');
    let t = this.cache.get(key);
    if (!t) {
      t = tf.keep(tf.tensor1d(Int32Array.from(idx), 'int32'));
      this.cache.set(key, t);
    }
    return t;
  }

  dispose(): void {
    for (const t of this.cache.values()) t.dispose();
    this.cache.clear();
    this.byNode.clear();
    this.gatesByNode.clear();
  }
}

/** `v` gathered along every axis with a selection (tf.gather's gradient scatters back into the full variable). */
export function gatherAxes(v: tf.Tensor, axes: readonly (tf.Tensor1D | null)[]): tf.Tensor {
  let t = v;
  for (let a = 0; a < axes.length; a++) {
    const idx = axes[a];
    if (idx) t = tf.gather(t, idx, a);
  }
  return t;
}
