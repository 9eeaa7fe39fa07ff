// The evidence driver's results, pure: the per-run summary, mean ± std over seeds per row, the Markdown table and
// the JSON of a suite, and the data of the two charts (accuracy vs MACs with error bars over seeds; cumulative
// training MACs and step time vs step, dense vs ours). Tested in test/experiments/evidence-results.test.ts.

export interface CurvePoint {
  step: number;
  /** Σ sampled MACs × batch so far (forward). */
  trainMacs: number;
  /** The same for the dense network (what a dense run would have spent by this step). */
  denseMacs: number;
  /** Σ stepMs × steps so far, seconds (training steps only, evaluations excluded). */
  stepSeconds: number;
  /** The trainer's wall time so far (evaluations included), seconds. */
  wallSeconds: number;
}

/** What the driver keeps of one finished run (summary.json). */
export interface RunSummary {
  id: string;
  key: string;
  suite: string;
  row: string;
  seed: number;
  scale: 'smoke' | 'full';
  /** The commands that made it (L1: the slicing step, then the fine-tuning). */
  commands: string[];
  metric: 'accuracy' | 'perplexity';
  accuracy: number;
  perplexity: number | null;
  params: number;
  macs: number;
  denseParams: number;
  denseMacs: number;
  /** Kept width per maskable group of the spec the suite starts from (for L1 and scratch: the sliced spec's). */
  widths: Record<string, number>;
  steps: number;
  batch: number;
  /** This run's training MACs (forward, integrated) and the dense network's over the same steps. */
  trainMacs: number;
  trainMacsDense: number;
  /** Training cost including the runs it builds on (L1: + the dense run); else equal to trainMacs. */
  totalTrainMacs: number;
  /** Trainer wall time (training + evaluations), seconds; totalWall adds the dense run for L1. */
  wallSeconds: number;
  stepSeconds: number;
  totalWallSeconds: number;
  budget: { target: number; final: number; met: boolean } | null;
  l1: { ratio: number; targetMacs: number; finetuneSteps: number; accuracyBeforeFinetune?: number; accuracyOfDense?: number } | null;
  backend: string;
  dataset: string;
  machine: { cpu: string; cores: number; loadStart: number; loadEnd: number; host: string };
  date: string;
  codeVersion: string;
  curve: CurvePoint[];
}

export interface Stat {
  mean: number;
  /** Sample standard deviation (n − 1); 0 for one seed. */
  std: number;
  n: number;
  values: number[];
}

export function stat(values: readonly number[]): Stat {
  const v = values.filter((x) => Number.isFinite(x));
  const n = v.length;
  if (n === 0) return { mean: Number.NaN, std: Number.NaN, n: 0, values: [] };
  const mean = v.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, n, values: [...v] };
}

/** `mean ± std` with `digits` decimals (`scale` 100 for percents); one seed prints no ±. */
export function pm(s: Stat, digits: number, scale = 1, suffix = ''): string {
  if (s.n === 0) return '–';
  const m = (s.mean * scale).toFixed(digits);
  return s.n > 1 ? `${m} ± ${(s.std * scale).toFixed(digits)}${suffix}` : `${m}${suffix}`;
}

export interface RowAggregate {
  row: string;
  label: string;
  seeds: number[];
  quality: Stat;
  macsFraction: Stat;
  paramsFraction: Stat;
  /** Total training MACs relative to the dense row's mean (1 = a dense run's cost). */
  trainCostVsDense: Stat;
  wallSeconds: Stat;
  totalWallSeconds: Stat;
  widths: Record<string, Stat>;
  budgetMet: string;
}

/** Aggregates the summaries of one suite by row, in `rows` order; rows with no finished run are left out. */
export function aggregate(rows: readonly { name: string; label: string }[], runs: readonly RunSummary[]): RowAggregate[] {
  const denseCost = stat(runs.filter((r) => r.row === 'dense').map((r) => r.trainMacs)).mean;
  const out: RowAggregate[] = [];
  for (const row of rows) {
    const rs = runs.filter((r) => r.row === row.name).sort((a, b) => a.seed - b.seed);
    if (rs.length === 0) continue;
    const groups = [...new Set(rs.flatMap((r) => Object.keys(r.widths)))];
    const met = rs.filter((r) => r.budget !== null);
    out.push({
      row: row.name,
      label: row.label,
      seeds: rs.map((r) => r.seed),
      quality: stat(rs.map((r) => (r.metric === 'perplexity' ? (r.perplexity ?? Number.NaN) : r.accuracy))),
      macsFraction: stat(rs.map((r) => r.macs / r.denseMacs)),
      paramsFraction: stat(rs.map((r) => r.params / r.denseParams)),
      trainCostVsDense: stat(rs.map((r) => (Number.isFinite(denseCost) && denseCost > 0 ? r.totalTrainMacs / denseCost : Number.NaN))),
      wallSeconds: stat(rs.map((r) => r.wallSeconds)),
      totalWallSeconds: stat(rs.map((r) => r.totalWallSeconds)),
      widths: Object.fromEntries(groups.map((g) => [g, stat(rs.map((r) => r.widths[g] ?? Number.NaN))])),
      budgetMet: met.length === 0 ? '' : `${met.filter((r) => r.budget!.met).length}/${met.length}`,
    });
  }
  return out;
}

const fmtSeconds = (s: number): string => (s >= 600 ? `${(s / 60).toFixed(0)} min` : `${s.toFixed(0)} s`);

function pmSeconds(s: Stat): string {
  if (s.n === 0) return '–';
  const unit = s.mean >= 600 ? 60 : 1;
  const u = unit === 60 ? ' min' : ' s';
  return s.n > 1 ? `${(s.mean / unit).toFixed(0)} ± ${(s.std / unit).toFixed(0)}${u}` : `${(s.mean / unit).toFixed(0)}${u}`;
}

function mdTable(head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

export interface SuiteTableInput {
  suite: string;
  spec: string;
  metric: 'accuracy' | 'perplexity';
  scale: 'smoke' | 'full';
  rows: readonly { name: string; label: string }[];
  runs: readonly RunSummary[];
  /** Rows not run, with the reason (e.g. a missing spec). */
  missing: readonly { row: string; why: string }[];
  /** How to reproduce a row: the driver's command line for it. */
  driverCommand: (row: string) => string;
  lengthNote: string;
}

/** The Markdown of one suite: a header that says the scale, the table, the per-row commands and the machine. */
export function suiteMarkdown(t: SuiteTableInput): string {
  const aggs = aggregate(t.rows, t.runs);
  const q = t.metric === 'accuracy' ? 'test accuracy % (mean ± std)' : 'valid perplexity (mean ± std)';
  const head = ['row', 'seeds', q, 'MACs kept %', 'params kept %', 'training MACs vs dense run', 'wall (this run)', 'wall (incl. dense for L1)', 'target met'];
  const body = aggs.map((a) => [
    `${a.row}: ${a.label}`,
    a.seeds.join(','),
    t.metric === 'accuracy' ? pm(a.quality, 2, 100) : pm(a.quality, 1),
    pm(a.macsFraction, 1, 100),
    pm(a.paramsFraction, 1, 100),
    pm(a.trainCostVsDense, 2, 1, '×'),
    pmSeconds(a.wallSeconds),
    pmSeconds(a.totalWallSeconds),
    a.budgetMet,
  ]);
  const widthGroups = [...new Set(aggs.flatMap((a) => Object.keys(a.widths)))];
  const widthTable =
    widthGroups.length > 0 && widthGroups.length <= 12
      ? mdTable(['row', ...widthGroups], aggs.map((a) => [a.row, ...widthGroups.map((g) => (a.widths[g] ? pm(a.widths[g]!, 1) : '–'))]))
      : '';
  const machines = [...new Set(t.runs.map((r) => `${r.machine.cores} × ${r.machine.cpu} (${r.machine.host}), backend ${r.backend}`))];
  const loads = t.runs.map((r) => r.machine.loadStart);
  const smoke = t.scale === 'smoke';
  const cmdRows = aggs.map((a) => {
    const first = t.runs.find((r) => r.row === a.row)!;
    return `- \`${a.row}\`: \`${t.driverCommand(a.row)}\`; seed ${first.seed} ran ${first.commands.map((c) => `\`${c}\``).join(' then ')}`;
  });
  return [
    `# Evidence (${smoke ? 'SMOKE: tiny steps, pipeline validation only, NOT evidence' : 'full length'}): ${t.suite}`,
    '',
    `Spec \`${t.spec}\`; ${t.lengthNote}. Generated by \`experiments/evidence.ts\` from the runs' summaries (\`${t.scale === 'smoke' ? 'runs/evidence/smoke' : 'experiments/results/evidence-runs/full'}/${t.suite}/\`).`,
    smoke ? '\n**These numbers come from a handful of steps: they only show that every row runs end to end. Do not cite them.**\n' : '',
    mdTable(head, body),
    '',
    ...(widthTable ? ['Kept widths per mask group (mean ± std over seeds):', '', widthTable, ''] : []),
    ...(t.missing.length > 0 ? ['Not run:', '', ...t.missing.map((m) => `- \`${m.row}\`: ${m.why}`), ''] : []),
    'Training MACs are forward MACs integrated over the run (Σ sampled MACs × batch, the paper\'s Figure 2), relative to the mean of the dense row; an L1 row adds the dense run it prunes. Wall times are the trainer\'s (training + evaluations), on a machine shared with other work: compare them within one table only.',
    '',
    `Machine: ${machines.join('; ') || '–'}; 1-minute load average at the runs' starts ${loads.length ? `${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}` : '–'}. Code version(s): ${[...new Set(t.runs.map((r) => r.codeVersion))].join(', ') || '–'}.`,
    '',
    '## Commands',
    '',
    ...cmdRows,
    '',
  ].join('\n');
}

/** The JSON of one suite: the raw numbers per seed, for scripts to compare. */
export function suiteJson(t: Pick<SuiteTableInput, 'suite' | 'spec' | 'metric' | 'scale' | 'rows' | 'runs' | 'missing'>): unknown {
  return {
    format: 'archc-evidence',
    version: 1,
    suite: t.suite,
    spec: t.spec,
    scale: t.scale,
    metric: t.metric,
    missing: t.missing,
    rows: aggregate(t.rows, t.runs).map((a) => ({
      row: a.row,
      label: a.label,
      mean: { quality: a.quality.mean, macsFraction: a.macsFraction.mean, paramsFraction: a.paramsFraction.mean, trainCostVsDense: a.trainCostVsDense.mean },
      std: { quality: a.quality.std, macsFraction: a.macsFraction.std, paramsFraction: a.paramsFraction.std, trainCostVsDense: a.trainCostVsDense.std },
      runs: t.runs
        .filter((r) => r.row === a.row)
        .sort((x, y) => x.seed - y.seed)
        .map((r) => ({
          seed: r.seed,
          key: r.key,
          accuracy: r.accuracy,
          perplexity: r.perplexity,
          macs: r.macs,
          params: r.params,
          denseMacs: r.denseMacs,
          denseParams: r.denseParams,
          widths: r.widths,
          steps: r.steps,
          batch: r.batch,
          trainMacs: r.trainMacs,
          totalTrainMacs: r.totalTrainMacs,
          wallSeconds: r.wallSeconds,
          totalWallSeconds: r.totalWallSeconds,
          budget: r.budget,
          l1: r.l1,
          commands: r.commands,
          backend: r.backend,
          machine: r.machine,
          codeVersion: r.codeVersion,
          date: r.date,
        })),
    })),
  };
}

/** One series of the accuracy-vs-MACs chart: a method, its points (one per target) with error bars over seeds. */
export interface ParetoSeries {
  method: string;
  points: { row: string; macs: Stat; quality: Stat }[];
}

/**
 * Accuracy (or perplexity) against kept MACs (% of dense): one series per method (rows named `<method>-<target>`,
 * e.g. ours-50, ours-30, l1-50, l1-50-eq → methods ours, l1, l1-eq), points sorted by MACs; dense as one point.
 */
export function paretoData(aggs: readonly RowAggregate[]): ParetoSeries[] {
  const byMethod = new Map<string, ParetoSeries['points']>();
  for (const a of aggs) {
    const m = /^(.*?)-(\d+)(-eq)?$/.exec(a.row);
    const method = a.row === 'dense' ? 'dense' : m ? `${m[1]}${m[3] ?? ''}` : a.row;
    if (!byMethod.has(method)) byMethod.set(method, []);
    byMethod.get(method)!.push({ row: a.row, macs: a.macsFraction, quality: a.quality });
  }
  return [...byMethod.entries()].map(([method, points]) => ({ method, points: points.sort((x, y) => x.macs.mean - y.macs.mean) }));
}

/** The cost curves of one seed's run per row (dense and ours rows): cumulative training MACs and step time. */
export function costCurves(runs: readonly RunSummary[], rows: readonly string[], seed: number): { row: string; curve: CurvePoint[] }[] {
  return rows.flatMap((row) => {
    const r = runs.find((x) => x.row === row && x.seed === seed);
    return r ? [{ row, curve: r.curve }] : [];
  });
}

export { fmtSeconds };
