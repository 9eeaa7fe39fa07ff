// report.html: built from a synthetic run directory (no training), checked as text (self-contained, every plot
// has data) and rendered in headless Chromium: the inline script ran, the DOM holds the plotted paths, and the
// screenshot has coloured pixels (lines, bands, bars) in the plot regions. Chromium tests skip, saying why,
// when /usr/bin/chromium (Debian's `chromium` package) is absent.

import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diffRows, loadRunDir, niceTicks, renderReport, stageOf, writeReport } from '../../src/report/index.ts';
import type { MetricsLine } from '../../src/runtime/train/trainer.ts';
import { decodePng, saturatedPixels } from './png.ts';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const dir = mkdtempSync(join(tmpdir(), 'archc-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const WIDTHS: Record<string, number> = {
  'g0:stage1': 16,
  'g1:stage1.basic1.conv1': 16,
  'g2:stage1.basic2.conv1': 16,
  'g3:stage2.basic1.conv1': 32,
  'g4:stage2': 32,
  'g5:stage2.basic2.conv1': 32,
  'g6:stage3.basic1.conv1': 64,
  'g7:stage3': 64,
  'g8:stage3.basic2.conv1': 64,
  'g9:dense1': 10,
};

/** A plausible run: widths shrink at different rates, β grows, accuracy climbs. */
function syntheticMetrics(lines: number): MetricsLine[] {
  const dense = 20_200_000;
  const out: MetricsLine[] = [];
  let total = 0;
  for (let i = 1; i <= lines; i++) {
    const t = i / lines;
    const kept: Record<string, number> = {};
    Object.entries(WIDTHS).forEach(([g, w], k) => (kept[g] = g === 'g9:dense1' ? w : Math.max(1, Math.round(w * (1 - 0.6 * t * ((k % 3) + 1) / 3)))));
    const frac = 1 - 0.5 * t;
    total += dense * frac * 128 * 10;
    const b = 1 + 9 * t;
    out.push({
      step: i * 10,
      epoch: (i * 10) / 469,
      loss: 2.3 * Math.exp(-3 * t) + 0.3,
      taskLoss: 2.3 * Math.exp(-3 * t) + 0.29,
      lambdaTerm: 0.01,
      trainAccuracy: 0.1 + 0.75 * (1 - Math.exp(-4 * t)),
      evalSplit: 'test',
      evalLoss: 2.3 * Math.exp(-3 * t) + 0.35,
      evalAccuracy: 0.1 + 0.76 * (1 - Math.exp(-4 * t)),
      evalPerplexity: null,
      beta: { all: { min: 1, p25: b * 0.6, median: b * 0.8, p75: b, max: b * 1.1 } },
      kept,
      sampledMacs: dense * frac * (0.95 + 0.1 * Math.sin(i)),
      expectedMacs: dense * frac,
      sampledMacsTotal: total,
      expectedMacsTotal: total * 1.01,
      denseMacsTotal: dense * 128 * 10 * i,
      archParams: 175_000 * frac,
      archMacs: dense * (frac - 0.05),
      denseParams: 175_000,
      denseMacs: dense,
      lr: 0.1,
      maskLr: 0.1,
      wallTime: i * 3,
    });
  }
  return out;
}

function writeRun(): void {
  writeFileSync(join(dir, 'metrics.jsonl'), syntheticMetrics(40).map((m) => JSON.stringify(m)).join('\n') + '\n');
  copyFileSync('specs/fashion-resnet.arch', join(dir, 'fashion-resnet.arch'));
  const masks: Record<string, { s: number[]; beta: number[] }> = {};
  for (const [g, w] of Object.entries(WIDTHS)) masks[g] = { s: Array.from({ length: w }, (_, j) => Math.sin(j * 1.7) * 0.3), beta: Array.from({ length: w }, (_, j) => 5 + (j % 7)) };
  writeFileSync(join(dir, 'masks-final.json'), JSON.stringify(masks));
  writeFileSync(join(dir, 'run.json'), JSON.stringify({ dataset: 'Fashion-MNIST (test fixture)', backend: 'wasm', command: 'test', wallTime: 123 }));
  writeFileSync(join(dir, 'sweep.json'), JSON.stringify([
    { label: 'λ 0.01', macs: 15e6, accuracy: 0.88, series: 'archc' },
    { label: 'λ 0.1', macs: 9e6, accuracy: 0.86, series: 'archc' },
    { label: 'λ 1', macs: 4e6, accuracy: 0.8, series: 'archc' },
    { label: 'paper', macs: 1e5, accuracy: 0.1, series: 'paper mode' },
  ]));
}

describe('report model and HTML', () => {
  writeRun();

  it('derives stages from group names', () => {
    expect(stageOf('g3:stage2.basic1.conv1')).toBe('stage2');
    expect(stageOf('g0:stage1')).toBe('stage1');
    expect(stageOf('lstm1')).toBe('lstm1');
  });

  it('picks nice ticks', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 20.2e6, 5)).toEqual([0, 5e6, 10e6, 15e6, 20e6]);
  });

  it('finds the rows of a diff JSON whatever their key', () => {
    expect(diffRows({ name: 'x', layers: [{ path: 'a', before: 4, after: 2 }] })).toEqual([{ path: 'a', before: 4, after: 2 }]);
    expect(diffRows({ whatever: 3 })).toBeNull();
  });

  it('renders a self-contained page with every plot drawn from data', async () => {
    const data = await loadRunDir(dir);
    expect(data.widthsKnown).toBe(true);
    expect(data.layers.length).toBeGreaterThan(10);
    const html = renderReport(data);
    // Self-contained: nothing is fetched.
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(\s*["']?http/i);
    for (const title of ['Training MACs per iteration', 'running total', 'Kept ratio per mask group', 'Kept ratio per stage', 'β over time', 'Final β, histogram', 'Loss', 'Accuracy', 'Widths: input vs pruned', 'Accuracy against MACs']) {
      expect(html).toContain(title);
    }
    const counts = [...html.matchAll(/class="series" data-name="([^"]*)" data-points="(\d+)"/g)].map((m) => Number(m[2]));
    expect(counts.length).toBeGreaterThanOrEqual(20);
    expect(counts.filter((n) => n >= 40).length).toBeGreaterThanOrEqual(15);
    expect(html).toMatch(/class="bars" data-bars="[1-9]/);
    expect(html).toContain('stage2.basic1.conv1');
  });
});

describe('report of a run with a budget target', () => {
  it('draws the target on the MACs plot, λ over time, and says when the target was missed', async () => {
    const data = await loadRunDir(dir);
    const n = data.metrics.length;
    const withBudget = (met: boolean | null, gap: number) =>
      data.metrics.map((m, i) => ({ ...m, budget: { metric: 'macs' as const, target: 0.4, tolerance: 0.02, reference: 1 - (0.6 * i) / (n - 1), lambda: 0.01 * i, gap: i === n - 1 ? gap : 0.6 - (0.6 * i) / (n - 1), met: i === n - 1 ? met : null } }));
    const ok = renderReport({ ...data, metrics: withBudget(true, 0.005) });
    expect(ok).toContain('data-name="target 40.0%"');
    expect(ok).toMatch(new RegExp(`data-name="λ" data-points="${n}"`));
    expect(ok).toContain('λ over time');
    expect(ok).toContain('the kept network has 40.5% (met)');
    const missed = renderReport({ ...data, metrics: withBudget(false, 0.071) });
    expect(missed).toContain('<strong>Target NOT met</strong>: the kept network is 7.1 points above the target MACs 40.0% (tolerance ±2.0 points)');
    // Without a target there is no budget section.
    expect(renderReport(data)).not.toContain('λ over time');
  });
});

describe('report without an input spec', () => {
  it('falls back to widths seen in the metrics and says so', async () => {
    const bare = mkdtempSync(join(tmpdir(), 'archc-report-bare-'));
    try {
      writeFileSync(join(bare, 'metrics.jsonl'), syntheticMetrics(5).map((m) => JSON.stringify(m)).join('\n') + '\n{"step": 6, "trunc');
      const data = await loadRunDir(bare);
      expect(data.metrics).toHaveLength(5);
      expect(data.widthsKnown).toBe(false);
      const html = renderReport(data);
      expect(html).toContain('widths unknown (no input spec)');
      expect(html).toContain('Final β quantiles per group');
      // A language model shows perplexity instead of accuracy.
      const lm = renderReport({ ...data, task: 'language-model', metrics: data.metrics.map((m, i) => ({ ...m, evalPerplexity: 400 - 20 * i })) });
      expect(lm).toContain('Perplexity (test)');
      expect(lm).not.toContain('>Accuracy<');
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });

  it('refuses a folder without metrics.jsonl with a plain message', async () => {
    await expect(loadRunDir(tmpdir() + '/archc-no-such-run')).rejects.toThrow(/metrics\.jsonl: no such file/);
  });
});

const chromeFlags = (userDir: string) => [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  `--user-data-dir=${userDir}`,
];

describe.skipIf(!hasChromium)(`report.html in headless Chromium${hasChromium ? '' : ` (skipped: ${CHROMIUM} not found; apt-get install chromium)`}`, () => {
  it('runs its script, keeps the plotted paths and paints the plots', async () => {
    const file = await writeReport(dir);
    const url = `file://${file}`;
    const dom = execFileSync(CHROMIUM, [...chromeFlags(join(dir, 'ud1')), '--dump-dom', url], { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'ignore'] });
    expect(dom).toContain('data-report-ready="1"');
    const paths = [...dom.matchAll(/<path class="series"[^>]*data-points="(\d+)"[^>]*d="([^"]+)"/g)];
    expect(paths.length).toBeGreaterThanOrEqual(20);
    // The path data really holds the points (one L per point after the first).
    expect(paths.filter((m) => (m[2]!.match(/L/g) ?? []).length >= 39).length).toBeGreaterThanOrEqual(15);

    const png = join(dir, 'shot.png');
    execFileSync(CHROMIUM, [...chromeFlags(join(dir, 'ud2')), `--screenshot=${png}`, '--window-size=1280,2000', url], { timeout: 60_000, stdio: 'ignore' });
    const img = decodePng(readFileSync(png));
    expect(img.width).toBe(1280);
    // The first 2000 px hold the header, Figure 2 and the kept-ratio plots: each band of the page has coloured ink.
    const top = saturatedPixels(img, 250, 700);
    const mid = saturatedPixels(img, 700, 1150);
    expect(top).toBeGreaterThan(2000);
    expect(mid).toBeGreaterThan(2000);
  }, 120_000);
});
