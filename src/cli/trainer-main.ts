// The command line of every generated trainer module (`npx tsx generated/<name>.ts …`) and of `archc train`:
// parses and validates the flags, applies them to a copy of the IR, runs the runtime's `runTraining` with the
// generated network, writes <out>/metrics.jsonl, prints a summary, and hands the trained network to compaction
// (<out>/<spec>.pruned.arch and weights).
// Errors are one-line messages and exit code 1 (130 after Ctrl-C); no stack traces reach the user.

import { realpathSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { PACKAGE_ROOT } from '../codegen/package-root.ts';
import { compactAndWrite, loadTfjsWeights, WeightsMismatchError } from '../compaction/index.ts';
import { DataError } from '../runtime/data/index.ts';
import { configureNative, initBackend, nativeOptionsFromEnv } from '../runtime/backend/index.ts';
import { runTraining, type NetworkModule, type RunTrainingResult } from '../runtime/index.ts';
import { describeOutcome } from '../runtime/budget.ts';
import { DEFAULT_BUDGET_TOLERANCE, smallestReachable } from '../semantic/budget.ts';
import { buildCostModel } from '../semantic/cost-model.ts';
import type { BudgetTarget, IrNetwork, MaskGroup } from '../semantic/ir.ts';
import { parseQuantity } from '../syntax/quantity.ts';
import { human } from './commands/check.ts';
import { processIo, UserError, type Io } from './io.ts';
import { checkRunOutputs, controlledTraining, savedRun } from './run-control.ts';
import { updateRunMarker, type RunData } from './run-marker.ts';

export type { IrNetwork } from '../semantic/ir.ts';
export type TrainerIo = Io;

/** A mask group as generated modules describe it (`groups` const): typed members, no settings. */
export interface MaskGroupInfo<P extends string = string> {
  readonly id: number;
  readonly width: number;
  readonly structure: MaskGroup['structure'];
  readonly maskable: boolean;
  readonly canVanish: boolean;
  readonly members: readonly P[];
}

/** The hyperparameters a generated `<Name>Config` carries; each is a flag (camelCase → --kebab-case). */
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

type ValueKind = 'posInt' | 'nonNegInt' | 'posNumber' | 'nonNegNumber' | 'string' | 'backend' | 'flag' | 'quantity';

/** One command-line flag. `config` flags set a TrainerConfig field; the others steer the run. */
export interface TrainerFlag {
  /** Commander's option key (camelCase). */
  key: string;
  flags: string;
  description: string;
  kind: ValueKind;
  config: boolean;
}

const BACKENDS = ['node-gpu', 'node', 'native', 'wasm', 'cpu'] as const;
type Backend = (typeof BACKENDS)[number];

/** Every flag, shared with `archc train` (which declares the same options and forwards them). */
export const TRAINER_FLAGS: readonly TrainerFlag[] = [
  { key: 'data', flags: '--data <path|synthetic>', description: "dataset path, or 'synthetic' for generated data", kind: 'string', config: true },
  { key: 'steps', flags: '--steps <n>', description: 'training steps (instead of epochs)', kind: 'posInt', config: true },
  { key: 'epochs', flags: '--epochs <n>', description: 'training epochs', kind: 'posInt', config: true },
  { key: 'batch', flags: '--batch <n>', description: 'batch size', kind: 'posInt', config: true },
  { key: 'lr', flags: '--lr <x>', description: 'learning rate of the weights', kind: 'posNumber', config: true },
  { key: 'weightDecay', flags: '--weight-decay <x>', description: 'weight decay', kind: 'nonNegNumber', config: true },
  { key: 'lambda', flags: '--lambda <x>', description: 'sparsity strength of every mask group', kind: 'nonNegNumber', config: true },
  { key: 'seed', flags: '--seed <n>', description: 'seed of init, masks, dropout and data order', kind: 'nonNegInt', config: true },
  { key: 'backend', flags: '--backend <node-gpu|node|native|wasm|cpu>', description: 'force a backend (default: the best that loads)', kind: 'backend', config: false },
  { key: 'threads', flags: '--threads <n>', description: 'CPU threads of the native (oneDNN) backend (default: $ARCHC_THREADS, else all cores)', kind: 'posInt', config: false },
  { key: 'out', flags: '--out <dir>', description: 'output folder for metrics.jsonl and the pruned spec (default runs/<name>)', kind: 'string', config: false },
  { key: 'force', flags: '--force', description: 'write into a non-empty --out, replacing earlier results', kind: 'flag', config: false },
  { key: 'resume', flags: '--resume <dir>', description: 'continue the run in <dir> from its checkpoint (same settings unless given)', kind: 'string', config: false },
  { key: 'checkpointEvery', flags: '--checkpoint-every <n>', description: "write a checkpoint every n steps, and at each epoch end (default: the spec's checkpointEvery)", kind: 'posInt', config: false },
  { key: 'logEvery', flags: '--log-every <n>', description: 'also evaluate and log every n steps', kind: 'posInt', config: false },
  { key: 'evalLimit', flags: '--eval-limit <n>', description: 'evaluate on at most n examples (tokens for language models)', kind: 'posInt', config: false },
  { key: 'targetMacs', flags: '--target-macs <P%|N>', description: "budget: steer λ so the kept network has this share (40%) or number (150M) of the dense MACs", kind: 'quantity', config: false },
  { key: 'targetParams', flags: '--target-params <N|P%>', description: 'budget: the same for the parameters (1.2M, or 30%)', kind: 'quantity', config: false },
  { key: 'syntheticSize', flags: '--synthetic-size <n>', description: 'training examples (tokens) of --data synthetic', kind: 'posInt', config: false },
  { key: 'initWeights', flags: '--init-weights <dir>', description: "start from exported weights (a run's weights/: model.json + weights.bin) instead of a random init, e.g. to fine-tune a pruned network", kind: 'string', config: false },
];

/** A failed flag or precondition: printed as one line, exit 1. */
class FlagError extends Error {}

interface RunPlan {
  config: TrainerConfig;
  backend: Backend | undefined;
  threads: number | undefined;
  outDir: string;
  force: boolean;
  logEvery: number | undefined;
  evalLimit: number | undefined;
  syntheticSize: number | undefined;
  resume: string | undefined;
  checkpointEvery: number | undefined;
  /** --target-macs / --target-params as written (replaces the spec's target). */
  target: { metric: 'macs' | 'params'; written: string } | undefined;
  /** --init-weights: a folder of exported tfjs weights that replace the random init (absolute). */
  initWeights: string | undefined;
}

/** Parses `argv` and trains; resolves to the exit code (0 ok, 1 any error), never throws. */
export async function runTrainerMain(argv: readonly string[], opts: TrainerMainOptions, io: Io = processIo): Promise<number> {
  const say = (t: string): void => io.err(`${opts.name}: ${t}`);
  let plan: RunPlan | 'help';
  try {
    plan = parse(argv, opts, io);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 1;
    if (e instanceof FlagError) {
      say(`${e.message} (see --help)`);
      return 1;
    }
    throw e;
  }
  if (plan === 'help') return 0;
  try {
    if (plan.resume !== undefined) applySavedRun(plan, argv);
    await train(plan, opts, io);
    return 0;
  } catch (e) {
    if (e instanceof UserError) {
      say(e.message);
      return e.exitCode;
    }
    if (e instanceof FlagError || e instanceof DataError) say(e.message);
    else say(`training failed: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

function parse(argv: readonly string[], opts: TrainerMainOptions, io: Io): RunPlan | 'help' {
  const cmd = new Command(opts.name)
    .description(`Train ${opts.name} (${opts.specPath}) with structured continuous sparsification, then compact it.`)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.replace(/\n$/, '')), writeErr: (s) => io.err(s.replace(/\n$/, '')) })
    .allowExcessArguments(false);
  for (const f of TRAINER_FLAGS) {
    const def = f.config ? opts.defaults[f.key as keyof TrainerConfig] : undefined;
    cmd.option(f.flags, f.description + (def !== undefined && def !== null ? ` (default ${def})` : ''));
  }
  let helped = false;
  cmd.on('option:help', () => (helped = true));
  cmd.parse([...argv], { from: 'user' });
  if (helped) return 'help';
  const raw = cmd.opts<Record<string, string | boolean | undefined>>();

  const config: TrainerConfig = { ...opts.defaults };
  const given = (key: string): string | undefined => {
    const v = raw[key];
    return typeof v === 'string' ? v : undefined;
  };
  for (const f of TRAINER_FLAGS.filter((x) => x.config)) {
    const v = given(f.key);
    if (v === undefined) continue;
    const key = f.key as keyof TrainerConfig;
    if (key === 'data') config.data = v;
    else config[key] = parseValue(f, v) as number;
  }
  if (given('steps') !== undefined && given('epochs') !== undefined) throw new FlagError('give --steps or --epochs, not both');
  // --epochs replaces a spec's step count (and vice versa): the one given is the run's length.
  if (given('epochs') !== undefined) config.steps = null;
  if (given('steps') !== undefined) config.epochs = null;
  if (config.steps === null && config.epochs === null) throw new FlagError('the run needs a length: give --steps or --epochs');
  if (config.data.trim() === '') throw new FlagError("--data must be a path or 'synthetic'");

  if (given('targetMacs') !== undefined && given('targetParams') !== undefined) throw new FlagError('give --target-macs or --target-params, not both');
  const targetFlag = given('targetMacs') !== undefined ? 'targetMacs' : given('targetParams') !== undefined ? 'targetParams' : undefined;
  if (targetFlag) parseValue(TRAINER_FLAGS.find((x) => x.key === targetFlag)!, given(targetFlag)!);
  if ((targetFlag || opts.ir.budget) && given('lambda') !== undefined) {
    throw new FlagError(`--lambda contradicts ${targetFlag ? `--${targetFlag === 'targetMacs' ? 'target-macs' : 'target-params'}` : "the spec's target"}: with a target, the budget controller sets λ`);
  }
  const backendRaw = given('backend');
  const num = (key: string): number | undefined => {
    const v = given(key);
    const f = TRAINER_FLAGS.find((x) => x.key === key)!;
    return v === undefined ? undefined : (parseValue(f, v) as number);
  };
  return {
    config,
    backend: backendRaw === undefined ? undefined : (parseValue(TRAINER_FLAGS.find((x) => x.key === 'backend')!, backendRaw) as Backend),
    threads: num('threads'),
    outDir: resolve(io.cwd, given('out') ?? given('resume') ?? `runs/${opts.name}`),
    force: raw.force === true,
    logEvery: num('logEvery'),
    evalLimit: num('evalLimit'),
    syntheticSize: num('syntheticSize'),
    resume: given('resume') === undefined ? undefined : resolve(io.cwd, given('resume')!),
    checkpointEvery: num('checkpointEvery'),
    target: targetFlag ? { metric: targetFlag === 'targetMacs' ? 'macs' : 'params', written: given(targetFlag)!.trim() } : undefined,
    initWeights: given('initWeights') === undefined ? undefined : resolve(io.cwd, given('initWeights')!),
  };
}

/** --resume: settings not given again on the command line come from the checkpoint (run-control checks the rest). */
function applySavedRun(plan: RunPlan, argv: readonly string[]): void {
  const saved = savedRun(plan.resume!);
  const config = (saved['config'] ?? {}) as Record<string, unknown>;
  for (const f of TRAINER_FLAGS) {
    const flag = f.flags.split(' ')[0]!;
    if (argv.some((a) => a === flag || a.startsWith(`${flag}=`))) continue;
    if (f.config && f.key in config) (plan.config as unknown as Record<string, unknown>)[f.key] = config[f.key];
    else if ((f.key === 'logEvery' || f.key === 'evalLimit' || f.key === 'syntheticSize') && f.key in saved) plan[f.key] = (saved[f.key] as number | null) ?? undefined;
    else if ((f.key === 'targetMacs' || f.key === 'targetParams') && saved['target'] && plan.target === undefined) plan.target = saved['target'] as RunPlan['target'];
    // The checkpoint holds the weights the run reached, so a resumed run never re-reads its initial weights; the
    // folder is kept in the run's record so that a resume with another one is refused like any other change.
    else if (f.key === 'initWeights' && typeof saved['initWeights'] === 'string' && plan.initWeights === undefined) plan.initWeights = saved['initWeights'];
    // The backend too (kernels differ in the last bits); an explicit --backend may move a run to another machine.
    else if (f.key === 'backend' && typeof saved['backend'] === 'string') plan.backend = saved['backend'] as Backend;
  }
}

function parseValue(f: TrainerFlag, v: string): number | string {
  const name = f.flags.split(' ')[0];
  const n = Number(v);
  const isNum = v.trim() !== '' && Number.isFinite(n);
  switch (f.kind) {
    case 'posInt':
      if (!isNum || !Number.isInteger(n) || n < 1) throw new FlagError(`${name} must be a positive integer; got '${v}'`);
      return n;
    case 'nonNegInt':
      if (!isNum || !Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new FlagError(`${name} must be an integer from 0 to 4294967295; got '${v}'`);
      return n;
    case 'posNumber':
      if (!isNum || n <= 0) throw new FlagError(`${name} must be a positive number; got '${v}'`);
      return n;
    case 'nonNegNumber':
      if (!isNum || n < 0) throw new FlagError(`${name} must be a number >= 0; got '${v}'`);
      return n;
    case 'backend':
      if (!(BACKENDS as readonly string[]).includes(v)) throw new FlagError(`${name} must be one of ${BACKENDS.join(', ')}; got '${v}'`);
      return v;
    case 'quantity': {
      const q = parseQuantity(v);
      if (!q || q.value <= 0 || (q.kind === 'percent' && q.value > 100)) throw new FlagError(`${name} must be a percent of the dense network in (0%, 100%] (40%) or a count (150M, 1.2M, 30000); got '${v}'`);
      return v;
    }
    case 'string':
    case 'flag':
      return v;
  }
}

/**
 * The IR's budget for --target-macs / --target-params (the spec's own target was resolved by the checker): a
 * percent or a count of the dense network, the spec's tolerance or the default, and the same reachability check.
 */
export function flagBudget(ir: IrNetwork, t: { metric: 'macs' | 'params'; written: string }): BudgetTarget {
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

/** A copy of the spec's IR with the run's settings in it (the module, trainer and compaction all read the IR). */
export function applyConfig(ir: IrNetwork, c: TrainerConfig): IrNetwork {
  const out = structuredClone(ir);
  out.train.epochs = c.epochs;
  out.train.steps = c.steps;
  out.train.batch = c.batch;
  out.train.seed = c.seed;
  out.train.optimizer.lr = c.lr;
  out.train.optimizer.weightDecay = c.weightDecay;
  // Groups may carry block-level λ overrides; a λ different from the spec's network-level one replaces them all.
  if (c.lambda !== ir.sparsify.lambda) {
    out.sparsify.lambda = c.lambda;
    for (const g of out.groups) g.sparsify.lambda = c.lambda;
  }
  return out;
}

/** --data as the loader takes it: 'synthetic', the spec's own data, or a path (resolved against the working directory). */
function dataChoice(ir: IrNetwork, data: string, cwd: string): IrNetwork['train']['data'] | 'synthetic' {
  if (data === 'synthetic') return 'synthetic';
  if (data === (ir.train.data.path ?? ir.train.data.kind)) return ir.train.data;
  return { kind: ir.train.data.kind, path: resolve(cwd, data) };
}

function runData(ir: IrNetwork, d: IrNetwork['train']['data'] | 'synthetic', seed: number, syntheticSize: number | undefined): RunData {
  const data = d === 'synthetic' ? 'synthetic' : d.path === null ? d.kind : resolve(d.path);
  return { data, kind: ir.train.data.kind, seed, ...(d === 'synthetic' && syntheticSize !== undefined ? { synthetic: { train: syntheticSize } } : {}) };
}

/** The spec a module was built from, as an absolute path (see TrainerMainOptions.specUrl). */
function specFile(opts: TrainerMainOptions): string {
  return opts.specUrl ? fileURLToPath(opts.specUrl) : resolve(PACKAGE_ROOT, opts.specPath);
}

/** A spec's own values of the trainer's flags (what a generated module's `defaultConfig` holds). */
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
 * Trains under the run policy shared with `archc train` (run-control.ts: the output folder, --force/--resume,
 * checkpoints, NaN/Inf guards, Ctrl-C), then evaluates, summarises and compacts.
 */
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

async function train(plan: RunPlan, opts: TrainerMainOptions, io: Io): Promise<void> {
  const ir = applyConfig(opts.ir, plan.config);
  if (plan.target) ir.budget = flagBudget(ir, plan.target);
  const c = plan.config;
  const shownOut = relative(io.cwd, plan.outDir) || '.';
  const specAbs = specFile(opts);
  // Output names are checked before anything is created or removed.
  checkRunOutputs(plan.outDir, specAbs, ir);
  const data = dataChoice(ir, c.data, io.cwd);
  io.out(
    `${opts.name}: training ${opts.specPath} for ${c.steps !== null ? `${c.steps} steps` : `${c.epochs} epochs`}, batch ${c.batch}, ` +
      `lr ${c.lr}, ${ir.budget ? `target ${ir.budget.metric === 'macs' ? 'MACs' : 'params'} ${ir.budget.written} (λ steered)` : `lambda ${c.lambda}`}, seed ${c.seed} → ${shownOut}`,
  );
  await selectBackend(plan.backend, plan.threads);
  const module = opts.createModule(ir, c.seed);
  try {
    if (plan.initWeights !== undefined && plan.resume === undefined) await initFromWeights(module, ir, plan.initWeights, io);
    const { result, checkpoint } = await controlledTraining(
      {
        ir,
        specPath: specAbs,
        specSource: opts.specSource,
        outDir: plan.outDir,
        // What a resume must repeat (and what applySavedRun restores when a flag is not given again).
        run: {
          seed: c.seed,
          config: { ...c },
          logEvery: plan.logEvery ?? null,
          evalLimit: plan.evalLimit ?? null,
          syntheticSize: plan.syntheticSize ?? null,
          backend: plan.backend ?? null,
          ...(plan.target ? { target: plan.target } : {}),
          ...(plan.initWeights !== undefined ? { initWeights: plan.initWeights } : {}),
        },
        specIr: opts.ir,
        // The run's data, so `archc eval` on its weights evaluates on the same data (and says so).
        facts: { data: runData(ir, data, c.seed, plan.syntheticSize) },
        ...(plan.force ? { force: true } : {}),
        ...(plan.resume !== undefined ? { resume: plan.resume } : {}),
        ...(plan.checkpointEvery !== undefined ? { checkpointEvery: plan.checkpointEvery } : {}),
        log: (l) => io.out(l),
      },
      (hooks) =>
        runTraining({
          ir,
          module,
          data,
          overrides: {
            ...(c.steps !== null ? { steps: c.steps } : {}),
            ...(c.epochs !== null ? { epochs: c.epochs } : {}),
            batch: c.batch,
            seed: c.seed,
            ...(plan.logEvery !== undefined ? { logEvery: plan.logEvery } : {}),
            ...(plan.evalLimit !== undefined ? { evalLimit: plan.evalLimit } : {}),
            ...(plan.syntheticSize !== undefined ? { synthetic: { train: plan.syntheticSize } } : {}),
          },
          outDir: plan.outDir,
          ...(plan.backend ? { backend: plan.backend } : {}),
          log: (l) => io.out(l),
          isTTY: io.isTTY,
          ...(io === processIo && io.isTTY ? { write: (s: string) => void process.stderr.write(s) } : {}),
          onStep: hooks.onStep,
          ...(hooks.state ? { state: hooks.state } : {}),
        }),
      // Ctrl-C: the module holds the checkpointed weights, so the pruned spec matches the checkpoint.
      async () => writePruned(ir, module, plan.outDir, opts, io),
    );
    updateRunMarker(plan.outDir, { dataset: result.dataset, backend: result.backend.name, data: { ...runData(ir, data, c.seed, plan.syntheticSize), description: result.dataset } });
    // Training is over and its final state is in the checkpoint: whatever fails from here on is recoverable.
    try {
      io.out(summary(ir, result, shownOut));
      const pruned = await writePruned(ir, module, plan.outDir, opts, io, result.evaluation.accuracy);
      if (pruned !== null) io.out(`pruned spec: ${relative(io.cwd, pruned)}`);
    } catch (e) {
      const saved = checkpoint !== null ? `the trained network is saved in ${relative(io.cwd, checkpoint) || checkpoint}; ` : '';
      throw new UserError(`compaction failed: ${e instanceof Error ? e.message : String(e)}; ${saved}after fixing the cause, archc compact ${shownOut} redoes it`);
    }
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
    `params ${e.denseParams.toLocaleString('en-US')} → ${e.params.toLocaleString('en-US')} (${pct(e.params, e.denseParams)}), ` +
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
async function writePruned(ir: IrNetwork, module: NetworkModule, outDir: string, opts: TrainerMainOptions, io: Io, accuracy?: number): Promise<string | null> {
  const report = await compactAndWrite({
    ...(accuracy !== undefined ? { accuracy } : {}),
    ir,
    module,
    sourceText: opts.specSource,
    sourcePath: specFile(opts),
    outDir,
    log: (l) => io.out(l),
  });
  return report.prunedArch;
}

/**
 * Runs a generated module's `main` when that module is the program's entry point (`npx tsx generated/x.ts`), and
 * does nothing when it is imported (tests, `archc train`). Sets the process exit code; only entry points do that.
 */
export async function runIfMain(moduleUrl: string, main: (argv: readonly string[], io?: Io) => Promise<number>): Promise<void> {
  const entry = process.argv[1];
  if (entry === undefined || !samePath(fileURLToPath(moduleUrl), resolve(entry))) return;
  process.exitCode = await main(process.argv.slice(2));
}

function samePath(a: string, b: string): boolean {
  const real = (p: string): string => {
    try {
      return realpathSync(p);
    } catch {
      return p;
    }
  };
  return real(a) === real(b) || real(a) === real(`${b}.ts`);
}
