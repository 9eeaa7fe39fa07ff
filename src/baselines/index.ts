// Baselines archc compares itself with. L1-norm filter pruning (Li et al. 2017): rank, plan to a MAC target, freeze.
export { l1Scores, topIndices, keptCount, macsAt, planL1Pruning, planL1ToBudget, fixedMaskLogits, frozenMaskIr, type L1Plan, type Weights } from './l1-prune.ts';
