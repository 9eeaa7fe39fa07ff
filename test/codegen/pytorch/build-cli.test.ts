// `archc build --target`: pytorch writes the module and the runtime package (no Python needed), an unknown target is
// one line and exit 1, and the default target is still TypeScript.

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'archc-build-target-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('archc build --target', () => {
  it('pytorch: <network>.py and archc_torch/, equal to the committed generated/pytorch files', async () => {
    const r = await runCli(['build', 'specs/resnet20.arch', '--target', 'pytorch', '-o', dir]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^wrote .*resnet20\.py \(resnet20, \d+ lines\) and 11 runtime files in .*archc_torch\/; train with: cd .* && python3 -m resnet20 --help$/);
    for (const f of ['resnet20.py', 'archc_torch/masks.py', 'archc_torch/defaults.py']) {
      expect(readFileSync(join(dir, f), 'utf8')).toBe(readFileSync(join('generated/pytorch', f), 'utf8'));
    }
  });

  it('an unknown target is a user error', async () => {
    const r = await runCli(['build', 'specs/resnet20.arch', '--target', 'jax', '-o', dir]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("unknown --target 'jax': use ts or pytorch");
    expect(existsSync(join(dir, 'resnet20.ts'))).toBe(false);
  });

  it('ts stays the default', async () => {
    const r = await runCli(['build', 'specs/resnet20.arch', '-o', dir]);
    expect(r.code, r.err).toBe(0);
    expect(existsSync(join(dir, 'resnet20.ts'))).toBe(true);
  });
});
