// The syntax stage's limits (defects 5 and 14): identifier length, statement and token counts, file size. Each
// is a diagnostic naming the limit, at the first place it is exceeded, and no message echoes more than a short
// prefix of the user's text (a 1 MB name is not printed back).

import { describe, expect, it } from 'vitest';
import { renderDiagnostics, SourceText } from '../../src/diagnostics/index.ts';
import { compileText } from '../../src/semantic/compile.ts';
import { parseArch } from '../../src/syntax/index.ts';
import { lexArch } from '../../src/syntax/lex.ts';
import { SOURCE_LIMITS, statementBeyond, statementCount } from '../../src/syntax/limits.ts';

function errors(text: string): string[] {
  const src = new SourceText('t.arch', text);
  return parseArch(text, 't.arch').diagnostics.map((d) => {
    const p = src.position(d.span.start);
    return `${p.line}:${p.col} ${d.code} ${d.message}`;
  });
}
const spec = (name: string, layers = 'gap\n    dense(10)'): string => `network ${name} {\n  input image(8, 8, 1)\n  layers {\n    ${layers}\n  }\n}\n`;

describe('identifier length (defect 14)', () => {
  it('100 characters are fine; 301 are refused at the name, which `check` used to pass and `build` fail on', () => {
    expect(compileText(spec('n'.repeat(100)), 't.arch').diagnostics).toEqual([]);
    expect(errors(spec('n'.repeat(301)))).toEqual([`1:9 ARCH1008 identifier 'nnnnnnnnnnnnnnnnnnnnnnnn…' is 301 characters long, more than the limit of 100`]);
  });
  it('a label or parameter counts too', () => {
    expect(errors(spec('n', `${'l'.repeat(101)}: relu\n    gap\n    dense(10)`)).map((e) => e.slice(0, 16))).toEqual(['4:5 ARCH1008 ide']);
  });
  it('a 1 MB name is neither echoed in the message nor in the excerpt', () => {
    const text = spec('x'.repeat(1 << 20));
    const c = compileText(text, 't.arch');
    expect(c.diagnostics.map((d) => d.code)).toEqual(['ARCH1008']);
    const shown = renderDiagnostics(c.diagnostics, c.source);
    expect(shown.length).toBeLessThan(600);
    expect(shown).toContain('…');
  });
});

describe('statements and tokens (defect 5)', () => {
  it('100,000 statements are accepted by the parser; 100,001 get the limit at the extra one', () => {
    // The boundary on tokens (parsing 100,000 statements would take seconds); the refusal through the parser.
    expect(statementBeyond(lexArch(spec('n', 'relu\n'.repeat(99_998) + '    gap\n    dense(10)')).tokens, SOURCE_LIMITS.maxStatements)).toBeUndefined();
    expect(errors(spec('n', 'relu\n'.repeat(99_999) + '    gap\n    dense(10)'))).toEqual(['100004:5 ARCH5010 the file has more than 100000 layer statements (a network expands to at most 100000 layers)']);
  });
  it('counts layer statements only: not settings, labels, sections, repeat counts or arguments', () => {
    const text = [
      'network n {',
      '  input image(8, 8, 1)',
      '  sparsify { lambda 0.1 scheduler structurewise(p 0.7) penalty macs }',
      '  train { data synthetic steps 10 }',
      '  block b(w, k = 3) { maskable conv(w, kernel k, padding same) bn relu }',
      '  layers {',
      '    s1: { b(8) repeat n - 1 b(8) sparsify { lambda 0.2 } }',
      '    x: repeat 2 * k relu',
      '    maskable(lr 2) conv(8, kernel [1, 3])',
      '    concat(b(4), maxpool(3, stride 1, padding same))',
      '    gap dense(10)',
      '  }',
      '}',
    ].join('\n');
    // conv bn relu (block body), b, b (s1), relu (x), conv, concat, gap, dense.
    expect(statementCount(lexArch(text).tokens)).toBe(10);
  });
  it('a network that expands past 100,000 layers gets the layer limit alone, without "no layers section"', () => {
    const text = `network big {\n  input image(8, 8, 1)\n  block b() { relu relu relu relu relu relu relu relu relu relu relu }\n  layers {\n    repeat 10000 b()\n    gap\n    dense(10)\n  }\n}\n`;
    expect(compileText(text, 't.arch').diagnostics.map((d) => d.code)).toEqual(['ARCH5006']);
  });
  it('a text over the size limit is refused without being lexed', () => {
    const text = spec('n', `# ${'.'.repeat(4 * 2 ** 20)}\n    gap\n    dense(10)`);
    expect(errors(text)).toEqual(['1:1 ARCH5008 the file is 4.0 MiB, more than the limit of 4 MiB']);
  });
});

describe('messages never echo huge text', () => {
  it('a long argument in any message is cut to a short prefix', () => {
    const text = spec('n', `conv(8, kernel 3, paddin "${'p'.repeat(10_000)}")\n    gap\n    dense(10)`);
    const c = compileText(text, 't.arch');
    expect(c.diagnostics.length).toBeGreaterThan(0);
    for (const d of c.diagnostics) expect(d.message.length).toBeLessThan(400);
  });
});

describe('garbage stops the lexer and the parser at their error limits', () => {
  it('more than 1000 stray characters: the first 1000, then one error saying reading stopped', () => {
    const codes = parseArch(spec('n', '$ '.repeat(5000)), 't.arch').diagnostics.map((d) => d.code);
    expect(codes.length).toBe(1001);
    expect(codes[1000]).toBe('ARCH1009');
  });
  it('more than 100 syntax errors: the parser gives up instead of recording one per token (which exhausted memory)', () => {
    const r = parseArch(spec('n', 'relu : , '.repeat(20_000)), 't.arch');
    expect(r.value.network).toBeUndefined();
    expect(r.diagnostics.length).toBeLessThanOrEqual(101);
    expect(r.diagnostics.map((d) => d.code)).toContain('ARCH1010');
  });
});
