// The grammar lexer: token kinds, keywords vs identifiers, numbers, strings, comments with positions.

import { describe, expect, it } from 'vitest';
import { tokenMatcher } from 'chevrotain';
import { archLexer, Identifier } from '../../grammar/tokens.ts';

function kinds(text: string): string[] {
  return archLexer.tokenize(text).tokens.map((t) => `${t.tokenType.name}:${t.image}`);
}

describe('lexer', () => {
  it('separates keywords from identifiers that merely start with one', () => {
    expect(kinds('network networks layers layers2 input inputs repeat maskable truex true false')).toEqual([
      'Network:network',
      'Identifier:networks',
      'Layers:layers',
      'Identifier:layers2',
      'Input:input',
      'Identifier:inputs',
      'Repeat:repeat',
      'Maskable:maskable',
      'Identifier:truex',
      'True:true',
      'False:false',
    ]);
  });

  it('skips a byte-order mark at the start of a file and keeps the offsets of what follows', () => {
    const r = archLexer.tokenize('\uFEFFnetwork n {');
    expect(r.errors).toEqual([]);
    expect(r.tokens.map((t) => `${t.tokenType.name}:${t.startOffset}`)).toEqual(['Network:1', 'Identifier:9', 'LCurly:11']);
  });

  it('treats section and layer names as plain identifiers', () => {
    expect(kinds('sparsify train add concat')).toEqual(['Identifier:sparsify', 'Identifier:train', 'Identifier:add', 'Identifier:concat']);
  });

  it('lexes integers, decimals and exponents, leaving the minus to the parser', () => {
    expect(kinds('3 0.5 1e-4 5e-4 2E+3 -1')).toEqual([
      'NumberLiteral:3',
      'NumberLiteral:0.5',
      'NumberLiteral:1e-4',
      'NumberLiteral:5e-4',
      'NumberLiteral:2E+3',
      'Minus:-',
      'NumberLiteral:1',
    ]);
  });

  it('lexes layer paths with dots while decimals and exponents stay whole numbers', () => {
    expect(kinds('stage1.basic2.conv1 12 lstm1 0.5 1e-4 2.5e+3')).toEqual([
      'Identifier:stage1',
      'Dot:.',
      'Identifier:basic2',
      'Dot:.',
      'Identifier:conv1',
      'NumberLiteral:12',
      'Identifier:lstm1',
      'NumberLiteral:0.5',
      'NumberLiteral:1e-4',
      'NumberLiteral:2.5e+3',
    ]);
    // A number starts with a digit (`.5` never was one), and a trailing dot is not part of it.
    expect(kinds('.5 3.')).toEqual(['Dot:.', 'NumberLiteral:5', 'NumberLiteral:3', 'Dot:.']);
    expect(archLexer.tokenize('a.b 0.5 .5').errors).toEqual([]);
  });

  it("lexes 'widths' as a soft keyword: its own token, an Identifier by category", () => {
    const r = archLexer.tokenize('widths widthsX my_widths');
    expect(r.tokens.map((t) => `${t.tokenType.name}:${t.image}`)).toEqual(['Widths:widths', 'Identifier:widthsX', 'Identifier:my_widths']);
    expect(tokenMatcher(r.tokens[0]!, Identifier)).toBe(true);
  });

  it("has no '-' in identifiers: `fashion-mnist` is three tokens, `fashion_mnist` one", () => {
    expect(kinds('fashion-mnist fashion_mnist')).toEqual(['Identifier:fashion', 'Minus:-', 'Identifier:mnist', 'Identifier:fashion_mnist']);
  });

  it('lexes strings with escapes and marks unterminated ones', () => {
    expect(kinds('"a\\"b\\\\c\\n" "open')).toEqual(['StringLiteral:"a\\"b\\\\c\\n"', 'UnterminatedString:"open']);
    expect(kinds('"line\nnext"')).toEqual(['UnterminatedString:"line', 'Identifier:next', 'UnterminatedString:"']);
  });

  it('lexes punctuation', () => {
    expect(kinds('{}()[],:.=+-*/').map((k) => k.split(':')[0])).toEqual([
      'LCurly',
      'RCurly',
      'LParen',
      'RParen',
      'LBracket',
      'RBracket',
      'Comma',
      'Colon',
      'Dot',
      'Equals',
      'Plus',
      'Minus',
      'Star',
      'Slash',
    ]);
  });

  it('puts comments in their own group with offsets, and skips blanks', () => {
    const r = archLexer.tokenize('a # one\n  # two\nb');
    expect(r.tokens.map((t) => t.image)).toEqual(['a', 'b']);
    expect(r.groups['comments']!.map((t) => [t.image, t.startOffset])).toEqual([
      ['# one', 2],
      ['# two', 10],
    ]);
  });

  it('never lets a non-ASCII letter, quote, backtick or $ into an identifier', () => {
    for (const bad of ['convé', "it's", 'a`b', 'x${y}', 'résumé', 'a\u00a0b']) {
      const r = archLexer.tokenize(bad);
      expect(r.errors.length, bad).toBeGreaterThan(0);
      for (const t of r.tokens) if (t.tokenType.name === 'Identifier') expect(t.image).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
    }
  });
});
