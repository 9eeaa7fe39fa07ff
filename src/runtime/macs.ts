// Cost accounting of masked architectures, for the runtime: the cost model itself lives in the semantic stage
// (src/semantic/cost-model.ts) so that the checker can judge budget targets (the smallest network minWidth
// allows) with the same counting the runtime measures with; this module keeps the runtime's import path.
export * from '../semantic/cost-model.ts';
