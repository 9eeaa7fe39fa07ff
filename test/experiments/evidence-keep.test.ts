// The committed evidence runs (experiments/results/evidence-runs/…) must keep their run folders: L1, scratch and the
// -eq rows of a later checkout read a dense run's weights and an ours run's pruned spec from them. Until stop 25 the
// repository-wide `out/` rule in .gitignore silently dropped every one of them from the commits.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const inGit = existsSync('.git');
const ignored = (path: string): boolean => spawnSync('git', ['check-ignore', '-q', path]).status === 0;

describe.skipIf(!inGit)('.gitignore and the committed evidence runs', () => {
  it("keeps a committed run's out/ folder, weights included", () => {
    for (const f of ['metrics.jsonl', 'compaction.json', 'fashion-resnet.pruned.arch', 'weights/weights.bin', 'weights/model.json']) {
      expect(ignored(`experiments/results/evidence-runs/full/fashion-resnet/dense/s9/out/${f}`), f).toBe(false);
    }
  });
  it('still ignores run folders elsewhere', () => {
    expect(ignored('out/metrics.jsonl')).toBe(true);
    expect(ignored('runs/evidence/full/fashion-resnet/dense/s1/out/metrics.jsonl')).toBe(true);
  });
});
