// Renders ReportData to one self-contained HTML page: a summary header, the paper's Figure 2 (training MACs per
// iteration, sampled and expected, and their running total), kept ratios per group and per stage, β quantiles
// over time and a final histogram, loss and accuracy/perplexity curves, the width diff table and an optional
// accuracy-vs-MACs sweep. Charts are static SVG; a few lines of inline JS add a hover read-out. No external URLs.

import { basename } from 'node:path';
import type { MetricsLine } from '../runtime/train/trainer.ts';
import type { ReportData } from './model.ts';
import { colorAt, esc, fmtNum, histogram, lineChart, type Series } from './svg.ts';
import { grouped } from '../io/numbers.ts';

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
const pctTick = (v: number) => `${Math.round(100 * v)}%`;

function secs(s: number): string {
  if (!Number.isFinite(s)) return '–';
  if (s < 90) return `${s.toFixed(0)} s`;
  if (s < 5400) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(2)} h`;
}

function pts(ms: MetricsLine[], f: (m: MetricsLine) => number): [number, number][] {
  return ms.map((m) => [m.step, f(m)] as [number, number]).filter(([, y]) => Number.isFinite(y));
}

function card(label: string, value: string, sub = ''): string {
  return `<div class="card"><div class="label">${esc(label)}</div><div class="value">${value}</div>${sub ? `<div class="sub">${sub}</div>` : ''}</div>`;
}

/** The dataset card: the name up to its first parenthesis as the value, the rest (sizes, source) below it. */
function datasetCard(dataset: string | undefined, backend: string | undefined): string {
  const ds = dataset ?? '–';
  const m = /^(.*?)(?: \(|: )(.*)$/.exec(ds);
  const head = m ? m[1]! : ds;
  const rest = m ? m[2]!.replace(/\)$/, '') : '';
  const sub = [rest, backend ? `backend ${backend}` : ''].filter(Boolean).map(esc).join('<br>');
  return `<div class="card wide" title="${esc(ds)}"><div class="label">Dataset</div><div class="value small">${esc(head)}</div>${sub ? `<div class="sub">${sub}</div>` : ''}</div>`;
}

export function renderReport(d: ReportData): string {
  const ms = d.metrics;
  const last = ms[ms.length - 1]!;
  const lm = d.task === 'language-model';
  const paramsAfter = d.pruned?.params ?? last.archParams;
  const macsAfter = d.pruned?.macs ?? last.archMacs;
  const trainSaving = last.denseMacsTotal > 0 ? 1 - last.sampledMacsTotal / last.denseMacsTotal : 0;

  const cards = [
    datasetCard(d.facts.dataset, d.facts.backend),
    card('Steps', `${grouped(last.step)}`, `${last.epoch.toFixed(2)} epochs`),
    card('Wall time', secs(d.facts.wallTime ?? last.wallTime), `training + evaluation ${secs(last.wallTime)}`),
    lm
      ? card(`Perplexity (${last.evalSplit})`, last.evalPerplexity !== null ? last.evalPerplexity.toFixed(1) : '–', `next-token accuracy ${pct(last.evalAccuracy)}`)
      : card(`Accuracy (${last.evalSplit})`, pct(last.evalAccuracy), 'deterministic mask 1[s&gt;0]'),
    card('Params', `${fmtNum(last.denseParams)} → ${fmtNum(paramsAfter)}`, `${pct(paramsAfter / Math.max(1, last.denseParams))} kept`),
    card('MACs / example', `${fmtNum(last.denseMacs)} → ${fmtNum(macsAfter)}`, `${pct(macsAfter / Math.max(1, last.denseMacs))} kept`),
    card('Training MACs', fmtNum(last.sampledMacsTotal), `${pct(trainSaving)} below dense (${fmtNum(last.denseMacsTotal)})`),
  ];

  // What the page cannot show, said at the top instead of as empty frames; and the run's own warnings.
  const notes: string[] = [...(d.compaction?.warnings ?? [])];
  if (ms.length === 1) {
    notes.push(
      `metrics.jsonl holds a single line (step ${last.step}), so every chart shows one point and no curve: ` +
        'train with --log-every N (e.g. a tenth of the steps) to plot how the run developed.',
    );
  }

  const sections: string[] = [];
  const budget = last.budget;
  const macsBudget = budget?.metric === 'macs' ? budget.target : null;

  // Figure 2: training cost.
  const fig2 = lineChart({
    title: 'Training MACs per iteration (paper Fig. 2)',
    xLabel: 'training step',
    xMin: 0,
    yLabel: 'forward MACs per example',
    yMin: 0,
    // Drawn in this order: the sampled line last, on top (it tracks the expected one closely and would hide under it).
    series: [
      { name: 'dense', color: '#6b7280', dash: true, points: pts(ms, (m) => m.denseMacs) },
      { name: 'kept arch 1[s>0]', color: '#059669', points: pts(ms, (m) => m.archMacs) },
      { name: 'expected (σ(βs))', color: '#d97706', width: 3.5, points: pts(ms, (m) => m.expectedMacs) },
      { name: 'sampled (q)', color: '#2563eb', width: 1.6, points: pts(ms, (m) => m.sampledMacs) },
      // A MACs budget (README "Budget targets"): the target and the reference the controller steered along.
      ...(macsBudget
        ? [
            { name: `target ${pct(macsBudget)}`, color: '#dc2626', dash: true, points: pts(ms, (m) => macsBudget * m.denseMacs) },
            { name: 'budget reference', color: '#f472b6', dash: true, width: 1.2, points: pts(ms, (m) => (m.budget?.reference ?? NaN) * m.denseMacs) },
          ]
        : []),
    ],
    note: 'sampled/expected: means over the steps since the previous metrics line',
  });
  const total = lineChart({
    title: 'Training MACs, running total',
    xLabel: 'training step',
    xMin: 0,
    yLabel: 'cumulative forward MACs',
    yMin: 0,
    series: [
      { name: 'sampled (what ran)', color: '#2563eb', points: pts(ms, (m) => m.sampledMacsTotal) },
      { name: 'expected', color: '#d97706', points: pts(ms, (m) => m.expectedMacsTotal) },
      { name: 'dense training', color: '#6b7280', dash: true, points: pts(ms, (m) => m.denseMacsTotal) },
    ],
      });
  sections.push(section('Training cost', `<div class="grid">${fig2}${total}</div>`, 'MACs are multiply-accumulates of one forward pass; totals multiply by the batch size.'));
  const timed = stepTimeCharts(ms);
  if (timed) sections.push(timed);

  if (budget) {
    const unit = budget.metric === 'macs' ? 'MACs' : 'params';
    const lambdaChart = lineChart({
      title: 'λ over time (set by the budget controller)',
      xLabel: 'training step',
      xMin: 0,
      yLabel: 'λ',
      series: [{ name: 'λ', color: '#7c3aed', points: pts(ms, (m) => m.budget?.lambda ?? NaN), markers: ms.length < 30 }],
    });
    const gapChart = lineChart({
      title: `Kept ${unit} against the target`,
      xLabel: 'training step',
      xMin: 0,
      yLabel: `kept ${unit} / dense (1[s>0])`,
      yMin: 0,
      yFormat: pctTick,
      series: [
        { name: 'kept', color: '#059669', points: pts(ms, (m) => (m.budget ? m.budget.target + m.budget.gap : NaN)) },
        { name: 'reference', color: '#f472b6', dash: true, points: pts(ms, (m) => m.budget?.reference ?? NaN) },
        { name: `target ${pct(budget.target)} ± ${pct(budget.tolerance)}`, color: '#dc2626', dash: true, points: pts(ms, () => budget.target) },
      ],
    });
    const verdict =
      budget.met === false
        ? `<strong>Target NOT met</strong>: the kept network is ${(100 * Math.abs(budget.gap)).toFixed(1)} points ${budget.gap > 0 ? 'above' : 'below'} the target ${unit} ${pct(budget.target)} (tolerance ±${(100 * budget.tolerance).toFixed(1)} points).`
        : `Target ${unit} ${pct(budget.target)}: the kept network has ${pct(budget.target + budget.gap)}${budget.met ? ' (met)' : ''}.`;
    sections.push(section('Budget target', `<p>${verdict}</p><div class="grid">${gapChart}${lambdaChart}</div>`, 'The controller sets λ each step from the gap between the kept architecture and a reference that ramps from dense to the target.'));
  }

  // Kept ratios.
  const groups = d.groups.filter((g) => g.maskable);
  const widthOf = new Map(d.groups.map((g) => [g.name, g.width]));
  const perGroup: Series[] = groups.map((g, i) => ({
    name: g.name,
    color: colorAt(i),
    points: pts(ms, (m) => (m.kept[g.name] ?? NaN) / Math.max(1, g.width)),
    width: 1.6,
  }));
  const stages = [...new Set(groups.map((g) => g.stage))];
  const perStage: Series[] = stages.map((st, i) => {
    const gs = groups.filter((g) => g.stage === st);
    const w = gs.reduce((a, g) => a + g.width, 0);
    return { name: st, color: colorAt(i), points: pts(ms, (m) => gs.reduce((a, g) => a + (m.kept[g.name] ?? 0), 0) / Math.max(1, w)) };
  });
  const keptNote = d.widthsKnown ? '' : 'widths unknown (no input spec): ratios are against the largest kept count seen';
  const keptAxis = { xLabel: 'training step', xMin: 0, yLabel: 'kept / width (1[s>0])', yMin: 0, yMax: 1.05, yFormat: pctTick };
  const groupChart = lineChart({ title: 'Kept ratio per mask group', ...keptAxis, series: perGroup, ...(keptNote ? { note: keptNote } : {}) });
  const stageChart = lineChart({ title: 'Kept ratio per stage', ...keptAxis, series: perStage });
  sections.push(
    section(
      'Kept structures over time',
      `<div class="grid">${groupChart}${stages.length < groups.length ? stageChart : ''}</div>`,
      'A group is a set of channels or units that share one mask (a residual stage shares one across its blocks). Stage = first part of the layer path.',
    ),
  );

  // β distribution.
  const q = (k: keyof MetricsLine['beta'][string]) => ms.map((m) => [m.step, m.beta['all']?.[k] ?? NaN] as [number, number]);
  const betaTime = lineChart({
    title: 'β over time (all structures)',
    xLabel: 'training step',
    xMin: 0,
    yLabel: 'β',
    yMin: 0,
    bands: [
      { name: 'min–max', color: '#7c3aed', opacity: 0.12, points: ms.map((m) => [m.step, m.beta['all']?.min ?? NaN, m.beta['all']?.max ?? NaN]) },
      { name: '25–75%', color: '#7c3aed', opacity: 0.3, points: ms.map((m) => [m.step, m.beta['all']?.p25 ?? NaN, m.beta['all']?.p75 ?? NaN]) },
    ],
    series: [{ name: 'median', color: '#5b21b6', points: q('median') }],
      });
  let betaFinal: string;
  if (d.masksFinal) {
    const betas = Object.values(d.masksFinal).flatMap((g) => g.beta);
    const sv = Object.entries(d.masksFinal).flatMap(([, g]) => g.s.map((s, j) => s * (g.beta[j] ?? 1)));
    betaFinal =
      histogram({ title: 'Final β, histogram', xLabel: 'β', yLabel: 'structures', values: betas, color: '#7c3aed' }) +
      histogram({ title: 'Final βs (mask pre-activation), histogram', xLabel: 'βs  (σ = clip(βs + 0.5, 0, 1); kept iff s > 0)', yLabel: 'structures', values: sv, color: '#0891b2', marker: { at: 0, label: 's = 0: kept to the right' } });
  } else {
    const rows = Object.entries(last.beta)
      .map(([g, b]) => `<tr><td>${esc(g)}</td><td>${b.min.toFixed(2)}</td><td>${b.p25.toFixed(2)}</td><td>${b.median.toFixed(2)}</td><td>${b.p75.toFixed(2)}</td><td>${b.max.toFixed(2)}</td></tr>`)
      .join('');
    betaFinal = `<div class="tablewrap"><h3>Final β quantiles per group</h3><table><thead><tr><th>group</th><th>min</th><th>25%</th><th>median</th><th>75%</th><th>max</th></tr></thead><tbody>${rows}</tbody></table><p class="muted">masks-final.json is absent, so the histogram of raw β values cannot be drawn.</p></div>`;
  }
  sections.push(section('Distribution of β', `<div class="grid">${betaTime}${betaFinal}</div>`, 'β sharpens the hard sigmoid σ(βs); the structure-wise scheduler grows it only for sampled structures.'));

  // Loss and accuracy / perplexity.
  // An early evaluation with fresh BatchNorm statistics can read far above the training loss; clip the axis there.
  // A language model trained with `lossReduction sum` reports its total loss summed over time steps: another scale
  // than the per-token task and evaluation losses, so it is left out of the plot (and said so).
  const summed = ms.some((m) => Math.abs(m.loss - m.taskLoss - m.lambdaTerm) > 0.5 * Math.max(1, Math.abs(m.taskLoss)));
  const trainMax = Math.max(...ms.map((m) => (summed ? m.taskLoss : m.loss)).filter(Number.isFinite));
  const evalMax = Math.max(...ms.map((m) => m.evalLoss).filter(Number.isFinite));
  const clipLoss = Number.isFinite(trainMax) && evalMax > 2 * trainMax;
  const loss = lineChart({
    title: 'Loss',
    ...(clipLoss ? { yMin: 0, yMax: 2 * trainMax, note: `axis clipped at ${(2 * trainMax).toFixed(2)}: the ${last.evalSplit} loss peaks at ${evalMax.toFixed(1)}` } : {}),
    xLabel: 'training step',
    xMin: 0,
    yLabel: lm ? 'cross-entropy (nats / token)' : 'cross-entropy (nats)',
    ...(summed && !clipLoss ? { note: 'train loss summed over time (lossReduction sum): not plotted' } : {}),
    series: [
      ...(summed ? [] : [{ name: 'train total (task + λ term)', color: '#dc2626', points: pts(ms, (m) => m.loss) }]),
      { name: 'train task', color: '#f97316', points: pts(ms, (m) => m.taskLoss), dash: true },
      { name: `${last.evalSplit} (1[s>0])`, color: '#2563eb', points: pts(ms, (m) => m.evalLoss) },
    ],
      });
  const ppl = ms.map((m) => m.evalPerplexity ?? NaN).filter(Number.isFinite);
  const pplTop = ppl.length ? 4 * Math.min(...ppl) : NaN;
  const clipPpl = ppl.length > 0 && Math.max(...ppl) > pplTop;
  const acc = lm
    ? lineChart({
        title: `Perplexity (${last.evalSplit})`,
        ...(clipPpl ? { yMin: 0, yMax: pplTop, note: `axis clipped at ${pplTop.toFixed(0)}: the first evaluations read up to ${Math.max(...ppl).toFixed(0)}` } : {}),
        xLabel: 'training step',
    xMin: 0,
        yLabel: 'perplexity',
        series: [{ name: `${last.evalSplit} perplexity`, color: '#2563eb', points: pts(ms, (m) => m.evalPerplexity ?? NaN), markers: ms.length < 30 }],
              })
    : lineChart({
        title: 'Accuracy',
        xLabel: 'training step',
    xMin: 0,
        yLabel: 'accuracy',
        yFormat: pctTick,
        series: [
          { name: 'train (sampled masks)', color: '#f97316', points: pts(ms, (m) => m.trainAccuracy) },
          { name: `${last.evalSplit} (1[s>0])`, color: '#2563eb', points: pts(ms, (m) => m.evalAccuracy), markers: ms.length < 30 },
        ],
              });
  sections.push(section('Loss and ' + (lm ? 'perplexity' : 'accuracy'), `<div class="grid">${loss}${acc}</div>`, 'Intermediate evaluations may use a subset of the split; the last point uses all of it.'));

  // Width table.
  sections.push(section('Widths: input vs pruned', widthTable(d, last, widthOf)));

  if (d.sweep && d.sweep.length > 0) {
    const names = [...new Set(d.sweep.map((p) => p.series ?? 'runs'))];
    const series: Series[] = names.map((n, i) => {
      const ps = d.sweep!.filter((p) => (p.series ?? 'runs') === n).sort((a, b) => a.macs - b.macs);
      // Label the points of multi-point curves (a sweep); single runs are named by the legend.
      return { name: n, color: colorAt(i), markers: true, points: ps.map((p) => [p.macs, p.accuracy] as [number, number]), ...(ps.length > 1 ? { labels: ps.map((p) => p.label) } : {}) };
    });
    sections.push(
      section(
        'Accuracy vs MACs',
        lineChart({ title: 'Accuracy against MACs of the kept architecture', xLabel: 'MACs per example (kept architecture)', yLabel: 'test accuracy', yFormat: pctTick, series, width: 1120, height: 380, xMin: 0 }),
        'Each point is one run; labels give its setting.',
      ),
    );
  }

  const subtitle = [d.facts.dataset, d.inputFile ? `input ${basename(d.inputFile)}` : null, d.pruned ? `pruned ${basename(d.pruned.file)}` : null].filter(Boolean).map((s) => esc(s!)).join(' · ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>archc report — ${esc(d.title)}</title>
<style>${CSS}</style></head>
<body>
<header><h1>archc report — ${esc(d.title)}</h1><div class="subtitle">${subtitle}</div>
<div class="cards">${cards.join('')}</div>
${d.facts.command ? `<div class="cmd">command: <code>${esc(d.facts.command)}</code></div>` : ''}
${d.facts.note ? `<div class="note">${esc(d.facts.note)}</div>` : ''}
${notes.map((n) => `<div class="warn">${esc(n)}</div>`).join('\n')}
</header>
<main>${sections.join('\n')}</main>
<footer>Generated by archc report from ${ms.length} metrics line${ms.length === 1 ? '' : 's'}; widths from ${esc(d.widthSource)}${d.widthsKnown ? '' : ' (estimated)'}. Self-contained: no network access needed.</footer>
<div id="tip" hidden></div>
<script>${HOVER_JS}</script>
</body></html>
`;
}

/**
 * Figure 2 with time as well as MACs: the wall time of a training step next to the sampled MACs (both per metrics
 * interval), over the run and against each other. Narrow execution (sparsify { execution narrow }) makes the two
 * fall together; at full width the time stays flat while the MACs fall. Null for runs written before `stepMs`.
 */
function stepTimeCharts(ms: MetricsLine[]): string | null {
  const timed = ms.filter((m) => m.stepMs !== undefined && Number.isFinite(m.stepMs));
  if (timed.length === 0) return null;
  const first = timed[0]!;
  const rel = (v: number, v0: number) => (v0 > 0 ? v / v0 : NaN);
  const over = lineChart({
    title: 'Step time and sampled MACs (relative to the first line)',
    xLabel: 'training step',
    xMin: 0,
    yLabel: 'relative to the first metrics line',
    yMin: 0,
    yFormat: pctTick,
    series: [
      { name: 'wall time per step', color: '#dc2626', points: timed.map((m) => [m.step, rel(m.stepMs!, first.stepMs!)]) },
      { name: 'sampled MACs', color: '#2563eb', points: timed.map((m) => [m.step, rel(m.sampledMacs, first.sampledMacs)]) },
    ],
    note: `first line: ${first.stepMs!.toFixed(0)} ms/step at ${fmtNum(first.sampledMacs)} sampled MACs`,
  });
  const against = lineChart({
    title: 'Wall time per step against sampled MACs',
    xLabel: 'sampled forward MACs per example',
    xMin: 0,
    yLabel: 'ms per training step',
    yMin: 0,
    series: [{ name: 'metrics lines', color: '#dc2626', markers: true, points: timed.map((m) => [m.sampledMacs, m.stepMs!]) }],
  });
  const narrow = timed.reduce((a, m) => a + (m.narrowSteps ?? 0), 0) / timed.length;
  return section(
    'Training time',
    `<div class="grid">${over}${against}</div>`,
    `Means over the steps since the previous metrics line; evaluation is not included. ${pct(narrow)} of the steps ran narrow (only the sampled sub-network computed).`,
  );
}

function section(title: string, body: string, caption = ''): string {
  return `<section><h2>${esc(title)}</h2>${caption ? `<p class="caption">${esc(caption)}</p>` : ''}${body}</section>`;
}

function widthTable(d: ReportData, last: MetricsLine, widthOf: Map<string, number>): string {
  const bar = (r: number) => `<div class="bar"><div style="width:${Math.max(0, Math.min(100, 100 * r)).toFixed(1)}%"></div></div>`;
  const rows = diffRows(d.diff);
  if (rows) {
    const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
    const hasBar = cols.includes('before') && cols.includes('after');
    const body = rows
      .map((r) => {
        const before = Number(r['before']);
        const after = Number(r['after']);
        const changed = hasBar && before !== after;
        const cells = cols.map((c) => {
          const v = r[c];
          const text = c === 'kept' && typeof v === 'number' && v <= 1 ? pct(v) : cell(v);
          return `<td${typeof v === 'number' ? ' class="num"' : ''}>${esc(text)}</td>`;
        });
        if (hasBar) cells.push(`<td>${Number.isFinite(before) && before > 0 && Number.isFinite(after) ? bar(after / before) : ''}</td>`);
        return `<tr class="${changed ? 'changed' : ''}">${cells.join('')}</tr>`;
      })
      .join('');
    const from = d.diffSource === 'computed' ? 'archc diff of the input and the pruned spec' : 'diff.json (archc diff --json of the input and the pruned spec)';
    return `<p class="caption">From ${esc(from)}.</p><div class="tablewrap"><table><thead><tr>${cols.map((c) => `<th>${esc(c)}</th>`).join('')}${hasBar ? '<th></th>' : ''}</tr></thead><tbody>${body}</tbody></table></div>`;
  }
  // Final widths: compaction.json's when compaction ran (it knows the blocks that vanished), else the last line's.
  const keptOf = (g: string): number | undefined => d.compaction?.groups.find((x) => x.name === g)?.kept ?? last.kept[g];
  const removed = (path: string): boolean => (d.compaction?.vanished ?? []).some((v) => v.mode === 'identity' && path.startsWith(`${v.instance}.`));
  if (d.layers.length > 0) {
    const body = d.layers
      .map((l) => {
        if (removed(l.path)) {
          return `<tr class="changed"><td>${esc(l.path)}</td><td>${esc(l.kind)}</td><td>${esc(l.group ?? '')}</td><td class="num">${l.width}</td><td>removed (identity)</td><td class="num">${pct(0)}</td><td>${bar(0)}</td></tr>`;
        }
        const after = (l.group !== null ? keptOf(l.group) : undefined) ?? l.width;
        const r = after / Math.max(1, l.width);
        return `<tr class="${after !== l.width ? 'changed' : ''}"><td>${esc(l.path)}</td><td>${esc(l.kind)}</td><td>${esc(l.group ?? '')}</td><td class="num">${l.width}</td><td class="num">${after}</td><td class="num">${pct(r)}</td><td>${bar(r)}</td></tr>`;
      })
      .join('');
    const from = d.compaction ? "compaction.json's kept widths and vanished blocks" : "the final metrics line's kept widths (1[s&gt;0])";
    return `<p class="caption">Computed from ${from} and the input spec; there is no pruned spec to diff against.</p><div class="tablewrap"><table><thead><tr><th>layer</th><th>kind</th><th>mask group</th><th>input width</th><th>pruned width</th><th>kept</th><th></th></tr></thead><tbody>${body}</tbody></table></div>`;
  }
  const body = Object.keys(last.kept)
    .map((g) => {
      const k = keptOf(g) ?? 0;
      const w = widthOf.get(g) ?? k;
      const r = k / Math.max(1, w);
      return `<tr class="${k !== w ? 'changed' : ''}"><td>${esc(g)}</td><td class="num">${w}</td><td class="num">${k}</td><td class="num">${pct(r)}</td><td>${bar(r)}</td></tr>`;
    })
    .join('');
  return `<p class="caption">Per mask group from ${d.compaction ? 'compaction.json' : 'the final metrics line'} (no input spec found).</p><div class="tablewrap"><table><thead><tr><th>group</th><th>width</th><th>kept</th><th>kept</th><th></th></tr></thead><tbody>${body}</tbody></table></div>`;
}

/** The first array of objects in a diff JSON (its rows), whatever the key; null when there is none. */
export function diffRows(diff: unknown): Record<string, unknown>[] | null {
  if (Array.isArray(diff)) return diff.every((r) => r && typeof r === 'object') ? (diff as Record<string, unknown>[]) : null;
  if (diff && typeof diff === 'object') {
    for (const key of ['layers', 'rows', 'changes', 'groups', 'widths']) {
      const v = (diff as Record<string, unknown>)[key];
      if (Array.isArray(v) && v.length > 0 && v.every((r) => r && typeof r === 'object')) return v as Record<string, unknown>[];
    }
    for (const v of Object.values(diff)) if (Array.isArray(v) && v.length > 0 && v.every((r) => r && typeof r === 'object' && !Array.isArray(r))) return v as Record<string, unknown>[];
  }
  return null;
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toPrecision(4);
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

const CSS = `
:root{--fg:#111827;--muted:#6b7280;--line:#e5e7eb;--accent:#2563eb}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:#f8fafc}
header{background:#fff;border-bottom:1px solid var(--line);padding:20px 32px 16px}
h1{font-size:22px;margin:0 0 4px}
.subtitle{color:var(--muted);margin-bottom:14px}
.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{flex:1 1 150px;max-width:290px;background:#f9fafb;border:1px solid var(--line);border-radius:8px;padding:10px 12px}
.card .label{font-size:11px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
.card .value{font-size:18px;font-weight:600;margin-top:2px;white-space:nowrap}
.card .value.small{font-size:15px;white-space:normal}
.card.wide{flex-basis:260px;max-width:340px}
.card .sub{font-size:12px;color:var(--muted)}
.cmd,.note{margin-top:10px;color:var(--muted);font-size:12px}
.warn{margin-top:10px;padding:6px 10px;border-left:3px solid #d97706;background:#fffbeb;font-size:12.5px}
code{background:#f3f4f6;padding:1px 4px;border-radius:3px}
main{padding:8px 32px 24px;max-width:1280px;margin:0 auto}
section{background:#fff;border:1px solid var(--line);border-radius:10px;padding:14px 18px;margin:16px 0}
h2{font-size:17px;margin:0 0 2px}
h3{font-size:14px;margin:6px 0}
.caption{color:var(--muted);margin:0 0 10px;font-size:12.5px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(500px,1fr));gap:8px;align-items:start}
svg.chart{max-width:100%;height:auto;display:block}
.tablewrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:12.5px}
th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;white-space:nowrap}
th{background:#f9fafb;font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.changed td{background:#fffbeb}
.bar{width:120px;height:8px;background:#e5e7eb;border-radius:4px;overflow:hidden}
.bar div{height:100%;background:var(--accent)}
.muted{color:var(--muted)}
footer{color:var(--muted);font-size:12px;padding:0 32px 24px}
#tip{position:fixed;pointer-events:none;background:#111827;color:#fff;font-size:12px;padding:4px 7px;border-radius:4px;white-space:nowrap;z-index:9}
`;

// Hover read-out: maps the pointer back to data coordinates using the chart's data-* attributes.
const HOVER_JS = `(function(){var tip=document.getElementById('tip');function f(v){var a=Math.abs(v);return a>=1e9?(v/1e9).toPrecision(3)+'G':a>=1e6?(v/1e6).toPrecision(3)+'M':a>=1e3?(v/1e3).toPrecision(3)+'k':v.toPrecision(3)}
document.querySelectorAll('svg.chart[data-x0]').forEach(function(s){s.addEventListener('mousemove',function(e){var r=s.getBoundingClientRect(),vb=s.viewBox.baseVal,k=vb.width/r.width,x=(e.clientX-r.left)*k,y=(e.clientY-r.top)*k,d=s.dataset,ml=+d.ml,mt=+d.mt,pw=+d.pw,ph=+d.ph;if(x<ml||x>ml+pw||y<mt||y>mt+ph){tip.hidden=true;return}var X=+d.x0+(x-ml)/pw*(d.x1-d.x0),Y=+d.y1-(y-mt)/ph*(d.y1-d.y0);tip.textContent='x '+f(X)+'  y '+f(Y);tip.style.left=(e.clientX+12)+'px';tip.style.top=(e.clientY+12)+'px';tip.hidden=false});s.addEventListener('mouseleave',function(){tip.hidden=true})});document.body.dataset.reportReady='1'})();`;
