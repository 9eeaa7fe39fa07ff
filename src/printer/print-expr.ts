// Printing of expressions, arguments and calls on one line. Parentheses are derived from precedence (the
// AST keeps grouping in its shape). Binary operators get spaces and unary minus none, which is what the
// parser's named-argument rule reads back (`k -1` named, `a - 1` a difference). Numbers keep their text.

import type { Arg, CallExpr, Expr } from '../syntax/ast.ts';
import { encodeString } from '../syntax/strings.ts';

const PREC_ADD = 1;
const PREC_MUL = 2;
const PREC_UNARY = 3;
const PREC_ATOM = 4;

function precedence(e: Expr): number {
  if (e.kind === 'Binary') return e.op === '+' || e.op === '-' ? PREC_ADD : PREC_MUL;
  if (e.kind === 'Unary') return PREC_UNARY;
  return PREC_ATOM;
}

function wrap(e: Expr, parens: boolean): string {
  const s = printExpr(e);
  return parens ? `(${s})` : s;
}

export function printExpr(e: Expr): string {
  switch (e.kind) {
    case 'Number':
      return e.text;
    case 'String':
      return encodeString(e.value);
    case 'Bool':
      return e.value ? 'true' : 'false';
    case 'Name':
      return e.name;
    case 'List':
      return `[${e.items.map(printExpr).join(', ')}]`;
    case 'Call':
      return printCall(e);
    case 'Unary':
      return `-${wrap(e.operand, precedence(e.operand) < PREC_UNARY)}`;
    case 'Binary': {
      const p = precedence(e);
      // Left-associative: a right operand of equal precedence keeps its parentheses (`a - (b - c)`).
      return `${wrap(e.left, precedence(e.left) < p)} ${e.op} ${wrap(e.right, precedence(e.right) <= p)}`;
    }
  }
}

export function printArg(a: Arg): string {
  return a.name ? `${a.name.name} ${printExpr(a.value)}` : printExpr(a.value);
}

export function printArgs(args: readonly Arg[]): string {
  return `(${args.map(printArg).join(', ')})`;
}

/** `bn`, `bn()`, `conv(16, kernel 3)`: parentheses exactly when the source had them (or there are args). */
export function printCall(c: CallExpr): string {
  return c.hasParens || c.args.length > 0 ? `${c.callee.name}${printArgs(c.args)}` : c.callee.name;
}
