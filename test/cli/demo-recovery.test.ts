// `archc demo` (= `npm run demo`) when compaction fails after training (issue 15): it used to print "compaction
// failed" and exit 0, with no checkpoint, so nothing could recover the run. Now the final state is saved as
// <out>/checkpoint.archckpt first, the demo exits 1 with a message naming the checkpoint and `archc compact <out>`,
// and that command then writes the pruned spec, weights and compaction.json of the very run the demo trained.

import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runCli } from './helpers.ts';

/** When set, the next compaction throws (a failure after training, e.g. a full disk). */
const planted = vi.hoisted(() => ({ fail: false }));
vi.mock('../../src/compaction/compact-and-write.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/compaction/compact-and-write.ts')>();
  return {
    ...real,
    compactAndWrite: async (o: Parameters<typeof real.compactAndWrite>[0]) => {
      if (planted.fail) {
        planted.fail = false;
        throw new Error('ENOSPC: no space left on device (planted)');
      }
      return real.compactAndWrite(o);
    },
  };
});

const dir = mkdtempSync(join(tmpdir(), 'archc-demo-recovery-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const DEMO = ['demo', '--quick', '--fallback', '--steps', '6'];

describe('archc demo when compaction fails', () => {
  it('exits 1 naming the checkpoint and archc compact, which then writes what an unfailed demo writes', async () => {
    // The same demo without a failure, for comparison (same spec, seed and data: the same widths and weights).
    const ok = await runCli([...DEMO, '--out', 'ok'], { cwd: dir });
    expect(ok.code, ok.err).toBe(0);

    planted.fail = true;
    const failed = await runCli([...DEMO, '--out', 'failed'], { cwd: dir });
    expect(failed.code).toBe(1);
    expect(failed.err).toMatch(/^archc: compaction failed: ENOSPC: no space left on device \(planted\); the trained network is saved in failed\/checkpoint\.archckpt; after fixing the cause, archc compact failed redoes it$/m);
    expect(failed.out).toMatch(/^pruned spec: +\(not written: compaction failed, see below\)$/m);
    const out = join(dir, 'failed');
    expect(existsSync(join(out, 'demo-fashion.pruned.arch'))).toBe(false);
    expect(existsSync(join(out, 'checkpoint.archckpt'))).toBe(true);

    const compacted = await runCli(['compact', 'failed'], { cwd: dir });
    expect(compacted.code, compacted.err).toBe(0);
    expect(readdirSync(out)).toEqual(expect.arrayContaining(['checkpoint.archckpt', 'compaction.json', 'demo-fashion.pruned.arch', 'weights']));
    expect(readFileSync(join(out, 'demo-fashion.pruned.arch'), 'utf8')).toBe(readFileSync(join(dir, 'ok', 'demo-fashion.pruned.arch'), 'utf8'));
    expect(readFileSync(join(out, 'weights', 'weights.bin')).equals(readFileSync(join(dir, 'ok', 'weights', 'weights.bin')))).toBe(true);
    const recheck = await runCli(['check', join(out, 'demo-fashion.pruned.arch')]);
    expect(recheck.code, recheck.err).toBe(0);
  }, 600_000); // two tiny demos: well under a minute alone, the shared 2-core machine can triple that
});
