// Budget settings in the language (README "Budget targets"): `target macs 40%`, counts with k/M/G suffixes and
// `tolerance 2%` resolve into the IR's budget as fractions of the dense network; malformed ones are diagnostics on
// their setting with line and column; the printer keeps the written form.
import { describe, expect, it } from 'vitest';
import { renderDiagnostics } from '../../src/diagnostics/index.ts';
import { printArch } from '../../src/printer/index.ts';
import { compileText } from '../../src/semantic/compile.ts';
import { parseArch } from '../../src/syntax/index.ts';

const spec = (sparsify: string) => `network b {
  input image(16, 16, 1)
  sparsify { ${sparsify} }
  train { data synthetic  steps 20 }
  layers {
    maskable conv(8, kernel 3)  bn  relu
    maxpool
    maskable conv(16, kernel 3)  bn  relu
    flatten
    dense(10)
  }
}
`;
const errors = (sparsify: string): string => {
  const c = compileText(spec(sparsify), 'b.arch');
  return renderDiagnostics(c.diagnostics, c.source);
};

describe('budget settings', () => {
  it('resolves percents and suffixed counts against the dense network', () => {
    const dense = compileText(spec('mode archc'), 'b.arch').ir!;
    expect(dense.budget).toBeUndefined();
    const pct = compileText(spec('target macs 40%'), 'b.arch').ir!;
    expect(pct.budget).toEqual({ metric: 'macs', fraction: 0.4, tolerance: 0.02, written: '40%' });
    const count = compileText(spec('target params 5.8k  tolerance 1.5%'), 'b.arch').ir!;
    expect(count.budget).toEqual({ metric: 'params', fraction: 5800 / dense.params, tolerance: 0.015, written: '5.8k' });
    const big = compileText(spec('target macs 0.05M'), 'b.arch').ir!;
    expect(big.budget?.fraction).toBeCloseTo(50_000 / dense.macs, 12);
  });

  it('reports malformed targets on the setting, with line and column', () => {
    expect(errors('target 40%')).toMatch(/^b\.arch\(3,14\): error ARCH4015: 'target' needs what to budget and how much: write 'target macs 40%', 'target macs 150M' or 'target params 1\.2M'; got '40%'/);
    expect(errors('target flops 40%')).toContain("got 'flops 40%'");
    expect(errors('target macs 0%')).toMatch(/ARCH4001: target macs must be in \(0%, 100%\] of the dense network; got 0%/);
    expect(errors('target macs 2G')).toMatch(/^b\.arch\(3,14\): error ARCH4001: target macs must be at most the dense network's \S+ MACs; got 2G/);
    expect(errors('target macs 40%  tolerance 60%')).toMatch(/ARCH4019: 'tolerance' is in percentage points .*; got 60%/);
    expect(errors('tolerance 2%')).toMatch(/ARCH4017: 'tolerance' contradicts/);
    // A percent is only a budget's unit.
    expect(errors('lambda 4%')).toMatch(/^b\.arch\(3,21\): error ARCH2019: 'lambda' expects a number; got 4%/);
  });

  it('prints `target macs 40%` back as written; a word before a non-number is still the value', () => {
    const text = spec('target macs 40%  tolerance 2%');
    const p = parseArch(text, 'b.arch');
    expect(p.diagnostics).toEqual([]);
    expect(printArch(p.value!, text)).toContain('sparsify { target macs 40%  tolerance 2% }');
    // `mode paper  gradient ste` keeps its meaning: a qualifier needs a number after it.
    const q = parseArch(spec('mode paper  gradient ste'), 'b.arch');
    expect(q.diagnostics).toEqual([]);
    expect(compileText(spec('mode paper  gradient ste'), 'b.arch').ir!.sparsify).toMatchObject({ mode: 'paper', gradient: 'ste' });
  });
});
