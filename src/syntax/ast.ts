// AST of a .arch file: the one shape every later stage reads. Produced only by the CST→AST visitor in
// src/syntax; every node carries a span. The grammar is deliberately generic (calls with positional and
// named arguments, `key value` settings) so that layer kinds and settings are validated by src/semantic,
// which can then point at the exact argument that is wrong.
//
// Surface syntax (see grammar/arch.ebnf for the normative version):
//
//   network resnet20 {
//     input image(32, 32, 3)                       # or: input tokens(vocab 10000, seq 35)
//     sparsify { lambda 0.01  scheduler structurewise(gamma 0.0005, p 0.7, beta0 1, betaMax 100, every 1) }
//     train { data cifar10("data/cifar-10-batches-bin")  epochs 160  batch 128
//             optimizer sgd(lr 0.1, momentum 0.9, weightDecay 1e-4)  lr step(at [80, 120], factor 0.1)
//             augment [crop(4), flip] }
//     block basic(width, stride = 1) {
//       sparsify { lambda 0.02 }                    # per-block override
//       maskable conv(width, kernel 3, stride stride)  bn  relu
//       maskable(lambda 0.05) conv(width, kernel 3)  bn   # per-layer override
//       add(shortcut)
//       relu
//     }
//     layers {
//       conv(16, kernel 3)  bn  relu
//       stage1: repeat 3 basic(16)
//       stage2: { basic(32, stride 2)  repeat 2 basic(32) }
//       gap  dense(10)
//     }
//     widths { stage1.basic2.conv1 12  dense1 48 }  # per-instance width overrides (compaction writes these)
//   }
//
// Comments run from `#` to end of line. Expressions allow + - * / and parentheses over numbers and
// block-parameter references.

import type { Span } from '../diagnostics/span.ts';

export interface NodeBase {
  span: Span;
}

export interface Identifier extends NodeBase {
  kind: 'Identifier';
  name: string;
}

export interface Comment extends NodeBase {
  kind: 'Comment';
  /** Text after the `#`, without the line break. */
  text: string;
}

export interface ArchFile extends NodeBase {
  kind: 'File';
  /** Missing only when recovery could not find a `network` header. */
  network: Network | undefined;
  /** Every comment in source order; the printer re-attaches them by position. */
  comments: Comment[];
}

export interface Network extends NodeBase {
  kind: 'Network';
  name: Identifier;
  items: NetworkItem[];
}

export type NetworkItem = InputDecl | Section | BlockDecl | LayersSection | WidthsSection;

/** `input image(32, 32, 3)` or `input tokens(vocab 10000, seq 35)`. */
export interface InputDecl extends NodeBase {
  kind: 'Input';
  value: CallExpr;
}

/** `sparsify { … }` or `train { … }` (also `sparsify { … }` inside a block body or group). */
export interface Section extends NodeBase {
  kind: 'Section';
  name: Identifier;
  settings: Setting[];
}

/** `key value` inside a section. */
export interface Setting extends NodeBase {
  kind: 'Setting';
  key: Identifier;
  /** The word between key and value in `target macs 40%` (absent in `lambda 0.01`). */
  qualifier?: Identifier;
  value: Expr;
}

export interface BlockDecl extends NodeBase {
  kind: 'Block';
  name: Identifier;
  params: Param[];
  body: Statement[];
}

export interface Param extends NodeBase {
  kind: 'Param';
  name: Identifier;
  default: Expr | undefined;
}

export interface LayersSection extends NodeBase {
  kind: 'Layers';
  body: Statement[];
}

/**
 * `widths { stage1.basic2.conv1 12 … }`: per-instance overrides of layer widths, by expanded path. Compaction
 * appends it where instances of one block or repeat learned different widths; src/semantic/widths.ts checks it.
 */
export interface WidthsSection extends NodeBase {
  kind: 'Widths';
  entries: WidthEntry[];
}

/** `stage1.basic2.conv1 12`: a layer path (one Identifier per segment, each with its span) and its width. */
export interface WidthEntry extends NodeBase {
  kind: 'WidthEntry';
  path: Identifier[];
  width: NumberLit;
}

export type Statement = LayerStmt | RepeatStmt | GroupStmt | Section;

/** `[label:] [maskable[(overrides)]] call` — a layer or a block instance. */
export interface LayerStmt extends NodeBase {
  kind: 'Layer';
  label: Identifier | undefined;
  maskable: MaskableMod | undefined;
  call: CallExpr;
}

/** `maskable` or `maskable(lambda 0.05, init 0.5)`: marks a layer's structures as maskable, with per-layer sparsify overrides. */
export interface MaskableMod extends NodeBase {
  kind: 'Maskable';
  args: Arg[];
}

/** `[label:] repeat N call`. */
export interface RepeatStmt extends NodeBase {
  kind: 'Repeat';
  label: Identifier | undefined;
  count: Expr;
  call: CallExpr;
}

/** `label: { statements }` — a named scope. */
export interface GroupStmt extends NodeBase {
  kind: 'Group';
  label: Identifier;
  body: Statement[];
}

export type Expr = NumberLit | StringLit | BoolLit | NameRef | ListLit | CallExpr | BinaryExpr | UnaryExpr;

export interface NumberLit extends NodeBase {
  kind: 'Number';
  value: number;
  /** The literal as written (kept by the printer: `1e-4` stays `1e-4`). */
  text: string;
  /** `40%`: a percent (value 40); absent for plain numbers and counts (`1.2M` has value 1200000). */
  percent?: true;
}

export interface StringLit extends NodeBase {
  kind: 'String';
  /** The decoded value. */
  value: string;
}

export interface BoolLit extends NodeBase {
  kind: 'Bool';
  value: boolean;
}

/** A bare identifier used as a value: a block parameter reference or an enum word (`valid`, `shortcut`). */
export interface NameRef extends NodeBase {
  kind: 'Name';
  name: string;
}

export interface ListLit extends NodeBase {
  kind: 'List';
  items: Expr[];
}

/** `name` or `name(args)`. `hasParens` distinguishes `bn` from `bn()` for the printer. */
export interface CallExpr extends NodeBase {
  kind: 'Call';
  callee: Identifier;
  args: Arg[];
  hasParens: boolean;
}

/** A positional (`16`) or named (`kernel 3`) argument. */
export interface Arg extends NodeBase {
  kind: 'Arg';
  name: Identifier | undefined;
  value: Expr;
}

export interface BinaryExpr extends NodeBase {
  kind: 'Binary';
  op: '+' | '-' | '*' | '/';
  left: Expr;
  right: Expr;
}

export interface UnaryExpr extends NodeBase {
  kind: 'Unary';
  op: '-';
  operand: Expr;
}

export type AstNode =
  | ArchFile
  | Network
  | InputDecl
  | Section
  | Setting
  | BlockDecl
  | Param
  | LayersSection
  | WidthsSection
  | WidthEntry
  | LayerStmt
  | MaskableMod
  | RepeatStmt
  | GroupStmt
  | Arg
  | Identifier
  | Comment
  | Expr;
