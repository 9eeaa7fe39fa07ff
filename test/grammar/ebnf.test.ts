// grammar/arch.ebnf is normative: it must say exactly what the parser does. The parser's rules are
// rendered in the EBNF's notation and compared production by production, lexical productions included.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lexicalFromTokens, productionsFromEbnf, productionsFromParser } from '../../grammar/ebnf.ts';

const ebnf = productionsFromEbnf(readFileSync(new URL('../../grammar/arch.ebnf', import.meta.url), 'utf8'));

describe('grammar/arch.ebnf', () => {
  it('defines exactly the parser rules and token classes', () => {
    const expected = [...productionsFromParser().keys(), ...lexicalFromTokens().keys()].sort();
    expect([...ebnf.keys()].sort()).toEqual(expected);
  });

  it('writes every parser rule exactly as the parser has it', () => {
    for (const [name, body] of productionsFromParser()) expect(`${name} ::= ${ebnf.get(name)}`).toBe(`${name} ::= ${body}`);
  });

  it('writes every token class with its lexer pattern', () => {
    for (const [name, pattern] of lexicalFromTokens()) expect(`${name} ::= ${ebnf.get(name)}`).toBe(`${name} ::= ${pattern}`);
  });

  it('has the widths section: a soft keyword, then `path NUMBER` entries', () => {
    expect(ebnf.get('widthsSection')).toBe("'widths' '{' widthEntry* '}'");
    expect(ebnf.get('widthEntry')).toBe("ID ( '.' ID )* NUMBER");
    expect(ebnf.get('item')).toBe('inputDecl | widthsSection | section | block | layers');
  });

  it('would notice a change on either side', () => {
    const text = readFileSync(new URL('../../grammar/arch.ebnf', import.meta.url), 'utf8');
    const edited = productionsFromEbnf(text.replace("layerStmt ::= maskable? call ;", 'layerStmt ::= call ;'));
    expect(edited.get('layerStmt')).not.toBe(productionsFromParser().get('layerStmt'));
  });
});
