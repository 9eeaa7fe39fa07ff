// How much text the syntax stage takes in, and the cheap token scan that enforces the statement limit. The limits
// keep lexing and parsing in bounded memory (the parser's tree costs about 2 kB per statement): a file over them
// gets one diagnostic naming the limit, at the first place it is exceeded, and is not parsed.

import type { IToken } from 'chevrotain';
import { Colon, Identifier, LBracket, LCurly, Layers, LParen, Minus, Plus, RBracket, RCurly, Repeat, RParen, Slash, Star, Widths } from '../../grammar/tokens.ts';

export const SOURCE_LIMITS = {
  /** Characters of a spec (4 MiB): the largest network written out is far smaller. */
  maxChars: 4 * 2 ** 20,
  /** Tokens lexed before reading stops. */
  maxTokens: 500_000,
  /** Layer statements, as many as the layers a network may expand to (semantic LIMITS.maxNodes). */
  maxStatements: 100_000,
  /** Identifier length: names become file names and TypeScript identifiers (a file name has 255 bytes). */
  maxIdentifier: 100,
  /** Lexing errors before reading stops (a file of garbage). */
  maxLexErrors: 1000,
};

/** `49.6 MiB` */
export function mebibytes(n: number): string {
  return `${(n / 2 ** 20).toFixed(1)} MiB`;
}

/**
 * Layer statements in a token vector: in a statement body (`layers`, a group, a block) and outside brackets, each
 * name that is not a label (`x:`), a section (`sparsify {`) or part of a repeat count (`repeat n - 1`). Settings
 * and arguments are not counted.
 */
export function statementCount(tokens: readonly IToken[]): number {
  return scanStatements(tokens, Infinity).count;
}

/** Index of the token that starts statement `max + 1`, if there is one. */
export function statementBeyond(tokens: readonly IToken[], max: number): number | undefined {
  return scanStatements(tokens, max).beyond;
}

function scanStatements(tokens: readonly IToken[], max: number): { count: number; beyond: number | undefined } {
  const bodies: boolean[] = [];
  let brackets = 0;
  let count = 0;
  for (let i = 0; i < tokens.length; i++) {
    const tt = tokens[i]!.tokenType;
    if (tt === LCurly) {
      const before = tokens[i - 1]?.tokenType;
      bodies.push(before === Layers || before === Colon || before === RParen);
      brackets = 0;
    } else if (tt === RCurly) bodies.pop();
    else if (tt === LParen || tt === LBracket) brackets++;
    else if (tt === RParen || tt === RBracket) brackets = Math.max(0, brackets - 1);
    else if ((tt === Identifier || tt === Widths) && brackets === 0 && bodies[bodies.length - 1] === true) {
      const next = tokens[i + 1]?.tokenType;
      const before = tokens[i - 1]?.tokenType;
      if (next === Colon || next === LCurly || before === Repeat || before === Plus || before === Minus || before === Star || before === Slash) continue;
      if (++count > max) return { count, beyond: i };
    }
  }
  return { count, beyond: undefined };
}
