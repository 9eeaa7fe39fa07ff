// The .arch lexer: token types and one shared Chevrotain Lexer. Comments go to their own group (with
// positions) so the printer can keep them; whitespace is skipped. Identifiers are strictly ASCII because
// they end up verbatim in generated TypeScript: any other character is a lexing error, never passed on.
// `widths` is a soft keyword (an Identifier everywhere but at the head of the network's widths section).

import { createToken, Lexer, type TokenType } from 'chevrotain';

/** Plain names: layer kinds, settings, labels, parameters. ASCII only (see the file header). */
export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_]*/, label: 'identifier' });

// Keywords take `longer_alt: Identifier` so that `layersX` or `inputs` stay identifiers.
function keyword(word: string): TokenType {
  const name = word[0]!.toUpperCase() + word.slice(1);
  return createToken({ name, pattern: new RegExp(word), longer_alt: Identifier, label: `'${word}'` });
}
export const Network = keyword('network');
export const Input = keyword('input');
export const Block = keyword('block');
export const Layers = keyword('layers');
export const Repeat = keyword('repeat');
export const Maskable = keyword('maskable');
export const True = keyword('true');
export const False = keyword('false');
/**
 * `widths` opens the network's per-instance width overrides. It is a SOFT keyword: its category is
 * Identifier, so `widths` still works as a parameter, label or setting name; only the network item rule
 * tries `'widths' '{'` before a generic section (grammar/parser.ts).
 */
export const Widths = createToken({ name: 'Widths', pattern: /widths/, longer_alt: Identifier, categories: [Identifier], label: "'widths'" });

/**
 * `3`, `0.5`, `1e-4`, `5E+3`, and with a unit: `40%`, `1.2M`, `150k`, `2G` (budgets; src/syntax/quantity.ts). A
 * suffix letter directly followed by an identifier character is not a suffix (`16kernel` stays 16 + `kernel`).
 * A leading `-` is the unary operator, not part of the literal.
 */
export const NumberLiteral = createToken({ name: 'NumberLiteral', pattern: /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?:%|[kMG](?![A-Za-z0-9_]))?/, label: 'number' });

/** Double-quoted, one line, escapes `\"` `\\` `\n` (decoded and checked in src/syntax). */
export const StringLiteral = createToken({ name: 'StringLiteral', pattern: /"(?:[^"\\\r\n]|\\[^\r\n])*"/, label: 'string' });
/**
 * A string that reaches the end of its line without a closing quote. It is lexed as a string (category
 * StringLiteral) so the parser sees a value and reports nothing more; src/syntax turns it into ARCH1002.
 */
export const UnterminatedString = createToken({
  name: 'UnterminatedString',
  pattern: /"(?:[^"\\\r\n]|\\[^\r\n])*\\?/,
  categories: [StringLiteral],
  label: 'string',
});

export const LCurly = createToken({ name: 'LCurly', pattern: /\{/, label: "'{'" });
export const RCurly = createToken({ name: 'RCurly', pattern: /\}/, label: "'}'" });
export const LParen = createToken({ name: 'LParen', pattern: /\(/, label: "'('" });
export const RParen = createToken({ name: 'RParen', pattern: /\)/, label: "')'" });
export const LBracket = createToken({ name: 'LBracket', pattern: /\[/, label: "'['" });
export const RBracket = createToken({ name: 'RBracket', pattern: /\]/, label: "']'" });
export const Comma = createToken({ name: 'Comma', pattern: /,/, label: "','" });
export const Colon = createToken({ name: 'Colon', pattern: /:/, label: "':'" });
/**
 * Only in layer paths (`stage1.basic2.conv1`). Listed after NumberLiteral, so `0.5` and `1e-4` stay one
 * number; a lone `.5` (never a number here) lexes as '.' then 5 and is a syntax error, as before a lexing one.
 */
export const Dot = createToken({ name: 'Dot', pattern: /\./, label: "'.'" });
export const Equals = createToken({ name: 'Equals', pattern: /=/, label: "'='" });
export const Plus = createToken({ name: 'Plus', pattern: /\+/, label: "'+'" });
export const Minus = createToken({ name: 'Minus', pattern: /-/, label: "'-'" });
export const Star = createToken({ name: 'Star', pattern: /\*/, label: "'*'" });
export const Slash = createToken({ name: 'Slash', pattern: /\//, label: "'/'" });

/** `# …` to end of line, kept (with offsets) in the `comments` group for the printer. */
export const Comment = createToken({ name: 'Comment', pattern: /#[^\r\n]*/, group: 'comments' });
/** Only ASCII blanks and line breaks: other Unicode spaces are lexing errors, like other odd characters. */
export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\n]+/, group: Lexer.SKIPPED });
/** A UTF-8 byte-order mark, as some Windows editors write at the start of a file: skipped like whitespace. */
export const ByteOrderMark = createToken({ name: 'ByteOrderMark', pattern: /\uFEFF/, group: Lexer.SKIPPED });

/** Order matters: keywords before Identifier, a complete string before an unterminated one. */
export const allTokens: TokenType[] = [
  WhiteSpace,
  ByteOrderMark,
  Comment,
  Network,
  Input,
  Block,
  Layers,
  Repeat,
  Maskable,
  True,
  False,
  Widths,
  Identifier,
  NumberLiteral,
  StringLiteral,
  UnterminatedString,
  LCurly,
  RCurly,
  LParen,
  RParen,
  LBracket,
  RBracket,
  Comma,
  Colon,
  Dot,
  Equals,
  Plus,
  Minus,
  Star,
  Slash,
];

/** The one lexer instance. Full position tracking so tokens carry `endOffset` (spans are offsets). */
export const archLexer = new Lexer(allTokens, { positionTracking: 'full', ensureOptimizations: true });

/** Exclusive end offset of a token (Chevrotain's `endOffset` is inclusive and optional in its types). */
export function tokenEnd(t: { startOffset: number; image: string }): number {
  return t.startOffset + t.image.length;
}
