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
  let wordEnd = -1;
  for (const e of r.errors) {
    // A word like `résumé` lexes as pieces around each bad letter: report the word once.
    if (e.offset < wordEnd) continue;
    const d = charError(text, e.offset, e.length);
    if (d.code === 'ARCH1004') wordEnd = d.span.end;
    diagnostics.push(d);
  }
  for (const t of r.tokens) {
    if (t.tokenType === UnterminatedString) diagnostics.push(diag('unterminatedString', { start: t.startOffset, end: tokenEnd(t) }));
  }
  diagnostics.sort((a, b) => a.span.start - b.span.start);
  return { tokens: r.tokens, comments: r.groups['comments'] ?? [], diagnostics };
}

/**
 * One lexer error covers a run of characters no token matches. A non-ASCII letter gets the identifier
 * message, spanning the whole word it sits in; quotes and backticks get a hint about strings.
 */
function charError(text: string, offset: number, length: number): Diagnostic {
  const bad = text.slice(offset, offset + length);
  const first = [...bad][0] ?? '';
  if (WORD_CHAR.test(first) && !/[\x00-\x7f]/.test(first)) {
    let start = offset;
    let end = offset;
    while (start > 0 && WORD_CHAR.test(text[start - 1]!)) start--;
    while (end < text.length && WORD_CHAR.test(text[end]!)) end++;
    return diag('nonAsciiIdentifier', { start, end }, [printable(text.slice(start, end)), printable(first)]);
  }
  if (first === "'" || first === '`') return diag('unexpectedQuote', { start: offset, end: offset + 1 }, [first]);
  return diag('unexpectedCharacter', { start: offset, end: offset + Math.max(1, length) }, [printable(bad)]);
}

/** Characters that make up a word, ASCII or not (one UTF-16 unit at a time, so no `u`-flag classes over pairs). */
const WORD_CHAR = /[\p{L}\p{M}\p{N}_]/u;

/** Show control characters and odd spaces as escapes so the message itself stays on one line. */
function printable(s: string): string {
  return [...s]
    .map((c) => {
      const cp = c.codePointAt(0)!;
      return cp < 0x20 || cp === 0x7f || (cp >= 0x80 && /\s|\p{C}/u.test(c)) ? `\\u{${cp.toString(16)}}` : c;
    })
    .join('');
}
