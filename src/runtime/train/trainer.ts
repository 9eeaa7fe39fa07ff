// The training loop of continuous sparsification (Algorithm 1): per step, sample q per group outside the tape,
// forward with σ(βs)·q masks, loss = task + λ-penalty, one `tf.variableGrads` for weights and mask logits, two
// optimizers, scheduler counters/β, and sampled/expected training MACs. Per epoch (and every `logEvery` steps, and
// at the end) it evaluates with 1[s > 0] and appends a complete JSON line to <outDir>/metrics.jsonl.
// The whole trainer state is plain data (`getState`/`setState`) so checkpoints can resume bit-exactly.

import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_EXECUTION, resolveMaskLr } from '../../semantic/defaults.ts';
import type { ExecutionSetting, IrNetwork } from '../../semantic/ir.ts';
import type { Dataset } from '../data/index.ts';
import { RecurrentCarry } from '../layers/context.ts';
import { BudgetController, describeOutcome, type BudgetOutcome, type BudgetState } from '../budget.ts';
import { evalCost, fractionsOf } from '../macs.ts';
import { makeContext, type NetworkModule, type WeightMap } from '../module.ts';
import type { MaskSetState } from '../masks.ts';
import { Optimizer, clipScale, globalNorm, lrFactor, maskOptimizerConfig, type OptimizerItem, type OptimizerState } from '../optim.ts';
import { groupsNeedingFullWidth } from '../narrow/exactness.ts';
import { NarrowView, activeSets } from '../narrow/view.ts';
import { Rng, type RngState } from '../rng.ts';
import { trainBatches, type DataPosition, type TrainBatches } from './batches.ts';
import { architectureSummary, costModelOf, evaluate, recalibrateBatchNorm, restoreBatchNorm, type EvalResult } from './evaluate.ts';
import { taskLoss } from './loss.ts';
import { Progress } from './progress.ts';

/** The file each run appends its metrics lines to, inside its output folder. */
export const METRICS_FILE = 'metrics.jsonl';

export interface TrainOptions {
  ir: IrNetwork;
  module: NetworkModule;
  dataset: Dataset;
  /** Planned steps; default ir.train.steps, else epochs × steps per epoch. */
  steps?: number;
  /** Planned epochs when `steps` is not given; default ir.train.epochs. */
  epochs?: number;
  /** Default ir.train.batch. */
  batch?: number;
  /** Seed of the run's random streams (masks, dropout, shuffling). The module's init seed is its own option. */
  seed: number;
  /** Where metrics.jsonl goes; null = don't write files. */
  outDir: string | null;
  log: (line: string) => void;
  isTTY: boolean;
  /** Raw writer for the TTY progress bar (e.g. process.stderr.write); without it a TTY gets plain lines. */
  write?: (s: string) => void;
  /** Also write a metrics line every N steps (short runs); default: only per epoch and at the end. */
  logEvery?: number;
  /** Evaluate intermediate metrics lines on at most this many examples (LM: tokens); the final line always uses the whole split. */
  evalLimit?: number;
  /**
   * BatchNorm recalibration batches before each evaluation (see `recalibrateBatchNorm`; default 20, 0 = off).
   * Intermediate lines restore the training statistics afterwards; the final line keeps the recalibrated ones, so
   * the final state holds statistics that match the kept architecture.
   */
  bnRecalibration?: number;
  /** Called after every step, after that step's metrics line if one was due (checkpoint hooks see a settled state). */
  onStep?: (info: StepInfo, trainer: Trainer) => void | Promise<void>;
  /** Called after every metrics line. */
  onMetrics?: (line: MetricsLine, trainer: Trainer) => void | Promise<void>;
  /** Resume from a saved state. */
  state?: TrainerState;
  /**
   * How a training step runs: 'narrow' computes only the sampled sub-network (runtime/narrow), with a full-width
   * step every `fullEvery` steps (0 = never) so that structures that are off still get a straight-through task
   * gradient and can regrow; 'full' runs every step at full width with 0/1 samples multiplied in. Default: the
   * spec's `sparsify { execution … }`.
   */
  execution?: ExecutionConfig;
}

export type ExecutionConfig = ExecutionSetting;

/**
 * Under `execution auto`, a step whose sampled MACs exceed this share of the dense MACs runs at full width (same
 * result there). bench/narrow.ts on fashion-resnet, batch 64, idle machine (stops 29 and 30): narrow/full 1.14–1.30
 * at 91% sampled, 1.01 at 73%, 1.04 at 63% (both stops), 0.89 at 50%, 0.80–0.94 at 41%, 0.56 at 25%: the crossing
 * is near 60%. (An earlier reading on a loaded machine, 0.72 at 63%, had put it at 80%.)
 */
export const AUTO_NARROW_MAX_SHARE = 0.6;

/** 'auto' → narrow (never a full-width step) where that is exact for `ir` (see narrow/exactness.ts), else full. */
export function resolveExecution(e: ExecutionSetting, ir: IrNetwork): ExecutionSetting & { mode: 'narrow' | 'full' } {
  if (e.mode !== 'auto') return { mode: e.mode, fullEvery: e.fullEvery };
  return groupsNeedingFullWidth(ir).length === 0 ? { mode: 'narrow', fullEvery: 0 } : { mode: 'full', fullEvery: 0 };
}

export interface StepInfo {
  /** 1-based number of the step just done. */
  step: number;
  epoch: number;
  loss: number;
  taskLoss: number;
  lambdaTerm: number;
  lastOfEpoch: boolean;
}

export interface Quantiles {
  min: number;
  p25: number;
  median: number;
  p75: number;
  max: number;
}

/** One line of metrics.jsonl. MACs are forward multiply-accumulates per example unless named `…Total`. */
export interface MetricsLine {
  step: number;
  /** Completed epochs (fractional within an epoch). */
  epoch: number;
  /** Interval means (over the steps since the previous line): total loss, task loss, λ term, train accuracy. */
  loss: number;
  taskLoss: number;
  lambdaTerm: number;
  trainAccuracy: number;
  evalSplit: 'valid' | 'test';
  evalLoss: number;
  /** Classification: accuracy with 1[s>0]. LM: next-token accuracy. */
  evalAccuracy: number;
  /** LM only. */
  evalPerplexity: number | null;
  /** β quantiles per group name and over all structures ('all'). */
  beta: Record<string, Quantiles>;
  /** Kept structures (s > 0, + minWidth) per group name. */
  kept: Record<string, number>;
  /** Interval mean of the sampled sub-network's MACs (q) and of the expected MACs (σ). */
  sampledMacs: number;
  expectedMacs: number;
  /** Running totals over all training examples so far: Σ_steps MACs × batch size (forward pass). */
  sampledMacsTotal: number;
  expectedMacsTotal: number;
  /** What the same examples would have cost at full width. */
  denseMacsTotal: number;
  /** The deterministic (kept) architecture. */
  archParams: number;
  archMacs: number;
  denseParams: number;
  denseMacs: number;
  lr: number;
  /** Learning rate of the mask logits (first group's; 0 during mask warm-up). */
  maskLr: number;
  /** Seconds of training so far (across resumes). */
  wallTime: number;
  /**
   * With a budget target (README "Budget targets"): the target and the reference it is steered along (fractions of
   * the dense MACs or params), λ now, the gap (kept − target, fractions of dense) and, on the final line, whether
   * the target was met within the tolerance.
   */
  budget?: {
    metric: 'macs' | 'params';
    target: number;
    tolerance: number;
    reference: number;
    lambda: number;
    gap: number;
    met: boolean | null;
    /** On the final line: what the end-of-run decision did (structures switched off/on, kept share before/after). */
    decided?: { off: number; on: number; before: number; after: number };
  };
  /**
   * Interval mean of the wall time of one training step (ms; evaluation excluded), next to `sampledMacs`. The
   * trainer always writes this and the two below; files written before narrow execution lack them.
   */
  stepMs?: number;
  /** Share of the interval's steps that ran narrow (see TrainOptions.execution). */
  narrowSteps?: number;
  /** Structures whose logit crossed from s ≤ 0 to s > 0 in a step of the interval (regrowth), all groups. */
  regrown?: number;
}

export interface TrainerState {
  version: 1;
  step: number;
  plannedSteps: number;
  /** Every module variable by logical name, mask logits and BN statistics included. */
  weights: WeightMap;
  masks: MaskSetState;
  weightOptimizer: OptimizerState;
  maskOptimizer: OptimizerState;
  rng: { masks: RngState; dropout: RngState };
  data: DataPosition;
  totals: { sampledMacs: number; expectedMacs: number; denseMacs: number; wallTime: number };
  history: MetricsLine[];
  /** Sums since the last metrics line, so a resumed run's next line averages the same steps (absent in old states). */
  interval?: Interval;
  /** LM: each LSTM's carried h and c ([batch, units]) by layer path, so a resumed window continues exactly. */
  carry?: Record<string, { shape: [number, number]; h: Float32Array; c: Float32Array }>;
  /** The budget controller's state, when the run has a target. */
  budget?: BudgetState;
}

export interface TrainResult {
  final: MetricsLine;
  evaluation: EvalResult;
  history: MetricsLine[];
  state: TrainerState;
}

export interface Interval {
  steps: number;
  loss: number;
  task: number;
  lambda: number;
  correct: number;
  count: number;
  sampled: number;
  expected: number;
  /** Σ step wall time (ms) and narrow steps (absent in states saved before narrow execution). */
  ms?: number;
  narrow?: number;
  regrown?: number;
}
const emptyInterval = (): Interval => ({ steps: 0, loss: 0, task: 0, lambda: 0, correct: 0, count: 0, sampled: 0, expected: 0, ms: 0, narrow: 0, regrown: 0 });

export function quantiles(values: ArrayLike<number>): Quantiles {
  const a = Float64Array.from(values as ArrayLike<number>).sort();
  if (a.length === 0) return { min: NaN, p25: NaN, median: NaN, p75: NaN, max: NaN };
  const at = (p: number) => {
    const pos = p * (a.length - 1);
    const lo = Math.floor(pos);
    const hi = Math.ceil(pos);
    return a[lo]! + (a[hi]! - a[lo]!) * (pos - lo);
  };
  return { min: a[0]!, p25: at(0.25), median: at(0.5), p75: at(0.75), max: a[a.length - 1]! };
}

export class Trainer {
  readonly ir: IrNetwork;
  readonly module: NetworkModule;
  readonly plannedSteps: number;
  readonly stepsPerEpoch: number;
  readonly batch: number;
  private readonly opts: TrainOptions;
  private readonly data: TrainBatches;
  private readonly weightOpt = new Optimizer();
  private readonly maskOpt = new Optimizer();
  private readonly maskRng: Rng;
  private readonly dropoutRng: Rng;
  private readonly carry: RecurrentCarry | undefined;
  private readonly tfToLogical = new Map<string, string>();
  private stepNo = 0;
  private totals = { sampledMacs: 0, expectedMacs: 0, denseMacs: 0, wallTime: 0 };
  private interval = emptyInterval();
  private history: MetricsLine[] = [];
  private lastLr = 0;
  private lastMaskLr = 0;
  /** Steers λ to the IR's budget target; null without one. */
  readonly budget: BudgetController | null;
  /** How steps run (the spec's or the option's setting, 'auto' resolved for this network). */
  readonly execution: ExecutionSetting & { mode: 'narrow' | 'full' };
  private readonly autoExecution: boolean;

  constructor(opts: TrainOptions) {
    this.opts = opts;
    this.ir = opts.ir;
    this.module = opts.module;
    this.batch = opts.batch ?? opts.ir.train.batch;
    this.data = trainBatches(opts.ir, opts.dataset, this.batch, opts.seed);
    this.stepsPerEpoch = this.data.stepsPerEpoch;
    const steps = opts.steps ?? (opts.epochs !== undefined ? undefined : opts.ir.train.steps ?? undefined);
    const epochs = opts.epochs ?? opts.ir.train.epochs ?? 1;
    this.plannedSteps = steps ?? Math.max(1, Math.round(epochs * this.stepsPerEpoch));
    const root = new Rng(opts.seed);
    this.maskRng = root.fork('masks');
    this.dropoutRng = root.fork('dropout');
    this.carry = opts.dataset.kind === 'tokens' ? new RecurrentCarry() : undefined;
    for (const v of this.module.variables()) this.tfToLogical.set(v.variable.name, v.name);
    this.module.masks.planRun(this.plannedSteps);
    this.budget = this.makeBudget();
    const setting = opts.execution ?? opts.ir.sparsify.execution ?? DEFAULT_EXECUTION;
    this.execution = resolveExecution(setting, opts.ir);
    this.autoExecution = setting.mode === 'auto';
    if (opts.state) this.setState(opts.state);
  }

  private makeBudget(): BudgetController | null {
    const target = this.ir.budget;
    const masks = this.module.masks;
    if (!target || masks.groups.length === 0) return null;
    const model = costModelOf(this.module);
    const c = new BudgetController(this.ir, target, masks, model, this.plannedSteps);
    masks.coefficient = (g) => c.coefficient(g);
    const r = c.reachable(model);
    if (!r.ok) {
      this.opts.log(
        `budget: warning: the target ${target.written} is below the smallest network minWidth allows ` +
          `(${(100 * r.smallest).toFixed(1)}% of the dense ${target.metric === 'macs' ? 'MACs' : 'params'}); the run will end above it`,
      );
    }
    return c;
  }

  get step(): number {
    return this.stepNo;
  }
  get epoch(): number {
    return this.stepNo / this.stepsPerEpoch;
  }

  /** Whether step `stepIndex` (0-based) runs narrow: narrow mode, a maskable group, and not a full-width refresh step. */
  isNarrowStep(stepIndex: number): boolean {
    const e = this.execution;
    if (e.mode !== 'narrow' || this.module.masks.groups.length === 0) return false;
    return !(e.fullEvery > 0 && (stepIndex + 1) % e.fullEvery === 0);
  }

  /** One training step; returns host-side numbers only (every tensor of the step is disposed). */
  trainStep(): StepInfo {
    const t0 = performance.now();
    const ir = this.ir;
    const masks = this.module.masks;
    const b = this.data.next();
    if (b.resetState) this.carry?.reset();
    const stepIndex = this.stepNo; // 0-based for schedules
    const base = ir.train.optimizer.lr;
    const factor = lrFactor(ir.train.lrSchedule, stepIndex, this.stepsPerEpoch, this.plannedSteps, base);

    // q ~ Bern(σ(βs)) per structure, drawn on the host: off the tape by construction.
    const probs = new Map<number, Float32Array>();
    const before = new Map<number, Float32Array>();
    for (const g of masks.groups) {
      probs.set(g.group.id, g.probabilities());
      before.set(g.group.id, Float32Array.from(g.logits()));
    }
    const q = masks.sample(this.maskRng);
    const model = costModelOf(this.module);
    const sampledMacs = evalCost(model.macs, fractionsOf(q));
    const expectedMacs = evalCost(model.macs, fractionsOf(probs));

    // Narrow: the sub-network of the structures with q = 1, index sets built off the tape (see runtime/narrow).
    // Under 'auto' a narrow step equals the full-width one, so the cheaper one runs: above AUTO_NARROW_MAX_SHARE of
    // the MACs the per-variable slicing costs more than it saves (bench/narrow.ts).
    const narrow = this.isNarrowStep(stepIndex) && !(this.autoExecution && sampledMacs > AUTO_NARROW_MAX_SHARE * model.denseMacs);
    const view = narrow ? new NarrowView(ir, activeSets(masks, q)) : null;

    const weightVars = this.module.weightVariables();
    const learningMasks = masks.groups.filter((g) => stepIndex >= g.config.warmup);
    const varList = [...weightVars.map((v) => v.variable), ...learningMasks.map((g) => g.s)];
    let task: tf.Scalar | undefined;
    let xent: tf.Scalar | undefined;
    let correct: tf.Scalar | undefined;
    let pen: tf.Scalar | undefined;
    let count = 0;
    const { value, grads } = tf.variableGrads(() => {
      const stepMasks = masks.trainingMasks();
      const ctx = makeContext({ training: true, masks: stepMasks, rng: this.dropoutRng, ...(this.carry ? { carry: this.carry } : {}) });
      const logits = view ? this.module.forwardNarrow(b.x, ctx, view) : this.module.forward(b.x, ctx);
      const t = taskLoss(logits, b.y, ir.task, ir.train.lossReduction);
      const p = masks.penalty();
      task = tf.keep(t.loss);
      xent = tf.keep(t.meanXent);
      correct = tf.keep(t.correct);
      pen = tf.keep(p);
      count = t.count;
      return tf.add(t.loss, p) as tf.Scalar;
    }, varList);

    const byName = new Map<string, tf.Tensor>();
    for (const [tfName, g] of Object.entries(grads)) byName.set(this.tfToLogical.get(tfName) ?? tfName, g);
    const weightGrads = new Map<string, tf.Tensor>();
    for (const v of weightVars) {
      const g = byName.get(v.name);
      if (g) weightGrads.set(v.name, g);
    }
    // Global-norm clipping: the optimizer multiplies each gradient by the factor (natively inside the update).
    const gradScale = ir.train.clip !== null ? clipScale(globalNorm(weightGrads.values()), ir.train.clip) : 1;
    const wItems: OptimizerItem[] = [];
    for (const v of weightVars) {
      const g = weightGrads.get(v.name);
      if (g) wItems.push({ name: v.name, variable: v.variable, grad: g, config: ir.train.optimizer });
    }
    this.weightOpt.apply(wItems, factor, gradScale);
    const mItems: OptimizerItem[] = [];
    for (const g of learningMasks) {
      const grad = byName.get(g.name);
      if (grad) mItems.push({ name: g.name, variable: g.s, grad, config: maskOptimizerConfig(g.config.maskOptimizer, this.plannedSteps) });
    }
    this.maskOpt.apply(mItems, factor);
    let regrown = 0;
    for (const g of learningMasks) {
      const s0 = before.get(g.group.id)!;
      const s1 = g.logits();
      for (let j = 0; j < s1.length; j++) if (s0[j]! <= 0 && s1[j]! > 0) regrown++;
    }
    this.lastLr = base * factor;
    this.lastMaskLr = learningMasks[0] ? resolveMaskLr(learningMasks[0].config.maskOptimizer.lr, this.plannedSteps) * factor : 0;

    const lossV = value.dataSync()[0]!;
    const taskV = task!.dataSync()[0]!;
    const xentV = xent!.dataSync()[0]!;
    const penV = pen!.dataSync()[0]!;
    const correctV = correct!.dataSync()[0]!;
    tf.dispose([value, task!, xent!, correct!, pen!, b.x, b.y]);
    tf.dispose(Object.values(grads));
    view?.dispose();
    this.carry?.flush();

    this.stepNo += 1;
    masks.afterStep(this.stepNo);
    if (this.budget) {
      const m0 = masks.groups[0]!.config.maskOptimizer;
      this.budget.update(this.stepNo, resolveMaskLr(m0.lr, this.plannedSteps), factor, m0.kind === 'sgd' ? m0.momentum : 0);
    }

    const iv = this.interval;
    iv.steps += 1;
    iv.loss += lossV;
    iv.task += xentV;
    iv.lambda += penV;
    iv.correct += correctV;
    iv.count += count;
    iv.sampled += sampledMacs;
    iv.expected += expectedMacs;
    const ms = performance.now() - t0;
    iv.ms = (iv.ms ?? 0) + ms;
    iv.narrow = (iv.narrow ?? 0) + (narrow ? 1 : 0);
    iv.regrown = (iv.regrown ?? 0) + regrown;
    this.totals.sampledMacs += sampledMacs * b.size;
    this.totals.expectedMacs += expectedMacs * b.size;
    this.totals.denseMacs += model.denseMacs * b.size;
    this.totals.wallTime += ms / 1000;
    return { step: this.stepNo, epoch: b.epoch, loss: lossV, taskLoss: taskV, lambdaTerm: penV, lastOfEpoch: b.lastOfEpoch };
  }

  /** Evaluates (1[s>0]) and builds a metrics line from the interval since the last one; appends it to the file. */
  async writeMetrics(final = false): Promise<{ line: MetricsLine; evaluation: EvalResult }> {
    const t0 = Date.now();
    const limit = !final && this.opts.evalLimit !== undefined ? { limit: this.opts.evalLimit } : {};
    const recal = this.opts.bnRecalibration ?? 20;
    const saved = recal > 0 ? await recalibrateBatchNorm(this.module, this.opts.dataset, { batches: recal }) : null;
    const evaluation = await evaluate(this.module, this.opts.dataset, undefined, limit);
    if (saved && !final) restoreBatchNorm(this.module, saved);
    this.totals.wallTime += (Date.now() - t0) / 1000;
    const iv = this.interval;
    const n = Math.max(1, iv.steps);
    const beta: Record<string, Quantiles> = {};
    const allBeta: number[] = [];
    for (const g of this.module.masks.groups) {
      beta[g.group.name] = quantiles(g.betaState.beta);
      for (const v of g.betaState.beta) allBeta.push(v);
    }
    beta['all'] = quantiles(allBeta);
    const arch = architectureSummary(this.module);
    const line: MetricsLine = {
      step: this.stepNo,
      epoch: this.epoch,
      loss: iv.loss / n,
      taskLoss: iv.task / n,
      lambdaTerm: iv.lambda / n,
      trainAccuracy: iv.count > 0 ? iv.correct / iv.count : NaN,
      evalSplit: evaluation.split,
      evalLoss: evaluation.loss,
      evalAccuracy: evaluation.accuracy,
      evalPerplexity: evaluation.perplexity,
      beta,
      kept: arch.keptWidths,
      sampledMacs: iv.sampled / n,
      expectedMacs: iv.expected / n,
      sampledMacsTotal: this.totals.sampledMacs,
      expectedMacsTotal: this.totals.expectedMacs,
      denseMacsTotal: this.totals.denseMacs,
      archParams: arch.params,
      archMacs: arch.macs,
      denseParams: arch.denseParams,
      denseMacs: arch.denseMacs,
      lr: this.lastLr,
      maskLr: this.lastMaskLr,
      wallTime: this.totals.wallTime,
      ...(this.budget ? { budget: this.budgetLine(arch.params, arch.macs, final) } : {}),
      stepMs: (iv.ms ?? 0) / n,
      narrowSteps: (iv.narrow ?? 0) / n,
      regrown: iv.regrown ?? 0,
    };
    this.interval = emptyInterval();
    this.history.push(line);
    if (this.opts.outDir !== null) {
      mkdirSync(this.opts.outDir, { recursive: true });
      // One appendFileSync of a whole line: the file only ever holds complete lines.
      appendFileSync(join(this.opts.outDir, METRICS_FILE), JSON.stringify(line) + '\n');
    }
    const acc = line.evalPerplexity !== null ? `ppl ${line.evalPerplexity.toFixed(1)}` : `acc ${(100 * line.evalAccuracy).toFixed(2)}%`;
    this.opts.log(
      `step ${line.step} epoch ${line.epoch.toFixed(2)} loss ${line.loss.toFixed(4)} (task ${line.taskLoss.toFixed(4)}, λ ${line.lambdaTerm.toFixed(4)}) ` +
        `eval ${acc} kept MACs ${(100 * line.archMacs / Math.max(1, line.denseMacs)).toFixed(1)}% ` +
        `sampled ${(100 * line.sampledMacs / Math.max(1, line.denseMacs)).toFixed(1)}% β med ${line.beta['all']!.median.toFixed(2)}` +
        (line.budget ? ` target ${(100 * line.budget.target).toFixed(1)}% (now ${(100 * line.budget.reference).toFixed(1)}%) λ ${line.budget.lambda.toPrecision(3)}` : ''),
    );
    await this.opts.onMetrics?.(line, this);
    return { line, evaluation };
  }

  private budgetLine(params: number, macs: number, final: boolean): NonNullable<MetricsLine['budget']> {
    const c = this.budget!;
    const kept = c.target.metric === 'macs' ? macs / Math.max(1, costModelOf(this.module).denseMacs) : params / Math.max(1, costModelOf(this.module).denseParams);
    const o = c.outcome(kept);
    return { metric: c.target.metric, target: c.target.fraction, tolerance: c.target.tolerance, reference: c.state.reference, lambda: c.state.lambda, gap: o.gap, met: final ? o.met : null, ...(final && c.state.decided ? { decided: { ...c.state.decided } } : {}) };
  }

  /** The outcome of the budget on the current architecture (null without a target). */
  budgetOutcome(): BudgetOutcome | null {
    return this.budget ? this.budget.outcome() : null;
  }

  /** End of the run with a target: decide the undecided structures by the budget (once; a resumed end skips it). */
  private decideBudget(): void {
    if (!this.budget || this.budget.state.decided) return;
    const d = this.budget.decide()!;
    const name = this.budget.target.metric === 'macs' ? 'MACs' : 'params';
    if (d.off + d.on > 0) {
      this.opts.log(
        `budget: end of run: ${d.off > 0 ? `switched off ${d.off}` : `switched on ${d.on}`} undecided structure${d.off + d.on === 1 ? '' : 's'} ` +
          `(0 < σ < 1): kept ${name} ${(100 * d.before).toFixed(1)}% → ${(100 * d.after).toFixed(1)}% of dense`,
      );
    }
    this.opts.log(`budget: ${describeOutcome(this.budget.outcome())}`);
  }

  /** Runs to the planned number of steps. */
  async run(): Promise<TrainResult> {
    const progress = new Progress(this.plannedSteps, this.opts.isTTY, this.opts.write, this.opts.log, Math.max(1, this.opts.logEvery ?? Math.ceil(this.plannedSteps / 20)));
    let last: { line: MetricsLine; evaluation: EvalResult } | null = null;
    while (this.stepNo < this.plannedSteps) {
      const info = this.trainStep();
      progress.update(info.step, `loss ${info.loss.toFixed(4)}`);
      const logDue = this.opts.logEvery !== undefined && info.step % this.opts.logEvery === 0;
      if (info.lastOfEpoch || logDue || info.step === this.plannedSteps) {
        if (this.opts.isTTY && this.opts.write) this.opts.write('\r\x1b[K');
        if (info.step === this.plannedSteps) this.decideBudget();
        last = await this.writeMetrics(info.step === this.plannedSteps);
      }
      await this.opts.onStep?.(info, this);
      await new Promise((r) => setImmediate(r));
    }
    progress.done();
    if (!last) {
      this.decideBudget();
      last = await this.writeMetrics(true);
    }
    return { final: last.line, evaluation: last.evaluation, history: [...this.history], state: this.getState() };
  }

  getState(): TrainerState {
    return {
      version: 1,
      step: this.stepNo,
      plannedSteps: this.plannedSteps,
      weights: this.module.getWeights(),
      masks: this.module.masks.getState(),
      weightOptimizer: this.weightOpt.getState(),
      maskOptimizer: this.maskOpt.getState(),
      rng: { masks: this.maskRng.state(), dropout: this.dropoutRng.state() },
      data: this.data.position(),
      totals: { ...this.totals },
      history: [...this.history],
      interval: { ...this.interval },
      ...(this.carry ? { carry: this.carryState(this.carry) } : {}),
      ...(this.budget ? { budget: this.budget.getState() } : {}),
    };
  }

  private carryState(carry: RecurrentCarry): NonNullable<TrainerState['carry']> {
    const out: NonNullable<TrainerState['carry']> = {};
    for (const n of this.ir.nodes) {
      const st = carry.get(n.path); // only recurrent layers keep a carry
      if (st) out[n.path] = { shape: [st.h.shape[0], st.h.shape[1]], h: Float32Array.from(st.h.dataSync()), c: Float32Array.from(st.c.dataSync()) };
    }
    return out;
  }

  /** Restores a state, the LSTM carry included (states without one start the next window from zeros). */
  setState(s: TrainerState): void {
    if (s.version !== 1) throw new Error(`trainer state version ${String(s.version)} is not supported (expected 1)`);
    this.module.setWeights(s.weights);
    this.module.masks.setState(s.masks);
    const shapes = new Map(this.module.variables().map((v) => [v.name, [...v.variable.shape]]));
    this.weightOpt.setState(s.weightOptimizer, shapes);
    this.maskOpt.setState(s.maskOptimizer, shapes);
    this.maskRng.setState(s.rng.masks);
    this.dropoutRng.setState(s.rng.dropout);
    this.data.restore(s.data);
    this.stepNo = s.step;
    this.totals = { ...s.totals };
    this.history = [...s.history];
    this.interval = s.interval ? { ...s.interval } : emptyInterval();
    if (this.budget && s.budget) this.budget.setState(s.budget);
    if (this.carry && s.carry) {
      this.carry.reset();
      for (const [path, v] of Object.entries(s.carry)) this.carry.set(path, { h: tf.tensor2d(v.h, v.shape), c: tf.tensor2d(v.c, v.shape) });
    }
  }

  dispose(): void {
    this.weightOpt.dispose();
    this.maskOpt.dispose();
    this.carry?.reset();
  }
}

/** Trains `module` on `dataset` to the planned steps/epochs; see TrainOptions. */
export async function train(opts: TrainOptions): Promise<TrainResult> {
  const t = new Trainer(opts);
  try {
    return await t.run();
  } finally {
    t.dispose();
  }
}
