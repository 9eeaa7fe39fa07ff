// Which features of every node's output survive a choice of kept structures per mask group (in the ORIGINAL
// indexing of its last axis), and which axes of each layer variable those features index. Compaction slices the
// weights once with it (kept = the final masks); the runtime's narrow execution gathers with it every step (kept =
// the structures sampled on). One description of the layout, so the two can never disagree. Plain data, no tfjs.

import type { IrNetwork, IrNode } from './ir.ts';
import type { AxisSelection } from './kinds/entry.ts';
import { kindEntry, roleOf } from './registry.ts';

export type { AxisSelection };

/** Kept output features per node id (undefined for removed nodes). */
export type Layout = (number[] | undefined)[];

export interface LayoutOptions {
  /** Nodes left out (compaction's removed blocks): they get no layout. */
  removed?: ReadonlySet<number>;
  /** The node whose value input node `id` really reads (compaction's identity replacements); default itself. */
  source?: (id: number) => number;
}

export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

export function lastDim(shape: readonly number[]): number {
  return shape[shape.length - 1] ?? 1;
}

/**
 * The layout walk, by group role: producers (conv, dense, lstm) take their group's kept set; pass-throughs, BN,
 * depthwise convs and adds take their input's (an add's operands share one group); a concat joins its operands' sets at their
 * offsets; flatten of [.., C] keeps every position of the kept channels (NHWC: feature (h·W + w)·C + c). A group
 * absent from `kept` keeps everything.
 */
export function featureLayoutOf(ir: IrNetwork, kept: ReadonlyMap<number, readonly number[]>, opts: LayoutOptions = {}): Layout {
  const out: Layout = [];
  const source = opts.source ?? ((id: number) => id);
  const inOf = (id: number): number[] => {
    const l = out[id];
    if (!l) throw new Error(`feature layout: node ${ir.nodes[id]?.path ?? id} is read before it is laid out (or was removed)`);
    return l;
  };
  for (const n of ir.nodes) {
    if (opts.removed?.has(n.id)) continue;
    const input = (i = 0): number[] => inOf(source(n.inputs[i]!));
    const own = (): number[] => {
      if (n.group === null) return range(lastDim(n.shape));
      const k = kept.get(n.group);
      return k ? [...k] : range(lastDim(n.shape));
    };
    switch (roleOf(n)) {
      case 'source':
        out[n.id] = range(lastDim(n.shape));
        break;
      case 'produces':
        out[n.id] = own();
        break;
      case 'concatenates': {
        const parts: number[] = [];
        let offset = 0;
        for (let i = 0; i < n.inputs.length; i++) {
          const src = ir.nodes[n.inputs[i]!]!;
          for (const j of input(i)) parts.push(offset + j);
          offset += lastDim(src.shape);
        }
        out[n.id] = parts;
        break;
      }
      case 'flattens': {
        const src = ir.nodes[n.inputs[0]!]!;
        const c = lastDim(src.shape);
        const positions = lastDim(n.shape) / c;
        const k = input();
        const f: number[] = [];
        for (let p = 0; p < positions; p++) for (const j of k) f.push(p * c + j);
        out[n.id] = f;
        break;
      }
      default:
        // joins (bn, depthwise conv), passes (relu, dropout, pools, gap), unions (add): the input's features.
        out[n.id] = input();
    }
  }
  return out;
}

/**
 * The selection along every axis of variable `leaf` (`kernel`, `bias`, `gamma`, …) of `node` (null = the whole
 * axis), or undefined when the layer has no such variable: its entry's weight layout (semantic/kinds/).
 */
export function variableAxes(node: IrNode, leaf: string, sel: AxisSelection): (number[] | null)[] | undefined {
  const w = kindEntry(node.kind).weights?.(node).find((x) => x.leaf === leaf);
  return w?.axes(sel);
}
