// Which structures a narrow step computes, and the index tensors that slice every variable to them. Per maskable
// group the active set is {j : q_j = 1}; a group with no structure on keeps its best one (largest s) with mask
// value 0, so the step computes exactly what the masked full-width step computes (an all-zero group, a closed
// branch gate) without zero-sized tensors. The per-node layout is the semantic stage's layout walk, the same one
// compaction slices with.

import * as tf from '@tensorflow/tfjs';
import { featureLayoutOf, lastDim, variableAxes, type Layout } from '../../semantic/feature-layout.ts';
import type { IrNetwork, IrNode } from '../../semantic/ir.ts';
import type { MaskSet } from '../masks.ts';
import { gatherAxesCached, scatterAxesCached } from './host-gather.ts';

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

  /** Node `id`'s output features, or null when the node is at full width. */
  selection(id: number): number[] | null {
    const node = this.ir.nodes[id]!;
    const f = this.features(id);
    return f.length === lastDim(node.shape) ? null : f; // ascending distinct indices of a full axis: the identity
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
  axes(node: IrNode, leaf: string): (number[] | null)[] {
    const out = this.selection(node.id);
    const sel = { in: node.inputs.length > 0 ? this.selection(node.inputs[0]!) : null, out };
    const axes = variableAxes(node, leaf, sel);
    if (!axes) throw new Error(`narrow view: no layout for '${node.path}/${leaf}' of a ${node.kind} layer`);
    return axes;
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
  }
}

/**
 * `v` (a variable or a tensor on the tape) gathered along every axis with a selection, as one op whose gradient
 * scatters the slice's gradient back into zeros of `v`'s shape (the selections hold distinct indices). Both
 * directions run on the host in one pass: the slices are weight-sized, and this replaces a gather, transposes and
 * a segment sum per axis on the tape.
 */
export function sliceOnTape(v: tf.Tensor, axes: readonly (readonly number[] | null)[]): tf.Tensor {
  if (axes.every((a) => a === null)) return v;
  // Rows only (a vector's entries, a dense layer's inputs): tf.gather copies whole rows on the backend and its
  // gradient is one segment sum into zeros, with no host round trip. That matters for big rows: the vocabulary
  // projection of a language model ([h, V]) cost ~20 ms a step on the host path (bench/narrow.ts on kjv-lstm).
  if (axes[0] && axes.slice(1).every((a) => a === null)) return tf.gather(v, tf.tensor1d(Int32Array.from(axes[0]), 'int32'), 0);
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = args[0] as tf.Tensor;
    const full = [...x.shape];
    const g = gatherAxesCached({ shape: full, data: x.dataSync() as Float32Array }, axes);
    return {
      value: tf.tensor(g.data, g.shape, 'float32'),
      gradFunc: (dy: tf.Tensor) => {
        const back = scatterAxesCached({ shape: [...dy.shape], data: dy.dataSync() as Float32Array }, axes, full);
        return tf.tensor(back.data, back.shape, 'float32');
      },
    };
  });
  return op(v);
}
