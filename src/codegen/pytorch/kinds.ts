// The PyTorch-codegen half of every layer kind's entry (README "Adding a layer kind"): the layer constructor a node
// becomes in the Python module (kinds with parameters) and its forward expression, with the same mask placement
// and residual gates as the TypeScript module. A missing kind is a type error: the record is keyed by every IR kind.

import type { BnAttrs, ConvAttrs, DenseAttrs, EmbeddingAttrs, GruAttrs, IrNode, LayerKind, LstmAttrs, PoolAttrs } from '../../semantic/ir.ts';
import { pyNumber, pyString } from './python-literal.ts';

export interface PyExprEnv {
  a(i?: number): string;
  all(): string;
  field: string | undefined;
  /** `self.<field>(<input>, <mask>)`: the mask goes into the layer, which folds it into its parameters. */
  masked(): string;
  /** The group whose mask the node carries (for a mask inside the layer, `m.get(g)`). */
  maskGroup: number | undefined;
  gate: readonly number[] | undefined;
  shapeOf(id: number): number[];
}

export interface PyKind {
  /** `self.conv("path", …)` (kinds with parameters). */
  init?(n: IrNode, shapeOf: (id: number) => number[]): string;
  expression(n: IrNode, e: PyExprEnv): string;
}

/** TF 'same' pads (top, bottom, left, right): out = ceil(in / s), the odd pixel goes to the bottom/right. */
export function samePads(inH: number, inW: number, kernel: [number, number], stride: [number, number], padding: 'same' | 'valid'): [number, number, number, number] {
  if (padding === 'valid') return [0, 0, 0, 0];
  const one = (n: number, k: number, s: number): [number, number] => {
    const out = Math.ceil(n / s);
    const total = Math.max((out - 1) * s + k - n, 0);
    return [Math.floor(total / 2), total - Math.floor(total / 2)];
  };
  const [t, b] = one(inH, kernel[0], stride[0]);
  const [l, r] = one(inW, kernel[1], stride[1]);
  return [t, b, l, r];
}

const tuple = (xs: readonly number[]): string => `(${xs.map(pyNumber).join(', ')})`;
const bool = (b: boolean): string => (b ? 'True' : 'False');

function pool(fn: string): PyKind {
  return {
    expression(n, e) {
      const a = n.attrs as PoolAttrs;
      const [h, w] = e.shapeOf(n.inputs[0]!);
      const pad = samePads(h!, w!, a.size, a.stride, a.padding);
      return `ops.${fn}(${e.a()}, ${tuple(a.size)}, ${tuple(a.stride)}, ${tuple(pad)})`;
    },
  };
}

export const PY_KINDS: Readonly<Record<LayerKind, PyKind>> = {
  input: { expression: () => 'x' },
  conv: {
    init(n, shapeOf) {
      const a = n.attrs as ConvAttrs;
      const [h, w] = shapeOf(n.inputs[0]!);
      const pad = samePads(h!, w!, a.kernel, a.stride, a.padding);
      return `self.conv(${pyString(n.path)}, in_channels=${a.inChannels}, filters=${a.filters}, kernel=${tuple(a.kernel)}, stride=${tuple(a.stride)}, pad=${tuple(pad)}, depthwise=${bool(a.depthwise)}, bias=${bool(a.bias)}${a.groups > 1 && !a.depthwise ? `, groups=${a.groups}` : ''})`;
    },
    expression: (_n, e) => e.masked(),
  },
  bn: {
    init(n) {
      const a = n.attrs as BnAttrs;
      return `self.bn(${pyString(n.path)}, channels=${a.channels}, epsilon=${pyNumber(a.epsilon)}, momentum=${pyNumber(a.momentum)}, rank=${n.shape.length})`;
    },
    expression: (_n, e) => e.masked(),
  },
  dense: {
    init(n) {
      const a = n.attrs as DenseAttrs;
      return `self.dense(${pyString(n.path)}, in_features=${a.inFeatures}, units=${a.units}, bias=${bool(a.bias)}, relu=${bool(a.activation === 'relu')})`;
    },
    expression: (_n, e) => e.masked(),
  },
  embedding: {
    init: (n) => `self.embedding(${pyString(n.path)}, vocab=${(n.attrs as EmbeddingAttrs).vocab}, dim=${(n.attrs as EmbeddingAttrs).dim})`,
    expression: (_n, e) => `self.${e.field}(${e.a()})`,
  },
  lstm: {
    init: (n) => `self.lstm(${pyString(n.path)}, in_features=${(n.attrs as LstmAttrs).inFeatures}, units=${(n.attrs as LstmAttrs).units})`,
    expression: (_n, e) => `self.${e.field}(${e.a()}, ${e.maskGroup === undefined ? 'None' : `m.get(${e.maskGroup})`})`,
  },
  gru: {
    init: (n) => `self.gru(${pyString(n.path)}, in_features=${(n.attrs as GruAttrs).inFeatures}, units=${(n.attrs as GruAttrs).units})`,
    expression: (_n, e) => `self.${e.field}(${e.a()}, ${e.maskGroup === undefined ? 'None' : `m.get(${e.maskGroup})`})`,
  },
  relu: { expression: (_n, e) => `ops.relu(${e.a()})` },
  relu6: { expression: (_n, e) => `ops.relu6(${e.a()})` },
  maxpool: pool('max_pool'),
  avgpool: pool('avg_pool'),
  gap: { expression: (_n, e) => `ops.global_avg_pool(${e.a()})` },
  flatten: { expression: (_n, e) => `ops.flatten(${e.a()})` },
  dropout: { expression: (n, e) => `ops.dropout(${e.a()}, ${pyNumber((n.attrs as { rate: number }).rate)}, self.training)` },
  add: {
    expression(n, e) {
      if (e.gate && e.gate.length > 0) {
        const rest = n.inputs.slice(1).map((_, i) => e.a(i + 1));
        return `ops.gated_add(${e.a()}, [${e.gate.map((g) => `m.get(${g})`).join(', ')}], [${rest.join(', ')}])`;
      }
      return `ops.add(${e.all()})`;
    },
  },
  concat: { expression: (_n, e) => `ops.concat(${e.all()})` },
};
