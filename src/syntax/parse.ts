// The syntax stage's entry point: lex, parse with the shared grammar parser (recovering), build the AST
// with the one visitor, and return every lexing/syntax problem as diagnostics (file set, deduplicated by
// position). Chevrotain's terse messages get context from the token stream here ("after arguments of
// 'conv'", "to close 'layers' opened at 3:3"). Never throws on any input. A text over a limit (size, tokens,
// statements, nesting, syntax errors: src/syntax/limits.ts) gets the limit's diagnostic and no tree.

import { EOF, type IRecognitionException, type IToken } from 'chevrotain';
import { diag, NO_SPAN, SourceText, type Diagnostic, type Result, type Span } from '../diagnostics/index.ts';
import { archParser, MAX_SYNTAX_ERRORS, TooManySyntaxErrors } from '../../grammar/parser.ts';
import { LCurly, LParen, RCurly, RParen, LBracket, RBracket, Identifier, Colon, Comma, Block, Minus, tokenEnd } from '../../grammar/tokens.ts';
import type { ArchFile } from './ast.ts';
import { cstToAst } from './cst-to-ast.ts';
import { lexArch } from './lex.ts';
import { mebibytes, SOURCE_LIMITS, statementBeyond } from './limits.ts';

/**
 * Deepest bracket nesting (or run of unary minuses) the recursive-descent parser is given, and deepest
 * AST the later recursive stages are given: far beyond any real network, far below the stack's limit.
 */
export const MAX_NESTING = 100;
const MAX_AST_DEPTH = 400;

export function parseArch(text: string, fileName: string): Result<ArchFile> {
  const refuse = (diagnostics: Diagnostic[]): Result<ArchFile> => {
    for (const d of diagnostics) d.file = fileName;
    return { value: { kind: 'File', span: { start: 0, end: text.length }, network: undefined, comments: [] }, diagnostics };
  };
  if (text.length > SOURCE_LIMITS.maxChars) return refuse([diag('sourceTooLarge', NO_SPAN, [mebibytes(text.length), `${SOURCE_LIMITS.maxChars / 2 ** 20} MiB`])]);
  const lexed = lexArch(text);
  // A stopped lexer saw only a prefix: parsing it would add errors about its cut end. The limits below are checked
  // on tokens before the parser builds its tree, whose memory they bound.
  if (lexed.stopped) return refuse(lexed.diagnostics);
  const tooDeep = deepNesting(lexed.tokens);
  if (tooDeep) return refuse([...lexed.diagnostics, diag('syntaxNestingTooDeep', tooDeep, [MAX_NESTING])]);
  const beyond = statementBeyond(lexed.tokens, SOURCE_LIMITS.maxStatements);
  if (beyond !== undefined) {
    const t = lexed.tokens[beyond]!;
    return refuse([...lexed.diagnostics, diag('tooManyStatements', { start: t.startOffset, end: tokenEnd(t) }, [SOURCE_LIMITS.maxStatements])]);
  }
  archParser.input = lexed.tokens;
  let cst: ReturnType<typeof archParser.file> | undefined;
  try {
    cst = archParser.file();
  } catch (e) {
    if (!(e instanceof TooManySyntaxErrors)) throw e;
  }
  const parseErrors = archParser.errors;
  const source = new SourceText(fileName, text);
  const diagnostics: Diagnostic[] = [...lexed.diagnostics];
  // Lexing errors already explain the trouble at their position; a syntax error there would repeat it.
  const lexStarts = new Set(lexed.diagnostics.map((d) => d.span.start));
  const seen = new Set<number>();
  // One slip often derails the next token or two as well; report the first, not the cascade. Lexing
  // errors count as slips at the first token after them.
  const slips = lexed.diagnostics.map((d) => firstTokenAtOrAfter(lexed.tokens, d.span.start));
  // Token ranges whose errors all follow from one already explained (a tuple in parentheses).
  const quiet: [number, number][] = [];
  for (const e of parseErrors) {
    const span = errorSpan(e.token, lexed.tokens, text);
    const index = tokenIndex(e.token, lexed.tokens);
    const cascade = slips.some((s) => index - s >= 0 && index - s <= 2) || quiet.some(([a, b]) => index >= a && index <= b);
    slips.push(index);
    if (cascade || seen.has(span.start) || lexStarts.has(span.start)) continue;
    seen.add(span.start);
    const tuple = parenthesisedTuple(lexed.tokens, index, text);
    if (tuple) quiet.push([index, tuple.close + 2]);
    diagnostics.push(diag('syntaxError', span, [tuple ? tuple.message : explain(e, lexed.tokens, source)]));
  }
  if (!cst) {
    // The parser gave up: report where, and build no tree from the half-parsed text.
    const last = parseErrors[parseErrors.length - 1]!;
    diagnostics.push(diag('tooManySyntaxErrors', errorSpan(last.token, lexed.tokens, text), [MAX_SYNTAX_ERRORS]));
    return refuse(diagnostics.sort((a, b) => a.span.start - b.span.start));
  }
  const value = cstToAst(cst, text, lexed.comments, (escape, span) => diagnostics.push(diag('unknownEscape', span, [escape])));
  // Long operator chains nest to the left without parser recursion; keep them from later recursion too.
  if (value.network && astDepth(value.network) > MAX_AST_DEPTH) {
    diagnostics.push(diag('syntaxNestingTooDeep', value.network.span, [MAX_AST_DEPTH]));
    value.network = undefined;
  }
  diagnostics.sort((a, b) => a.span.start - b.span.start);
  for (const d of diagnostics) d.file = fileName;
  return { value, diagnostics };
}

/** The offending token's span; at end of file, just past the last token (where the text stopped making sense). */
function errorSpan(t: IToken, tokens: IToken[], text: string): Span {
  if (t.tokenType !== EOF && !Number.isNaN(t.startOffset)) return { start: t.startOffset, end: tokenEnd(t) };
  const last = tokens[tokens.length - 1];
  const at = last ? tokenEnd(last) : text.length;
  return { start: at, end: at };
}

/** Binary search: a garbled file has up to a thousand lexing errors over half a million tokens. */
function firstTokenAtOrAfter(tokens: IToken[], offset: number): number {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tokens[mid]!.startOffset < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Position of an error's token in the token vector (EOF and recovery-made tokens count as the end). */
function tokenIndex(t: IToken, tokens: IToken[]): number {
  const i = t.tokenType === EOF ? -1 : tokens.indexOf(t);
  return i < 0 ? tokens.length : i;
}

/** Add what the token stream says about where we are to Chevrotain's message. */
function explain(e: IRecognitionException, tokens: IToken[], source: SourceText): string {
  const msg = e.message;
  const index = tokenIndex(e.token, tokens);
  const paren = /^expected (',' or )?'\)'/.exec(msg);
  if (paren) {
    const open = unclosed(tokens, index, LParen, RParen);
    const callee = open !== undefined ? tokens[open - 1] : undefined;
    const whose = tokens[open! - 2]?.tokenType === Block ? `parameters of block '${callee?.image}'` : `arguments of '${callee?.image}'`;
    if (callee?.tokenType === Identifier) return msg.replace(paren[0], `${paren[0]} after ${whose}`);
  }
  if (msg.startsWith("expected '}'")) {
    const open = unclosed(tokens, index, LCurly, RCurly);
    if (open !== undefined) {
      const { line, col } = source.position(tokens[open]!.startOffset);
      return msg.replace("expected '}'", `expected '}' to close ${opener(tokens, open)} opened at ${line}:${col}`);
    }
  }
  if (msg.startsWith("expected ']'")) {
    const open = unclosed(tokens, index, LBracket, RBracket);
    if (open !== undefined) {
      const { line, col } = source.position(tokens[open]!.startOffset);
      return msg.replace("expected ']'", `expected ']' to close the list opened at ${line}:${col}`);
    }
  }
  return msg;
}

/**
 * `kernel (1, 3)`: a comma inside a parenthesised value (a `(` that opens no argument list: it follows no name,
 * or follows an argument's name after a space). Chevrotain sees a missing `)` and then a cascade; the writer meant
 * a pair, which is a list. Returns the message with the list to write, and the index of the tuple's `)`.
 */
function parenthesisedTuple(tokens: IToken[], index: number, text: string): { message: string; close: number } | undefined {
  if (tokens[index]?.tokenType !== Comma) return undefined;
  const open = unclosed(tokens, index, LParen, RParen);
  if (open === undefined) return undefined;
  const before = tokens[open - 1];
  const named = before?.tokenType === Identifier && tokenEnd(before) < tokens[open]!.startOffset;
  if (before?.tokenType === Identifier && !named) return undefined;
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const tt = tokens[i]!.tokenType;
    if (tt === LParen) depth++;
    else if (tt === RParen && --depth === 0) {
      const list = `[${text.slice(tokenEnd(tokens[open]!), tokens[i]!.startOffset)}]`;
      return { message: `a value in parentheses is one number; write a pair as a list: ${named ? `${before.image} ` : ''}${list}`, close: i };
    }
  }
  return undefined;
}

/** Index of the innermost `open` token before `index` that has no matching `close` before `index`. */
function unclosed(tokens: IToken[], index: number, open: IToken['tokenType'], close: IToken['tokenType']): number | undefined {
  let depth = 0;
  for (let i = Math.min(index, tokens.length) - 1; i >= 0; i--) {
    const tt = tokens[i]!.tokenType;
    if (tt === close) depth++;
    else if (tt === open) {
      if (depth === 0) return i;
      depth--;
    }
  }
  return undefined;
}

/** Name what a `{` opens: `'layers'`, `'sparsify'`, `block 'basic'`, `group 'stage2'`, `network 'r'`. */
function opener(tokens: IToken[], open: number): string {
  const before = tokens[open - 1];
  if (!before) return "'{'";
  if (before.tokenType === Colon && tokens[open - 2]) return `group '${tokens[open - 2]!.image}'`;
  if (before.tokenType === RParen) {
    const p = unclosed(tokens, open - 1, LParen, RParen);
    const name = p !== undefined ? tokens[p - 1] : undefined;
    if (name) return `block '${name.image}'`;
  }
  if (before.tokenType === Identifier && tokens[open - 2]?.image === 'network') return `network '${before.image}'`;
  return `'${before.image}'`;
}

/** Span of the first token that nests deeper than MAX_NESTING, if any. */
function deepNesting(tokens: IToken[]): Span | undefined {
  let depth = 0;
  let minuses = 0;
  for (const t of tokens) {
    const tt = t.tokenType;
    if (tt === LParen || tt === LBracket || tt === LCurly) depth++;
    else if (tt === RParen || tt === RBracket || tt === RCurly) depth = Math.max(0, depth - 1);
    minuses = tt === Minus ? minuses + 1 : 0;
    if (depth > MAX_NESTING || minuses > MAX_NESTING) return { start: t.startOffset, end: tokenEnd(t) };
  }
  return undefined;
}

/** Depth of an AST, measured without recursion (it guards against trees too deep to recurse over). */
function astDepth(root: object): number {
  let max = 0;
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    max = Math.max(max, d);
    for (const [k, child] of Object.entries(v)) if (k !== 'span') stack.push([child, Array.isArray(child) ? d : d + 1]);
  }
  return max;
}
