// grammar/diagrams.html is generated and committed; this fails while it is stale.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DIAGRAMS_PATH, renderDiagrams } from '../../grammar/generate-diagrams.ts';

describe('grammar/diagrams.html', () => {
  it('is up to date with the parser (regenerate: npx tsx grammar/generate-diagrams.ts)', () => {
    const committed = readFileSync(DIAGRAMS_PATH, 'utf8');
    expect(committed === renderDiagrams(), 'grammar/diagrams.html is stale: run npx tsx grammar/generate-diagrams.ts').toBe(true);
  });

  it('shows every rule', () => {
    const html = renderDiagrams();
    for (const rule of ['network', 'layerStmt', 'argList', 'primary', 'widthsSection', 'widthEntry']) expect(html).toContain(`"name": "${rule}"`);
  });
});
