// The evidence report (experiments/results/evidence[-smoke]-report.html): per suite, the "accuracy vs MACs" chart
// (every method at its targets on one chart, error bars = std over seeds in both directions), the training-cost
// charts of the paper's Figure 2 (cumulative training MACs and training-step time vs step, dense vs ours) and the
// table. Self-contained static SVG from src/report/svg.ts: opens offline.

import { colorAt, esc, lineChart } from '../../src/report/svg.ts';
import { aggregate, costCurves, paretoData, pm, type RunSummary } from './results.ts';

export interface ReportSuite {
  name: string;
  spec: string;
  metric: 'accuracy' | 'perplexity';
  rows: readonly { name: string; label: string }[];
  runs: readonly RunSummary[];
  missing: readonly { row: string; why: string }[];
}

const pct = (v: number): string => `${(100 * v).toFixed(0)}%`;

export function paretoChart(s: ReportSuite): string {
  const series = paretoData(aggregate(s.rows, s.runs));
  const acc = s.metric === 'accuracy';
  return lineChart({
    title: `${s.name}: ${acc ? 'test accuracy' : 'validation perplexity'} vs kept MACs`,
    xLabel: 'kept MACs (% of dense)',
    yLabel: acc ? 'test accuracy (%)' : 'perplexity',
    series: series.map((m, i) => ({
      name: m.method,
      color: colorAt(i),
      points: m.points.map((p): [number, number] => [100 * p.macs.mean, (acc ? 100 : 1) * p.quality.mean]),
      yErr: m.points.map((p) => (acc ? 100 : 1) * p.quality.std),
      xErr: m.points.map((p) => 100 * p.macs.std),
      labels: m.points.map((p) => `${p.row} (n=${p.quality.n})`),
      markers: true,
      dash: m.method.endsWith('-eq'),
    })),
    xFormat: (v) => `${v.toFixed(0)}%`,
    note: 'error bars: ± one standard deviation over seeds (accuracy vertically, kept MACs horizontally)',
    width: 640,
    height: 340,
  });
}

/** The paper's Figure 2: cumulative training MACs and training-step time vs step, dense and ours (seed = the lowest run). */
export function costCharts(s: ReportSuite): string {
  const rows = s.rows.map((r) => r.name).filter((r) => r === 'dense' || r.startsWith('ours-'));
  const seeds = [...new Set(s.runs.filter((r) => rows.includes(r.row)).map((r) => r.seed))].sort((a, b) => a - b);
  if (seeds.length === 0) return '<p>No dense or ours run has finished yet.</p>';
  const seed = seeds[0]!;
  const curves = costCurves(s.runs, rows, seed);
  const macs = lineChart({
    title: `${s.name}: cumulative training MACs (forward), seed ${seed}`,
    xLabel: 'step',
    yLabel: 'training MACs so far',
    series: curves.map((c, i) => ({ name: c.row, color: colorAt(i), points: c.curve.map((p): [number, number] => [p.step, p.trainMacs]), markers: c.curve.length < 12 })),
    width: 560,
  });
  const time = lineChart({
    title: `${s.name}: cumulative training-step time, seed ${seed}`,
    xLabel: 'step',
    yLabel: 'seconds (steps only, evaluations excluded)',
    series: curves.map((c, i) => ({ name: c.row, color: colorAt(i), points: c.curve.map((p): [number, number] => [p.step, p.stepSeconds]), markers: c.curve.length < 12 })),
    width: 560,
    note: 'a machine shared with other work: compare the curves of one report only',
  });
  return `<div class="charts">${macs}${time}</div>`;
}

function table(s: ReportSuite): string {
  const aggs = aggregate(s.rows, s.runs);
  const acc = s.metric === 'accuracy';
  const head = ['row', 'seeds', acc ? 'test accuracy %' : 'valid perplexity', 'MACs kept %', 'params kept %', 'training MACs vs dense', 'target met'];
  const rows = aggs.map((a) => [a.row, a.seeds.join(','), acc ? pm(a.quality, 2, 100) : pm(a.quality, 1), pm(a.macsFraction, 1, 100), pm(a.paramsFraction, 1, 100), pm(a.trainCostVsDense, 2, 1, '×'), a.budgetMet]);
  const missing = s.missing.map((m) => `<li><code>${esc(m.row)}</code>: ${esc(m.why)}</li>`).join('');
  return (
    `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>` +
    rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('') +
    `</tbody></table>${missing ? `<p>Not run:</p><ul>${missing}</ul>` : ''}`
  );
}

export function renderEvidenceHtml(opts: { scale: 'smoke' | 'full'; suites: readonly ReportSuite[]; generated: string }): string {
  const smoke = opts.scale === 'smoke';
  const body = opts.suites
    .map((s) => {
      const none = s.runs.length === 0;
      return `<section><h2>${esc(s.name)} <small>(${esc(s.spec)})</small></h2>${
        none ? `<p>${s.missing.length ? esc(s.missing.map((m) => m.why).join('; ')) : 'No run has finished yet.'}</p>` : `${table(s)}<div class="charts">${paretoChart(s)}</div>${costCharts(s)}`
      }</section>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>archc evidence${smoke ? ' (smoke)' : ''}</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;color:#111827;max-width:1240px}table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #d1d5db;padding:3px 8px;font-size:13px;text-align:left}.charts{display:flex;flex-wrap:wrap;gap:16px}.warn{background:#fef3c7;border:1px solid #f59e0b;padding:8px 12px}small{color:#6b7280;font-weight:normal}</style>
</head><body>
<h1>archc evidence: the paper's claims ${smoke ? '— SMOKE RUN' : 'at full length'}</h1>
${smoke ? '<p class="warn"><b>Smoke scale:</b> every row ran for a handful of steps to validate the pipeline. These numbers are not evidence.</p>' : ''}
<p>Generated ${esc(opts.generated)} by <code>experiments/evidence.ts --scale ${opts.scale}</code>. Means ± standard deviations over seeds; "ours" is archc's structured continuous sparsification with a MACs budget target; L1 is L1-norm filter pruning (Li et al. 2017) of the dense run, physically sliced, then fine-tuned.</p>
${body}
</body></html>
`;
}

export { pct };
