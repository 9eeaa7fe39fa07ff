// The canonical printer: exact layout on a messy input, idempotence and meaning preservation over every
// fixture and every spec that exists, comment placement, and in-place span edits.

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { printArch, replaceSpans } from '../../src/printer/index.ts';
import type { LayerStmt } from '../../src/syntax/ast.ts';
import { parseArch, sameSyntax } from '../../src/syntax/index.ts';

function archFiles(dir: URL): { name: string; text: string }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.arch'))
    .map((f) => ({ name: f, text: readFileSync(new URL(f, dir), 'utf8') }));
}
const fixtures = archFiles(new URL('../syntax/cases/', import.meta.url));
const specs = archFiles(new URL('../../specs/', import.meta.url));

function fmt(text: string): string {
  const r = parseArch(text, 't.arch');
  expect(r.diagnostics).toEqual([]);
  return printArch(r.value, text);
}

describe('printArch', () => {
  it('lays out a messy file canonically, keeping what the author put on one line together', () => {
    const messy = `network   n{input image( 32,32 , 3 )
sparsify{lambda 0.01 scheduler structurewise( gamma 0.0005,p 0.7 , )}
  block b(w,s=1,){maskable conv(w,kernel 3,stride s)bn relu
 x : { a b } }
layers{ conv( 16 , kernel 3 )  bn  relu   stage1 :repeat 3 b(16)
 maskable(lambda 0.05)dense(10*(2-1),k -1,s (1+2)*3)
   q() } train{ }}`;
    expect(fmt(messy)).toBe(`network n {
  input image(32, 32, 3)
  sparsify { lambda 0.01  scheduler structurewise(gamma 0.0005, p 0.7) }
  block b(w, s = 1) {
    maskable conv(w, kernel 3, stride s)  bn  relu
    x: { a  b }
  }
  layers {
    conv(16, kernel 3)  bn  relu  stage1: repeat 3 b(16)
    maskable(lambda 0.05) dense(10 * (2 - 1), k -1, s (1 + 2) * 3)
    q()
  }
  train {}
}
`);
  });

  it('prints one element per line when the source had one per line', () => {
    expect(fmt('network n {\n  sparsify {\n    lambda 0.01\n    init 0 }\n  layers {\n    a\n    b: { c\n      d }\n  }\n}\n')).toBe(
      'network n {\n  sparsify {\n    lambda 0.01\n    init 0\n  }\n  layers {\n    a\n    b: {\n      c\n      d\n    }\n  }\n}\n',
    );
  });

  it('leaves canonical fixtures unchanged', () => {
    expect(fixtures.length).toBeGreaterThan(2);
    for (const f of fixtures) expect(fmt(f.text), f.name).toBe(f.text);
  });

  it('is idempotent and keeps the meaning of every fixture and spec', () => {
    for (const f of [...fixtures, ...specs]) {
      const r = parseArch(f.text, f.name);
      expect(r.diagnostics, f.name).toEqual([]);
      const once = printArch(r.value, f.text);
      const again = parseArch(once, f.name);
      expect(again.diagnostics, f.name).toEqual([]);
      expect(sameSyntax(r.value, again.value), f.name).toBe(true);
      expect(printArch(again.value, once), f.name).toBe(once);
    }
  });

  it('keeps comments: leading, trailing, end of body, and hoists ones from inside a line', () => {
    const text = `# file
network n { # header
  layers {
    # before conv
    conv(16,   # filters
         kernel 3)  bn  # after bn
    # end of layers
  } # after layers
}
# tail
`;
    expect(fmt(text)).toBe(`# file
network n {  # header
  layers {
    # before conv
    # filters
    conv(16, kernel 3)  bn  # after bn
    # end of layers
  }  # after layers
}
# tail
`);
  });

  it('prints a widths section as a table, one entry per line, with comments in and around it', () => {
    const text = `network n {
  layers { conv(8, kernel 3) }
  # learned widths (archc compaction)
  widths {  stage1 . basic1.conv1   12  lstm1 143  # two on a line
    # before the last

    dense1 0.50 }   # after
  widths {}
}
`;
    const expected = `network n {
  layers { conv(8, kernel 3) }
  # learned widths (archc compaction)
  widths {
    stage1.basic1.conv1 12
    lstm1 143  # two on a line
    # before the last

    dense1 0.50
  }  # after
  widths {}
}
`;
    expect(fmt(text)).toBe(expected);
    expect(fmt(expected)).toBe(expected);
    // A one-line widths section still opens up: the table is read (and diffed) row by row.
    expect(fmt('network n {\n  widths { a.b 1  c 2 }\n}\n')).toBe('network n {\n  widths {\n    a.b 1\n    c 2\n  }\n}\n');
    // Without the source, the same table.
    expect(printArch(parseArch(text, 't').value)).toContain('  widths {\n    stage1.basic1.conv1 12\n    lstm1 143\n');
  });

  it('keeps single blank lines between elements and drops them at body edges', () => {
    expect(fmt('network n {\n\n  input x\n\n\n\n  layers {\n\n    a\n\n    b\n\n  }\n\n}\n')).toBe('network n {\n  input x\n\n  layers {\n    a\n\n    b\n  }\n}\n');
  });

  it('prints without the source: comments become leading lines', () => {
    const text = 'network n { layers { a # x\n } }';
    const r = parseArch(text, 't');
    expect(printArch(r.value)).toBe('network n {\n  layers {\n    a\n    # x\n  }\n}\n');
  });

  it('re-escapes strings and keeps number text', () => {
    expect(fmt('network n { train { data x("a\\"b\\\\c\\nd") lr 1e-4 w 0.50 } }')).toBe(
      'network n {\n  train { data x("a\\"b\\\\c\\nd")  lr 1e-4  w 0.50 }\n}\n',
    );
  });

  it('never throws on a file without a network', () => {
    const r = parseArch('# just this\n', 't');
    expect(printArch(r.value, '# just this\n')).toBe('# just this\n');
  });
});

describe('replaceSpans', () => {
  it('rewrites only the given spans (e.g. widths) and leaves everything else byte for byte', () => {
    const text = 'network n {\n  layers {\n    conv(64,   kernel 3)  # keep my spacing\n    dense(10)\n  }\n}\n';
    const body = (parseArch(text, 't').value.network!.items[0] as { body: LayerStmt[] }).body;
    const edits = body.map((s, i) => ({ span: s.call.args[0]!.value.span, newText: i === 0 ? '17' : '10' }));
    expect(replaceSpans(text, edits)).toBe(text.replace('conv(64,', 'conv(17,'));
  });

  it('accepts edits in any order and refuses overlaps', () => {
    expect(replaceSpans('abcdef', [{ span: { start: 4, end: 5 }, newText: 'E' }, { span: { start: 0, end: 1 }, newText: 'AA' }])).toBe('AAbcdEf');
    expect(() => replaceSpans('abcdef', [{ span: { start: 0, end: 3 }, newText: '' }, { span: { start: 2, end: 4 }, newText: '' }])).toThrow();
  });
});
