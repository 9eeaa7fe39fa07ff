// The runtime's one-call training (the training stage, src/train/, calls it for every command): select the backend, open the dataset the spec
// names (or synthetic data), train, evaluate with 1[s > 0], and return the final metrics, kept widths and state.

import type { IrNetwork, TrainConfig } from '../../semantic/ir.ts';
import { initBackend, type BackendChoice, type BackendSelection } from '../backend/index.ts';
import { openDataset, type Dataset } from '../data/index.ts';
import { IrModule, type NetworkModule } from '../module.ts';
import type { EvalResult } from './evaluate.ts';
import { train, type MetricsLine, type TrainOptions, type TrainerState } from './trainer.ts';

export interface TrainingOverrides {
  steps?: number;
  epochs?: number;
  batch?: number;
  seed?: number;
  logEvery?: number;
  evalLimit?: number;
  /** Synthetic data sizes (examples per split for images, tokens for text). */
  synthetic?: { train?: number; valid?: number; test?: number };
}

export interface RunTrainingOptions {
  ir: IrNetwork;
  /** A generated module; default: the IR interpreter `IrModule` seeded with the run's seed. */
  module?: NetworkModule;
  /** The spec's data, or 'synthetic'; default ir.train.data. */
  data?: TrainConfig['data'] | 'synthetic';
  overrides?: TrainingOverrides;
  outDir: string | null;
  /** Force a backend; default: the best that loads (node-gpu > node > wasm > cpu). */
  backend?: BackendChoice;
  log: (line: string) => void;
  isTTY?: boolean;
  write?: (s: string) => void;
  /** Checkpoint hooks and resume, passed through to the trainer. */
  onStep?: TrainOptions['onStep'];
  onMetrics?: TrainOptions['onMetrics'];
  state?: TrainerState;
}

export interface RunTrainingResult {
  finalMetrics: MetricsLine;
  evaluation: EvalResult;
  keptWidths: Record<string, number>;
  state: TrainerState;
  backend: BackendSelection;
  dataset: string;
}

export async function runTraining(o: RunTrainingOptions): Promise<RunTrainingResult> {
  const backend = await initBackend(o.backend);
  o.log(`backend: ${backend.name}${backend.reasons.length ? ` (skipped: ${backend.reasons.join('; ')})` : ''}`);
  const ov = o.overrides ?? {};
  const seed = ov.seed ?? o.ir.train.seed;
  const dataCfg = o.data === 'synthetic' ? { kind: 'synthetic' as const, path: null } : (o.data ?? o.ir.train.data);
  const dataset: Dataset = openDataset(dataCfg, {
    input: o.ir.input,
    ...(o.ir.task === 'classification' ? { classes: o.ir.outputs } : {}),
    seed,
    ...(ov.synthetic ? { synthetic: ov.synthetic } : {}),
  });
  o.log(`data: ${dataset.description}`);
  const module = o.module ?? new IrModule(o.ir, { seed });
  // A module we created is ours to dispose; its weights live on in `state`.
  const owned = o.module === undefined;
  const result = await train({
    ir: o.ir,
    module,
    dataset,
    seed,
    outDir: o.outDir,
    log: o.log,
    isTTY: o.isTTY ?? false,
    ...(o.write ? { write: o.write } : {}),
    ...(ov.steps !== undefined ? { steps: ov.steps } : {}),
    ...(ov.epochs !== undefined ? { epochs: ov.epochs } : {}),
    ...(ov.batch !== undefined ? { batch: ov.batch } : {}),
    ...(ov.logEvery !== undefined ? { logEvery: ov.logEvery } : {}),
    ...(ov.evalLimit !== undefined ? { evalLimit: ov.evalLimit } : {}),
    ...(o.onStep ? { onStep: o.onStep } : {}),
    ...(o.onMetrics ? { onMetrics: o.onMetrics } : {}),
    ...(o.state ? { state: o.state } : {}),
  }).finally(() => {
    if (owned) module.dispose();
  });
  return {
    finalMetrics: result.final,
    evaluation: result.evaluation,
    keptWidths: result.final.kept,
    state: result.state,
    backend,
    dataset: dataset.description,
  };
}
