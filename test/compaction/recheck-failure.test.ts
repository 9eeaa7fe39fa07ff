// A pruned spec that fails its re-check is never written under the pruned name (defect 16 of issue 15): the text is
// kept beside it as `<name>.pruned.arch.failed`, the weights and compaction.json are still written, and
// `compactAndWrite` throws `PrunedSpecRejected`, so every caller (trainer, `archc compact`, demo) exits non-zero.
// A re-check failure is provoked by compacting a network against the text of a spec that checks to another one.

import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compactAndWrite, PrunedSpecRejected } from '../../src/compaction/compact-and-write.ts';
import { initBackend } from '../../src/runtime/backend/index.ts';
import { SPECS, compileSpec, randomWeights } from './helpers.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('a pruned spec that fails its re-check', () => {
  it('is kept as .pruned.arch.failed, not written as .pruned.arch, and the call fails', async () => {
    const ir = compileSpec(SPECS.cnn, 'cnn.arch');
    // The same network with another, unmaskable classifier width: its pruned text checks to a different network.
    const other = SPECS.cnn.replace('dense(10)', 'dense(12)');
    expect(other).not.toBe(SPECS.cnn);
    const dir = join(mkdtempSync(join(tmpdir(), 'archc-recheck-')), 'run');
    const lines: string[] = [];
    const call = compactAndWrite({ ir, sourceText: other, sourcePath: 'specs/cnn.arch', weights: randomWeights(ir, 3), outDir: dir, log: (l) => lines.push(l) });
    const err = await call.then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(PrunedSpecRejected);
    expect((err as Error).message).toMatch(/the pruned spec checks to a different network than the compacted one \(.*params: spec \d+, compacted \d+/);
    expect((err as Error).message).toContain(join(dir, 'cnn.pruned.arch.failed'));
    expect(readdirSync(dir).sort()).toEqual(['cnn.pruned.arch.failed', 'compaction.json', 'weights']);
    expect(readFileSync(join(dir, 'cnn.pruned.arch.failed'), 'utf8')).toContain('dense(12)');
    const report = JSON.parse(readFileSync(join(dir, 'compaction.json'), 'utf8')) as { recheck: { matches: boolean } };
    expect(report.recheck.matches).toBe(false);
    expect(lines.join('\n')).toMatch(/failed its re-check \(kept as .*cnn\.pruned\.arch\.failed\)/);
  });

  it('a later successful compaction replaces the failed text with the pruned spec', async () => {
    const ir = compileSpec(SPECS.cnn, 'cnn.arch');
    const dir = join(mkdtempSync(join(tmpdir(), 'archc-recheck-')), 'run');
    await compactAndWrite({ ir, sourceText: SPECS.cnn.replace('dense(10)', 'dense(12)'), sourcePath: 'specs/cnn.arch', weights: randomWeights(ir, 3), outDir: dir, log: () => {} }).catch(() => {});
    expect(existsSync(join(dir, 'cnn.pruned.arch.failed'))).toBe(true);
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const r = await compactAndWrite({ ir, sourceText: SPECS.cnn, sourcePath: 'specs/cnn.arch', weights: randomWeights(ir, 3), outDir: dir, log: () => {} });
    expect(r.recheck.matches).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['cnn.pruned.arch', 'compaction.json', 'notes.txt', 'weights']);
  });
});
