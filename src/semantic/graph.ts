// The expander's working graph: IR-like nodes that may still be poisoned (an error left their shape unknown)
// and that carry what later passes need (the sparsify chain, `bias auto`, where `maskable` was written).
// check.ts turns a clean graph into IrNode values.

import type { Span } from '../diagnostics/index.ts';
import type { WidthEntry } from '../syntax/ast.ts';
import type { LayerKind, Shape } from './ir.ts';
import type { SparsifyPartial } from './settings.ts';

export interface GNode {
  id: number;
  path: string;
  kind: LayerKind;
  /** The surface kind as written (`dwconv`, `batchnorm`…), for messages. */
  surface: string;
  inputs: number[];
  /** Undefined when an error made it unknowable. */
  shape: Shape | undefined;
  /** Token ids (only the tokens input produces them). */
  tokens: boolean;
  attrs: Record<string, unknown>;
  span: Span;
  callSites: Span[];
  maskable: boolean;
  /** The `maskable` modifier, to report on. */
  maskSpan: Span | undefined;
  /** Sparsify overrides in force at this layer, outermost first (network section first). */
  sparsify: SparsifyPartial[];
  biasAuto: boolean;
  /** True for the conv/bn that a projection shortcut expands into. */
  shortcut: boolean;
  /** The `widths` entry that set this layer's width, if any (for diagnostics that the override caused). */
  widthOverride: WidthEntry | undefined;
}

/** A residual add and the id of the first node of its block instance (for `canVanish`). */
export interface ResidualRecord {
  add: number;
  start: number;
}

export interface Graph {
  nodes: GNode[];
  residuals: ResidualRecord[];
  /** Id of the last node of the top-level layers body (the logits), or -1. */
  output: number;
}
