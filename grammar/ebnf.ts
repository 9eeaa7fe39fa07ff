// Two views of the grammar in one notation so a test can compare them: productions rendered from the
// parser's serialized GAST, and productions read out of the hand-written, commented grammar/arch.ebnf.
// Notation: `rule ::= body ;`, `( … )?` optional, `( … )*` repeated, `( … )+` at least once, `a | b`,
// terminals as their quoted text ('{', 'network') or as ID, NUMBER, STRING; `(* … *)` comments.

import type { ISerializedGast, TokenType } from 'chevrotain';
import { archParser } from './parser.ts';
import { Comment, Identifier, NumberLiteral, StringLiteral } from './tokens.ts';

/** Named terminals: token classes written in capitals in the EBNF, each with its lexical pattern. */
export const NAMED_TERMINALS: ReadonlyMap<string, { ebnf: string; token: TokenType }> = new Map([
  ['Identifier', { ebnf: 'ID', token: Identifier }],
  ['NumberLiteral', { ebnf: 'NUMBER', token: NumberLiteral }],
  ['StringLiteral', { ebnf: 'STRING', token: StringLiteral }],
  ['Comment', { ebnf: 'COMMENT', token: Comment }],
]);

type Gast = ISerializedGast & { definition?: Gast[]; name?: string; label?: string };

function terminal(g: Gast): string {
  const named = NAMED_TERMINALS.get(g.name ?? '');
  if (named) return named.ebnf;
  if (g.label && /^'.*'$/.test(g.label)) return g.label;
  throw new Error(`terminal ${g.name} needs a quoted label or an entry in NAMED_TERMINALS`);
}

function seq(defs: Gast[]): string {
  return defs.map(item).join(' ');
}

/** Wrap a sequence for a postfix operator: a single item needs no parentheses. */
function group(defs: Gast[], op: string): string {
  const only = defs[0];
  if (defs.length === 1 && only && (only.type === 'Terminal' || only.type === 'NonTerminal')) return `${item(only)}${op}`;
  return `( ${seq(defs)} )${op}`;
}

function item(g: Gast): string {
  const defs = g.definition ?? [];
  switch (g.type) {
    case 'Terminal':
      return terminal(g);
    case 'NonTerminal':
      return g.name!;
    case 'Option':
      return group(defs, '?');
    case 'Repetition':
      return group(defs, '*');
    case 'RepetitionMandatory':
      return group(defs, '+');
    case 'Alternation':
      return `( ${defs.map((alt) => seq(alt.definition ?? [])).join(' | ')} )`;
    case 'Alternative':
      return seq(defs);
    default:
      throw new Error(`grammar/ebnf: unsupported GAST node ${g.type}`);
  }
}

/** `rule → body` for every parser rule; a rule that is one alternation is written without outer parentheses. */
export function productionsFromParser(): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of archParser.getSerializedGastProductions() as Gast[]) {
    const defs = r.definition ?? [];
    const only = defs[0];
    const body = defs.length === 1 && only?.type === 'Alternation' ? (only.definition ?? []).map((a) => seq(a.definition ?? [])).join(' | ') : seq(defs);
    out.set(r.name!, body);
  }
  return out;
}

/** Lexical productions (`ID ::= /regex/ ;`) from the token definitions. */
export function lexicalFromTokens(): Map<string, string> {
  const out = new Map<string, string>();
  for (const { ebnf, token } of NAMED_TERMINALS.values()) out.set(ebnf, String(token.PATTERN));
  return out;
}

/** Productions of an EBNF text, comments removed and whitespace collapsed. */
export function productionsFromEbnf(text: string): Map<string, string> {
  const clean = text.replace(/\(\*[\s\S]*?\*\)/g, ' ');
  const out = new Map<string, string>();
  for (const m of clean.matchAll(/([A-Za-z_]\w*)\s*::=\s*([\s\S]*?)\s*;\s*(?=[A-Za-z_]\w*\s*::=|$)/g)) {
    if (out.has(m[1]!)) throw new Error(`arch.ebnf defines ${m[1]} twice`);
    out.set(m[1]!, m[2]!.replace(/\s+/g, ' ').trim());
  }
  return out;
}
