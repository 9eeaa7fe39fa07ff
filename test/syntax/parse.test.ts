// Parsing .arch text to the AST: shapes, spans, and diagnostics with exact positions.

import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SourceText } from '../../src/diagnostics/index.ts';
import type { Arg, BlockDecl, CallExpr, Expr, LayerStmt, Section, Statement, WidthEntry, WidthsSection } from '../../src/syntax/ast.ts';
import { parseArch, stripSpans } from '../../src/syntax/index.ts';

const CASES = new URL('./cases/', import.meta.url);

/** `line:col CODE message` for each diagnostic. */
function errors(text: string): string[] {
  const src = new SourceText('t.arch', text);
  return parseArch(text, 't.arch').diagnostics.map((d) => {
    const p = src.position(d.span.start);
    return `${p.line}:${p.col} ${d.code} ${d.message}`;
  });
}

function layers(text: string): Statement[] {
  const r = parseArch(`network n {\n  layers {\n${text}\n  }\n}\n`, 't.arch');
  expect(r.diagnostics).toEqual([]);
  const l = r.value.network!.items.find((i) => i.kind === 'Layers');
  return l && l.kind === 'Layers' ? l.body : [];
}

function firstCall(text: string): CallExpr {
  const s = layers(text)[0] as LayerStmt;
  return s.call;
}

function slice(text: string, span: { start: number; end: number }): string {
  return text.slice(span.start, span.end);
}

describe('parseArch: valid input', () => {
  it('parses every fixture without diagnostics', () => {
    const files = readdirSync(CASES).filter((f) => f.endsWith('.arch'));
    expect(files.length).toBeGreaterThan(2);
    for (const f of files) {
      const r = parseArch(readFileSync(new URL(f, CASES), 'utf8'), f);
      expect(r.diagnostics, f).toEqual([]);
      expect(r.value.network, f).toBeDefined();
    }
  });

  it('splits `conv(16, kernel 3) bn relu` into three statements', () => {
    const body = layers('conv(16, kernel 3)  bn  relu');
    expect(body.map((s) => (s.kind === 'Layer' ? `${s.call.callee.name}/${s.call.hasParens}` : s.kind))).toEqual([
      'conv/true',
      'bn/false',
      'relu/false',
    ]);
  });

  it('tells named from positional arguments', () => {
    const call = firstCall('conv(width, kernel 3, stride stride, width - 1, crop(4), at [1, 2], k -1, s (a + 1) * 2, w * 2)');
    const show = (a: Arg): string => `${a.name?.name ?? '_'}=${a.value.kind}`;
    expect(call.args.map(show)).toEqual(['_=Name', 'kernel=Number', 'stride=Name', '_=Binary', '_=Call', 'at=List', 'k=Unary', 's=Binary', '_=Binary']);
  });

  it('parses labels, groups, repeat, maskable overrides and section overrides', () => {
    const body = layers('a: repeat 3 basic(16)\nb: { x  y }\nc: maskable(lambda 0.05) conv(8)\nsparsify { lambda 0.2 }\nmaskable dense(4)');
    expect(body.map((s) => s.kind)).toEqual(['Repeat', 'Group', 'Layer', 'Section', 'Layer']);
    const c = body[2] as LayerStmt;
    expect(c.label?.name).toBe('c');
    expect(c.maskable?.args[0]?.name?.name).toBe('lambda');
    expect((body[4] as LayerStmt).maskable?.args).toEqual([]);
  });

  it('builds left-associative arithmetic with the usual precedence', () => {
    const call = firstCall('f(1 - 2 - 3 * 4 / 5, -x * 2, (1 + 2) * 3)');
    const show = (e: Expr): string =>
      e.kind === 'Binary' ? `(${show(e.left)} ${e.op} ${show(e.right)})` : e.kind === 'Unary' ? `(-${show(e.operand)})` : e.kind === 'Number' ? e.text : e.kind === 'Name' ? e.name : e.kind;
    expect(call.args.map((a) => show(a.value))).toEqual(['((1 - 2) - ((3 * 4) / 5))', '((-x) * 2)', '((1 + 2) * 3)']);
  });

  it('keeps number text and decodes strings', () => {
    const call = firstCall('f(1e-4, 0.50, "a\\"b\\\\c\\nd")');
    expect(stripSpans(call.args.map((a) => a.value))).toEqual([
      { kind: 'Number', value: 1e-4, text: '1e-4' },
      { kind: 'Number', value: 0.5, text: '0.50' },
      { kind: 'String', value: 'a"b\\c\nd' },
    ]);
  });

  it('gives identifiers, arguments and statements exact spans', () => {
    const text = 'network n {\n  layers {\n    s1: maskable conv(16, kernel 5)  bn\n  }\n}\n';
    const body = (parseArch(text, 't').value.network!.items[0] as { body: Statement[] }).body;
    const conv = body[0] as LayerStmt;
    const kernel = conv.call.args[1]!;
    expect(slice(text, kernel.name!.span)).toBe('kernel');
    expect(slice(text, kernel.span)).toBe('kernel 5');
    expect(slice(text, kernel.value.span)).toBe('5');
    expect(slice(text, conv.call.callee.span)).toBe('conv');
    expect(slice(text, conv.call.span)).toBe('conv(16, kernel 5)');
    expect(slice(text, conv.maskable!.span)).toBe('maskable');
    expect(slice(text, conv.span)).toBe('s1: maskable conv(16, kernel 5)');
    expect(slice(text, body[1]!.span)).toBe('bn');
  });

  it('parses a widths section: dotted paths with a span per segment, widths with their text', () => {
    const text = 'network n {\n  layers { conv(8, kernel 3) }\n  widths {\n    stage1.basic2.conv1 12\n    lstm1 1e2\n  }\n}\n';
    const r = parseArch(text, 't');
    expect(r.diagnostics).toEqual([]);
    const w = r.value.network!.items[1] as WidthsSection;
    expect(w.kind).toBe('Widths');
    expect(slice(text, w.span)).toBe('widths {\n    stage1.basic2.conv1 12\n    lstm1 1e2\n  }');
    const [a, b] = w.entries as [WidthEntry, WidthEntry];
    expect(a.path.map((p) => [p.name, slice(text, p.span)])).toEqual([
      ['stage1', 'stage1'],
      ['basic2', 'basic2'],
      ['conv1', 'conv1'],
    ]);
    expect(slice(text, a.span)).toBe('stage1.basic2.conv1 12');
    expect(stripSpans(a.width)).toEqual({ kind: 'Number', value: 12, text: '12' });
    expect(b.path.map((p) => p.name)).toEqual(['lstm1']);
    expect(stripSpans(b.width)).toEqual({ kind: 'Number', value: 100, text: '1e2' });
    expect(slice(text, b.span)).toBe('lstm1 1e2');
  });

  it("keeps 'widths' usable as a name everywhere but at the head of a network item", () => {
    const text = 'network widths {\n  block widths(widths) { widths: conv(widths, kernel widths)  widths {} }\n  train { widths 3 }\n  widths {}\n}\n';
    const r = parseArch(text, 't');
    expect(r.diagnostics).toEqual([]);
    const net = r.value.network!;
    expect(net.name.name).toBe('widths');
    expect(net.items.map((i) => i.kind)).toEqual(['Block', 'Section', 'Widths']);
    const block = net.items[0] as BlockDecl;
    expect(block.params.map((p) => p.name.name)).toEqual(['widths']);
    const layer = block.body[0] as LayerStmt;
    expect(layer.label?.name).toBe('widths');
    expect(layer.call.args.map((a) => `${a.name?.name ?? '_'}=${a.value.kind}`)).toEqual(['_=Name', 'kernel=Name']);
    // Inside a body `widths { }` is an ordinary section (the checker says it is not allowed there).
    expect(block.body[1]!.kind).toBe('Section');
    expect((net.items[1] as Section).settings[0]!.key.name).toBe('widths');
    expect(layers('conv(widths 3)').map((s) => (s as LayerStmt).call.args[0]!.name?.name)).toEqual(['widths']);
  });

  it('records comments with their text and spans', () => {
    const text = '# top\nnetwork n { # hdr\n}\n';
    const r = parseArch(text, 't');
    expect(r.value.comments.map((c) => [c.text, slice(text, c.span)])).toEqual([
      [' top', '# top'],
      [' hdr', '# hdr'],
    ]);
  });

  it('sets the file on every diagnostic', () => {
    const r = parseArch('network {', 'some/file.arch');
    expect(r.diagnostics.length).toBeGreaterThan(0);
    for (const d of r.diagnostics) expect(d.file).toBe('some/file.arch');
  });
});

describe('parseArch: errors', () => {
  it('explains a missing closing parenthesis', () => {
    expect(errors('network n {\n  layers {\n    conv(16, kernel 3 {\n  }\n}\n')).toEqual([
      "3:23 ARCH1003 expected ',' or ')' after arguments of 'conv' but found '{'",
    ]);
  });

  it('reports an unterminated string once', () => {
    expect(errors('network n {\n  train { data x("abc) }\n}\n')).toEqual(['2:18 ARCH1002 unterminated string literal']);
  });

  it('reports non-ASCII identifiers, stray quotes and odd characters', () => {
    expect(errors("network néta {\n  layers { conv(16) 'x' $ }\n}\n")).toEqual([
      "1:9 ARCH1004 identifiers may contain only ASCII letters, digits and '_', but 'néta' contains 'é'",
      "2:21 ARCH1006 unexpected character ''': strings use double quotes (\"…\")",
      "2:23 ARCH1006 unexpected character ''': strings use double quotes (\"…\")",
      "2:25 ARCH1001 unexpected character '$'",
    ]);
  });

  it('reports unknown string escapes', () => {
    expect(errors('network n {\n  train { data x("a\\tb") }\n}\n')).toEqual(["2:20 ARCH1005 unknown escape sequence '\\t' in string (use \\\", \\\\ or \\n)"]);
  });

  it('reports a missing closing brace at the end of the text, naming the body', () => {
    expect(errors('network n {\n  layers {\n    bn\n')).toEqual(["3:7 ARCH1003 expected '}' to close 'layers' opened at 2:10 but found end of file"]);
  });

  it('recovers and reports several errors in one run', () => {
    const text = ['network n {', '  block b(a b) { x }', '  layers {', '    conv(16, [1 2])', '  }', '  train { lr 0.1 ) }', '}', ''].join('\n');
    expect(errors(text)).toEqual([
      "2:13 ARCH1003 expected ',' or ')' after parameters of block 'b' but found 'b'",
      "4:17 ARCH1003 expected ',' or ']' but found '2'",
      "6:18 ARCH1003 expected '}' to close 'train' opened at 6:9 but found ')'",
    ]);
  });

  it('keeps the well-formed parts of a file around an error', () => {
    const r = parseArch('network n {\n  input image(1, 1, 1)\n  layers { conv(16 kernel 3) bn }\n  train { epochs 3 }\n}\n', 't');
    expect(r.diagnostics.length).toBeGreaterThan(0);
    expect(r.value.network!.items.map((i) => i.kind)).toEqual(['Input', 'Layers', 'Section']);
  });

  it('reports malformed width entries and drops exactly the incomplete ones', () => {
    const entries = (text: string): string[] => {
      const w = parseArch(text, 't').value.network?.items.find((i) => i.kind === 'Widths') as WidthsSection | undefined;
      return w ? w.entries.map((e) => `${e.path.map((p) => p.name).join('.')}=${e.width.text}`) : [];
    };
    const net = (body: string): string => `network n {\n  widths {\n    ${body}\n  }\n}\n`;
    expect(errors(net('a.b\n    c.d 3'))).toEqual(["4:5 ARCH1003 expected number but found 'c'"]);
    expect(entries(net('a.b\n    c.d 3'))).toEqual(['c.d=3']);
    expect(errors(net('a. 3\n    b 4'))).toEqual(["3:8 ARCH1003 expected identifier but found '3'"]);
    expect(entries(net('a. 3\n    b 4'))).toEqual(['b=4']);
    expect(errors(net('a.1 3'))).toEqual(["3:7 ARCH1003 expected identifier but found '1'"]);
    expect(entries(net('a.1 3'))).toEqual([]);
    expect(errors(net('a "x"'))).toEqual([`3:7 ARCH1003 expected number but found '"x"'`]);
    expect(errors(net('a -3'))).toEqual(["3:7 ARCH1003 expected number but found '-'"]);
    expect(errors(net('.a 3'))).toEqual(["3:5 ARCH1003 expected '}' to close 'widths' opened at 2:10 but found '.'"]);
    // `.5` was never a number (it used to be a lexing error): now a '.' the parser does not expect.
    expect(errors('network n {\n  layers { conv(.5) }\n}\n')).toEqual(["2:17 ARCH1003 expected ')' after arguments of 'conv' but found '.'"]);
  });

  it('refuses nesting too deep to parse or print safely, without throwing', () => {
    for (const value of ['('.repeat(5000) + '1' + ')'.repeat(5000), '-'.repeat(5000) + '1', '1' + '+1'.repeat(5000)]) {
      const r = parseArch(`network n {\n  train { x ${value} }\n}\n`, 't');
      expect(r.diagnostics.map((d) => d.code)).toEqual(['ARCH1007']);
      expect(r.value.network).toBeUndefined();
    }
  });

  it('returns an AST without a network for text that has none', () => {
    for (const text of ['', '# only a comment\n', '}}}', 'layers { }']) {
      const r = parseArch(text, 't');
      expect(r.value.kind).toBe('File');
      expect(r.diagnostics.length, JSON.stringify(text)).toBeGreaterThan(0);
    }
  });
});

describe('a pair written in parentheses (issue 15)', () => {
  it('`kernel (1, 3)` gets one error, on the comma, with the list to write instead', () => {
    const text = 'network n {\n  input image(8, 8, 1)\n  layers {\n    conv(8, kernel (1, 3))\n    gap\n    dense(10)\n  }\n}\n';
    expect(errors(text)).toEqual(["4:22 ARCH1003 a value in parentheses is one number; write a pair as a list: kernel [1, 3]"]);
  });
  it('a positional pair and a longer tuple get the same hint', () => {
    const text = 'network n {\n  input image(8, 8, 1)\n  layers {\n    maxpool((2, 2), stride 2)\n    conv(8, kernel (1,3,5), stride 1)\n  }\n}\n';
    expect(errors(text)).toEqual([
      '4:15 ARCH1003 a value in parentheses is one number; write a pair as a list: [2, 2]',
      '5:22 ARCH1003 a value in parentheses is one number; write a pair as a list: kernel [1,3,5]',
    ]);
  });
});
