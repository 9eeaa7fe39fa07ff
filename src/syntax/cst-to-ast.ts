// The ONE CST→AST visitor. It reads Chevrotain CST nodes by child key and copes with nodes that error
// recovery left incomplete: a missing token or subrule yields a partial node or drops just that node
// (the syntax error was already reported), never a crash. Every AST node gets a span; identifier spans
// cover exactly the name.

import type { CstElement, CstNode, IToken } from 'chevrotain';
import type { Span } from '../diagnostics/index.ts';
import type * as A from './ast.ts';
import { parseQuantity } from './quantity.ts';
import { decodeString } from './strings.ts';
import { tokenEnd } from '../../grammar/tokens.ts';

/** Diagnostics found while building the AST (e.g. bad string escapes) are reported through this. */
export type EscapeReporter = (escape: string, span: Span) => void;

export function cstToAst(root: CstNode | undefined, text: string, comments: IToken[], onBadEscape: EscapeReporter): A.ArchFile {
  const b = new Builder(onBadEscape);
  const net = root ? node(root, 'network') : undefined;
  return {
    kind: 'File',
    span: { start: 0, end: text.length },
    network: net ? b.network(net) : undefined,
    comments: comments.map((c) => ({ kind: 'Comment', span: tokSpan(c), text: c.image.slice(1) })),
  };
}

// ---- CST access helpers: everything is optional because recovery may have left children out ----------

function isToken(e: CstElement): e is IToken {
  return (e as IToken).tokenType !== undefined;
}
/** A real (not recovery-inserted) token under `key`, the i-th one. */
function tok(n: CstNode, key: string, i = 0): IToken | undefined {
  const e = n.children[key]?.[i];
  if (!e || !isToken(e) || e.isInsertedInRecovery || Number.isNaN(e.startOffset)) return undefined;
  return e;
}
function toks(n: CstNode, key: string): IToken[] {
  return (n.children[key] ?? []).filter((e): e is IToken => isToken(e) && !e.isInsertedInRecovery && !Number.isNaN(e.startOffset));
}
function node(n: CstNode, key: string, i = 0): CstNode | undefined {
  const e = n.children[key]?.[i];
  return e && !isToken(e) ? e : undefined;
}
function nodes(n: CstNode, key: string): CstNode[] {
  return (n.children[key] ?? []).filter((e): e is CstNode => !isToken(e));
}
/** A number literal: `40%` keeps 40 and is marked a percent; `1.2M` is the count 1200000 (quantity.ts). */
function numberLit(t: IToken, span: Span): A.NumberLit {
  const q = parseQuantity(t.image);
  if (q?.kind === 'percent') return { kind: 'Number', span, value: q.value, text: t.image, percent: true };
  return { kind: 'Number', span, value: q?.value ?? Number(t.image), text: t.image };
}

function tokSpan(t: IToken): Span {
  return { start: t.startOffset, end: tokenEnd(t) };
}
/** Span of every real token under a CST node; undefined when recovery left it with none. */
function cstSpan(n: CstNode): Span | undefined {
  let start = Infinity;
  let end = -Infinity;
  const walk = (c: CstNode): void => {
    for (const list of Object.values(c.children)) {
      for (const e of list) {
        if (isToken(e)) {
          if (e.isInsertedInRecovery || Number.isNaN(e.startOffset)) continue;
          start = Math.min(start, e.startOffset);
          end = Math.max(end, tokenEnd(e));
        } else walk(e);
      }
    }
  };
  walk(n);
  return start === Infinity ? undefined : { start, end };
}
function join(a: Span, b: Span): Span {
  return { start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) };
}
function defined<T>(x: T | undefined): x is T {
  return x !== undefined;
}

class Builder {
  constructor(private readonly onBadEscape: EscapeReporter) {}

  ident(t: IToken | undefined, fallback: Span): A.Identifier {
    return t ? { kind: 'Identifier', name: t.image, span: tokSpan(t) } : { kind: 'Identifier', name: '', span: { start: fallback.end, end: fallback.end } };
  }

  network(n: CstNode): A.Network | undefined {
    const span = cstSpan(n);
    if (!span) return undefined;
    return {
      kind: 'Network',
      span,
      name: this.ident(tok(n, 'name'), span),
      items: nodes(n, 'item').map((i) => this.item(i)).filter(defined),
    };
  }

  item(n: CstNode): A.NetworkItem | undefined {
    const input = node(n, 'inputDecl');
    if (input) {
      const call = node(input, 'call');
      const value = call ? this.call(call) : undefined;
      const span = cstSpan(input);
      return value && span ? { kind: 'Input', span, value } : undefined;
    }
    const section = node(n, 'section');
    if (section) return this.section(section);
    const block = node(n, 'block');
    if (block) return this.block(block);
    const widths = node(n, 'widthsSection');
    if (widths) return this.widths(widths);
    const layers = node(n, 'layers');
    if (layers) {
      const span = cstSpan(layers);
      return span ? { kind: 'Layers', span, body: this.stmts(layers) } : undefined;
    }
    return undefined;
  }

  section(n: CstNode): A.Section | undefined {
    const name = tok(n, 'name');
    const span = cstSpan(n);
    if (!name || !span) return undefined;
    return { kind: 'Section', span, name: this.ident(name, span), settings: nodes(n, 'setting').map((s) => this.setting(s)).filter(defined) };
  }

  widths(n: CstNode): A.WidthsSection | undefined {
    const span = cstSpan(n);
    if (!span || !tok(n, 'Widths')) return undefined;
    return { kind: 'Widths', span, entries: nodes(n, 'widthEntry').map((e) => this.widthEntry(e)).filter(defined) };
  }

  /** An entry with a segment or its width missing (recovery inserted or skipped it) is dropped whole. */
  widthEntry(n: CstNode): A.WidthEntry | undefined {
    const segments = toks(n, 'segment');
    const num = tok(n, 'width');
    // Each '.' must sit between two real segments: `a..b 3` or `a. 3` lost a segment to recovery.
    if (!num || segments.length === 0 || segments.length !== toks(n, 'Dot').length + 1) return undefined;
    const path = segments.map((t) => this.ident(t, tokSpan(t)));
    const width: A.NumberLit = numberLit(num, tokSpan(num));
    return { kind: 'WidthEntry', span: join(path[0]!.span, width.span), path, width };
  }

  setting(n: CstNode): A.Setting | undefined {
    const key = tok(n, 'key');
    const e = node(n, 'expr');
    const value = e ? this.expr(e) : undefined;
    if (!key || !value) return undefined;
    const span = tokSpan(key);
    const q = tok(n, 'qualifier');
    return { kind: 'Setting', span: join(span, value.span), key: this.ident(key, span), ...(q ? { qualifier: this.ident(q, tokSpan(q)) } : {}), value };
  }

  block(n: CstNode): A.BlockDecl | undefined {
    const span = cstSpan(n);
    if (!span) return undefined;
    const params = nodes(n, 'param')
      .map((p): A.Param | undefined => {
        const name = tok(p, 'name');
        const pspan = cstSpan(p);
        if (!name || !pspan) return undefined;
        const d = node(p, 'expr');
        const def = d ? this.expr(d) : undefined;
        return { kind: 'Param', span: def ? join(tokSpan(name), def.span) : tokSpan(name), name: this.ident(name, pspan), default: def };
      })
      .filter(defined);
    return { kind: 'Block', span, name: this.ident(tok(n, 'name'), span), params, body: this.stmts(n) };
  }

  stmts(n: CstNode): A.Statement[] {
    return nodes(n, 'stmt').map((s) => this.stmt(s)).filter(defined);
  }

  stmt(n: CstNode): A.Statement | undefined {
    const labelled = node(n, 'labelled');
    if (labelled) return this.labelled(labelled);
    const section = node(n, 'section');
    if (section) return this.section(section);
    const repeat = node(n, 'repeat');
    if (repeat) return this.repeat(repeat, undefined);
    const layer = node(n, 'layerStmt');
    if (layer) return this.layer(layer, undefined);
    return undefined;
  }

  labelled(n: CstNode): A.Statement | undefined {
    const labelTok = tok(n, 'label');
    const span = cstSpan(n);
    if (!labelTok || !span) return undefined;
    const label = this.ident(labelTok, span);
    const repeat = node(n, 'repeat');
    if (repeat) return this.repeat(repeat, label);
    const group = node(n, 'group');
    if (group) return { kind: 'Group', span, label, body: this.stmts(group) };
    const layer = node(n, 'layerStmt');
    if (layer) return this.layer(layer, label);
    return undefined;
  }

  repeat(n: CstNode, label: A.Identifier | undefined): A.RepeatStmt | undefined {
    const e = node(n, 'expr');
    const c = node(n, 'call');
    const count = e ? this.expr(e) : undefined;
    const call = c ? this.call(c) : undefined;
    const span = cstSpan(n);
    if (!count || !call || !span) return undefined;
    return { kind: 'Repeat', span: label ? join(label.span, span) : span, label, count, call };
  }

  layer(n: CstNode, label: A.Identifier | undefined): A.LayerStmt | undefined {
    const c = node(n, 'call');
    const call = c ? this.call(c) : undefined;
    const span = cstSpan(n);
    if (!call || !span) return undefined;
    const m = node(n, 'maskable');
    let maskable: A.MaskableMod | undefined;
    if (m) {
      const mspan = cstSpan(m);
      const list = node(m, 'argList');
      if (mspan) maskable = { kind: 'Maskable', span: mspan, args: list ? this.args(list) : [] };
    }
    return { kind: 'Layer', span: label ? join(label.span, span) : span, label, maskable, call };
  }

  call(n: CstNode): A.CallExpr | undefined {
    const callee = tok(n, 'callee');
    if (!callee) return undefined;
    const list = node(n, 'argList');
    const span = cstSpan(n) ?? tokSpan(callee);
    return { kind: 'Call', span, callee: this.ident(callee, span), args: list ? this.args(list) : [], hasParens: list !== undefined };
  }

  args(n: CstNode): A.Arg[] {
    return nodes(n, 'arg')
      .map((a): A.Arg | undefined => {
        const e = node(a, 'expr');
        const value = e ? this.expr(e) : undefined;
        if (!value) return undefined;
        const name = tok(a, 'name');
        return {
          kind: 'Arg',
          span: name ? join(tokSpan(name), value.span) : value.span,
          name: name ? this.ident(name, value.span) : undefined,
          value,
        };
      })
      .filter(defined);
  }

  /** expr and term share one shape: operands interleaved with operator tokens, folded to the left. */
  expr(n: CstNode): A.Expr | undefined {
    return this.fold(nodes(n, 'term'), toks(n, 'op'), (t) => this.term(t));
  }

  term(n: CstNode): A.Expr | undefined {
    return this.fold(nodes(n, 'unary'), toks(n, 'op'), (u) => this.unary(u));
  }

  fold(operands: CstNode[], ops: IToken[], sub: (n: CstNode) => A.Expr | undefined): A.Expr | undefined {
    const first = operands[0];
    let acc = first ? sub(first) : undefined;
    if (!acc) return undefined;
    for (let i = 1; i < operands.length; i++) {
      const op = ops[i - 1];
      const right = sub(operands[i]!);
      // A recovered operator with no operand (or vice versa) ends the expression where it is still whole.
      if (!op || !right) break;
      acc = { kind: 'Binary', span: join(acc.span, right.span), op: op.image as A.BinaryExpr['op'], left: acc, right };
    }
    return acc;
  }

  unary(n: CstNode): A.Expr | undefined {
    const minus = tok(n, 'Minus');
    const inner = node(n, 'unary');
    if (minus || inner) {
      const operand = inner ? this.unary(inner) : undefined;
      if (!minus || !operand) return operand;
      return { kind: 'Unary', span: join(tokSpan(minus), operand.span), op: '-', operand };
    }
    const p = node(n, 'primary');
    return p ? this.primary(p) : undefined;
  }

  primary(n: CstNode): A.Expr | undefined {
    const num = tok(n, 'NumberLiteral');
    if (num) return numberLit(num, tokSpan(num));
    const str = tok(n, 'StringLiteral');
    if (str) return { kind: 'String', span: tokSpan(str), value: decodeString(str.image, str.startOffset, this.onBadEscape) };
    const t = tok(n, 'True') ?? tok(n, 'False');
    if (t) return { kind: 'Bool', span: tokSpan(t), value: t.image === 'true' };
    const c = node(n, 'call');
    if (c) {
      const call = this.call(c);
      // In a value position a bare identifier is a name (parameter reference or enum word), not a call.
      if (call && !call.hasParens) return { kind: 'Name', span: call.callee.span, name: call.callee.name };
      return call;
    }
    const l = node(n, 'list');
    if (l) {
      const span = cstSpan(l);
      return span ? { kind: 'List', span, items: nodes(l, 'expr').map((e) => this.expr(e)).filter(defined) } : undefined;
    }
    const p = node(n, 'parenExpr');
    const inner = p ? node(p, 'expr') : undefined;
    // Parentheses only group; the AST keeps the grouping in its shape, and the printer re-derives them.
    return inner ? this.expr(inner) : undefined;
  }
}
