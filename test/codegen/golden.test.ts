// Golden tests: each test/codegen/cases/NAME.arch (a plain CNN, a residual net, an LSTM LM) builds to exactly
// baselines/NAME.ts. After an intended change: `ARCHC_ACCEPT=1 npx vitest run test/codegen/golden.test.ts`, then
// review the diff of test/codegen/baselines/.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACCEPT, BASELINES_DIR, buildCase, caseNames } from './helpers.ts';

describe('codegen golden files', () => {
  it('has the three families', () => {
    expect(caseNames()).toEqual(['lstm', 'plain-cnn', 'residual']);
  });
  for (const name of caseNames()) {
    it(`${name}.arch builds to baselines/${name}.ts`, async () => {
      const m = await buildCase(name);
      const path = join(BASELINES_DIR, `${name}.ts`);
      if (ACCEPT) {
        mkdirSync(BASELINES_DIR, { recursive: true });
        writeFileSync(path, m.text);
      }
      expect(existsSync(path), `missing baseline: run ARCHC_ACCEPT=1 npx vitest run test/codegen/golden.test.ts`).toBe(true);
      expect(m.text, `baseline differs: run ARCHC_ACCEPT=1 npx vitest run test/codegen/golden.test.ts and review`).toBe(
        readFileSync(path, 'utf8'),
      );
    });
  }
});
