// The evidence driver's results (experiments/evidence/results.ts, html.ts): mean ± std over seeds, the table, the
// JSON with the raw per-seed numbers, and the data of the accuracy-vs-MACs and training-cost charts.

import { describe, expect, it } from 'vitest';
import { paretoChart, renderEvidenceHtml } from '../../experiments/evidence/html.ts';
import { aggregate, costCurves, paretoData, pm, stat, suiteJson, suiteMarkdown, type RunSummary } from '../../experiments/evidence/results.ts';

const ROWS = [
  { name: 'dense', label: 'dense' },
  { name: 'ours-50', label: 'ours 50%' },
  { name: 'ours-30', label: 'ours 30%' },
  { name: 'l1-50', label: 'L1 50%' },
  { name: 'l1-50-eq', label: 'L1 50% equal cost' },
];

function run(row: string, seed: number, accuracy: number, macs: number, over: Partial<RunSummary> = {}): RunSummary {
  return {
    id: `s/${row}/s${seed}`,
    key: `${row}${seed}`,
    suite: 's',
    row,
    seed,
    scale: 'full',
    commands: [`archc train ${row} --seed ${seed}`],
    metric: 'accuracy',
    accuracy,
    perplexity: null,
    params: 100 * macs,
    macs,
    denseParams: 100 * 1000,
    denseMacs: 1000,
    widths: { g0: macs / 100 },
    steps: 10,
    batch: 2,
    trainMacs: 20 * macs,
    trainMacsDense: 20000,
    totalTrainMacs: 20 * macs + (row.startsWith('l1') ? 20000 : 0),
    wallSeconds: 60 * seed,
    stepSeconds: 50,
    totalWallSeconds: 60 * seed,
    budget: row.startsWith('ours') ? { target: 0.5, final: macs / 1000, met: seed !== 3 } : null,
    l1: null,
    backend: 'native',
    dataset: 'fashion-mnist',
    machine: { cpu: 'cpu', cores: 2, host: 'h', loadStart: 1, loadEnd: 1 },
    date: '2026-12-02',
    codeVersion: 'c',
    curve: [
      { step: 5, trainMacs: 10 * macs, denseMacs: 10000, stepSeconds: 25, wallSeconds: 30 },
      { step: 10, trainMacs: 20 * macs, denseMacs: 20000, stepSeconds: 50, wallSeconds: 60 },
    ],
    ...over,
  };
}

const RUNS: RunSummary[] = [
  run('dense', 1, 0.9, 1000),
  run('dense', 2, 0.92, 1000),
  run('dense', 3, 0.91, 1000),
  run('ours-50', 1, 0.88, 500),
  run('ours-50', 2, 0.9, 520),
  run('ours-50', 3, 0.89, 480),
  run('ours-30', 1, 0.85, 300),
  run('l1-50', 1, 0.87, 490),
  run('l1-50', 2, 0.86, 490),
  run('l1-50-eq', 1, 0.89, 490),
];

describe('stat and pm', () => {
  it('mean and the sample standard deviation (n − 1)', () => {
    const s = stat([1, 2, 3, 4]);
    expect(s.mean).toBe(2.5);
    expect(s.std).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(s.n).toBe(4);
    expect(stat([7]).std).toBe(0);
    expect(stat([]).n).toBe(0);
    expect(stat([1, Number.NaN, 3]).n).toBe(2);
  });
  it('prints mean ± std, and no ± for one seed', () => {
    expect(pm(stat([0.9, 0.92, 0.91]), 2, 100)).toBe('91.00 ± 1.00');
    expect(pm(stat([0.85]), 2, 100)).toBe('85.00');
    expect(pm(stat([]), 2)).toBe('–');
  });
});

describe('aggregate', () => {
  it('groups by row in row order, with the training cost relative to the dense row', () => {
    const a = aggregate(ROWS, RUNS);
    expect(a.map((x) => x.row)).toEqual(['dense', 'ours-50', 'ours-30', 'l1-50', 'l1-50-eq']);
    const ours = a.find((x) => x.row === 'ours-50')!;
    expect(ours.seeds).toEqual([1, 2, 3]);
    expect(ours.quality.mean).toBeCloseTo(0.89, 12);
    expect(ours.quality.std).toBeCloseTo(0.01, 12);
    expect(ours.macsFraction.mean).toBeCloseTo(0.5, 12);
    expect(ours.trainCostVsDense.mean).toBeCloseTo(0.5, 12);
    expect(ours.budgetMet).toBe('2/3');
    // L1 pays for the dense run it prunes.
    expect(a.find((x) => x.row === 'l1-50')!.trainCostVsDense.mean).toBeCloseTo(1.49, 12);
    expect(a.find((x) => x.row === 'dense')!.budgetMet).toBe('');
  });
  it('leaves out rows with no finished run', () => {
    expect(aggregate(ROWS, RUNS.filter((r) => r.row === 'dense')).map((x) => x.row)).toEqual(['dense']);
  });
});

describe('the table and the JSON', () => {
  const input = { suite: 's', spec: 'specs/x.arch', metric: 'accuracy' as const, scale: 'full' as const, rows: ROWS, runs: RUNS, missing: [{ row: 'scratch-50', why: 'needs ours' }], driverCommand: (r: string) => `npx tsx experiments/evidence.ts --only s/${r}`, lengthNote: '5 epochs' };
  it('has a row per finished row with mean ± std, the reproducing command and what was not run', () => {
    const md = suiteMarkdown(input);
    expect(md).toMatch(/\| ours-50: ours 50% \| 1,2,3 \| 89\.00 ± 1\.00 \| 50\.0 ± 2\.0 \|/);
    expect(md).toContain('`npx tsx experiments/evidence.ts --only s/ours-50`');
    expect(md).toContain('`scratch-50`: needs ours');
    expect(md).not.toMatch(/SMOKE/);
    expect(suiteMarkdown({ ...input, scale: 'smoke' })).toMatch(/SMOKE.*NOT evidence/);
  });
  it('the JSON holds every seed\'s raw numbers', () => {
    const j = suiteJson(input) as { rows: { row: string; runs: { seed: number; accuracy: number }[]; mean: { quality: number } }[] };
    const ours = j.rows.find((r) => r.row === 'ours-50')!;
    expect(ours.runs.map((r) => [r.seed, r.accuracy])).toEqual([
      [1, 0.88],
      [2, 0.9],
      [3, 0.89],
    ]);
    expect(ours.mean.quality).toBeCloseTo(0.89, 12);
  });
});

describe('chart data', () => {
  it('accuracy vs MACs: one series per method, points sorted by MACs, with the std as error bars', () => {
    const p = paretoData(aggregate(ROWS, RUNS));
    expect(p.map((s) => s.method)).toEqual(['dense', 'ours', 'l1', 'l1-eq']);
    const ours = p.find((s) => s.method === 'ours')!;
    expect(ours.points.map((x) => x.row)).toEqual(['ours-30', 'ours-50']);
    expect(ours.points[1]!.quality.std).toBeCloseTo(0.01, 12);
    const svg = paretoChart({ name: 's', spec: 'x', metric: 'accuracy', rows: ROWS, runs: RUNS, missing: [] });
    // ours-50 (3 seeds) and l1-50 (2 seeds) have vertical and horizontal bars; single-seed points none.
    expect((svg.match(/class="errorbar"/g) ?? []).length).toBeGreaterThanOrEqual(3);
    expect(svg).toContain('ours-50 (n=3)');
  });
  it('the cost curves are the given seed\'s dense and ours runs', () => {
    const c = costCurves(RUNS, ['dense', 'ours-50', 'ours-30'], 2);
    expect(c.map((x) => x.row)).toEqual(['dense', 'ours-50']);
    expect(c[1]!.curve.at(-1)!.trainMacs).toBe(20 * 520);
  });
  it('the smoke report says it is not evidence', () => {
    const html = renderEvidenceHtml({ scale: 'smoke', suites: [{ name: 's', spec: 'x', metric: 'accuracy', rows: ROWS, runs: RUNS, missing: [] }], generated: 'now' });
    expect(html).toMatch(/not evidence/);
    expect(html).toMatch(/<svg/);
  });
});
