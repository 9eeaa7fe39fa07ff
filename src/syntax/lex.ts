// Lexing for the syntax stage: runs the shared grammar lexer and turns its errors (and the token kinds
// that only exist to report errors, like unterminated strings) into diagnostics. Never throws. Large texts are
// lexed in chunks of about 64 kB, and lexing stops at the token or error limit (src/syntax/limits.ts), so a
// huge or garbled file costs bounded memory; identifiers longer than the limit are reported here.

import type { ILexingError, IToken } from 'chevrotain';
import { abbreviate, diag, printable, type Diagnostic } from '../diagnostics/index.ts';
import { archLexer, Identifier, tokenEnd, UnterminatedString, Widths } from '../../grammar/tokens.ts';
import { SOURCE_LIMITS } from './limits.ts';

export interface LexOutput {
  tokens: IToken[];
  /** `#` comments in source order, with offsets. */
  comments: IToken[];
  diagnostics: Diagnostic[];
  /** True when a limit stopped lexing: the tokens cover only a prefix of the text. */
  stopped: boolean;
}

export function lexArch(text: string, limits = SOURCE_LIMITS): LexOutput {
  const { tokens, comments, errors, stop } = lexChunks(text, limits);
  const diagnostics: Diagnostic[] = [];
  let wordEnd = -1;
  for (const e of errors) {
    // A word like `résumé` lexes as pieces around each bad letter: report the word once.
    if (e.offset < wordEnd) continue;
    const d = charError(text, e.offset, e.length);
    if (d.code === 'ARCH1004') wordEnd = d.span.end;
    diagnostics.push(d);
  }
  for (const t of tokens) {
    if (t.tokenType === UnterminatedString) diagnostics.push(diag('unterminatedString', { start: t.startOffset, end: tokenEnd(t) }));
    else if ((t.tokenType === Identifier || t.tokenType === Widths) && t.image.length > limits.maxIdentifier) {
      diagnostics.push(diag('identifierTooLong', { start: t.startOffset, end: tokenEnd(t) }, [abbreviate(t.image), t.image.length, limits.maxIdentifier]));
    }
  }
  if (stop) diagnostics.push(stop);
  diagnostics.sort((a, b) => a.span.start - b.span.start);
  return { tokens, comments, diagnostics, stopped: stop !== undefined };
}

/** Text lexed per call: small enough that one chunk's tokens never matter, large enough to be fast. */
const CHUNK = 1 << 16;

/** The lexer over `text` chunk by chunk, offsets and lines made global, until the end or a limit. */
function lexChunks(text: string, limits: typeof SOURCE_LIMITS): { tokens: IToken[]; comments: IToken[]; errors: ILexingError[]; stop: Diagnostic | undefined } {
  const tokens: IToken[] = [];
  const comments: IToken[] = [];
  const errors: ILexingError[] = [];
  let start = 0;
  let line = 0;
  let column = 0;
  while (start < text.length) {
    const end = chunkEnd(text, start);
    const r = archLexer.tokenize(start === 0 && end === text.length ? text : text.slice(start, end));
    for (const t of r.tokens) tokens.push(shift(t, start, line, column));
    for (const t of r.groups['comments'] ?? []) comments.push(shift(t, start, line, column));
    for (const e of r.errors) {
      errors.push({ ...e, offset: e.offset + start, line: e.line === undefined ? undefined : e.line + line, column: e.line === 1 && e.column !== undefined ? e.column + column : e.column });
    }
    if (tokens.length > limits.maxTokens) {
      const t = tokens[limits.maxTokens]!;
      tokens.length = limits.maxTokens;
      return { tokens, comments, errors, stop: diag('tooManyTokens', { start: t.startOffset, end: tokenEnd(t) }, [limits.maxTokens]) };
    }
    if (errors.length > limits.maxLexErrors) {
      const e = errors[limits.maxLexErrors]!;
      errors.length = limits.maxLexErrors;
      return { tokens, comments, errors, stop: diag('tooManyLexErrors', { start: e.offset, end: e.offset + 1 }, [limits.maxLexErrors]) };
    }
    // Where the next chunk starts, as a line and a column (for tokens' line fields; spans use offsets).
    for (let i = start; i < end; i++) {
      if (text.charCodeAt(i) === 10) {
        line++;
        column = 0;
      } else column++;
    }
    start = end;
  }
  return { tokens, comments, errors, stop: undefined };
}

/**
 * End of the chunk that starts at `start`: just after the first line break, space or tab at least CHUNK
 * characters on that is not inside a string or a comment, so no token is cut in two.
 */
function chunkEnd(text: string, start: number): number {
  if (text.length - start <= CHUNK) return text.length;
  const from = start + CHUNK;
  let inString = false;
  let inComment = false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      inString = inComment = false;
      if (i >= from) return i + 1;
    } else if (inComment || c === 13) continue;
    else if (inString) {
      if (c === 34) inString = false;
      else if (c === 92 && text.charCodeAt(i + 1) !== 10 && text.charCodeAt(i + 1) !== 13) i++;
    } else if (c === 34) inString = true;
    else if (c === 35) inComment = true;
    else if ((c === 32 || c === 9) && i >= from) return i + 1;
  }
  return text.length;
}

/** A chunk's token moved to its place in the whole text (column only on the chunk's first line). */
function shift(t: IToken, offset: number, line: number, column: number): IToken {
  if (offset === 0) return t;
  t.startOffset += offset;
  if (t.endOffset !== undefined) t.endOffset += offset;
  if (t.startLine === 1 && t.startColumn !== undefined) t.startColumn += column;
  if (t.endLine === 1 && t.endColumn !== undefined) t.endColumn += column;
  if (t.startLine !== undefined) t.startLine += line;
  if (t.endLine !== undefined) t.endLine += line;
  return t;
}

/**
 * One lexer error covers a run of characters no token matches. A non-ASCII letter gets the identifier
 * message, spanning the whole word it sits in; quotes and backticks get a hint about strings.
 */
function charError(text: string, offset: number, length: number): Diagnostic {
  const bad = text.slice(offset, offset + Math.min(length, 64));
  const first = [...bad][0] ?? '';
  if (WORD_CHAR.test(first) && !/[\x00-\x7f]/.test(first)) {
    let start = offset;
    let end = offset;
    while (start > 0 && WORD_CHAR.test(text[start - 1]!)) start--;
    while (end < text.length && WORD_CHAR.test(text[end]!)) end++;
    return diag('nonAsciiIdentifier', { start, end }, [printable(abbreviate(text.slice(start, end))), printable(first)]);
  }
  if (first === "'" || first === '`') return diag('unexpectedQuote', { start: offset, end: offset + 1 }, [first]);
  return diag('unexpectedCharacter', { start: offset, end: offset + Math.max(1, length) }, [printable(abbreviate(bad, 32))]);
}

/** Characters that make up a word, ASCII or not (one UTF-16 unit at a time, so no `u`-flag classes over pairs). */
const WORD_CHAR = /[\p{L}\p{M}\p{N}_]/u;
