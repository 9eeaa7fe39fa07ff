// Every input the fuzzer ever crashed on stays here and must keep behaving (see scripts/fuzz-specs.ts).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fuzzOne, REGRESSIONS } from '../../scripts/fuzz-specs.ts';

const cases = readdirSync(REGRESSIONS).filter((f) => f.endsWith('.arch')).sort();

describe('fuzz regressions', () => {
  it('has cases', () => expect(cases.length).toBeGreaterThan(0));
  it.each(cases)('%s', (f) => {
    expect(fuzzOne(readFileSync(join(REGRESSIONS, f), 'utf8'))).toBeNull();
  });
});
