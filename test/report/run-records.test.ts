// The report of a run folder as `archc train` leaves it (issue 15, defects 6 and 17): no copy of the input spec, but a
// checkpoint that records it, compaction.json and the pruned spec, and — with default logging on a short run — a
// single metrics line. Widths come from the run's own records (not "estimated"), a block that vanished reads
// "removed (identity)" instead of being listed as kept, single points are drawn and the page says why there is no
// curve; y-ranges are padded, the sampled line is drawn over the expected one, and the βs histogram marks s = 0.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compactAndWrite } from '../../src/compaction/compact-and-write.ts';
import { loadRunDir, renderReport } from '../../src/report/index.ts';
import { initBackend } from '../../src/runtime/backend/index.ts';
import { CHECKPOINT_FILE, writeCheckpoint } from '../../src/runtime/train/checkpoint.ts';
import type { MetricsLine, TrainerState } from '../../src/runtime/train/trainer.ts';
import { SPECS, compileSpec, randomWeights } from '../compaction/helpers.ts';

const SPEC_PATH = '/somewhere/else/resid.arch';

function metricsLine(step: number, kept: Record<string, number>): MetricsLine {
  const q = { min: 1, p25: 2, median: 3, p75: 4, max: 5 };
  return {
    step, epoch: step / 100, loss: 1.2, taskLoss: 1.1, lambdaTerm: 0.1, trainAccuracy: 0.5, evalSplit: 'test', evalLoss: 1.3, evalAccuracy: 0.55,
    evalPerplexity: null, beta: { all: q }, kept, sampledMacs: 9e4, expectedMacs: 9.2e4, sampledMacsTotal: 9e6, expectedMacsTotal: 9.2e6,
    denseMacsTotal: 1e7, archParams: 700, archMacs: 8e4, denseParams: 1000, denseMacs: 1e5, lr: 0.1, maskLr: 0.1, wallTime: 3,
  };
}

/** A run folder like archc train's: one metrics line, a checkpoint recording the spec, compaction.json, the pruned spec. */
async function trainLikeRun(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'archc-report-run-'));
  const ir = compileSpec(SPECS.identity, SPEC_PATH);
  const off = ir.groups.find((g) => g.name === 'g2:stage1.basic2.conv1')!;
  const w = randomWeights(ir, 4, { [off.name]: new Array<number>(off.width).fill(-1) });
  await compactAndWrite({ ir, sourceText: SPECS.identity, sourcePath: SPEC_PATH, weights: w, outDir: dir, log: () => {} });
  const kept = Object.fromEntries(ir.groups.map((g) => [g.name, g.id === off.id ? 0 : g.width]));
  writeFileSync(join(dir, 'metrics.jsonl'), JSON.stringify(metricsLine(20, kept)) + '\n');
  const meta = { specHash: 'x', specName: ir.name, seed: 1, step: 20, epoch: 0.2, plannedSteps: 20, run: {}, createdAt: '2026-12-02T00:00:00Z', spec: { path: SPEC_PATH, source: SPECS.identity } };
  writeCheckpoint(join(dir, CHECKPOINT_FILE), { meta, state: { version: 1 } as unknown as TrainerState });
  writeFileSync(join(dir, 'masks-final.json'), JSON.stringify({ [off.name]: { s: [-0.5, 0.2, 0.4, -0.1], beta: [2, 3, 4, 5] } }));
  return dir;
}

let dir: string;
beforeAll(async () => {
  await initBackend('cpu');
  dir = await trainLikeRun();
  return () => rmSync(dir, { recursive: true, force: true });
});

describe('report of an archc train folder', () => {
  it("reads the widths from the run's own records, not estimated", async () => {
    const data = await loadRunDir(dir);
    expect(data.widthsKnown).toBe(true);
    expect(data.widthSource).toBe(`the spec recorded in ${CHECKPOINT_FILE} (resid.arch)`);
    expect(data.groups.find((g) => g.name === 'g0:stage1')?.width).toBe(8);
    const html = renderReport(data);
    expect(html).not.toContain('estimated');
    expect(html).toContain(`widths from the spec recorded in ${CHECKPOINT_FILE} (resid.arch)`);
  });

  it('shows a vanished block as removed, from the diff of the input and pruned specs and from compaction.json', async () => {
    const data = await loadRunDir(dir);
    expect(data.diffSource).toBe('computed');
    const row = (html: string, path: string) => new RegExp(`<tr[^>]*><td>${path.replace(/\./g, '\\.')}</td>.*?</tr>`).exec(html)?.[0] ?? '';
    let html = renderReport(data);
    expect(row(html, 'stage1.basic2.conv2')).toContain('removed');
    expect(row(html, 'stage1.basic1.conv2')).not.toContain('removed');
    // Without the pruned spec the layer table comes from compaction.json, which names the vanished block.
    rmSync(join(dir, 'resid.pruned.arch'));
    try {
      html = renderReport(await loadRunDir(dir));
      expect(html).toContain("compaction.json's kept widths and vanished blocks");
      expect(row(html, 'stage1.basic2.conv2')).toContain('removed (identity)');
      expect(row(html, 'stage1.basic1.conv2')).not.toContain('removed');
    } finally {
      await compactAndWrite({ ir: compileSpec(SPECS.identity, SPEC_PATH), sourceText: SPECS.identity, sourcePath: SPEC_PATH, weights: randomWeights(compileSpec(SPECS.identity), 4, { 'g2:stage1.basic2.conv1': new Array<number>(8).fill(-1) }), outDir: dir, log: () => {} });
    }
  });

  it('draws a single metrics line as points and says there is too little for a curve', async () => {
    const html = renderReport(await loadRunDir(dir));
    expect(html).toContain('metrics.jsonl holds a single line (step 20), so every chart shows one point and no curve');
    const series = [...html.matchAll(/<path class="series" data-name="([^"]*)" data-points="(\d+)"[^>]*>.*?<\/path>(<circle[^>]*>)?/g)];
    expect(series.length).toBeGreaterThan(8);
    for (const m of series) {
      expect(m[2], m[1]).toBe('1');
      expect(m[3], `${m[1]} has a marker`).toBeDefined();
    }
  });
});

describe('report cosmetics', () => {
  it('pads y-ranges, draws the sampled line over the expected one, and marks s = 0 in the βs histogram', async () => {
    const html = renderReport(await loadRunDir(dir));
    const fig2 = /<svg class="chart"[^>]*aria-label="Training MACs per iteration \(paper Fig\. 2\)"[^>]*data-y1="([^"]+)"[^>]*>(.*?)<\/svg>/.exec(html);
    expect(fig2).not.toBeNull();
    // The dense line (1e5, the largest value) sits below the top of the frame.
    expect(Number(fig2![1])).toBeGreaterThan(1e5);
    const names = [...fig2![2]!.matchAll(/class="series" data-name="([^"]*)"/g)].map((m) => m[1]);
    expect(names.indexOf('sampled (q)')).toBeGreaterThan(names.indexOf('expected (σ(βs))'));
    const hist = /<svg class="chart"[^>]*aria-label="Final βs \(mask pre-activation\), histogram"[^>]*>(.*?)<\/svg>/.exec(html);
    expect(hist?.[1]).toMatch(/<line class="marker"[^>]*\/><text[^>]*>s = 0: kept to the right<\/text>/);
  });
});
