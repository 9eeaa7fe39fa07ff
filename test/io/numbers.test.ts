// `grouped` replaces `toLocaleString('en-US')` in every message (it loads ICU data: 16–24 ms of `archc check`'s
// startup), so it must write exactly what that wrote; `human` is the short form next to it.

import { describe, expect, it } from 'vitest';
import { grouped, human } from '../../src/io/numbers.ts';

describe('grouped', () => {
  it('writes integers and decimals exactly as toLocaleString("en-US") does', () => {
    const xs = [0, 1, -1, 12, 999, 1000, -1000, 29_178, 1_234_567, 40_813_184, 100_000, 1e15, 1.5, 1234.5678, -1234.5, 0.1, 10.0005, 999.9999, 0.0004, -0.0004];
    for (const x of xs) expect(grouped(x), String(x)).toBe(x.toLocaleString('en-US'));
  });
  it('leaves non-finite values as String() writes them', () => {
    expect([NaN, Infinity, -Infinity].map(grouped)).toEqual(['NaN', 'Infinity', '-Infinity']);
  });
});

describe('human', () => {
  it('keeps three significant digits with a k/M/G suffix', () => {
    expect([999, 29_178, 272_474, 40_813_184, 1.2e9].map(human)).toEqual(['999', '29.2k', '0.272M', '40.8M', '1.20G']);
  });
});
