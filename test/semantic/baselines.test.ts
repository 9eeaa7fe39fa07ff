// Golden tests: each test/semantic/cases/*.arch against its committed baselines (errors and IR), exactly.
// After an intended change run `npx tsx scripts/accept-baselines.ts` and review the diff.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BASELINES_DIR, baselinesFor, caseNames } from '../../scripts/accept-baselines.ts';

describe('semantic baselines', () => {
  it.each(caseNames())('%s', (name) => {
    const produced = baselinesFor(name);
    for (const [file, text] of produced) {
      const path = join(BASELINES_DIR, file);
      expect(existsSync(path), `missing baseline ${file}: run npx tsx scripts/accept-baselines.ts`).toBe(true);
      expect(text).toBe(readFileSync(path, 'utf8'));
    }
    const stale = readdirSync(BASELINES_DIR).filter((f) => f.startsWith(`${name}.`) && !produced.has(f));
    expect(stale, 'baselines the case no longer produces').toEqual([]);
  });
});
