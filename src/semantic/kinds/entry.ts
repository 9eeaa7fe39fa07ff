// What one layer kind must say about itself in the semantic stage (README "Adding a layer kind"): its surface
// syntax (argument schema and shape rule), how it counts, its role in mask groups, where its mask goes, its width
// argument and the layout of its weights. Groups, placement, the cost model, feature layouts, compaction, export
// names and the width rules loop over these entries instead of switching on kind names. Plain data and pure
// functions: no tfjs (the runtime, codegen and export halves of an entry live in their own stages).

import type { Span } from '../../diagnostics/index.ts';
import type { IrNode, LayerKind, Shape } from '../ir.ts';
import type { BoundArgs, ParamSpec, Sink } from '../values.ts';

/** What flows between layers during expansion: a node's output, with its shape (undefined = poisoned). */
export interface TensorInfo {
  shape: Shape | undefined;
  /** True for the integer token ids of a `tokens` input (only an embedding may consume them). */
  tokens: boolean;
}

export interface BuildCtx {
  args: BoundArgs;
  input: TensorInfo;
  /** The layer call (`conv(…)`), for diagnostics that concern the whole layer. */
  span: Span;
  sink: Sink;
  /** The vocabulary of the network's `tokens` input (null for images). */
  vocab: number | null;
  /** The `maskable` modifier when the layer is marked (a kind may refuse it for some arguments). */
  maskSpan: Span | undefined;
}

export interface Built {
  attrs: Record<string, unknown>;
  /** Undefined when the output shape cannot be known (an error was reported, or the input was poisoned). */
  shape: Shape | undefined;
  /** `bias auto`: resolved once the graph is known (no bias when the only consumer normalises). */
  biasAuto?: boolean;
}

export type Structure = 'channels' | 'units' | 'hidden';

/** A surface layer kind as written in .arch (several may lower to one IR kind: `dwconv` is an IR `conv`). */
export interface LayerKindDef {
  /** Surface name as written in .arch. */
  name: string;
  irKind: LayerKind;
  schema: ParamSpec[];
  /** The structure a `maskable` mark refers to, or null when the kind has no maskable structures. */
  maskable: Structure | null;
  /** The argument that carries the layer's width (a `widths` override replaces it), and its limit. */
  widthArg?: { arg: string; limit: number };
  /** Validates the arguments against the input and returns IR attributes and the output shape. Kinds with operands
   * (role 'unions' or 'concatenates') are built by the expander from their operands instead. */
  build(ctx: BuildCtx): Built | undefined;
}

/**
 * A node's role in mask groups (semantic/groups.ts), which also fixes its feature layout:
 *  - source: no group (the network input, an embedding);
 *  - produces: a fresh structure set of `width` structures (conv, dense, lstm); a member;
 *  - joins: its input's set, and owns per-structure state of it (bn, depthwise conv); a member;
 *  - passes: its input's set, owning nothing (relu, pooling, dropout, gap);
 *  - flattens: its input's set, each feature repeated per position (flatten of [H, W, C]);
 *  - unions: its operands' sets become one (a residual add); a member;
 *  - concatenates: its operands' sets side by side; in no group itself (concat).
 */
export type GroupRole =
  | { role: 'source' }
  | { role: 'produces'; structure: Structure; width: number }
  | { role: 'joins' }
  | { role: 'passes' }
  | { role: 'flattens' }
  | { role: 'unions' }
  | { role: 'concatenates' };

/** A run of `width` channels/features on the last axis owned by `group` (null = never masked). */
export interface CostSegment {
  group: number | null;
  width: number;
}

/** Where an entry's cost terms go (semantic/cost-model.ts): `value × Π fraction(g)` over `groups`. */
export interface CostSink {
  /** One term per input segment: `total` split by segment width, scaled by the segment's group and `extra`. */
  perSegment(segs: readonly CostSegment[], total: number, extra: (number | null)[], into: 'macs' | 'params'): void;
  term(value: number, groups: (number | null)[], into: 'macs' | 'params'): void;
}

/** The kept features along a variable's axes: the node's kept inputs and kept outputs (null = the whole axis). */
export interface AxisSelection {
  in: number[] | null;
  out: number[] | null;
}

/** One variable of a layer: its logical leaf name (`<path>/<leaf>`), its tfjs-layers name and shape, and what
 * indexes each of its axes when a mask group is sliced. */
export interface WeightSpec {
  leaf: string;
  tfjs: string;
  shape: number[];
  axes(sel: AxisSelection): (number[] | null)[];
  /** When tfjs-layers stores it differently (a grouped conv's kernel, exported block-diagonal): that shape, and the
   * conversions of the row-major data both ways. */
  tfjsLayout?: { shape: number[]; to(data: Float32Array): Float32Array; from(data: Float32Array): Float32Array };
}

/** MACs removed per structure (semantic/groups.ts `groupMacsPerStructure`) of one node with `macs` MACs. */
export interface StructureMacs {
  /** Per structure of the node's own group (of width `ownWidth`). */
  own: number;
  /** Per structure of its input's features (`inputTotal` of them). */
  perInput: number;
}

/** A layer kind in the IR: everything the semantic stage and the stages after it need to know of it. */
export interface KindEntry {
  kind: LayerKind;
  /** The surface kinds that lower to it (none for the network input). */
  surfaces: readonly LayerKindDef[];
  group(attrs: Record<string, unknown>): GroupRole;
  /** Params and MACs (README "Counting"); kinds without parameters or products omit it (0, 0). */
  count?(node: IrNode, inputShapes: readonly Shape[]): { params: number; macs: number };
  /** Default: nothing of its own, `macs / inputTotal` per input feature (0 for kinds without MACs). */
  structureMacs?(attrs: Record<string, unknown>, macs: number, ownWidth: number, inputTotal: number): StructureMacs;
  /** Its cost terms at full width, by its input's segments (semantic/cost-model.ts). */
  costTerms?(node: IrNode, input: readonly CostSegment[], sink: CostSink): void;
  /**
   * Where a maskable group's mask multiplies (semantic/placement.ts): after the output; after the output unless
   * every consumer normalises it (a BN of the same group then masks); inside the cell (the layer takes the mask,
   * an LSTM's h_t); never (its inputs are already masked).
   */
  mask: 'output' | 'output-unless-normalised' | 'in-cell' | 'never';
  /** Normalises its input per channel: a mask or a bias before it is undone (bn). */
  normalises?: boolean;
  /** Maps zero to zero and is the identity elsewhere's zeros (relu, pooling, dropout): a dead branch's zero output
   * passes through it unchanged (compaction zeroes the affine layer before it). */
  zeroPreserving?: boolean;
  /** Has parameters that can make its output exactly 0 (conv, dense, bn): where a zeroed branch is zeroed. */
  affine?: boolean;
  /** Its gradient at 0 is 0 (ReLU's kink): an off structure's task gradient stops here (runtime/narrow). */
  stopsGradientAtZero?: boolean;
  /** Known range of its output from its inputs' (Infinity: ≥ 0, 6: [0, 6], null: unknown); default null. `input(i)`
   * computes input i's bound on demand. */
  valueBound?(input: (i: number) => number | null, arity: number): number | null;
  /** True when it is the identity on values in the input's known range (dead-branch removal). */
  identityOn?(bound: number | null): boolean;
  /** The layer's variables in tfjs-layers order (none: no variables). */
  weights?(node: IrNode): WeightSpec[];
  /** The weights whose columns produce each output structure (L1 scoring): columns are the product of the axes from
   * `axis` on, folded over `blocks` equal blocks (an LSTM's four gates). */
  structureWeights?(attrs: Record<string, unknown>): { leaf: string; axis: number; blocks: number }[];
  /** Why its input and output channels cannot be pruned one by one (a grouped conv), or undefined: the checker
   * refuses a maskable group on either side of such a node. */
  tiesChannels?(attrs: Record<string, unknown>): string | undefined;
  /** The width its width argument gives it, or null (a depthwise conv follows its input). */
  ownWidth?(attrs: Record<string, unknown>): number | null;
  /** Why its width cannot be overridden although its surface kind has a width argument (depthwise conv). */
  widthFollows?(attrs: Record<string, unknown>, surface: string): string | undefined;
  /** The kind as a person would write it (`dwconv` for a depthwise conv); default the IR kind. */
  surfaceName?(attrs: Record<string, unknown>): string;
  /** Its attributes in a compacted network, from its kept output width and kept input width. */
  compactAttrs?(attrs: Record<string, unknown>, width: number, inWidth: number): Record<string, unknown>;
}
