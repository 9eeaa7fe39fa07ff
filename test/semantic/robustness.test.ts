// No input makes the checker throw: mutated specs (numbers replaced by extreme values, names swapped,
// lines deleted or duplicated) always come back as diagnostics, and a missing IR always has an error.

import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasErrors } from '../../src/diagnostics/index.ts';
import { compileText } from '../../src/semantic/compile.ts';

const SPECS = new URL('../../specs/', import.meta.url).pathname;
const texts = readdirSync(SPECS)
  .filter((f) => f.endsWith('.arch') && !/resnet50|resnet56|wrn/.test(f)) // the big ones only slow the fuzzer
  .map((f) => readFileSync(`${SPECS}${f}`, 'utf8'))
  // A spec with a widths section, so that mutated override tables are fuzzed too.
  .concat(readFileSync(new URL('../syntax/cases/widths.arch', import.meta.url), 'utf8'));

const NUMBERS = ['0', '-1', '1', '2', '3.5', '1e9', '65537', '100000000', '0.5'];
const WORDS = ['conv', 'dwconv', 'bn', 'lstm', 'dense', 'add', 'concat', 'gap', 'flatten', 'embedding', 'maxpool', 'repeat', 'basic', 'width', 'stride', 'maskable', 'shortcut', 'projection', 'valid', 'x'];

type Mutation = { kind: 'number' | 'word' | 'dropLine' | 'dupLine'; at: number; pick: number };

function mutate(text: string, ms: Mutation[]): string {
  let t = text;
  for (const m of ms) {
    if (m.kind === 'number' || m.kind === 'word') {
      const re = m.kind === 'number' ? /\b\d+(\.\d+)?(e-?\d+)?\b/g : /\b[a-z][A-Za-z0-9_]*\b/g;
      const hits = [...t.matchAll(re)];
      if (hits.length === 0) continue;
      const h = hits[m.at % hits.length]!;
      const rep = m.kind === 'number' ? NUMBERS[m.pick % NUMBERS.length]! : WORDS[m.pick % WORDS.length]!;
      t = t.slice(0, h.index) + rep + t.slice(h.index! + h[0].length);
    } else {
      const lines = t.split('\n');
      const i = m.at % lines.length;
      if (m.kind === 'dropLine') lines.splice(i, 1);
      else lines.splice(i, 0, lines[i]!);
      t = lines.join('\n');
    }
  }
  return t;
}

describe('checker robustness', () => {
  it('never throws on mutated specs', () => {
    const mutation = fc.record({
      kind: fc.constantFrom('number' as const, 'word' as const, 'dropLine' as const, 'dupLine' as const),
      at: fc.nat(10_000),
      pick: fc.nat(1000),
    });
    fc.assert(
      fc.property(fc.nat(texts.length - 1), fc.array(mutation, { minLength: 1, maxLength: 4 }), (i, ms) => {
        const c = compileText(mutate(texts[i]!, ms), 'm.arch');
        if (!c.ir) expect(hasErrors(c.diagnostics)).toBe(true);
      }),
      { numRuns: 300, seed: 42 },
    );
  });
});
