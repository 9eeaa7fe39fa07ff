// The pure parts of the evidence driver (experiments/evidence.ts): spec edits, the runs a suite asks for and how
// each is resolved from the runs it depends on, the cache key, and what to do with a run folder found on disk
// (cached, summarise, resume, fresh). Nothing here touches the file system or spawns anything, so all of it is
// tested in test/experiments/evidence-plan.test.ts.

import { createHash } from 'node:crypto';

export type Scale = 'smoke' | 'full';

/** Textual edits of a spec (settings lines only, never comments). */
export interface SpecEdits {
  /** Remove every `maskable` / `maskable(…)` prefix: the network trains dense, with no masks at all. */
  dense?: boolean;
  /** The β scheduler: `global` (Eq. 7) instead of the spec's structure-wise one (Eq. 8), keeping its arguments. */
  scheduler?: 'global';
  /** The network-level `execution` setting (e.g. `narrow`: compute only the sampled sub-network). */
  execution?: string;
  /** The `data` setting, e.g. `brown` for the Brown corpus. */
  data?: string;
  /** The `lr` schedule, e.g. `step(atSteps [1253], factor 0.25)`. */
  lr?: string;
  /**
   * The run length in the spec's `train` section (`steps N` / `epochs N`), so that the spec itself plans the run
   * the flags ask for: its lr milestones are checked against it.
   */
  length?: { steps: number } | { epochs: number };
}

/** Drops `maskable` and `maskable(overrides)` before layer statements (not in comments). */
export function stripMaskable(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const hash = line.indexOf('#');
      const code = hash >= 0 ? line.slice(0, hash) : line;
      const rest = hash >= 0 ? line.slice(hash) : '';
      return code.replace(/\bmaskable(\([^()]*\))?[ \t]+/g, '') + rest;
    })
    .join('\n');
}

export function applySpecEdits(text: string, e: SpecEdits): string {
  let t = text;
  if (e.dense) t = stripMaskable(t);
  if (e.scheduler === 'global') {
    const sched = /^([ \t]*)scheduler[ \t]+structurewise\b/m;
    if (sched.test(t)) t = t.replace(sched, '$1scheduler global');
    else if (/^[ \t]*scheduler[ \t]+global\b/m.test(t)) {
      // already global
    } else {
      const open = /^([ \t]*)sparsify[ \t]*\{/m;
      if (!open.test(t)) throw new Error('applySpecEdits: the spec has no network-level sparsify section to put the scheduler in');
      t = t.replace(open, (m, ind: string) => `${m}\n${ind}  scheduler global()`);
    }
  }
  if (e.execution !== undefined) {
    const ex = /^([ \t]*)execution[ \t]+[a-z]+(\([^()]*\))?/m;
    if (ex.test(t)) t = t.replace(ex, `$1execution ${e.execution}`);
    else {
      const open = /^([ \t]*)sparsify[ \t]*\{/m;
      if (!open.test(t)) throw new Error('applySpecEdits: the spec has no network-level sparsify section to put execution in');
      t = t.replace(open, (m, ind: string) => `${m}\n${ind}  execution ${e.execution}`);
    }
  }
  if (e.data !== undefined) {
    const data = /^([ \t]*)data[ \t]+[^\s#]+/m;
    if (!data.test(t)) throw new Error('applySpecEdits: the spec has no data setting');
    t = t.replace(data, `$1data ${e.data}`);
  }
  if (e.length !== undefined) {
    const len = /^([ \t]*)(steps|epochs)[ \t]+\d+/m;
    const value = 'steps' in e.length ? `steps ${e.length.steps}` : `epochs ${e.length.epochs}`;
    if (len.test(t)) t = t.replace(len, `$1${value}`);
    else {
      const train = /^([ \t]*)train[ \t]*\{/m;
      if (!train.test(t)) throw new Error('applySpecEdits: the spec has no train section');
      t = t.replace(train, (m, ind: string) => `${m}\n${ind}  ${value}`);
    }
  }
  if (e.lr !== undefined) {
    const lr = /^([ \t]*)lr[ \t]+[a-z]+(\([^()]*(\[[^\]]*\][^()]*)*\))?/m;
    if (lr.test(t)) t = t.replace(lr, `$1lr ${e.lr}`);
    else {
      const train = /^([ \t]*)train[ \t]*\{/m;
      if (!train.test(t)) throw new Error('applySpecEdits: the spec has no train section');
      t = t.replace(train, (m, ind: string) => `${m}\n${ind}  lr ${e.lr}`);
    }
  }
  return t;
}

/** What one row of a suite is. */
export type RowKind =
  /** `archc train` of the (edited) spec; `target` adds --target-macs. */
  | { kind: 'train'; edits: SpecEdits; target?: number }
  /** L1-norm pruning of the `dense` row's run to the MACs the `ours` row reached (same seed), then dense fine-tuning. */
  | { kind: 'l1'; dense: string; ours: string; finetune: 'fixed' | 'equal-cost' }
  /** Train-from-scratch of the architecture the `ours` row learned (same seed), dense, random init. */
  | { kind: 'scratch'; ours: string };

export interface Row {
  name: string;
  /** One line for the tables: what the row is. */
  label: string;
  what: RowKind;
}

/** The run length and logging of a suite at one scale. */
export interface Length {
  steps?: number;
  epochs?: number;
  batch?: number;
  logEvery: number;
  evalLimit?: number;
  checkpointEvery: number;
  /** Extra flags for every run (e.g. --synthetic-size). */
  extra?: string[];
  /** L1 fine-tuning with a fixed budget: its length and lr (the lr schedule is the spec's, restarted). */
  finetune?: { steps?: number; epochs?: number; lr: number };
  /** The spec's lr schedule replaced (e.g. the LSTM's step milestone moved to two thirds of the run). */
  lr?: string;
}

export interface Suite {
  name: string;
  spec: string;
  /** The task's quality metric. */
  metric: 'accuracy' | 'perplexity';
  /** Edits every row of the suite gets (e.g. `data brown`). */
  edits?: SpecEdits;
  rows: Row[];
  scales: Record<Scale, Length>;
  /** Why the suite is missing when its spec is absent (printed, not an error). */
  optional?: string;
  /**
   * Estimated minutes per run (one seed) at full scale on the idle 2-core machine, by row (`--plan` prints them;
   * experiments/notes/stop-19/evidence.md says how they were estimated).
   */
  estMinutes?: Record<string, number>;
}

/** What a dependency run left behind that its dependents need. */
export interface DepFacts {
  key: string;
  /** Kept MACs per example of the final architecture. */
  macs: number;
  /** Integrated forward training MACs (Σ sampled MACs × batch). */
  trainMacs: number;
  /** The pruned spec's text (ours) — the architecture a scratch run trains. */
  prunedText?: string;
  /** Where its exported weights are (dense runs: what L1 prunes). */
  weightsDir?: string;
  /** The batch it trained at. */
  batch: number;
}

/** A run ready to start: the spec text to write, the archc train flags, and (L1) the pruning step before it. */
export interface ResolvedRun {
  id: string;
  suite: string;
  row: string;
  seed: number;
  specText: string;
  /** The spec's file name (its base name names the pruned spec). */
  specName: string;
  /** `archc train` flags besides the spec, --out, --seed and --resume. */
  args: string[];
  /**
   * L1: prune the dense run's weights to `targetMacs` first (experiments/evidence/l1-slice.ts), then fine-tune the
   * sliced network (dense) from its weights. `equalCost`: the fine-tuning's length is set after slicing, from the
   * sliced network's MACs (`equalCostSteps`), and appended to `args`.
   */
  l1?: { denseWeights: string; targetMacs: number; equalCost?: { budgetMacs: number; batch: number } };
  /** Keys of the runs it was resolved from (part of its own key). */
  depKeys: string[];
}

export const runId = (suite: string, row: string, seed: number): string => `${suite}/${row}/s${seed}`;

/** The row names a row needs finished first (same seed). */
export function dependencies(r: Row): string[] {
  switch (r.what.kind) {
    case 'train':
      return [];
    case 'l1':
      return [r.what.dense, r.what.ours];
    case 'scratch':
      return [r.what.ours];
  }
}

function lengthArgs(l: { steps?: number; epochs?: number }): string[] {
  if (l.steps !== undefined) return ['--steps', String(l.steps)];
  if (l.epochs !== undefined) return ['--epochs', String(l.epochs)];
  throw new Error('a run length needs steps or epochs');
}

function commonArgs(l: Length): string[] {
  return [
    ...(l.batch !== undefined ? ['--batch', String(l.batch)] : []),
    '--log-every',
    String(l.logEvery),
    ...(l.evalLimit !== undefined ? ['--eval-limit', String(l.evalLimit)] : []),
    '--checkpoint-every',
    String(l.checkpointEvery),
    ...(l.extra ?? []),
  ];
}

const baseName = (p: string): string => p.split('/').pop()!;

/**
 * Resolves one row at one seed into the run to start. `specText` is the suite's spec as committed; `deps` the
 * facts of the rows it depends on (same seed), which must all be there.
 */
export function resolveRun(suite: Suite, row: Row, seed: number, scale: Scale, specText: string, deps: ReadonlyMap<string, DepFacts>): ResolvedRun {
  const l = suite.scales[scale];
  const id = runId(suite.name, row.name, seed);
  const length = l.steps !== undefined ? { steps: l.steps } : l.epochs !== undefined ? { epochs: l.epochs } : undefined;
  const suiteEdits: SpecEdits = { ...(suite.edits ?? {}), ...(l.lr !== undefined ? { lr: l.lr } : {}), ...(length ? { length } : {}) };
  const need = (name: string): DepFacts => {
    const d = deps.get(name);
    if (!d) throw new Error(`${id} needs ${runId(suite.name, name, seed)} first`);
    return d;
  };
  const w = row.what;
  const base = { id, suite: suite.name, row: row.name, seed, specName: baseName(suite.spec) };
  if (w.kind === 'train') {
    return {
      ...base,
      specText: applySpecEdits(specText, { ...suiteEdits, ...w.edits }),
      args: [...lengthArgs(l), ...commonArgs(l), ...(w.target !== undefined ? ['--target-macs', `${Math.round(w.target * 100)}%`] : [])],
      depKeys: [],
    };
  }
  if (w.kind === 'scratch') {
    const ours = need(w.ours);
    if (ours.prunedText === undefined) throw new Error(`${id}: ${runId(suite.name, w.ours, seed)} left no pruned spec`);
    return { ...base, specText: applySpecEdits(ours.prunedText, { dense: true, ...(length ? { length } : {}) }), args: [...lengthArgs(l), ...commonArgs(l)], depKeys: [ours.key] };
  }
  const dense = need(w.dense);
  const ours = need(w.ours);
  if (dense.weightsDir === undefined) throw new Error(`${id}: ${runId(suite.name, w.dense, seed)} left no weights`);
  const ft = l.finetune;
  if (!ft) throw new Error(`suite ${suite.name} has no finetune length at scale ${scale}`);
  const batch = l.batch ?? dense.batch;
  // The fine-tuning's length: fixed, or (set after slicing) the steps whose training MACs equal ours' whole run,
  // so that L1's total (dense + fine-tuning) equals ours + the dense run.
  return {
    ...base,
    // The spec L1 prunes (the slicing step writes the pruned, dense spec that is trained).
    specText: applySpecEdits(specText, suiteEdits),
    args: [...(w.finetune === 'fixed' ? lengthArgs(ft) : []), ...commonArgs(l), '--lr', String(ft.lr)],
    l1: { denseWeights: dense.weightsDir, targetMacs: ours.macs, ...(w.finetune === 'equal-cost' ? { equalCost: { budgetMacs: ours.trainMacs, batch } } : {}) },
    depKeys: [dense.key, ours.key],
  };
}

/**
 * Steps of fine-tuning a network of `prunedMacs` per example at `batch` that cost `budgetMacs` training MACs
 * (forward, integrated as metrics.jsonl's sampledMacsTotal counts them), rounded; at least one step.
 */
export function equalCostSteps(budgetMacs: number, prunedMacs: number, batch: number): number {
  if (!(budgetMacs > 0) || !(prunedMacs > 0) || !(batch > 0)) throw new Error(`equalCostSteps: budget ${budgetMacs}, MACs ${prunedMacs}, batch ${batch}`);
  return Math.max(1, Math.round(budgetMacs / (prunedMacs * batch)));
}

/** Everything that determines a run's result: its cache key. */
export interface KeyParts {
  specText: string;
  args: string[];
  seed: number;
  /** What the data files are (names and sizes, or a package version). */
  data: string;
  /** The code that trains (src/ and the native kernels' tree hashes). */
  code: string;
  l1?: { targetMacs: number; equalCost?: { budgetMacs: number; batch: number } };
  depKeys: string[];
}

export function cacheKey(p: KeyParts): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ v: 1, spec: p.specText, args: p.args, seed: p.seed, data: p.data, code: p.code, l1: p.l1 ?? null, deps: p.depKeys }));
  return h.digest('hex').slice(0, 20);
}

/** What is on disk for a run (see decideAction). */
export interface RunFolderState {
  /** The key recorded when the run started (key.json), null when there is none. */
  storedKey: string | null;
  /** summary.json with this key: the run finished and was summarised. */
  summaryKey: string | null;
  /** The archc run folder has a checkpoint. */
  hasCheckpoint: boolean;
  /** The archc run folder has compaction.json and a final metrics line (training and compaction finished). */
  finished: boolean;
}

export type Action = 'cached' | 'summarise' | 'resume' | 'fresh';

/**
 * cached: summary.json is this run's; summarise: the run finished (compaction written) but was not summarised;
 * resume: a checkpoint of this run exists; fresh: nothing usable (or another key's leftovers: removed first).
 */
export function decideAction(s: RunFolderState, key: string): Action {
  if (s.summaryKey === key) return 'cached';
  if (s.storedKey !== key) return 'fresh';
  if (s.finished) return 'summarise';
  if (s.hasCheckpoint) return 'resume';
  return 'fresh';
}

/** `--until HH:MM` (UTC): may a run start at `now`? A time earlier than the driver's start means the next day. */
export function untilDeadline(hhmm: string, start: Date): Date {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) throw new Error(`--until wants HH:MM (UTC), not '${hhmm}'`);
  const d = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate(), Number(m[1]), Number(m[2])));
  if (d.getTime() <= start.getTime()) d.setUTCDate(d.getUTCDate() + 1);
  return d;
}

/** `--only` filters: `SUITE` or `SUITE/ROW`; a row also selects the rows it depends on. */
export function selectRows(suites: readonly Suite[], only: readonly string[]): { suite: Suite; rows: Row[] }[] {
  const out: { suite: Suite; rows: Row[] }[] = [];
  for (const s of suites) {
    let names: Set<string>;
    if (only.length === 0 || only.includes(s.name)) names = new Set(s.rows.map((r) => r.name));
    else {
      names = new Set(only.filter((o) => o.startsWith(`${s.name}/`)).map((o) => o.slice(s.name.length + 1)));
      for (const n of names) if (!s.rows.some((r) => r.name === n)) throw new Error(`--only ${s.name}/${n}: suite ${s.name} has no row ${n} (rows: ${s.rows.map((r) => r.name).join(', ')})`);
      // Close over dependencies.
      let grew = true;
      while (grew) {
        grew = false;
        for (const r of s.rows) {
          if (!names.has(r.name)) continue;
          for (const d of dependencies(r)) {
            if (names.has(d)) continue;
            names.add(d);
            grew = true;
          }
        }
      }
    }
    if (names.size > 0) out.push({ suite: s, rows: s.rows.filter((r) => names.has(r.name)) });
  }
  const known = new Set(suites.flatMap((s) => [s.name, ...s.rows.map((r) => `${s.name}/${r.name}`)]));
  for (const o of only) if (!known.has(o) && !suites.some((s) => o.startsWith(`${s.name}/`))) throw new Error(`--only ${o}: no such suite (suites: ${suites.map((s) => s.name).join(', ')})`);
  return out;
}
