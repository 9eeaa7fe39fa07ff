// The network input (`input image(…)` / `input tokens(…)`): the graph's one source node. It is not a layer one can
// write, so it has no surface kind; its features are in no group.

import type { KindEntry } from './entry.ts';

export const inputEntry: KindEntry = {
  kind: 'input',
  surfaces: [],
  group: () => ({ role: 'source' }),
  mask: 'never',
};

/** True for the network input node (generated code reads it as `x`; listings leave it out). */
export function isNetworkInput(n: { kind: string }): boolean {
  return n.kind === 'input';
}
