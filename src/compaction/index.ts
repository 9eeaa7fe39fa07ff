// Compaction's public surface: final masks + weights → a smaller IR, exactly sliced weights (and optimizer state),
// the pruned .arch (the input text with the learned widths), tfjs-layers export and re-import, and the one call the
// trainer makes at the end of a run.
export { compact, sliceWeightMap, sliceOptimizer, type Compaction } from './compact.ts';
export { planCompaction, type CompactionPlan, type DeadBranch, type MinWidthEvent } from './plan.ts';
export { compactIr, type CompactedIr } from './compact-ir.ts';
export { gatherAxes } from './slice-weights.ts';
export { emitPrunedArch, writePrunedArch, type PrunedArch, type WidthOverride } from './pruned-arch.ts';
export { buildTfjsModel, tfjsFiles, saveTfjsModel, readTfjsArtifacts, loadTfjsWeights, tfjsWeightNames, WeightsMismatchError, type TfjsWeightName } from './tfjs-format.ts';
export { compactAndWrite, failedPrunedName, prunedFileName, PrunedSpecRejected, recheck, reportLines, type CompactionReport, type CompactAndWriteOptions } from './compact-and-write.ts';
export { diffNetworks, unrelatedBecause, type DiffJson } from './diff.ts';
