// Which features of every node's output survive a choice of kept structures per mask group (in the ORIGINAL
// indexing of its last axis), and which axes of each layer variable those features index. Compaction slices the
// weights once with it (kept = the final masks); the runtime's narrow execution gathers with it every step (kept =
// the structures sampled on). One description of the layout, so the two can never disagree. Plain data, no tfjs.

import type { IrNetwork, IrNode } from './ir.ts';

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
 * The layout walk. Producers (conv, dense, lstm) take their group's kept set; pass-throughs, BN, depthwise convs
 * and adds take their input's (an add's operands share one group); a concat joins its operands' sets at their
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
    switch (n.kind) {
      case 'input':
      case 'embedding':
        out[n.id] = range(lastDim(n.shape));
        break;
      case 'conv':
        out[n.id] = n.attrs.depthwise ? input() : own();
        break;
      case 'dense':
      case 'lstm':
        out[n.id] = own();
        break;
      case 'concat': {
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
      case 'flatten': {
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
        // bn, relu, relu6, dropout, pools, gap, add: the input's features.
        out[n.id] = input();
    }
  }
  return out;
}

/** Columns of the four LSTM gate blocks [i | f | c | o] of width h for kept units `k`. */
export function gateColumns(h: number, k: readonly number[]): number[] {
  const cols: number[] = [];
  for (let b = 0; b < 4; b++) for (const j of k) cols.push(b * h + j);
  return cols;
}

/** What indexes a variable's axes: the node's kept input features, its kept outputs, and (LSTM) their gate columns. */
export interface AxisSelection<T> {
  in: T | null;
  out: T | null;
  gates: T | null;
}

/**
 * The selection along every axis of variable `leaf` (`kernel`, `bias`, `gamma`, …) of `node` (null = the whole
 * axis), or undefined when the layer has no such variable. Conv kernels [kh, kw, in, out] (depthwise: in only),
 * dense [in, out], BN vectors by their input's features, LSTM W [in, gates], U [out, gates], b [gates]; an
 * embedding's dim has no mask group and is never sliced.
 */
export function variableAxes<T>(node: IrNode, leaf: string, sel: AxisSelection<T>): (T | null)[] | undefined {
  switch (node.kind) {
    case 'conv':
      if (leaf === 'kernel') return node.attrs.depthwise ? [null, null, sel.in, null] : [null, null, sel.in, sel.out];
      if (leaf === 'bias') return [sel.out];
      return undefined;
    case 'bn':
      return ['gamma', 'beta', 'movingMean', 'movingVariance'].includes(leaf) ? [sel.in] : undefined;
    case 'dense':
      if (leaf === 'kernel') return [sel.in, sel.out];
      if (leaf === 'bias') return [sel.out];
      return undefined;
    case 'lstm':
      if (leaf === 'kernel') return [sel.in, sel.gates];
      if (leaf === 'recurrentKernel') return [sel.out, sel.gates];
      if (leaf === 'bias') return [sel.gates];
      return undefined;
    case 'embedding':
      return leaf === 'embeddings' ? [null, null] : undefined;
    default:
      return undefined;
  }
}
