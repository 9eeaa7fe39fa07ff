import { validSpec, ALL_FEATURES } from './fuzz-valid-specs.ts';
const f = { ...ALL_FEATURES, denseNetChains: false, residualOnConcat: false, baseClassMemberLabels: false };
for (const i of process.argv.slice(2)) console.log(validSpec(1, Number(i), f).split('\n').filter(l => !/^  (block|train|sparsify)/.test(l)).join('\n'));
