// Property tests (fast-check): random ASTs print to text that parses back to the same AST (up to spans)
// and prints again identically; and random mutations of valid specs never make the front end throw.

import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { archLexer } from '../../grammar/tokens.ts';
import { printArch } from '../../src/printer/index.ts';
import type * as A from '../../src/syntax/ast.ts';
import { parseArch, sameSyntax, stripSpans } from '../../src/syntax/index.ts';

const S = { start: 0, end: 0 };
const KEYWORDS = new Set(['network', 'input', 'block', 'layers', 'repeat', 'maskable', 'true', 'false']);

const name = fc.oneof(
  fc.constantFrom('conv', 'bn', 'relu', 'width', 'kernel', 'stride', 'sparsify', 'train', 'x', '_a1', 'layersX'),
  fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,5}$/).filter((s) => !KEYWORDS.has(s)),
);
const ident = name.map((n): A.Identifier => ({ kind: 'Identifier', name: n, span: S }));
const numberText = fc.stringMatching(/^(0|[1-9]\d{0,3})(\.\d{1,3})?([eE][+-]?\d{1,2})?$/);
const stringValue = fc.array(fc.constantFrom('a', 'Z', ' ', '"', '\\', '\n', '#', '{', 'é', '$', '`', "'"), { maxLength: 6 }).map((cs) => cs.join(''));

// A type alias, not an interface: fc.letrec's typed overload needs an index-signature-compatible record.
type Arbs = {
  expr: A.Expr;
  exprCall: A.CallExpr;
  arg: A.Arg;
};

const { expr, arg } = fc.letrec<Arbs>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    numberText.map((t): A.Expr => ({ kind: 'Number', value: Number(t), text: t, span: S })),
    stringValue.map((v): A.Expr => ({ kind: 'String', value: v, span: S })),
    fc.boolean().map((v): A.Expr => ({ kind: 'Bool', value: v, span: S })),
    name.map((n): A.Expr => ({ kind: 'Name', name: n, span: S })),
    fc.array(tie('expr'), { maxLength: 3 }).map((items): A.Expr => ({ kind: 'List', items, span: S })),
    tie('exprCall'),
    fc
      .tuple(fc.constantFrom('+', '-', '*', '/') as fc.Arbitrary<A.BinaryExpr['op']>, tie('expr'), tie('expr'))
      .map(([op, left, right]): A.Expr => ({ kind: 'Binary', op, left, right, span: S })),
    tie('expr').map((operand): A.Expr => ({ kind: 'Unary', op: '-', operand, span: S })),
  ),
  // In a value position a call always has parentheses: a bare name is a Name.
  exprCall: fc
    .tuple(ident, fc.array(tie('arg'), { maxLength: 3 }))
    .map(([callee, args]): A.CallExpr => ({ kind: 'Call', callee, args, hasParens: true, span: S })),
  arg: fc.tuple(fc.option(ident, { nil: undefined }), tie('expr')).map(([n, value]): A.Arg => ({ kind: 'Arg', name: n, value, span: S })),
}));

/** A statement-position call: `bn` or `bn()` or `conv(…)`. */
const call = fc
  .tuple(ident, fc.array(arg, { maxLength: 3 }), fc.boolean())
  .map(([callee, args, parens]): A.CallExpr => ({ kind: 'Call', callee, args, hasParens: parens || args.length > 0, span: S }));
const label = fc.option(ident, { nil: undefined });
// `widths {` always opens the widths section (a soft keyword), so no generic section may be named so.
const section = fc
  .tuple(ident.filter((i) => i.name !== 'widths'), fc.array(fc.tuple(ident, expr), { maxLength: 3 }))
  .map(([n, kv]): A.Section => ({ kind: 'Section', name: n, settings: kv.map(([key, value]) => ({ kind: 'Setting', key, value, span: S })), span: S }));

const { stmt } = fc.letrec<{ stmt: A.Statement }>((tie) => ({
  stmt: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc
      .tuple(label, fc.option(fc.array(arg, { maxLength: 2 }), { nil: undefined }), call)
      .map(([l, m, c]): A.Statement => ({ kind: 'Layer', label: l, maskable: m && { kind: 'Maskable', args: m, span: S }, call: c, span: S })),
    fc.tuple(label, expr, call).map(([l, count, c]): A.Statement => ({ kind: 'Repeat', label: l, count, call: c, span: S })),
    section,
    fc.tuple(ident, fc.array(tie('stmt'), { maxLength: 3 })).map(([l, body]): A.Statement => ({ kind: 'Group', label: l, body, span: S })),
  ),
}));

const item: fc.Arbitrary<A.NetworkItem> = fc.oneof(
  call.map((value): A.NetworkItem => ({ kind: 'Input', value, span: S })),
  section,
  fc
    .tuple(ident, fc.array(fc.tuple(ident, fc.option(expr, { nil: undefined })), { maxLength: 3 }), fc.array(stmt, { maxLength: 4 }))
    .map(([n, ps, body]): A.NetworkItem => ({
      kind: 'Block',
      name: n,
      params: ps.map(([pn, d]) => ({ kind: 'Param', name: pn, default: d, span: S })),
      body,
      span: S,
    })),
  fc.array(stmt, { maxLength: 4 }).map((body): A.NetworkItem => ({ kind: 'Layers', body, span: S })),
  fc
    .array(fc.tuple(fc.array(ident, { minLength: 1, maxLength: 3 }), numberText), { maxLength: 4 })
    .map((entries): A.NetworkItem => ({
      kind: 'Widths',
      entries: entries.map(([path, t]) => ({ kind: 'WidthEntry', path, width: { kind: 'Number', value: Number(t), text: t, span: S }, span: S })),
      span: S,
    })),
);

const file = fc
  .tuple(ident, fc.array(item, { maxLength: 5 }))
  .map(([n, items]): A.ArchFile => ({ kind: 'File', network: { kind: 'Network', name: n, items, span: S }, comments: [], span: S }));

const RUNS = Number(process.env['ARCHC_PROPERTY_RUNS'] ?? 300);

describe('round trip over random ASTs', () => {
  it('parse(print(ast)) equals ast up to spans, and printing again changes nothing', () => {
    fc.assert(
      fc.property(file, (ast) => {
        const text = printArch(ast);
        const r = parseArch(text, 'random.arch');
        expect(r.diagnostics.map((d) => d.message), text).toEqual([]);
        expect(stripSpans(r.value.network), text).toEqual(stripSpans(ast.network));
        expect(printArch(r.value, text)).toBe(text);
      }),
      { numRuns: RUNS },
    );
  });
});

/**
 * Re-space a valid text: every blank run between tokens becomes a random blank run (so touching tokens stay
 * touching, which the `k -1` / `k (…)` rules depend on); the line break that ends a comment is kept.
 */
function respace(text: string, choices: number[]): string {
  const lexed = archLexer.tokenize(text);
  const items = [...lexed.tokens, ...(lexed.groups['comments'] ?? [])].sort((a, b) => a.startOffset - b.startOffset);
  const blanks = [' ', '\n', '   ', '\n\n', '\n    ', ' \n '];
  let out = '';
  let at = 0;
  items.forEach((t, i) => {
    const gap = text.slice(at, t.startOffset);
    const afterComment = i > 0 && items[i - 1]!.tokenType.name === 'Comment';
    out += gap === '' || afterComment ? gap : blanks[(choices[i % Math.max(1, choices.length)] ?? 0) % blanks.length];
    out += t.image;
    at = t.startOffset + t.image.length;
  });
  return out + text.slice(at);
}

describe('formatting is stable under any re-spacing', () => {
  const dir = new URL('../syntax/cases/', import.meta.url);
  const seeds = readdirSync(dir)
    .filter((f) => f.endsWith('.arch'))
    .map((f) => readFileSync(new URL(f, dir), 'utf8'));
  const texts = fc.oneof(fc.constantFrom(...seeds), file.map((f) => printArch(f)));

  it('keeps the meaning and prints idempotently', () => {
    fc.assert(
      fc.property(texts, fc.array(fc.nat(), { minLength: 1, maxLength: 40 }), (text, choices) => {
        const spaced = respace(text, choices);
        const r = parseArch(spaced, 'spaced.arch');
        expect(r.diagnostics.map((d) => d.message), spaced).toEqual([]);
        const once = printArch(r.value, spaced);
        const again = parseArch(once, 'spaced.arch');
        expect(again.diagnostics).toEqual([]);
        expect(sameSyntax(r.value, again.value), once).toBe(true);
        expect(printArch(again.value, once), spaced).toBe(once);
        expect(sameSyntax(r.value, parseArch(text, 'seed.arch').value)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('mutated specs never make the front end throw', () => {
  const dir = new URL('../syntax/cases/', import.meta.url);
  const seeds = readdirSync(dir)
    .filter((f) => f.endsWith('.arch'))
    .map((f) => readFileSync(new URL(f, dir), 'utf8'));
  const pieces = ['{', '}', '(', ')', '[', ']', ',', ':', '=', '-', '*', '"', '\\', '#', '\n', ' ', 'repeat', 'maskable', 'layers', 'x', '1e-4', '.', 'widths', 'widths { a.b 3 }', 'é', "'", '`', '${', '*/', '\u0000'];
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 8 }) }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 4 })) }),
    fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), other: fc.nat(), len: fc.integer({ min: 1, max: 6 }) }),
  );
  type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;
  function apply(text: string, m: Mutation): string {
    const at = text.length === 0 ? 0 : m.at % text.length;
    if (m.kind === 'delete') return text.slice(0, at) + text.slice(at + m.len);
    if (m.kind === 'insert') return text.slice(0, at) + m.text + text.slice(at);
    const other = text.length === 0 ? 0 : m.other % text.length;
    const [a, b] = at < other ? [at, other] : [other, at];
    if (a + m.len > b) return text;
    return text.slice(0, a) + text.slice(b, b + m.len) + text.slice(a + m.len, b) + text.slice(a, a + m.len) + text.slice(b + m.len);
  }

  it('parses and prints any mutation; clean results still round-trip', () => {
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 4 }), (seed, ms) => {
        const text = ms.reduce(apply, seed);
        const r = parseArch(text, 'mutant.arch');
        const printed = printArch(r.value, text);
        for (const d of r.diagnostics) {
          expect(d.span.start).toBeGreaterThanOrEqual(0);
          expect(d.span.end).toBeLessThanOrEqual(text.length);
          expect(d.file).toBe('mutant.arch');
        }
        if (r.diagnostics.length === 0) {
          const again = parseArch(printed, 'mutant.arch');
          expect(again.diagnostics).toEqual([]);
          expect(sameSyntax(r.value, again.value)).toBe(true);
          expect(printArch(again.value, printed)).toBe(printed);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('survives arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        const r = parseArch(text, 'noise.arch');
        printArch(r.value, text);
      }),
      { numRuns: RUNS },
    );
  });
});
