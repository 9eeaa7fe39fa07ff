// AST → canonical .arch text. The canonical form (documented here, relied on by `archc fmt`):
//   - 2-space indentation; one network item, section setting, block statement or layers statement per line;
//     a `{ … }` body opens on its header line and closes on a line of its own; an empty body is `{}`.
//   - single spaces between tokens: `conv(16, kernel 3)`, `stride = 1`, `a - 1`, `-1`, `[80, 120]`,
//     `stage1: repeat 3 basic(16)`, `maskable(lambda 0.05) conv(…)`; no trailing commas; no line wrapping.
//   - numbers keep their written text (`1e-4`); strings are re-escaped; parentheses follow precedence.
//   - with the source text: blank lines between elements of a body are kept (runs collapse to one), and
//     comments are kept — a comment before a line-level node (or inside its one-line text) goes on its own
//     line(s) before it, a comment after it on the same line stays trailing, comments before a `}` stay
//     at the end of that body. Without the source, comments all become leading lines and blank lines go.

import type { IToken } from 'chevrotain';
import type * as A from '../syntax/ast.ts';
import { archLexer, LCurly } from '../../grammar/tokens.ts';
import { printArgs, printCall, printExpr } from './print-expr.ts';

const INDENT = '  ';

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
  /** End offset of the last element (node or comment) printed, for blank-line preservation. */
  private lastEnd = -1;
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

  // ---- layout ---------------------------------------------------------------------------------------

  private emit(text: string, start: number, end: number): void {
    if (this.source !== undefined && this.lastEnd >= 0 && start >= this.lastEnd && /\n[ \t\r]*\n/.test(this.source.slice(this.lastEnd, start))) {
      if (this.lines.length > 0 && this.lines[this.lines.length - 1] !== '' && !this.atBodyStart) this.lines.push('');
    }
    this.lines.push(INDENT.repeat(this.depth) + text);
    this.atBodyStart = false;
    this.lastEnd = Math.max(this.lastEnd, end);
  }
  private atBodyStart = false;

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
    this.lines[this.lines.length - 1] += ` #${c.text.trimEnd()}`;
    this.lastEnd = Math.max(this.lastEnd, c.span.end);
    this.next++;
  }

  /** A node printed on one line: comments inside its span move before it. */
  private line(text: string, span: A.NodeBase['span']): void {
    this.leading(span.end);
    this.emit(text, span.start, span.end);
    this.trailing(span.end);
  }

  /** A `header { body }` node. `after` is where the header ends; the body's `{` is the first brace from there. */
  private body(header: string, span: A.NodeBase['span'], after: number, children: () => boolean): void {
    const open = this.braces.find((b) => b >= after && b < span.end) ?? after;
    this.leading(open);
    const close = Math.max(open, span.end - 1);
    const inner = this.comments.slice(this.next).some((c) => c.span.start < close);
    this.emit(`${header} {`, span.start, open + 1);
    const headerAt = this.lines.length - 1;
    this.trailing(open + 1);
    this.depth++;
    this.atBodyStart = true;
    const any = children();
    this.leading(close);
    this.depth--;
    if (!any && !inner && this.lines.length === headerAt + 1 && this.lines[headerAt]!.endsWith('{')) {
      this.lines[headerAt] += '}';
    } else {
      this.atBodyStart = false;
      this.lines.push(INDENT.repeat(this.depth) + '}');
    }
    this.atBodyStart = false;
    this.lastEnd = Math.max(this.lastEnd, span.end);
    this.trailing(span.end);
  }

  /** Comments after the network. */
  rest(): void {
    this.leading(Infinity);
  }

  // ---- nodes ----------------------------------------------------------------------------------------

  network(n: A.Network): void {
    this.body(`network ${n.name.name}`, n.span, n.name.span.end, () => {
      for (const item of n.items) this.item(item);
      return n.items.length > 0;
    });
  }

  item(i: A.NetworkItem): void {
    switch (i.kind) {
      case 'Input':
        return this.line(`input ${printCall(i.value)}`, i.span);
      case 'Section':
        return this.section(i);
      case 'Block': {
        const params = i.params.map((p) => (p.default ? `${p.name.name} = ${printExpr(p.default)}` : p.name.name)).join(', ');
        const headerEnd = i.params.length > 0 ? i.params[i.params.length - 1]!.span.end : i.name.span.end;
        return this.body(`block ${i.name.name}(${params})`, i.span, headerEnd, () => this.statements(i.body));
      }
      case 'Layers':
        return this.body('layers', i.span, i.span.start, () => this.statements(i.body));
    }
  }

  section(s: A.Section): void {
    this.body(s.name.name, s.span, s.name.span.end, () => {
      for (const st of s.settings) this.line(`${st.key.name} ${printExpr(st.value)}`, st.span);
      return s.settings.length > 0;
    });
  }

  statements(body: readonly A.Statement[]): boolean {
    for (const s of body) this.statement(s);
    return body.length > 0;
  }

  statement(s: A.Statement): void {
    switch (s.kind) {
      case 'Section':
        return this.section(s);
      case 'Group':
        return this.body(`${s.label.name}:`, s.span, s.label.span.end, () => this.statements(s.body));
      case 'Repeat':
        return this.line(`${label(s.label)}repeat ${printExpr(s.count)} ${printCall(s.call)}`, s.span);
      case 'Layer': {
        const m = s.maskable ? (s.maskable.args.length > 0 ? `maskable${printArgs(s.maskable.args)} ` : 'maskable ') : '';
        return this.line(`${label(s.label)}${m}${printCall(s.call)}`, s.span);
      }
    }
  }
}

function label(l: A.Identifier | undefined): string {
  return l ? `${l.name}: ` : '';
}

