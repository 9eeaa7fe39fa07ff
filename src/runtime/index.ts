// The runtime's public surface: what generated trainer modules, the CLI (`archc train`/`eval`) and compaction use.
// Backends and data loaders have their own entry points (./backend/index.ts, ./data/index.ts).

// Modules: base class for generated networks, the IR interpreter, mask placement rule, contexts, weight maps.
export { NetworkModule, IrModule, maskPlacement, segmentMaskPlacement, branchGates, applyMask, applyGate, applySegmentMask, makeContext, type ModuleOptions, type WeightMap, type ForwardContext } from './module.ts';
// Layers a generated module instantiates (via NetworkModule's helpers) and the parameter-free ops it calls.
export { Conv2d, BatchNorm, Dense, Embedding, Lstm, Gru, dropout, relu, relu6, maxPool, avgPool, globalAvgPool, flatten, add, concat, RecurrentCarry, type LstmState, type NamedVariable } from './layers/index.ts';
// Masks: the hard sigmoid, the mask ops, sampling, the deterministic kept set (compaction slices with keptIndices).
export { hardSigmoid, maskProbability, effectiveMask, sampleBernoulli, keptIndices, deterministicMask, MaskSet, MaskGroupState, type MaskSetState } from './masks.ts';
// β schedulers (Eq. 7/8) and γ from βfinal.
export { betaAt, resolveGamma, schedulerStep, initialBetaState, type BetaState } from './schedulers.ts';
// Optimizers with plain-data state, LR schedules, gradient clipping.
export { Optimizer, lrFactor, maskOptimizerConfig, clipByGlobalNorm, type OptimizerState, type OptimizerItem, type OptimizerConfig } from './optim.ts';
// MAC and parameter accounting of masked architectures.
export { buildCostModel, evalCost, fractionsOf, macsPerStructure, type CostModel, type CostTerm, type Fractions } from './macs.ts';
// Seedable RNG with named forks.
export { Rng, type RngState } from './rng.ts';
// Training loop, evaluation, metrics lines, trainer state, and the one-call runTraining.
export { Trainer, train, quantiles, type TrainOptions, type TrainResult, type TrainerState, type MetricsLine, type StepInfo, type Quantiles } from './train/trainer.ts';
export { evaluate, architectureSummary, type EvalResult, type ArchitectureSummary } from './train/evaluate.ts';
export { taskLoss, type TaskLoss } from './train/loss.ts';
export { runTraining, type RunTrainingOptions, type RunTrainingResult, type TrainingOverrides } from './train/run-training.ts';
