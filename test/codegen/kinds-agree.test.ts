// A generated module must compute what the runtime's interpreter computes: where a layer applies its own output
// mask (BN folds it into γ and β), both halves of the kind's entry must say so, or the mask would be applied twice
// or not at all.

import { describe, expect, it } from 'vitest';
import { TS_KINDS } from '../../src/codegen/kinds.ts';
import { RUNTIME_KINDS } from '../../src/runtime/kinds.ts';

describe('codegen and runtime kind entries agree', () => {
  it('on takesOutputMask, for every kind', () => {
    const kinds = Object.keys(RUNTIME_KINDS) as (keyof typeof RUNTIME_KINDS)[];
    expect(kinds.filter((k) => RUNTIME_KINDS[k].takesOutputMask === true)).toContain('bn');
    for (const k of kinds) expect(TS_KINDS[k].takesOutputMask === true, k).toBe(RUNTIME_KINDS[k].takesOutputMask === true);
  });
});
