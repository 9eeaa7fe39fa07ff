// Diagnostics that used to mislead (issue 15): each case gets one error, on the right token, saying what is wrong
// and what to write instead: a block parameter that hides a keyword value, a label that takes a later layer's
// automatic name, an embedding after an image input, and a deeply nested block whose call sites are listed.

import { describe, expect, it } from 'vitest';
import { renderDiagnostics } from '../../src/diagnostics/index.ts';
import { codes, compile, messages, net } from './helpers.ts';

describe('a block parameter named like a keyword value', () => {
  it("'same' is reported on the parameter, not on the correct 'padding same' inside the block", () => {
    const src = net({ blocks: 'block b(w, same = 3) { conv(w, kernel 3, padding same) }', layers: 'b(8)\ngap\ndense(10)' });
    expect(codes(src)).toEqual(['5:14 ARCH2026']);
    expect(messages(src)[0]).toBe("ARCH2026 parameter 'same' of block 'b' hides the word 'same' (as in 'padding same'): rename the parameter");
  });
  it("'shortcut' is reported even when the block never uses the word", () => {
    const src = net({ blocks: 'block r(w, shortcut = 2) { conv(w, kernel 3) bn relu }', layers: 'r(3)\ngap\ndense(10)' });
    expect(codes(src)).toEqual(['5:14 ARCH2026']);
    expect(messages(src)[0]).toContain("(as in 'add(shortcut)')");
  });
  it('other parameter names are fine', () => {
    expect(codes(net({ blocks: 'block b(width, pad = 1) { conv(width, kernel 3, padding same) }', layers: 'b(8)\ngap\ndense(10)' }))).toEqual([]);
  });
});

describe('a label equal to an automatic name', () => {
  it('a label taken by a later unlabelled layer is reported on the label, saying the name is automatic', () => {
    const src = net({ layers: 'conv1: conv(8, kernel 3)\nconv(8, kernel 3)\ngap\ndense(10)' });
    expect(codes(src)).toEqual(['7:5 ARCH2027']);
    expect(messages(src)[0]).toBe(
      "ARCH2027 label 'conv1' is also the automatic name of an unlabelled 'conv' (automatic names are the kind and a count): choose another label, or label that layer too",
    );
    const c = compile(src);
    expect(c.diagnostics[0]!.related.map((r) => [r.message, c.source.position(r.span.start)])).toEqual([
      ["the unlabelled 'conv' that is named 'conv1' automatically", { line: 8, col: 5 }],
    ]);
  });
  it('a label that repeats an earlier automatic name is reported on the label too', () => {
    const src = net({ layers: 'conv(8, kernel 3)\nconv1: conv(8, kernel 3)\ngap\ndense(10)' });
    expect(codes(src)).toEqual(['8:5 ARCH2027']);
    const c = compile(src);
    expect(c.diagnostics[0]!.message).toContain("automatic name of an unlabelled 'conv'");
    expect(c.diagnostics[0]!.related.map((r) => c.source.position(r.span.start))).toEqual([{ line: 7, col: 5 }]);
  });
  it('two equal labels keep the plain duplicate-name error', () => {
    expect(codes(net({ layers: 'x: conv(16, kernel 3)\nx: relu\ngap\ndense(10)' }))).toEqual(['8:5 ARCH2008']);
  });
});

describe('embedding on an image input', () => {
  it('says an embedding needs a tokens input instead of suggesting flatten or gap', () => {
    const [m] = messages(net({ input: 'image(8, 8, 1)', layers: 'embedding(16)\ngap\ndense(10)' }));
    expect(m).toMatch(/^ARCH3009 'embedding' needs token ids from a tokens\(\.\.\.\) input; got a feature map \[8,8,1\]/);
    expect(m).not.toMatch(/flatten|gap/);
    expect(m).toContain('input tokens(vocab V, seq T)');
  });
});

describe('blocks nested beyond the limit', () => {
  it('list a few call sites and how many more, not one line per level', () => {
    const blocks = Array.from({ length: 70 }, (_, i) => `block b${i}() { ${i === 69 ? 'relu' : `b${i + 1}()`} }`).join('  ');
    const c = compile(net({ blocks, layers: 'b0()\ngap\ndense(10)' }));
    expect(c.diagnostics.map((d) => d.code)).toEqual(['ARCH5007']);
    const text = renderDiagnostics(c.diagnostics, c.source);
    const sites = text.split('\n').filter((l) => l.includes('instantiated here'));
    expect(sites.length).toBeLessThanOrEqual(6);
    expect(text).toMatch(/… and 5\d more/);
    // The outermost site (the call in `layers`, line 7) is among those shown.
    expect(text).toContain("t.arch(7,5): in block 'b0' instantiated here");
  });
});
