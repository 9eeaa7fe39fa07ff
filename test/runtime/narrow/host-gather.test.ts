// The host-side multi-axis gather and its adjoint: values at the chosen positions, the scatter puts them back with
// zeros elsewhere, ⟨gather(x), y⟩ = ⟨x, scatter(y)⟩ (which makes it the gradient), and a bad index is an error.

import { describe, expect, it } from 'vitest';
import { gatherAxes, gatherAxesCached, scatterAxes, scatterAxesCached } from '../../../src/runtime/narrow/host-gather.ts';

const x = { shape: [2, 3, 4], data: Float32Array.from({ length: 24 }, (_, i) => i) };

describe('host gather/scatter', () => {
  it('gathers along several axes at once', () => {
    const g = gatherAxes(x, [null, [0, 2], [1, 3]]);
    expect(g.shape).toEqual([2, 2, 2]);
    expect(Array.from(g.data)).toEqual([1, 3, 9, 11, 13, 15, 21, 23]);
  });
  it('scatters back into zeros and is the adjoint of the gather', () => {
    const idx = [[1], [0, 2], null];
    const y = { shape: [1, 2, 4], data: Float32Array.from({ length: 8 }, (_, i) => i + 1) };
    const s = scatterAxes(y, idx, x.shape);
    expect(s.shape).toEqual([2, 3, 4]);
    expect(Array.from(s.data.slice(0, 12))).toEqual(new Array(12).fill(0));
    expect(Array.from(s.data.slice(12, 16))).toEqual([1, 2, 3, 4]);
    expect(Array.from(s.data.slice(20, 24))).toEqual([5, 6, 7, 8]);
    const g = gatherAxes(x, idx);
    const dot = (a: Float32Array, b: Float32Array) => a.reduce((t, v, i) => t + v * b[i]!, 0);
    expect(dot(g.data, y.data)).toBe(dot(x.data, s.data));
  });
  it('rejects an index outside its axis', () => {
    expect(() => gatherAxes(x, [null, [3], null])).toThrow('slice index 3 outside axis 1 of [2,3,4]');
  });
  it('the cached index maps give the same gather and scatter, twice (cache hit) and for another selection', () => {
    for (const idx of [[null, [0, 2], [1, 3]], [[1], null, [0, 2, 3]], [null, [0, 2], [1, 3]]]) {
      const g = gatherAxesCached(x, idx);
      expect(g).toEqual(gatherAxes(x, idx));
      expect(scatterAxesCached(g, idx, x.shape)).toEqual(scatterAxes(g, idx, x.shape));
    }
    expect(() => gatherAxesCached(x, [null, [3], null])).toThrow('slice index 3 outside axis 1 of [2,3,4]');
  });
});
