// AST → canonical .arch text. The canonical form (documented here, relied on by `archc fmt`):
//   - 2-space indentation; the network's items each start a line; no line wrapping; no trailing commas.
//   - single spaces inside a line: `conv(16, kernel 3)`, `stride = 1`, `a - 1`, `-1`, `[80, 120]`,
//     `stage1: repeat 3 basic(16)`, `maskable(lambda 0.05) conv(…)`; numbers keep their written text
//     (`1e-4`); strings are re-escaped; parentheses follow precedence.
//   - the author's line grouping is kept, normalised: statements or settings written on one line stay on
//     one line, two spaces apart (`conv(16, kernel 3)  bn  relu`); a `{ … }` body written on one line stays
//     inline (`stage2: { basic(32, stride 2)  repeat 2 basic(32) }`, `sparsify { lambda 0.02 }`), any
//     other body opens on its header line and closes on a line of its own; an empty body is `{}`.
//   - blank lines between elements of a body are kept (runs collapse to one), none at a body's edges.
//   - the `widths` section is the exception to kept grouping: always expanded, one `path width` entry per
//     line (it is a table that `diff -u` should show row by row), e.g. `    stage1.basic2.conv1 12`.
//   - comments are kept: one before a node (or inside that node's one-line text) goes on its own line(s)
//     before it; one after a node on the same line trails it after two spaces; comments before a `}` stay
//     at the end of that body.
// Without the source text there is no grouping to keep: one element per line, comments as leading lines.

import type { IToken } from 'chevrotain';
import type * as A from '../syntax/ast.ts';
import { archLexer, LCurly } from '../../grammar/tokens.ts';
import { printArgs, printCall, printExpr } from './print-expr.ts';

const INDENT = '  ';
const GAP = '  ';

type Span = A.NodeBase['span'];

/** A body node's parts: enough to print it either inline or expanded. */
interface Body {
  header: string;
  span: Span;
  /** Offset where the header ends; the body's `{` is the first brace from there. */
  after: number;
  children: readonly Element[];
  /** Never inline, and each child on its own line (the widths table). */
  table?: boolean;
}
/** What a body holds: a one-line leaf or a nested body. */
type Element = { leaf: string; span: Span } | { body: Body };

export function printArch(file: A.ArchFile, source?: string): string {
  const p = new Printer(file.comments, source);
  if (file.network) p.network(file.network);
  p.rest();
  return p.result();
}

class Printer {
  private readonly lines: string[] = [];
  private next = 0;
  private depth = 0;
  /** End offset of the last element (node or comment) printed, for blank-line and grouping decisions. */
  private lastEnd = -1;
  private atBodyStart = false;
  /** Whether the last line ends with an element that a following same-line element may join. */
  private joinable = false;
  private readonly braces: number[];

  constructor(
    private readonly comments: readonly A.Comment[],
    private readonly source: string | undefined,
  ) {
    // Sorted `{` offsets in the source: a body's comments split at its opening brace, which the AST has no span for.
    this.braces = source === undefined ? [] : archLexer.tokenize(source).tokens.filter((t: IToken) => t.tokenType === LCurly).map((t) => t.startOffset);
  }

  result(): string {
    return this.lines.join('\n') + '\n';
  }

  /** Comments after the network. */
  rest(): void {
    this.leading(Infinity);
  }

  // ---- layout ---------------------------------------------------------------------------------------

  private between(from: number, to: number): string {
    return this.source === undefined || from < 0 || to < from ? '' : this.source.slice(from, to);
  }

  private emit(text: string, start: number, end: number): void {
    if (/\n[ \t\r]*\n/.test(this.between(this.lastEnd, start)) && !this.atBodyStart && this.lines.length > 0) this.lines.push('');
    this.lines.push(INDENT.repeat(this.depth) + text);
    this.atBodyStart = false;
    this.joinable = false;
    this.lastEnd = Math.max(this.lastEnd, end);
  }

  /** Print, as their own lines, every pending comment that starts before `offset`. */
  private leading(offset: number): void {
    while (this.next < this.comments.length && this.comments[this.next]!.span.start < offset) {
      const c = this.comments[this.next++]!;
      this.emit(`#${c.text.trimEnd()}`, c.span.start, c.span.end);
    }
  }

  /**
   * Append the next comment to the last line when only blanks separate it from `end` in the source (so a
   * comment after `conv(…)  bn  # x` trails `bn`, the last thing before it, not `conv`).
   */
  private trailing(end: number): void {
    const c = this.comments[this.next];
    if (!c || this.source === undefined || c.span.start < end) return;
    if (!/^[ \t]*$/.test(this.source.slice(end, c.span.start))) return;
    this.lines[this.lines.length - 1] += `${GAP}#${c.text.trimEnd()}`;
    this.lastEnd = Math.max(this.lastEnd, c.span.end);
    this.joinable = false;
    this.next++;
  }

  /**
   * A one-line element. It joins the previous element's line when the source had them on one line (and
   * `mayJoin`); comments inside its span move before it.
   */
  private line(text: string, span: Span, mayJoin: boolean): void {
    const commentsInside = this.next < this.comments.length && this.comments[this.next]!.span.start < span.end;
    if (mayJoin && this.joinable && !commentsInside && !this.between(this.lastEnd, span.start).includes('\n')) {
      this.lines[this.lines.length - 1] += `${GAP}${text}`;
      this.lastEnd = Math.max(this.lastEnd, span.end);
    } else {
      this.leading(span.end);
      this.emit(text, span.start, span.end);
    }
    this.joinable = true;
    this.trailing(span.end);
  }

  private openBrace(b: Body): number {
    return this.braces.find((o) => o >= b.after && o < b.span.end) ?? b.after;
  }

  /** A body written on one line in the source prints inline (it cannot hold comments: they end lines). */
  private inline(b: Body): string | undefined {
    if (this.source === undefined || b.table) return undefined;
    if (this.between(this.openBrace(b), b.span.end).includes('\n')) return undefined;
    const parts: string[] = [];
    for (const c of b.children) {
      const t = 'leaf' in c ? c.leaf : this.inline(c.body);
      if (t === undefined) return undefined;
      parts.push(t);
    }
    return parts.length === 0 ? `${b.header} {}` : `${b.header} { ${parts.join(GAP)} }`;
  }

  private element(e: Element, mayJoin: boolean): void {
    if ('leaf' in e) return this.line(e.leaf, e.span, mayJoin);
    const text = this.inline(e.body);
    if (text !== undefined) return this.line(text, e.body.span, mayJoin);
    this.expanded(e.body, !e.body.table);
  }

  private expanded(b: Body, childrenMayJoin: boolean): void {
    const open = this.openBrace(b);
    this.leading(open);
    const close = Math.max(open, b.span.end - 1);
    const commentsInside = this.comments.slice(this.next).some((c) => c.span.start < close);
    this.emit(`${b.header} {`, b.span.start, open + 1);
    const headerAt = this.lines.length - 1;
    this.trailing(open + 1);
    this.depth++;
    this.atBodyStart = true;
    for (const c of b.children) this.element(c, childrenMayJoin);
    this.leading(close);
    this.depth--;
    if (b.children.length === 0 && !commentsInside && this.lines.length === headerAt + 1 && this.lines[headerAt]!.endsWith('{')) {
      this.lines[headerAt] += '}';
    } else {
      this.lines.push(INDENT.repeat(this.depth) + '}');
    }
    this.atBodyStart = false;
    this.joinable = false;
    this.lastEnd = Math.max(this.lastEnd, b.span.end);
    this.trailing(b.span.end);
  }

  // ---- nodes → elements -----------------------------------------------------------------------------

  network(n: A.Network): void {
    // The network body always expands, and its items never share a line.
    const b: Body = { header: `network ${n.name.name}`, span: n.span, after: n.name.span.end, children: n.items.map(item) };
    this.expanded(b, false);
  }
}

function item(i: A.NetworkItem): Element {
  switch (i.kind) {
    case 'Input':
      return { leaf: `input ${printCall(i.value)}`, span: i.span };
    case 'Section':
      return section(i);
    case 'Block': {
      const params = i.params.map((p) => (p.default ? `${p.name.name} = ${printExpr(p.default)}` : p.name.name)).join(', ');
      const after = i.params.length > 0 ? i.params[i.params.length - 1]!.span.end : i.name.span.end;
      return { body: { header: `block ${i.name.name}(${params})`, span: i.span, after, children: i.body.map(statement) } };
    }
    case 'Layers':
      return { body: { header: 'layers', span: i.span, after: i.span.start, children: i.body.map(statement) } };
    case 'Widths': {
      const children = i.entries.map((e): Element => ({ leaf: `${e.path.map((p) => p.name).join('.')} ${e.width.text}`, span: e.span }));
      return { body: { header: 'widths', span: i.span, after: i.span.start + 'widths'.length, children, table: true } };
    }
  }
}

function section(s: A.Section): Element {
  const children = s.settings.map((st): Element => ({ leaf: `${st.key.name}${st.qualifier ? ` ${st.qualifier.name}` : ''} ${printExpr(st.value)}`, span: st.span }));
  return { body: { header: s.name.name, span: s.span, after: s.name.span.end, children } };
}

function statement(s: A.Statement): Element {
  switch (s.kind) {
    case 'Section':
      return section(s);
    case 'Group':
      return { body: { header: `${s.label.name}:`, span: s.span, after: s.label.span.end, children: s.body.map(statement) } };
    case 'Repeat':
      return { leaf: `${label(s.label)}repeat ${printExpr(s.count)} ${printCall(s.call)}`, span: s.span };
    case 'Layer': {
      const m = s.maskable ? (s.maskable.args.length > 0 ? `maskable${printArgs(s.maskable.args)} ` : 'maskable ') : '';
      return { leaf: `${label(s.label)}${m}${printCall(s.call)}`, span: s.span };
    }
  }
}

function label(l: A.Identifier | undefined): string {
  return l ? `${l.name}: ` : '';
}
