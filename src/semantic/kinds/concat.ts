// `concat`: joins its operands on the last axis, built by the expander. It is in no group: its output is a list of
// segments, one per operand group (IR `ConcatAttrs.segments`).

import type { KindEntry, LayerKindDef } from './entry.ts';

const concat: LayerKindDef = {
  name: 'concat',
  irKind: 'concat',
  maskable: null,
  schema: [],
  build() {
    throw new Error('concat is built by the expander');
  },
};

export const concatEntry: KindEntry = {
  kind: 'concat',
  surfaces: [concat],
  group: () => ({ role: 'concatenates' }),
  mask: 'never',
};
