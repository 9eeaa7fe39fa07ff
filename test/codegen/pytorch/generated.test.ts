// generated/pytorch/ is committed output of `archc build --target pytorch`: every spec's module and the shipped
// archc_torch runtime rebuilt in memory must equal the files byte for byte, and no generated file may outlive its
// source. Regenerate with `npx tsx scripts/build-generated-pytorch.ts`.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildAllPytorch, PYTORCH_DIR, pytorchFilesOnDisk } from '../../../scripts/build-generated-pytorch.ts';

const STALE = 'generated/pytorch/ is stale: run npx tsx scripts/build-generated-pytorch.ts';
let built: Awaited<ReturnType<typeof buildAllPytorch>>;
beforeAll(async () => {
  built = await buildAllPytorch();
});

describe('generated/pytorch/', () => {
  it('builds every spec', () => {
    expect(built.failed).toEqual([]);
  });

  it('matches a fresh build byte for byte', () => {
    for (const f of built.files) {
      let onDisk: string;
      try {
        onDisk = readFileSync(join(PYTORCH_DIR, f.path), 'utf8');
      } catch {
        throw new Error(`generated/pytorch/${f.path} is missing: ${STALE}`);
      }
      expect(onDisk === f.text, `generated/pytorch/${f.path} differs: ${STALE}`).toBe(true);
    }
  });

  it('holds no generated file whose source is gone', () => {
    const expected = new Set(built.files.map((f) => f.path));
    expect(pytorchFilesOnDisk().filter((f) => !expected.has(f)), STALE).toEqual([]);
  });

  it('is deterministic', async () => {
    const again = await buildAllPytorch();
    expect(again.files.map((f) => f.text)).toEqual(built.files.map((f) => f.text));
  });
});
