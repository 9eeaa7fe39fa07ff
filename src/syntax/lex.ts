// Lexing for the syntax stage: runs the shared grammar lexer and turns its errors (and the token kinds
// that only exist to report errors, like unterminated strings) into diagnostics. Never throws.

import type { IToken } from 'chevrotain';
import { diag, type Diagnostic } from '../diagnostics/index.ts';
import { archLexer, tokenEnd, UnterminatedString } from '../../grammar/tokens.ts';

export interface LexOutput {
  tokens: IToken[];
  /** `#` comments in source order, with offsets. */
  comments: IToken[];
  diagnostics: Diagnostic[];
}

export function lexArch(text: string): LexOutput {
  const r = archLexer.tokenize(text);
  const diagnostics: Diagnostic[] = [];
  for (const e of r.errors) diagnostics.push(...charErrors(text, e.offset, e.length));
  for (const t of r.tokens) {
    if (t.tokenType === UnterminatedString) diagnostics.push(diag('unterminatedString', { start: t.startOffset, end: tokenEnd(t) }));
  }
  diagnostics.sort((a, b) => a.span.start - b.span.start);
  return { tokens: r.tokens, comments: r.groups['comments'] ?? [], diagnostics };
}

/**
 * One lexer error covers a run of characters no token matches. Non-ASCII letters get the identifier
 * message (they usually sit inside a name), quotes and backticks a hint about strings.
 */
function charErrors(text: string, offset: number, length: number): Diagnostic[] {
  const bad = text.slice(offset, offset + length);
  const first = [...bad][0] ?? '';
  const span = { start: offset, end: offset + Math.max(1, length) };
  if (/\p{L}|\p{M}|\p{N}/u.test(first)) return [diag('nonAsciiIdentifier', span, [printable(bad)])];
  if (first === "'" || first === '`') return [diag('unexpectedQuote', { start: offset, end: offset + 1 }, [first])];
  return [diag('unexpectedCharacter', span, [printable(bad)])];
}

/** Show control characters and odd spaces as escapes so the message itself stays on one line. */
function printable(s: string): string {
  return [...s]
    .map((c) => {
      const cp = c.codePointAt(0)!;
      return cp < 0x20 || cp === 0x7f || (cp >= 0x80 && /\s|\p{C}/u.test(c)) ? `\\u{${cp.toString(16)}}` : c;
    })
    .join('');
}
