// The TypeScript-codegen half of every layer kind's entry (README "Adding a layer kind"): the `NetworkModule`
// factory a node's layer field is created with, and the forward expression it becomes. A generated module must
// compute exactly what the runtime's interpreter computes (src/runtime/kinds.ts). A missing kind is a type error.

import type { IrNode, LayerKind } from '../semantic/ir.ts';
import { dataLiteral, numberLiteral, type PlainData } from './literals.ts';
import { LAYERS_FIELD } from './identifiers.ts';

export interface TsExprEnv {
  /** The value of input i (`t3`, or `x` for the network input). */
  a(i?: number): string;
  /** All inputs as an array literal. */
  all(): string;
  /** The node's layer field (kinds with a factory). */
  field: string | undefined;
  /** The group whose mask is placed at this node, if any (the layer takes it: entry `mask: 'in-cell'`, or `takesOutputMask`). */
  maskGroup: number | undefined;
  groupRef(g: number): string;
  /** A residual add's vanishing-branch gate groups. */
  gate: readonly number[] | undefined;
}

export interface TsKind {
  /** The expression applies the output mask itself (`maskGroup`), as the runtime kind's `takesOutputMask` says. */
  takesOutputMask?: true;
  /** `this.<method>(path, attrs)` returning a `typeName` (kinds with variables). */
  factory?: { method: string; typeName: string };
  /** Runtime functions its expression may call (imported when used; reserved as class names). */
  runtime?: readonly string[];
  expression(n: IrNode, e: TsExprEnv): string;
}

const applyLayer = (_n: IrNode, e: TsExprEnv): string => `this.${LAYERS_FIELD}.${e.field}.apply(${e.a()})`;
const attrs = (n: IrNode): string => dataLiteral(n.attrs as unknown as PlainData);

export const TS_KINDS: Readonly<Record<LayerKind, TsKind>> = {
  input: { expression: () => 'x' },
  conv: { factory: { method: 'conv', typeName: 'Conv2d' }, expression: applyLayer },
  bn: {
    factory: { method: 'bn', typeName: 'BatchNorm' },
    takesOutputMask: true,
    expression: (_n, e) => `this.${LAYERS_FIELD}.${e.field}.apply(${e.a()}, ctx.training${e.maskGroup === undefined ? '' : `, ctx.mask(${e.groupRef(e.maskGroup)})`})`,
  },
  dense: { factory: { method: 'dense', typeName: 'Dense' }, expression: applyLayer },
  lstm: {
    factory: { method: 'lstm', typeName: 'Lstm' },
    expression: (_n, e) => `this.${LAYERS_FIELD}.${e.field}.apply(${e.a()}, ${e.maskGroup === undefined ? 'null' : `ctx.mask(${e.groupRef(e.maskGroup)})`}, ctx)`,
  },
  gru: {
    factory: { method: 'gru', typeName: 'Gru' },
    expression: (_n, e) => `this.${LAYERS_FIELD}.${e.field}.apply(${e.a()}, ${e.maskGroup === undefined ? 'null' : `ctx.mask(${e.groupRef(e.maskGroup)})`}, ctx)`,
  },
  embedding: { factory: { method: 'embedding', typeName: 'Embedding' }, expression: applyLayer },
  relu: { runtime: ['relu'], expression: (_n, e) => `relu(${e.a()})` },
  relu6: { runtime: ['relu6'], expression: (_n, e) => `relu6(${e.a()})` },
  maxpool: { runtime: ['maxPool'], expression: (n, e) => `maxPool(${e.a()}, ${attrs(n)})` },
  avgpool: { runtime: ['avgPool'], expression: (n, e) => `avgPool(${e.a()}, ${attrs(n)})` },
  gap: { runtime: ['globalAvgPool'], expression: (_n, e) => `globalAvgPool(${e.a()})` },
  flatten: { runtime: ['flatten'], expression: (_n, e) => `flatten(${e.a()})` },
  dropout: { runtime: ['dropout'], expression: (n, e) => `dropout(${e.a()}, ${numberLiteral((n.attrs as { rate: number }).rate)}, ctx)` },
  add: {
    runtime: ['add'],
    expression(n, e) {
      // A vanishable branch (operand 0) is gated by "is any of its groups still on" — see semantic/placement.ts.
      if (e.gate && e.gate.length > 0) {
        const rest = n.inputs.slice(1).map((_, i) => e.a(i + 1));
        return `add([applyGate(${e.a()}, ctx, [${e.gate.map(e.groupRef).join(', ')}]), ${rest.join(', ')}])`;
      }
      return `add(${e.all()})`;
    },
  },
  concat: { runtime: ['concat'], expression: (n, e) => `concat(${e.all()}, ${numberLiteral((n.attrs as { axis: number }).axis)})` },
};

export function tsKind(kind: LayerKind): TsKind {
  return TS_KINDS[kind];
}
