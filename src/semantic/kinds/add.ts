// `add(shortcut)`: a residual add, built by the expander from its operands (identity or projection shortcut). Its
// operands' groups become one; a non-negative sum stays non-negative.

import type { KindEntry, LayerKindDef } from './entry.ts';

const add: LayerKindDef = {
  name: 'add',
  irKind: 'add',
  maskable: null,
  schema: [{ name: 'shortcut', type: { t: 'enum', words: ['identity', 'shortcut', 'projection'] }, positional: true }],
  build() {
    throw new Error('add is built by the expander');
  },
};

export const addEntry: KindEntry = {
  kind: 'add',
  surfaces: [add],
  group: () => ({ role: 'unions' }),
  mask: 'never',
  valueBound: (input, arity) => (Array.from({ length: arity }, (_, i) => i).every((i) => input(i) !== null) ? Infinity : null),
};
