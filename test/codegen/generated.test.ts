// generated/ is committed output: every spec in specs/ rebuilt in memory must equal its file byte for byte, no
// generated file may outlive its spec, building twice gives the same text, and the text is a fixed point of
// ts-morph's formatter with archc's settings (the writer produces the formatter's layout directly).

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatModuleText } from '../../src/codegen/emit.ts';
import { buildAll, GENERATED_DIR, GENERATED_MARK } from '../../scripts/build-generated.ts';

const STALE = 'generated/ is stale: run npx tsx scripts/build-generated.ts';
let built: Awaited<ReturnType<typeof buildAll>>;
beforeAll(async () => {
  built = await buildAll();
});

describe('generated/', () => {
  it('every spec compiles', () => {
    expect(built.filter((b) => !b.module).map((b) => `${b.spec}\n${b.errors}`)).toEqual([]);
  });

  it('matches a fresh build of every spec byte for byte', () => {
    for (const b of built) {
      if (!b.module) continue;
      let onDisk: string;
      try {
        onDisk = readFileSync(join(GENERATED_DIR, b.module.fileName), 'utf8');
      } catch {
        throw new Error(`generated/${b.module.fileName} is missing (${b.spec}): ${STALE}`);
      }
      expect(onDisk === b.module.text, `generated/${b.module.fileName} differs from ${b.spec}: ${STALE}`).toBe(true);
    }
  });

  it('holds no module whose spec is gone', () => {
    const expected = new Set(built.flatMap((b) => (b.module ? [b.module.fileName] : [])));
    const orphans = readdirSync(GENERATED_DIR).filter(
      (f) => f.endsWith('.ts') && !expected.has(f) && readFileSync(join(GENERATED_DIR, f), 'utf8').startsWith(GENERATED_MARK),
    );
    expect(orphans, STALE).toEqual([]);
  });

  it('is deterministic and already formatted', async () => {
    const again = await buildAll();
    for (const [i, b] of built.entries()) {
      if (!b.module) continue;
      expect(again[i]!.module!.text === b.module.text, `${b.spec}: two builds differ`).toBe(true);
      expect(formatModuleText(b.module.text) === b.module.text, `${b.spec}: formatting the output changes it`).toBe(true);
    }
  });
});
