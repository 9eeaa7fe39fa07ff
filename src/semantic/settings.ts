// The `sparsify` and `train` sections: schemas, range checks and unit checks (epochs vs steps vs every-T).
// A sparsify section (network, block body, group, or `maskable(...)`) parses to a partial override; a
// group's configuration is resolved by folding the chain network ← block ← layer over the mode's defaults.
// Unit rules (README "Units"): `epochs` and `steps` exclude each other; lr milestones `at [...]` are epochs,
// `atSteps [...]` are steps, both strictly increasing and inside the run; the scheduler's `every` is an
// integer number of steps ≥ 1 and ≤ the planned steps when those are known; `betaFinal` needs a planned run.

import type { Span } from '../diagnostics/index.ts';
import type { Arg, Section } from '../syntax/ast.ts';
import { DATASETS, DEFAULT_EXECUTION, DEFAULT_SPARSIFY_MODE, LR_SCHEDULE_DEFAULTS, MASK_OPTIMIZER_DEFAULTS, OPTIMIZER_DEFAULTS, SPARSIFY_DEFAULTS, TRAIN_DEFAULTS } from './defaults.ts';
import type { DatasetKind, InputSpec, SchedulerConfig, SparsifyConfig, TrainConfig } from './ir.ts';
import { argSpanOf, bindArgs, bool, describe, didYouMean, EMPTY_ENV, num, numList, str, word, type Bindable, type BoundArgs, type Env, type ParamSpec, type Sink, type Value } from './values.ts';

/** The run length as far as it is known statically. */
export interface Plan {
  /** `epochs` or `steps` was written in the train section. */
  explicit: boolean;
  /** Total optimizer steps when known (steps, or epochs × steps per epoch for fixed-size datasets). */
  plannedSteps: number | null;
  stepsPerEpoch: number | null;
}

type SchedPartial = Partial<SchedulerConfig>;
type MaskOptPartial = { kind?: 'sgd' | 'adam'; lr?: number | 'auto'; momentum?: number; nesterov?: boolean };

/** One level of sparsify overrides, with the span of each field for later cross-field diagnostics. */
export interface SparsifyPartial {
  fields: Partial<Pick<SparsifyConfig, 'mode' | 'lambda' | 'init' | 'gradient' | 'penalty' | 'minWidth' | 'warmup' | 'execution'>>;
  scheduler: SchedPartial;
  maskOptimizer: MaskOptPartial;
  /** `target macs 40%` / `target params 1.2M` as written (resolved against the dense network in budget.ts). */
  target?: WrittenTarget;
  /** `tolerance 2%` as a fraction of dense (0.02). */
  tolerance?: number;
  spans: Map<string, Span>;
}

/** A budget target as written: the metric and a percent of dense or an absolute count. */
export interface WrittenTarget {
  metric: 'macs' | 'params';
  amount: { kind: 'percent' | 'count'; value: number };
  /** The literal, e.g. `40%` or `1.2M`. */
  written: string;
  span: Span;
}

export function emptyPartial(): SparsifyPartial {
  return { fields: {}, scheduler: {}, maskOptimizer: {}, spans: new Map() };
}

const SPARSIFY_SCHEMA: ParamSpec[] = [
  { name: 'mode', type: { t: 'enum', words: ['paper', 'archc'] } },
  { name: 'lambda', type: { t: 'number' } },
  { name: 'scheduler', type: { t: 'call' } },
  { name: 'init', type: { t: 'number' } },
  { name: 'maskOptimizer', type: { t: 'call' } },
  { name: 'gradient', type: { t: 'enum', words: ['clip', 'ste'] } },
  { name: 'penalty', type: { t: 'enum', words: ['sum', 'mean', 'group-mean', 'macs'] } },
  { name: 'minWidth', type: { t: 'int' } },
  { name: 'warmup', type: { t: 'int' } },
  { name: 'target', type: { t: 'any' } },
  { name: 'tolerance', type: { t: 'any' } },
  { name: 'execution', type: { t: 'call' } },
];

const SCHEDULER_SCHEMA: ParamSpec[] = [
  { name: 'gamma', type: { t: 'number' } },
  { name: 'p', type: { t: 'number' } },
  { name: 'beta0', type: { t: 'number' } },
  { name: 'betaMax', type: { t: 'number' } },
  { name: 'every', type: { t: 'number' } },
  { name: 'betaFinal', type: { t: 'number' } },
];

/** Turn `key value` settings into named arguments so that sections bind like calls. */
export function sectionAsCall(section: Section): Bindable {
  return {
    callee: section.name,
    span: section.span,
    // `target macs 40%` (a qualified setting) binds like `target macs(40%)`: the qualifier names what is meant.
    args: section.settings.map((s): Arg => ({
      kind: 'Arg',
      name: s.key,
      value: s.qualifier ? { kind: 'Call', callee: s.qualifier, args: [{ kind: 'Arg', name: undefined, value: s.value, span: s.value.span }], hasParens: false, span: { start: s.qualifier.span.start, end: s.value.span.end } } : s.value,
      span: s.span,
    })),
  };
}

/** Callee of a `call`-typed setting value (a bare name counts as a call without arguments). */
function callOf(v: Value | undefined, key: Bindable['callee']): { bindable: Bindable; env: Env } | undefined {
  if (!v) return undefined;
  if (v.k === 'call') return { bindable: v.call, env: v.env };
  if (v.k === 'word') return { bindable: { callee: { kind: 'Identifier', name: v.v, span: v.span }, args: [], span: v.span }, env: EMPTY_ENV };
  void key;
  return undefined;
}

/** Report `name must be <rule>; got v` on the argument when `ok` fails. */
function check(sink: Sink, b: BoundArgs, name: string, ok: (v: number) => boolean, rule: string, fallback: Span, label = name): void {
  const v = num(b, name);
  if (v !== undefined && !ok(v)) sink.report('outOfRange', argSpanOf(b, name, fallback), [label, rule, v]);
}

export function parseSparsify(call: Bindable, env: Env, sink: Sink): SparsifyPartial {
  const out = emptyPartial();
  const hint = (n: string): string => (SCHEDULER_SCHEMA.some((p) => p.name === n) ? `; '${n}' belongs in scheduler structurewise(...) or global(...)` : '');
  const b = bindArgs(call, SPARSIFY_SCHEMA, env, sink, call.callee.name, { section: call.callee.name === 'sparsify', hint });
  const at = (name: string): Span => argSpanOf(b, name, call.span);
  for (const name of ['mode', 'gradient', 'penalty'] as const) {
    if (b.has(name)) {
      (out.fields as Record<string, unknown>)[name] = word(b, name, '');
      out.spans.set(name, at(name));
    }
  }
  for (const name of ['lambda', 'init', 'minWidth', 'warmup'] as const) {
    const v = num(b, name);
    if (v !== undefined) {
      out.fields[name] = v;
      out.spans.set(name, at(name));
    }
  }
  check(sink, b, 'lambda', (v) => v >= 0, '>= 0', call.span, 'lambda');
  check(sink, b, 'minWidth', (v) => v >= 1, 'an integer >= 1', call.span);
  check(sink, b, 'warmup', (v) => v >= 0, 'an integer >= 0 (steps)', call.span);

  parseTarget(b, call.span, sink, out);

  const sched = callOf(b.get('scheduler')?.value, call.callee);
  if (sched) {
    const kind = sched.bindable.callee.name;
    if (kind !== 'global' && kind !== 'structurewise') {
      sink.report('invalidEnum', sched.bindable.callee.span, [kind, 'scheduler', 'global(...) | structurewise(...)']);
    } else {
      out.scheduler.kind = kind;
      out.spans.set('scheduler', at('scheduler'));
      const sb = bindArgs(sched.bindable, SCHEDULER_SCHEMA, sched.env, sink, kind);
      for (const f of ['gamma', 'p', 'beta0', 'betaMax', 'every', 'betaFinal'] as const) {
        const v = num(sb, f);
        if (v !== undefined) {
          out.scheduler[f] = v;
          out.spans.set(`scheduler.${f}`, argSpanOf(sb, f, sched.bindable.span));
        }
      }
      const s = sched.bindable.span;
      check(sink, sb, 'gamma', (v) => v >= 0, '>= 0', s, 'gamma');
      check(sink, sb, 'p', (v) => v > 0, '> 0', s);
      check(sink, sb, 'beta0', (v) => v > 0, '> 0', s);
      check(sink, sb, 'betaMax', (v) => v > 0, '> 0', s);
      const every = num(sb, 'every');
      if (every !== undefined && (!Number.isInteger(every) || every < 1)) sink.report('everyNotSteps', argSpanOf(sb, 'every', s), [every]);
      if (sb.has('gamma') && sb.has('betaFinal')) sink.report('gammaAndBetaFinal', argSpanOf(sb, 'betaFinal', s));
    }
  }

  const exec = callOf(b.get('execution')?.value, call.callee);
  if (exec) parseExecution(exec, out, at('execution'), sink);

  const opt = callOf(b.get('maskOptimizer')?.value, call.callee);
  if (opt) {
    const kind = opt.bindable.callee.name;
    if (kind !== 'sgd' && kind !== 'adam') {
      sink.report('invalidEnum', opt.bindable.callee.span, [kind, 'maskOptimizer', 'sgd(...) | adam(...)']);
    } else {
      const schema: ParamSpec[] =
        kind === 'sgd'
          ? [{ name: 'lr', type: { t: 'any' }, positional: true }, { name: 'momentum', type: { t: 'number' } }, { name: 'nesterov', type: { t: 'bool' } }]
          : [{ name: 'lr', type: { t: 'any' }, positional: true }];
      const ob = bindArgs(opt.bindable, schema, opt.env, sink, kind);
      out.maskOptimizer.kind = kind;
      out.spans.set('maskOptimizer', at('maskOptimizer'));
      // The mask lr is a number or `auto` (relative to the planned steps, see MASK_LR_AUTO).
      const lrArg = ob.get('lr');
      const lr = num(ob, 'lr') ?? (lrArg?.value?.k === 'word' && lrArg.value.v === 'auto' ? ('auto' as const) : undefined);
      if (lr !== undefined) out.maskOptimizer.lr = lr;
      else if (lrArg?.value) sink.report('typeMismatch', argSpanOf(ob, 'lr', opt.bindable.span), ['mask lr', "a number or 'auto'", describe(lrArg.value)]);
      const m = num(ob, 'momentum');
      if (m !== undefined) out.maskOptimizer.momentum = m;
      if (ob.has('nesterov')) out.maskOptimizer.nesterov = bool(ob, 'nesterov', false);
      check(sink, ob, 'lr', (v) => v > 0, '> 0', opt.bindable.span, 'mask lr');
      check(sink, ob, 'momentum', (v) => v >= 0 && v < 1, 'in [0, 1)', opt.bindable.span);
    }
  }
  return out;
}

/** `target macs 40%`, `target params 1.2M`, `tolerance 2%` (README "Budget targets"). */
function parseTarget(b: BoundArgs, fallback: Span, sink: Sink, out: SparsifyPartial): void {
  const t = b.get('target');
  if (t) {
    const v = t.value;
    const arg = v.k === 'call' && v.call.args.length === 1 && v.call.args[0]!.name === undefined ? v.call.args[0]!.value : undefined;
    const metric = v.k === 'call' ? v.call.callee.name : undefined;
    const amount = arg?.kind === 'Number' ? arg : undefined;
    const span = argSpanOf(b, 'target', fallback);
    if ((metric !== 'macs' && metric !== 'params') || !amount) {
      const shown = metric !== undefined && amount ? `'${metric} ${amount.text}'` : v.k === 'word' ? `'${v.v}' without an amount` : `'${describe(v)}'`;
      sink.report('targetForm', span, [shown]);
    } else if (amount.percent && !(amount.value > 0 && amount.value <= 100)) {
      sink.report('outOfRange', span, [`target ${metric}`, 'in (0%, 100%] of the dense network', `${amount.text}`]);
    } else if (!amount.percent && !(amount.value >= 1)) {
      sink.report('outOfRange', span, [`target ${metric}`, `a percent (e.g. 40%) or a count >= 1 (e.g. 150M)`, amount.text]);
    } else {
      out.target = { metric, amount: { kind: amount.percent ? 'percent' : 'count', value: amount.value }, written: amount.text, span };
      out.spans.set('target', span);
    }
  }
  const tol = b.get('tolerance');
  if (tol) {
    const span = argSpanOf(b, 'tolerance', fallback);
    if (tol.value.k === 'pct' && tol.value.v >= 0 && tol.value.v <= 50) {
      out.tolerance = tol.value.v / 100;
      out.spans.set('tolerance', span);
    } else sink.report('toleranceForm', span, [describe(tol.value)]);
  }
}

/** `execution auto | full | narrow | narrow(fullEvery K)` (K an integer ≥ 0; 0 = never). */
function parseExecution(exec: { bindable: Bindable; env: Env }, out: SparsifyPartial, span: Span, sink: Sink): void {
  const mode = exec.bindable.callee.name;
  if (mode !== 'narrow' && mode !== 'full' && mode !== 'auto') {
    sink.report('invalidEnum', exec.bindable.callee.span, [mode, 'execution', 'auto | narrow | narrow(fullEvery K) | full']);
    return;
  }
  const eb = bindArgs(exec.bindable, mode === 'narrow' ? [{ name: 'fullEvery', type: { t: 'int' }, positional: true }] : [], exec.env, sink, mode);
  const k = num(eb, 'fullEvery');
  if (k !== undefined && k < 0) sink.report('outOfRange', argSpanOf(eb, 'fullEvery', exec.bindable.span), ['fullEvery', 'an integer >= 0 (steps; 0 = never)', k]);
  out.fields.execution = { mode, fullEvery: mode === 'narrow' ? Math.max(0, k ?? DEFAULT_EXECUTION.fullEvery) : 0 };
  out.spans.set('execution', span);
}

/**
 * Fold overrides (outermost first) over the defaults of the resolved mode, then run the cross-field checks
 * that need the whole picture (betaMax ≥ beta0, betaFinal vs the plan, `every` vs the planned steps).
 * Diagnostics point at the span of the level that set the offending field.
 */
export function resolveSparsify(chain: readonly SparsifyPartial[], plan: Plan, sink: Sink): SparsifyConfig {
  let mode: SparsifyConfig['mode'] = DEFAULT_SPARSIFY_MODE;
  for (const p of chain) if (p.fields.mode) mode = p.fields.mode;
  const base = SPARSIFY_DEFAULTS[mode];
  const cfg: SparsifyConfig = { ...base, scheduler: { ...base.scheduler }, maskOptimizer: { ...base.maskOptimizer }, mode };
  const spans = new Map<string, Span>();
  for (const p of chain) {
    const { mode: _m, ...rest } = p.fields;
    Object.assign(cfg, rest);
    const s = p.scheduler;
    if (s.kind) cfg.scheduler.kind = s.kind;
    for (const f of ['p', 'beta0', 'betaMax', 'every'] as const) if (s[f] !== undefined) cfg.scheduler[f] = s[f]!;
    // gamma and betaFinal are two ways to say the same thing: the later level's choice wins.
    if (s.gamma !== undefined) {
      cfg.scheduler.gamma = s.gamma;
      cfg.scheduler.betaFinal = null;
    }
    if (s.betaFinal !== undefined) {
      cfg.scheduler.betaFinal = s.betaFinal;
      if (s.gamma === undefined) cfg.scheduler.gamma = null;
    }
    const o = p.maskOptimizer;
    if (o.kind && o.kind !== cfg.maskOptimizer.kind) {
      cfg.maskOptimizer = o.kind === 'sgd' ? { kind: 'sgd', ...MASK_OPTIMIZER_DEFAULTS.sgd } : { kind: 'adam', ...MASK_OPTIMIZER_DEFAULTS.adam };
    }
    if (o.lr !== undefined) cfg.maskOptimizer.lr = o.lr;
    if (cfg.maskOptimizer.kind === 'sgd') {
      if (o.momentum !== undefined) cfg.maskOptimizer.momentum = o.momentum;
      if (o.nesterov !== undefined) cfg.maskOptimizer.nesterov = o.nesterov;
    }
    for (const [k, v] of p.spans) spans.set(k, v);
  }
  const sc = cfg.scheduler;
  const spanFor = (...keys: string[]): Span | undefined => keys.map((k) => spans.get(k)).find((s) => s !== undefined);
  if (sc.betaMax < sc.beta0) {
    const sp = spanFor('scheduler.betaMax', 'scheduler.beta0', 'scheduler');
    if (sp) sink.report('outOfRange', sp, ['betaMax', `>= beta0 (${sc.beta0})`, sc.betaMax]);
  }
  // A betaFinal the spec wrote needs a planned run length; the archc default's betaFinal (no span) applies to
  // whatever length the run has, which the trainer always knows (epochs × steps per epoch, or --steps).
  const betaFinalSpan = spanFor('scheduler.betaFinal');
  if (sc.betaFinal !== null && betaFinalSpan) {
    if (!plan.explicit) sink.report('betaFinalNeedsPlan', betaFinalSpan);
    else if (sc.betaFinal <= sc.beta0 || sc.betaFinal > sc.betaMax) sink.report('outOfRange', betaFinalSpan, ['betaFinal', `in (beta0, betaMax] = (${sc.beta0}, ${sc.betaMax}]`, sc.betaFinal]);
  }
  if (plan.plannedSteps !== null && sc.every > plan.plannedSteps) {
    const sp = spanFor('scheduler.every');
    if (sp) sink.report('everyBeyondRun', sp, [sc.every, plan.plannedSteps]);
  }
  return cfg;
}

// ---------------------------------------------------------------------------------------------------------
// train

const TRAIN_SCHEMA: ParamSpec[] = [
  { name: 'data', type: { t: 'call' } },
  { name: 'epochs', type: { t: 'number' } },
  { name: 'steps', type: { t: 'number' } },
  { name: 'batch', type: { t: 'number' } },
  { name: 'optimizer', type: { t: 'call' } },
  { name: 'lr', type: { t: 'call' } },
  { name: 'augment', type: { t: 'any' } },
  { name: 'seed', type: { t: 'int' } },
  { name: 'clip', type: { t: 'number' } },
  { name: 'lossReduction', type: { t: 'enum', words: ['mean', 'sum'] } },
  { name: 'checkpointEvery', type: { t: 'number' } },
];

const DATASET_NAMES = Object.keys(DATASETS) as DatasetKind[];

/**
 * How a dataset is written in a spec: identifiers have no '-', so `fashion_mnist` is the canonical spelling
 * of the kind 'fashion-mnist' (the hyphenated form still reads back, see values.ts). Messages use this form.
 */
export function datasetSpelling(kind: string): string {
  return kind.replace(/-/g, '_');
}

export interface TrainResult {
  config: TrainConfig;
  plan: Plan;
  /** Span of the `data` setting (for dataset/input mismatches), if written. */
  dataSpan: Span | undefined;
}

function positiveInt(sink: Sink, b: BoundArgs, name: string, fallback: Span): number | undefined {
  const v = num(b, name);
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || v < 1) {
    sink.report('notPositiveInt', argSpanOf(b, name, fallback), [name, v]);
    return undefined;
  }
  return v;
}

export function parseTrain(section: Section | undefined, input: InputSpec | undefined, sink: Sink): TrainResult {
  const cfg: TrainConfig = structuredClone(TRAIN_DEFAULTS);
  if (!section) {
    return { config: cfg, plan: { explicit: false, plannedSteps: null, stepsPerEpoch: null }, dataSpan: undefined };
  }
  const call = sectionAsCall(section);
  const b = bindArgs(call, TRAIN_SCHEMA, EMPTY_ENV, sink, 'train', { section: true });
  const at = (name: string): Span => argSpanOf(b, name, call.span);

  // data
  const data = callOf(b.get('data')?.value, call.callee);
  if (data) {
    const name = data.bindable.callee.name.replace(/_/g, '-');
    if (!DATASET_NAMES.includes(name as DatasetKind)) {
      const written = data.bindable.callee.name;
      const spellings = DATASET_NAMES.map(datasetSpelling);
      const advice = didYouMean(datasetSpelling(written), spellings) || `; expected one of ${spellings.join(', ')}`;
      sink.report('unknownDataset', data.bindable.callee.span, [written, advice]);
    } else {
      const db = bindArgs(data.bindable, [{ name: 'path', type: { t: 'string' }, positional: true }], data.env, sink, name);
      cfg.data = { kind: name as DatasetKind, path: str(db, 'path') ?? null };
    }
  }

  // run length
  const epochs = positiveInt(sink, b, 'epochs', call.span);
  const steps = positiveInt(sink, b, 'steps', call.span);
  if (b.has('epochs') && b.has('steps')) sink.report('epochsAndSteps', at('steps'));
  const batch = positiveInt(sink, b, 'batch', call.span);
  if (batch !== undefined) cfg.batch = batch;
  if (steps !== undefined) {
    cfg.steps = steps;
    cfg.epochs = null;
  } else if (epochs !== undefined) cfg.epochs = epochs;
  const examples = DATASETS[cfg.data.kind].trainExamples;
  // Steps per epoch: ceil(examples / batch): a partial last batch is still a step.
  const stepsPerEpoch = examples !== null ? Math.ceil(examples / cfg.batch) : null;
  const explicit = b.has('epochs') || b.has('steps');
  const plannedSteps = cfg.steps ?? (cfg.epochs !== null && stepsPerEpoch !== null ? cfg.epochs * stepsPerEpoch : null);
  const plan: Plan = { explicit, plannedSteps, stepsPerEpoch };

  // optimizer
  const opt = callOf(b.get('optimizer')?.value, call.callee);
  if (opt) {
    const kind = opt.bindable.callee.name;
    if (kind === 'sgd') {
      const ob = bindArgs(
        opt.bindable,
        [{ name: 'lr', type: { t: 'number' }, positional: true }, { name: 'momentum', type: { t: 'number' } }, { name: 'nesterov', type: { t: 'bool' } }, { name: 'weightDecay', type: { t: 'number' } }],
        opt.env,
        sink,
        'sgd',
      );
      const d = OPTIMIZER_DEFAULTS.sgd;
      cfg.optimizer = { kind: 'sgd', lr: num(ob, 'lr', d.lr), momentum: num(ob, 'momentum', d.momentum), nesterov: bool(ob, 'nesterov', d.nesterov), weightDecay: num(ob, 'weightDecay', d.weightDecay) };
      check(sink, ob, 'momentum', (v) => v >= 0 && v < 1, 'in [0, 1)', opt.bindable.span);
      check(sink, ob, 'lr', (v) => v > 0, '> 0', opt.bindable.span);
      check(sink, ob, 'weightDecay', (v) => v >= 0, '>= 0', opt.bindable.span);
    } else if (kind === 'adam') {
      const ob = bindArgs(
        opt.bindable,
        [
          { name: 'lr', type: { t: 'number' }, positional: true },
          { name: 'beta1', type: { t: 'number' } },
          { name: 'beta2', type: { t: 'number' } },
          { name: 'epsilon', type: { t: 'number' } },
          { name: 'weightDecay', type: { t: 'number' } },
        ],
        opt.env,
        sink,
        'adam',
      );
      const d = OPTIMIZER_DEFAULTS.adam;
      cfg.optimizer = { kind: 'adam', lr: num(ob, 'lr', d.lr), beta1: num(ob, 'beta1', d.beta1), beta2: num(ob, 'beta2', d.beta2), epsilon: num(ob, 'epsilon', d.epsilon), weightDecay: num(ob, 'weightDecay', d.weightDecay) };
      check(sink, ob, 'lr', (v) => v > 0, '> 0', opt.bindable.span);
      check(sink, ob, 'beta1', (v) => v >= 0 && v < 1, 'in [0, 1)', opt.bindable.span);
      check(sink, ob, 'beta2', (v) => v >= 0 && v < 1, 'in [0, 1)', opt.bindable.span);
      check(sink, ob, 'epsilon', (v) => v > 0, '> 0', opt.bindable.span);
      check(sink, ob, 'weightDecay', (v) => v >= 0, '>= 0', opt.bindable.span);
    } else {
      sink.report('invalidEnum', opt.bindable.callee.span, [kind, 'optimizer', 'sgd(...) | adam(...)']);
    }
  }

  // lr schedule
  const lr = callOf(b.get('lr')?.value, call.callee);
  if (lr) {
    const kind = lr.bindable.callee.name;
    if (kind === 'constant') {
      bindArgs(lr.bindable, [], lr.env, sink, 'constant');
      cfg.lrSchedule = { kind: 'constant' };
    } else if (kind === 'step') {
      const lb = bindArgs(lr.bindable, [{ name: 'at', type: { t: 'numList' } }, { name: 'atSteps', type: { t: 'numList' } }, { name: 'factor', type: { t: 'number' } }], lr.env, sink, 'step');
      const factor = num(lb, 'factor', LR_SCHEDULE_DEFAULTS.step.factor);
      check(sink, lb, 'factor', (v) => v > 0, '> 0', lr.bindable.span);
      const unit: 'epoch' | 'step' = lb.has('atSteps') && !lb.has('at') ? 'step' : 'epoch';
      const milestones = (unit === 'epoch' ? numList(lb, 'at') : numList(lb, 'atSteps')) ?? [];
      if (lb.has('at') && lb.has('atSteps')) sink.report('milestonesBothUnits', argSpanOf(lb, 'atSteps', lr.bindable.span));
      else if (!lb.has('at') && !lb.has('atSteps')) sink.report('milestonesMissing', lr.bindable.callee.span);
      else checkMilestones(sink, lb, unit, milestones, cfg, plan, lr.bindable.span);
      cfg.lrSchedule = { kind: 'step', milestones, unit, factor };
    } else if (kind === 'cosine') {
      const lb = bindArgs(lr.bindable, [{ name: 'warmup', type: { t: 'number' } }, { name: 'minLr', type: { t: 'number' } }], lr.env, sink, 'cosine');
      const warmup = num(lb, 'warmup', LR_SCHEDULE_DEFAULTS.cosine.warmup);
      if (!Number.isInteger(warmup) || warmup < 0) sink.report('outOfRange', argSpanOf(lb, 'warmup', lr.bindable.span), ['cosine warmup', 'an integer number of steps >= 0', warmup]);
      else if (plan.plannedSteps !== null && warmup > plan.plannedSteps) sink.report('outOfRange', argSpanOf(lb, 'warmup', lr.bindable.span), ['cosine warmup', `at most the planned ${plan.plannedSteps} steps`, warmup]);
      check(sink, lb, 'minLr', (v) => v >= 0, '>= 0', lr.bindable.span);
      cfg.lrSchedule = { kind: 'cosine', warmupSteps: warmup, minLr: num(lb, 'minLr', LR_SCHEDULE_DEFAULTS.cosine.minLr) };
    } else {
      sink.report('invalidEnum', lr.bindable.callee.span, [kind, 'lr', 'constant | step(at [...], factor) | cosine(warmup, minLr)']);
    }
  }

  // augment [crop(4), flip]
  const aug = b.get('augment');
  if (aug) {
    const items: Value[] = aug.value.k === 'list' ? aug.value.items : [aug.value];
    const isImage = input?.kind !== 'tokens';
    for (const it of items) {
      const c = callOf(it, call.callee);
      const name = c?.bindable.callee.name;
      if (!c || (name !== 'crop' && name !== 'flip')) {
        sink.report('unknownAugment', c?.bindable.span ?? aug.span, [name ?? 'value']);
        continue;
      }
      if (!isImage) sink.report('augmentNeedsImages', c.bindable.span, [name]);
      if (name === 'flip') {
        bindArgs(c.bindable, [], c.env, sink, 'flip');
        cfg.augment.flip = true;
      } else {
        const cb = bindArgs(c.bindable, [{ name: 'pad', type: { t: 'int' }, positional: true, required: true }], c.env, sink, 'crop');
        const pad = num(cb, 'pad');
        if (pad !== undefined && pad < 0) sink.report('outOfRange', argSpanOf(cb, 'pad', c.bindable.span), ['crop padding', '>= 0', pad]);
        else if (pad !== undefined) cfg.augment.crop = pad;
      }
    }
  }

  const seed = num(b, 'seed');
  if (seed !== undefined) cfg.seed = seed;
  const clip = num(b, 'clip');
  if (clip !== undefined) {
    if (clip <= 0) sink.report('outOfRange', at('clip'), ['clip', '> 0 (global gradient norm)', clip]);
    cfg.clip = clip;
  }
  if (b.has('lossReduction')) cfg.lossReduction = word(b, 'lossReduction', 'mean');
  const ck = positiveInt(sink, b, 'checkpointEvery', call.span);
  if (ck !== undefined) {
    cfg.checkpointEvery = ck;
    if (plan.plannedSteps !== null && ck > plan.plannedSteps) sink.report('outOfRange', at('checkpointEvery'), ['checkpointEvery', `at most the planned ${plan.plannedSteps} steps`, ck]);
  }
  return { config: cfg, plan, dataSpan: b.has('data') ? at('data') : undefined };
}

function checkMilestones(sink: Sink, lb: BoundArgs, unit: 'epoch' | 'step', ms: number[], cfg: TrainConfig, plan: Plan, fallback: Span): void {
  const key = unit === 'epoch' ? 'at' : 'atSteps';
  const sp = argSpanOf(lb, key, fallback);
  for (let i = 1; i < ms.length; i++) {
    if (ms[i]! <= ms[i - 1]!) {
      sink.report('milestonesNotIncreasing', sp, [ms[i]!, ms[i - 1]!]);
      return;
    }
  }
  for (const m of ms) {
    if (m <= 0) {
      sink.report('outOfRange', sp, ['an lr milestone', '> 0', m]);
      return;
    }
  }
  if (unit === 'epoch') {
    if (cfg.steps !== null) {
      // Planned in steps, milestones in epochs: only checkable when the epoch length is fixed.
      if (plan.stepsPerEpoch === null) {
        sink.report('milestonesInEpochsWithSteps', sp, [cfg.data.kind]);
        return;
      }
      const total = cfg.steps / plan.stepsPerEpoch;
      const bad = ms.find((m) => m >= total);
      if (bad !== undefined) sink.report('milestoneOutsideRun', sp, [bad, Number(total.toFixed(2)), 'epochs']);
      return;
    }
    const bad = cfg.epochs !== null ? ms.find((m) => m >= cfg.epochs!) : undefined;
    if (bad !== undefined) sink.report('milestoneOutsideRun', sp, [bad, cfg.epochs!, 'epochs']);
  } else if (plan.plannedSteps !== null) {
    const bad = ms.find((m) => m >= plan.plannedSteps!);
    if (bad !== undefined) sink.report('milestoneOutsideRun', sp, [bad, plan.plannedSteps, 'steps']);
  }
}

