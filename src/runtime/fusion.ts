// Operator fusion the interpreters (IrModule, narrow execution) apply to a checked network: a node whose kind's
// runtime entry says it can compute its consumer (`fusesConsumer`: a batch norm followed by a ReLU) does so in its
// own kernels, forward and gradient, saving a full pass over the activation each way; the consumer then passes its
// input through. The function is the same bit for bit: the fused kernels apply the ReLU and its gradient exactly as
// the separate ones do (native/src/batch_norm.cc), and on other backends the layer calls the same op itself.

import type { IrNetwork } from '../semantic/ir.ts';
import { runtimeKind } from './kinds.ts';

/**
 * Consumer node id → the node that computes it, for every single-input consumer whose input feeds nothing else and
 * whose producer's runtime kind `fusesConsumer` it; never for the network's output or a node with a segment mask
 * (`segmentMasked`: node ids), whose value must exist on its own.
 */
export function fusions(ir: IrNetwork, segmentMasked: ReadonlySet<number>): Map<number, number> {
  const uses = new Map<number, number>();
  for (const n of ir.nodes) for (const i of n.inputs) uses.set(i, (uses.get(i) ?? 0) + 1);
  const out = new Map<number, number>();
  for (const n of ir.nodes) {
    if (n.inputs.length !== 1) continue;
    const src = ir.nodes[n.inputs[0]!];
    if (src === undefined || uses.get(src.id) !== 1 || src.id === ir.output) continue;
    if (segmentMasked.has(src.id) || segmentMasked.has(n.id)) continue;
    if (runtimeKind(src.kind).fusesConsumer?.(n) === true) out.set(n.id, src.id);
  }
  return out;
}
