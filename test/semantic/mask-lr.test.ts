// The mask learning rate: a number, or `auto` (relative to the planned run length) — the archc default.
import { describe, expect, it } from 'vitest';
import { compileText } from '../../src/semantic/compile.ts';
import { MASK_LR_AUTO, resolveMaskLr } from '../../src/semantic/defaults.ts';

const spec = (maskOpt: string): string => `network m {
  input image(8, 8, 1)
  sparsify { ${maskOpt} }
  train { data synthetic  steps 100 }
  layers { maskable conv(4, kernel 3)  bn  relu  gap  dense(10) }
}
`;

describe('mask learning rate', () => {
  it('defaults to auto in mode archc and to the paper value 0.1 in mode paper', () => {
    expect(compileText(spec('mode archc'), 'm.arch').ir?.sparsify.maskOptimizer.lr).toBe('auto');
    expect(compileText(spec('mode paper'), 'm.arch').ir?.sparsify.maskOptimizer.lr).toBe(0.1);
  });

  it('accepts a number or auto, and names anything else', () => {
    expect(compileText(spec('maskOptimizer sgd(lr 0.05)'), 'm.arch').ir?.sparsify.maskOptimizer.lr).toBe(0.05);
    expect(compileText(spec('mode paper  maskOptimizer sgd(lr auto)'), 'm.arch').ir?.sparsify.maskOptimizer.lr).toBe('auto');
    const bad = compileText(spec('maskOptimizer sgd(lr fast)'), 'm.arch');
    expect(bad.ir).toBeUndefined();
    const d = bad.diagnostics.find((x) => x.code === 'ARCH2019');
    expect(d?.message).toBe("'mask lr' expects a number or 'auto'; got fast");
    expect(bad.source.position(d!.span.start)).toEqual({ line: 3, col: 32 }) // the argument `lr fast`;
  });

  it('resolves auto to drive / planned steps, capped', () => {
    expect(MASK_LR_AUTO.drive).toBe(20);
    expect(resolveMaskLr('auto', 1000)).toBeCloseTo(0.02, 12);
    expect(resolveMaskLr('auto', 200)).toBeCloseTo(0.1, 12);
    expect(resolveMaskLr('auto', 10)).toBe(MASK_LR_AUTO.max);
    expect(resolveMaskLr(0.3, 10)).toBe(0.3);
  });
});
