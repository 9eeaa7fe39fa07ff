// report.html's "Training time" section: the wall time per step plotted next to the sampled MACs (over the run and
// against each other) when metrics.jsonl carries `stepMs`; absent for older files without it.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRunDir, renderReport } from '../../src/report/index.ts';
import type { MetricsLine } from '../../src/runtime/train/trainer.ts';

function line(i: number, timed: boolean): MetricsLine {
  const dense = 1_000_000;
  const frac = 1 - 0.06 * i;
  return {
    step: 10 * i, epoch: i / 10, loss: 1, taskLoss: 1, lambdaTerm: 0, trainAccuracy: 0.5, evalSplit: 'test', evalLoss: 1, evalAccuracy: 0.5,
    evalPerplexity: null, beta: { all: { min: 1, p25: 1, median: 1, p75: 1, max: 1 } }, kept: { 'g0:c': 8 }, sampledMacs: dense * frac,
    expectedMacs: dense * frac, sampledMacsTotal: 0, expectedMacsTotal: 0, denseMacsTotal: 0, archParams: 10, archMacs: dense, denseParams: 10,
    denseMacs: dense, lr: 0.1, maskLr: 0.1, wallTime: i,
    ...(timed ? { stepMs: 200 * frac + 20, narrowSteps: 1, regrown: 0 } : {}),
  };
}

describe('report: training time next to sampled MACs', () => {
  it('plots ms per step with the sampled MACs when the metrics have stepMs, and leaves the section out otherwise', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'archc-report-time-'));
    try {
      for (const timed of [true, false]) {
        writeFileSync(join(dir, 'metrics.jsonl'), Array.from({ length: 8 }, (_, i) => JSON.stringify(line(i + 1, timed))).join('\n') + '\n');
        const html = renderReport(await loadRunDir(dir));
        if (timed) {
          expect(html).toContain('Step time and sampled MACs');
          expect(html).toContain('Wall time per step against sampled MACs');
          expect(html).toMatch(/data-name="wall time per step" data-points="8"/);
          expect(html).toMatch(/data-name="sampled MACs" data-points="8"/);
          expect(html).toContain('first line: 208 ms/step');
          expect(html).toContain('100.0% of the steps ran narrow');
        } else {
          expect(html).not.toContain('Training time');
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
