// Symbolic shape and counting rules (after tfjs-layers' "Symbolic" conv tests): pure functions, no tensors.

import { describe, expect, it } from 'vitest';
import * as S from '../../src/semantic/shapes.ts';
import { projectionStride } from '../../src/semantic/expand.ts';
import { editDistance, didYouMean } from '../../src/semantic/values.ts';

describe('convOutputLength', () => {
  it.each([
    [32, 3, 1, 'same', 32],
    [32, 3, 2, 'same', 16],
    [33, 3, 2, 'same', 17],
    [224, 7, 2, 'same', 112],
    [32, 3, 1, 'valid', 30],
    [32, 3, 2, 'valid', 15],
    [28, 2, 2, 'valid', 14],
    [7, 7, 1, 'valid', 1],
  ] as const)('in %i kernel %i stride %i %s → %i', (inp, k, s, pad, out) => {
    expect(S.convOutputLength(inp, k, s, pad)).toBe(out);
  });
});

describe('symbolic layer shapes', () => {
  it('conv2d keeps H, W with same padding and sets the channels', () => {
    expect(S.conv2dShape([32, 32, 3], 16, [3, 3], [1, 1], 'same')).toEqual([32, 32, 16]);
    expect(S.conv2dShape([32, 32, 16], 32, [3, 3], [2, 2], 'same')).toEqual([16, 16, 32]);
    expect(S.conv2dShape([10, 12, 4], 8, [3, 5], [1, 1], 'valid')).toEqual([8, 8, 8]);
  });
  it('pooling keeps channels', () => {
    expect(S.poolShape([28, 28, 32], [2, 2], [2, 2], 'valid')).toEqual([14, 14, 32]);
    expect(S.poolShape([112, 112, 64], [3, 3], [2, 2], 'same')).toEqual([56, 56, 64]);
  });
  it('projection shortcut strides map the block input onto the branch output', () => {
    expect(projectionStride([32, 32, 16], [16, 16, 32])).toEqual([2, 2]);
    expect(projectionStride([28, 28, 16], [14, 14, 32])).toEqual([2, 2]);
    expect(projectionStride([7, 7, 16], [4, 4, 32])).toEqual([2, 2]);
    expect(projectionStride([56, 56, 64], [56, 56, 256])).toEqual([1, 1]);
    expect(projectionStride([16, 16, 8], [32, 32, 8])).toBeUndefined();
    expect(projectionStride([30, 30, 8], [7, 7, 8])).toBeUndefined();
  });
});

describe('counting convention', () => {
  it('conv: kh·kw·Cin/groups·Cout (+bias), MACs Hout·Wout·Cout·kh·kw·Cin/groups', () => {
    expect(S.convParams(16, 32, [3, 3], 1, false)).toBe(4608);
    expect(S.convParams(16, 32, [3, 3], 1, true)).toBe(4640);
    expect(S.convParams(32, 32, [3, 3], 32, false)).toBe(288); // depthwise
    expect(S.convMacs([16, 16, 32], 16, [3, 3], 1)).toBe(16 * 16 * 32 * 9 * 16);
  });
  it('LSTM: 4·(in·h + h·h + h) params, 4·(in·h + h·h) MACs per step', () => {
    expect(S.lstmParams(1500, 1500)).toBe(18_006_000);
    expect(S.lstmMacsPerStep(1500, 1500)).toBe(18_000_000);
  });
  it('dense, BN, embedding', () => {
    expect(S.denseParams(64, 10, true)).toBe(650);
    expect(S.denseMacs(1500, 10000, 35)).toBe(525_000_000);
    expect(S.bnParams(64)).toBe(128);
    expect(S.embeddingParams(10000, 1500)).toBe(15_000_000);
  });
});

describe('suggestions', () => {
  it('counts a transposition as one edit', () => {
    expect(editDistance('widht', 'width')).toBe(1);
    expect(editDistance('convv', 'conv')).toBe(1);
    expect(didYouMean('convv', ['conv', 'dense'])).toBe("; did you mean 'conv'?");
    expect(didYouMean('xyz', ['conv', 'dense'])).toBe('');
  });
});
