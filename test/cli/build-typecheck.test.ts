// `archc build` type-checks what it emits before writing it (issue 15 #10): a module that does not type-check is
// never written. No spec makes codegen emit such a module (that would be the bug), so the type-checker's answer is
// planted here: one diagnostic → exit 1, the diagnostic printed, nothing written; --no-typecheck writes it anyway.

import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runCli } from './helpers.ts';

vi.mock('../../src/codegen/index.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/codegen/index.ts')>();
  return {
    ...real,
    typecheckModules: (modules: readonly { fileName: string }[]) => modules.map((m) => ({ fileName: m.fileName, diagnostics: [`${m.fileName}(12,5): error TS2339: Property 'x' does not exist (planted)`] })),
  };
});

const dir = mkdtempSync(join(tmpdir(), 'archc-build-tc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SPEC = `network tiny {
  input image(6, 6, 1)
  train { data synthetic  steps 1  batch 4 }
  layers { maskable conv(4, kernel 3)  bn  relu  gap  dense(3) }
}
`;

describe('archc build type-checks before it writes', () => {
  it('a module that does not type-check is refused with its diagnostics, and nothing is written', async () => {
    writeFileSync(join(dir, 'tiny.arch'), SPEC);
    const cli = await runCli(['build', 'tiny.arch', '-o', 'out'], { cwd: dir });
    expect(cli.code).toBe(1);
    expect(cli.err).toContain("tiny.ts(12,5): error TS2339: Property 'x' does not exist (planted)");
    expect(cli.err).toMatch(/the module generated for tiny\.arch does not type-check \(1 errors above\); nothing written/);
    expect(existsSync(join(dir, 'out')) ? readdirSync(join(dir, 'out')) : []).toEqual([]);
    const unchecked = await runCli(['build', 'tiny.arch', '-o', 'out', '--no-typecheck'], { cwd: dir });
    expect(unchecked.code, unchecked.err).toBe(0);
    expect(existsSync(join(dir, 'out', 'tiny.ts'))).toBe(true);
  });
});
