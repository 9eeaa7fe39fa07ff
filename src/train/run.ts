// The training stage's run: one network (a generated module's, or the IR interpreter for `archc train` and
// `archc demo`) and one RunOptions value → the run's settings resolved once (flags over the spec's values, or over
// the checkpoint's on --resume), the run's IR, the backend chosen before any weight exists, data, the loop under
// the run policy (run-control.ts: the output folder, checkpoints, resume, NaN/Inf guards, Ctrl-C), the summary,
// and compaction (<out>/<spec>.pruned.arch and weights). Failures a user can act on are UserErrors.

import { relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PACKAGE_ROOT } from '../codegen/package-root.ts';
import { compactAndWrite, loadTfjsWeights, WeightsMismatchError } from '../compaction/index.ts';
import { configureNative, initBackend, nativeOptionsFromEnv } from '../runtime/backend/index.ts';
import { describeOutcome } from '../runtime/budget.ts';
import { IrModule, runTraining, type NetworkModule, type RunTrainingResult } from '../runtime/index.ts';
import { DEFAULT_BUDGET_TOLERANCE, smallestReachable } from '../semantic/budget.ts';
import { buildCostModel } from '../semantic/cost-model.ts';
import type { BudgetTarget, IrNetwork, TrainConfig } from '../semantic/ir.ts';
import { parseQuantity } from '../syntax/quantity.ts';
import { processIo, UserError, type Io } from './io.ts';
import { FlagError, type Backend, type RunOptions, type TargetFlag } from './options.ts';
import { checkRunOutputs, controlledTraining, savedRun, type SignalSource } from './run-control.ts';
import { updateRunMarker, type RunData } from './run-marker.ts';
import { grouped, human } from '../io/numbers.ts';

/** The hyperparameters a generated `<Name>Config` carries (the spec's values); each is a flag (camelCase → --kebab-case). */
export interface TrainerConfig {
  data: string;
  epochs: number | null;
  steps: number | null;
  batch: number;
  lr: number;
  weightDecay: number;
  lambda: number;
  seed: number;
}

/**
 * A run's resolved settings, as checkpoints record them (`run.config`) and `archc compact` re-applies them.
 * `lambda`: every group's λ when --lambda was given, null for the λs the spec gives each group.
 */
export interface RunConfig extends Omit<TrainerConfig, 'lambda'> {
  lambda: number | null;
}

/** The network a run trains: what a generated trainer module passes (and `archc train` builds from the IR). */
export interface TrainerMainOptions {
  /** Network name: file names in --out (`<name>.pruned.arch`) and message prefixes. */
  name: string;
  /** How messages name the spec the module was generated from (relative to the package root, or to where it was built). */
  specPath: string;
  /**
   * Where that spec is: generated modules pass `new URL(<path relative to the module>, import.meta.url)`, so it
   * does not depend on the working directory. Default: `specPath` resolved against the package root.
   */
  specUrl?: URL;
  /** The spec's text at build time: compaction writes the pruned spec as this text with the learned widths. */
  specSource: string;
  ir: IrNetwork;
  defaults: TrainerConfig;
  createModule: (network: IrNetwork, seed: number) => NetworkModule;
}

/** What a command that wraps a run (`archc demo`) adds to it; `archc train` and generated trainers give none. */
export interface RunExtras {
  /** Files the command writes into the run folder besides the run's own: recorded as the run's (run.json). */
  extraFiles?: string[];
  /** Facts for the run marker besides the run's data. */
  facts?: Record<string, unknown>;
  /** Called once the output folder is ready and locked, before training (e.g. to copy the input spec in). */
  onReady?: (outDir: string) => void;
  /** Called after training, before compaction. */
  onTrained?: (result: RunTrainingResult) => void;
  /** Called after compaction, with the run folder still locked (e.g. to write a report into it). */
  onDone?: (outcome: RunOutcome) => Promise<void>;
  /** Instead of the trainer's start line and summary. */
  quiet?: boolean;
  /** A compaction failure: a UserError (default), or given to onDone (`RunOutcome.compactionFailure`) so the command
   * finishes its own output first and then fails. */
  compactionFailure?: 'throw' | 'report';
  /** Where SIGINT comes from (see run-control.ts); null: not handled (a command without --resume). */
  signals?: SignalSource | null;
}

/** What a finished run returns. */
export interface RunOutcome {
  /** The IR the run trained (the spec's with the run's settings). */
  ir: IrNetwork;
  result: RunTrainingResult;
  outDir: string;
  /** The pruned spec's path, or null when compaction did not write one. */
  pruned: string | null;
  /** With `compactionFailure: 'report'`: the failure's message (naming the checkpoint and `archc compact`), else null. */
  compactionFailure: string | null;
}

/** The run's settings, resolved from the options, the checkpoint (--resume) and the spec, in that order. */
interface RunPlan {
  config: RunConfig;
  backend: Backend | undefined;
  threads: number | undefined;
  outDir: string;
  force: boolean;
  logEvery: number | undefined;
  evalLimit: number | undefined;
  synthetic: RunOptions['synthetic'];
  resume: string | undefined;
  checkpointEvery: number | undefined;
  target: TargetFlag | undefined;
  /** --init-weights (absolute); on --resume the run's recorded folder (the checkpoint holds the weights reached). */
  initWeights: string | undefined;
  data: TrainConfig['data'] | 'synthetic';
}

/**
 * Resolves `o` against the network (and the checkpoint on --resume): every setting once. A setting not given
 * comes from the checkpoint when resuming (so a resume repeats the run), else from the spec.
 */
function resolvePlan(o: RunOptions, net: TrainerMainOptions, cwd: string): RunPlan {
  const resume = o.resume === undefined ? undefined : resolve(cwd, o.resume);
  const saved = resume !== undefined ? savedRun(resume) : null;
  const savedConfig = (saved?.['config'] ?? null) as Partial<RunConfig> | null;
  const base: RunConfig = { ...net.defaults, lambda: null, ...(savedConfig ?? {}) };
  const config: RunConfig = {
    ...base,
    ...(o.batch !== undefined ? { batch: o.batch } : {}),
    ...(o.lr !== undefined ? { lr: o.lr } : {}),
    ...(o.weightDecay !== undefined ? { weightDecay: o.weightDecay } : {}),
    ...(o.lambda !== undefined ? { lambda: o.lambda } : {}),
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
    ...(typeof o.data === 'string' ? { data: o.data } : {}),
  };
  // --epochs replaces a spec's step count (and vice versa): the one given is the run's length.
  if (o.steps !== undefined) Object.assign(config, { steps: o.steps, epochs: null });
  if (o.epochs !== undefined) Object.assign(config, { epochs: o.epochs, steps: null });
  if (config.steps === null && config.epochs === null) throw new FlagError('the run needs a length: give --steps or --epochs');
  const fromSaved = <T>(key: string): T | undefined => (saved && saved[key] !== null && saved[key] !== undefined ? (saved[key] as T) : undefined);
  const target = o.target ?? fromSaved<TargetFlag>('target');
  if (o.lambda !== undefined && !o.target && net.ir.budget) throw new FlagError("--lambda contradicts the spec's target: with a target, the budget controller sets λ");
  const syntheticSize = o.synthetic?.train ?? fromSaved<number>('syntheticSize');
  const synthetic = o.synthetic ?? (syntheticSize !== undefined ? { train: syntheticSize } : undefined);
  return {
    config,
    // The backend too (kernels differ in the last bits); an explicit --backend may move a run to another machine.
    backend: o.backend ?? fromSaved<Backend>('backend'),
    threads: o.threads,
    outDir: resolve(cwd, o.out ?? o.resume ?? `runs/${net.name}`),
    force: o.force === true,
    logEvery: o.logEvery ?? fromSaved<number>('logEvery'),
    evalLimit: o.evalLimit ?? fromSaved<number>('evalLimit'),
    synthetic,
    resume,
    checkpointEvery: o.checkpointEvery,
    target,
    initWeights: o.initWeights !== undefined ? resolve(cwd, o.initWeights) : fromSaved<string>('initWeights'),
    data: o.data !== undefined && typeof o.data !== 'string' ? o.data : dataChoice(net.ir, config.data, cwd),
  };
}

/**
 * The IR's budget for --target-macs / --target-params (the spec's own target was resolved by the checker): a
 * percent or a count of the dense network, the spec's tolerance or the default, and the same reachability check.
 */
export function flagBudget(ir: IrNetwork, t: TargetFlag): BudgetTarget {
  const q = parseQuantity(t.written)!;
  const dense = t.metric === 'macs' ? ir.macs : ir.params;
  const unit = t.metric === 'macs' ? 'MACs' : 'params';
  const flag = `--target-${t.metric}`;
  const fraction = q.kind === 'percent' ? q.value / 100 : q.value / Math.max(1, dense);
  if (fraction > 1) throw new FlagError(`${flag} ${t.written} is more than the dense network's ${human(dense)} ${unit}`);
  const tolerance = ir.budget?.tolerance ?? DEFAULT_BUDGET_TOLERANCE;
  const smallest = smallestReachable(ir, buildCostModel(ir), t.metric);
  if (fraction + tolerance < smallest) {
    throw new FlagError(`${flag} ${t.written} is below the smallest network minWidth allows: ${human(smallest * dense)} (${(100 * smallest).toFixed(1)}% of the dense ${unit}); lower minWidth in the spec, or raise the target`);
  }
  if (!ir.groups.some((g) => g.maskable)) throw new FlagError(`${flag}: ${ir.name} has no maskable layer, so nothing can be pruned to a budget`);
  return { metric: t.metric, fraction, tolerance, written: t.written };
}

/**
 * The IR a run trains: a copy of the spec's with the run's settings in it (the module, trainer and compaction all
 * read the IR). `lambda` a number: that λ for the network and every group, block-level λs included (what --lambda
 * says); null: the spec's λs as written. `target`: a budget flag, replacing the spec's target.
 */
export function runIr(ir: IrNetwork, c: RunConfig, target?: TargetFlag): IrNetwork {
  const out = structuredClone(ir);
  out.train.epochs = c.epochs;
  out.train.steps = c.steps;
  out.train.batch = c.batch;
  out.train.seed = c.seed;
  out.train.optimizer.lr = c.lr;
  out.train.optimizer.weightDecay = c.weightDecay;
  if (c.lambda !== null) {
    out.sparsify.lambda = c.lambda;
    for (const g of out.groups) g.sparsify.lambda = c.lambda;
  }
  if (target) out.budget = flagBudget(out, target);
  return out;
}

/**
 * The IR a recorded run trained, from its checkpoint's `run` record (`archc compact`): the spec's IR with the
 * recorded settings and budget flag. Null when the record holds no settings (a checkpoint of another writer).
 * Checkpoints of archc before the training stage recorded `lambda` as a number even when --lambda was not given;
 * when that reading does not give the recorded hash, the spec's own λs are tried.
 */
export function recordedRunIr(specIr: IrNetwork, run: Record<string, unknown>, hash: (ir: IrNetwork) => string, expected: string): IrNetwork | null {
  const c = run['config'];
  if (c === null || typeof c !== 'object') return null;
  const config = c as Record<string, unknown>;
  if (!['batch', 'lr', 'weightDecay', 'seed'].every((k) => typeof config[k] === 'number') || !(config['lambda'] === null || typeof config['lambda'] === 'number')) return null;
  const rc = config as unknown as RunConfig;
  const t = run['target'] as TargetFlag | undefined;
  const target = t && (t.metric === 'macs' || t.metric === 'params') && typeof t.written === 'string' ? t : undefined;
  const ir = runIr(specIr, rc, target);
  if (hash(ir) === expected || rc.lambda === null) return ir;
  const specLambdas = runIr(specIr, { ...rc, lambda: null }, target);
  return hash(specLambdas) === expected ? specLambdas : ir;
}

/** --data as the loader takes it: 'synthetic', the spec's own data, or a path (resolved against the working directory). */
function dataChoice(ir: IrNetwork, data: string, cwd: string): TrainConfig['data'] | 'synthetic' {
  if (data === 'synthetic') return 'synthetic';
  if (data === (ir.train.data.path ?? ir.train.data.kind)) return ir.train.data;
  return { kind: ir.train.data.kind, path: resolve(cwd, data) };
}

function runData(ir: IrNetwork, d: TrainConfig['data'] | 'synthetic', seed: number, synthetic: RunOptions['synthetic']): RunData {
  const data = d === 'synthetic' ? 'synthetic' : d.path === null ? d.kind : resolve(d.path);
  const kind = d !== 'synthetic' && d.kind !== 'synthetic' ? d.kind : ir.train.data.kind;
  return { data, kind, seed, ...(d === 'synthetic' && synthetic !== undefined ? { synthetic } : {}) };
}

/** The spec a module was built from, as an absolute path (see TrainerMainOptions.specUrl). */
export function specFile(opts: Pick<TrainerMainOptions, 'specUrl' | 'specPath'>): string {
  return opts.specUrl ? fileURLToPath(opts.specUrl) : resolve(PACKAGE_ROOT, opts.specPath);
}

/** A spec's own values of the trainer's flags (what a generated module's `defaultConfig` holds). */
/** A spec trained by the runtime's interpreter (`archc train`, `archc demo`): the network built from the checked IR. */
export function interpretedNet(ir: IrNetwork, spec: { path: string; shown: string; source: string }): TrainerMainOptions {
  return {
    name: ir.name,
    specPath: spec.shown,
    specUrl: pathToFileURL(spec.path),
    specSource: spec.source,
    ir,
    defaults: trainerDefaults(ir),
    createModule: (network, seed) => new IrModule(network, { seed }),
  };
}

export function trainerDefaults(ir: IrNetwork): TrainerConfig {
  return {
    data: ir.train.data.path ?? ir.train.data.kind,
    epochs: ir.train.epochs,
    steps: ir.train.steps,
    batch: ir.train.batch,
    lr: ir.train.optimizer.lr,
    weightDecay: ir.train.optimizer.weightDecay,
    lambda: ir.sparsify.lambda,
    seed: ir.train.seed,
  };
}

/**
 * Chooses the backend before any weight exists, so the module's variables are created on it rather than on tfjs's
 * default cpu backend and moved on first use (runTraining's own call then returns the same selection).
 */
export async function selectBackend(backend: Backend | undefined, threads?: number): Promise<void> {
  // ARCHC_NATIVE=0 turns the native backend off; --threads, else ARCHC_THREADS, sets oneDNN's thread count.
  configureNative(nativeOptionsFromEnv(process.env, threads));
  try {
    await initBackend(backend);
  } catch (e) {
    throw new UserError((e instanceof Error ? e.message : String(e)).replace(/^archc: /, ''));
  }
}

/**
 * Trains `net` as `options` say, under the run policy shared by every command (run-control.ts: the output folder,
 * --force/--resume, checkpoints, NaN/Inf guards, Ctrl-C), then evaluates, summarises and compacts. Throws
 * FlagError for options that do not fit the network, UserError for anything else a user can act on.
 */
export async function trainRun(net: TrainerMainOptions, options: RunOptions, io: Io, extras: RunExtras = {}): Promise<RunOutcome> {
  const plan = resolvePlan(options, net, io.cwd);
  const ir = runIr(net.ir, plan.config, plan.target);
  const c = plan.config;
  const shownOut = relative(io.cwd, plan.outDir) || '.';
  const specAbs = specFile(net);
  // Output names are checked before anything is created or removed.
  checkRunOutputs(plan.outDir, specAbs, ir, extras.extraFiles);
  const data = plan.data;
  const lambdaNote = c.lambda !== null ? `lambda ${c.lambda}` : `lambda ${ir.sparsify.lambda}${ir.groups.some((g) => g.sparsify.lambda !== ir.sparsify.lambda) ? ' (some blocks their own)' : ''}`;
  if (!extras.quiet) {
    io.out(
      `${net.name}: training ${net.specPath} for ${c.steps !== null ? `${c.steps} steps` : `${c.epochs} epochs`}, batch ${c.batch}, ` +
        `lr ${c.lr}, ${ir.budget ? `target ${ir.budget.metric === 'macs' ? 'MACs' : 'params'} ${ir.budget.written} (λ steered)` : lambdaNote}, seed ${c.seed} → ${shownOut}`,
    );
  }
  await selectBackend(plan.backend, plan.threads);
  const module = net.createModule(ir, c.seed);
  const facts = runData(ir, data, c.seed, plan.synthetic);
  let outcome: RunOutcome | undefined;
  try {
    if (plan.initWeights !== undefined && plan.resume === undefined) await initFromWeights(module, ir, plan.initWeights, io);
    await controlledTraining(
      {
        ir,
        specPath: specAbs,
        specSource: net.specSource,
        outDir: plan.outDir,
        // What a resume must repeat (and what resolvePlan restores when an option is not given again).
        run: {
          seed: c.seed,
          config: { ...c },
          logEvery: plan.logEvery ?? null,
          evalLimit: plan.evalLimit ?? null,
          syntheticSize: plan.synthetic?.train ?? null,
          backend: plan.backend ?? null,
          ...(plan.target ? { target: plan.target } : {}),
          // Kept in the record so that a resume with another folder is refused like any other change.
          ...(plan.initWeights !== undefined ? { initWeights: plan.initWeights } : {}),
        },
        specIr: net.ir,
        // The run's data, so `archc eval` on its weights evaluates on the same data (and says so).
        facts: { ...(extras.facts ?? {}), data: facts },
        ...(extras.extraFiles ? { extraFiles: extras.extraFiles } : {}),
        ...(plan.force ? { force: true } : {}),
        ...(plan.resume !== undefined ? { resume: plan.resume } : {}),
        ...(plan.checkpointEvery !== undefined ? { checkpointEvery: plan.checkpointEvery } : {}),
        ...(extras.signals !== undefined ? { signals: extras.signals } : {}),
        log: (l) => io.out(l),
      },
      (hooks) => {
        extras.onReady?.(plan.outDir);
        // Steps, epochs, batch and seed are in the run's IR; only what the IR has no place for is passed here.
        return runTraining({
          ir,
          module,
          data,
          overrides: {
            ...(plan.logEvery !== undefined ? { logEvery: plan.logEvery } : {}),
            ...(plan.evalLimit !== undefined ? { evalLimit: plan.evalLimit } : {}),
            ...(plan.synthetic !== undefined ? { synthetic: plan.synthetic } : {}),
          },
          outDir: plan.outDir,
          ...(plan.backend ? { backend: plan.backend } : {}),
          log: (l) => io.out(l),
          isTTY: io.isTTY,
          ...(io === processIo && io.isTTY ? { write: (s: string) => void process.stderr.write(s) } : {}),
          onStep: hooks.onStep,
          ...(hooks.state ? { state: hooks.state } : {}),
        });
      },
      // Ctrl-C: the module holds the checkpointed weights, so the pruned spec matches the checkpoint.
      async () => writePruned(ir, module, plan.outDir, net, io),
      // Training is over and its final state is in the checkpoint: whatever fails from here on is recoverable.
      // Summary and compaction run with the folder still locked, so no other run starts in it meanwhile.
      async ({ result, checkpoint }) => {
        updateRunMarker(plan.outDir, { dataset: result.dataset, backend: result.backend.name, data: { ...facts, description: result.dataset } });
        extras.onTrained?.(result);
        let pruned: string | null = null;
        let failure: string | null = null;
        try {
          if (!extras.quiet) io.out(summary(ir, result, shownOut));
          else io.out('');
          pruned = await writePruned(ir, module, plan.outDir, net, io, result.evaluation.accuracy);
          if (pruned !== null && !extras.quiet) io.out(`pruned spec: ${relative(io.cwd, pruned)}`);
        } catch (e) {
          const saved = checkpoint !== null ? `the trained network is saved in ${relative(io.cwd, checkpoint) || checkpoint}; ` : '';
          const message = `compaction failed: ${e instanceof Error ? e.message : String(e)}; ${saved}after fixing the cause, archc compact ${shownOut} redoes it`;
          if (extras.compactionFailure === 'report') failure = message;
          else throw new UserError(message);
        }
        outcome = { ir, result, outDir: plan.outDir, pruned, compactionFailure: failure };
        await extras.onDone?.(outcome);
      },
    );
    return outcome!;
  } finally {
    module.dispose();
  }
}

/**
 * --init-weights: every weight of the spec from exported tfjs weights (matched by layer name and shape, as `archc
 * eval` reads them); the mask logits are not exported, so they keep their init (every structure on).
 */
async function initFromWeights(module: NetworkModule, ir: IrNetwork, dir: string, io: Io): Promise<void> {
  let weights: Awaited<ReturnType<typeof loadTfjsWeights>>;
  try {
    weights = await loadTfjsWeights(dir, ir);
  } catch (e) {
    if (e instanceof WeightsMismatchError) throw new UserError(`--init-weights: ${e.message}`);
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new UserError(`--init-weights: cannot read ${relative(io.cwd, dir) || dir}: expected model.json and weights.bin there`);
    throw e;
  }
  module.setWeights(weights, { allowMissing: true });
  io.out(`init: ${Object.keys(weights).length} weights from ${relative(io.cwd, dir) || dir} (mask logits keep their init)`);
}

function summary(ir: IrNetwork, r: RunTrainingResult, shownOut: string): string {
  const e = r.evaluation;
  const quality = e.perplexity !== null ? `perplexity ${e.perplexity.toFixed(2)}, accuracy ${(e.accuracy * 100).toFixed(2)}%` : `accuracy ${(e.accuracy * 100).toFixed(2)}%`;
  const pct = (a: number, b: number): string => (b > 0 ? `${((a / b) * 100).toFixed(1)}%` : 'n/a');
  const nameWidth = Math.max(...ir.groups.map((g) => g.name.length), 5);
  const widths = ir.groups
    .filter((g) => g.maskable)
    .map((g) => `  ${g.name.padEnd(nameWidth)}  ${String(g.width).padStart(5)} → ${String(r.keptWidths[g.name] ?? g.width).padStart(5)}`);
  return [
    `done: ${r.finalMetrics.step} steps on ${r.backend.name}, ${r.dataset.split(':')[0]}`,
    `evaluation (${e.split}, ${e.examples} examples, masks 1[s > 0]): ${quality}`,
    'kept widths (group  full → kept):',
    ...widths,
    `params ${grouped(e.denseParams)} → ${grouped(e.params)} (${pct(e.params, e.denseParams)}), ` +
      `MACs ${human(e.denseMacs)} → ${human(e.macs)} (${pct(e.macs, e.denseMacs)})`,
    ...(r.finalMetrics.budget ? [budgetLine(r.finalMetrics.budget)] : []),
    `metrics: ${shownOut}/metrics.jsonl`,
  ].join('\n');
}

/** The budget's verdict, plainly: met within the tolerance, or NOT MET and by how much. */
function budgetLine(b: NonNullable<RunTrainingResult['finalMetrics']['budget']>): string {
  return describeOutcome({ metric: b.metric, target: b.target, final: b.target + b.gap, gap: b.gap, tolerance: b.tolerance, met: b.met === true });
}

/**
 * Compaction writes `<out>/<spec>.pruned.arch`, the sliced weights (tfjs format) and compaction.json, re-checks the
 * pruned spec, and logs its report. Returns the pruned spec's path.
 */
async function writePruned(ir: IrNetwork, module: NetworkModule, outDir: string, net: TrainerMainOptions, io: Io, accuracy?: number): Promise<string | null> {
  const report = await compactAndWrite({
    ...(accuracy !== undefined ? { accuracy } : {}),
    ir,
    module,
    sourceText: net.specSource,
    sourcePath: specFile(net),
    outDir,
    log: (l) => io.out(l),
  });
  return report.prunedArch;
}
