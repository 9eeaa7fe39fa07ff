// The layer-kind registry: the list of kind entries (src/semantic/kinds/, one file per kind) and the lookups every
// stage uses. An entry holds everything the semantic stage knows of a kind (schema, shape rule, counting, group
// role, mask placement, width argument, weight layout); the runtime, codegen and export halves live in
// src/runtime/kinds.ts, src/codegen/kinds.ts, src/codegen/pytorch/kinds.ts and src/compaction/export-kinds.ts.
// README "Adding a layer kind".

import type { IrNode, LayerKind, Shape } from './ir.ts';
import { addEntry } from './kinds/add.ts';
import { bnEntry } from './kinds/bn.ts';
import { concatEntry } from './kinds/concat.ts';
import { convEntry } from './kinds/conv.ts';
import { denseEntry } from './kinds/dense.ts';
import { dropoutEntry } from './kinds/dropout.ts';
import { relu6Entry, reluEntry } from './kinds/elementwise.ts';
import { embeddingEntry } from './kinds/embedding.ts';
import type { GroupRole, KindEntry, LayerKindDef } from './kinds/entry.ts';
import { flattenEntry } from './kinds/flatten.ts';
import { inputEntry } from './kinds/input.ts';
import { gruEntry } from './kinds/gru.ts';
import { lstmEntry } from './kinds/lstm.ts';
import { avgpoolEntry, gapEntry, maxpoolEntry } from './kinds/pool.ts';

export type { AxisSelection, BuildCtx, Built, CostSegment, CostSink, GroupRole, KindEntry, LayerKindDef, TensorInfo, WeightSpec } from './kinds/entry.ts';
export { describeInput, width } from './kinds/args.ts';
export { isNetworkInput } from './kinds/input.ts';

/** Every IR kind's entry, in the order surface kinds are listed (suggestions, argument words). */
export const KIND_ENTRIES: readonly KindEntry[] = [
  inputEntry,
  convEntry,
  bnEntry,
  reluEntry,
  relu6Entry,
  maxpoolEntry,
  avgpoolEntry,
  gapEntry,
  flattenEntry,
  denseEntry,
  dropoutEntry,
  embeddingEntry,
  lstmEntry,
  gruEntry,
  addEntry,
  concatEntry,
];

const BY_KIND = new Map<string, KindEntry>(KIND_ENTRIES.map((e) => [e.kind, e]));

/** The entry of IR kind `kind` (every IR node's kind has one). */
export function kindEntry(kind: string): KindEntry {
  const e = BY_KIND.get(kind);
  if (!e) throw new Error(`no layer-kind entry for '${kind}' (add it to KIND_ENTRIES in src/semantic/registry.ts)`);
  return e;
}

/** A node's group role (semantic/kinds/entry.ts `GroupRole`). */
export function roleOf(n: { kind: string; attrs: unknown }): GroupRole['role'] {
  return kindEntry(n.kind).group(n.attrs as Record<string, unknown>).role;
}

/** A node that owns per-structure state of its group's channels: a group's listed members. */
export function isGroupMember(n: { kind: string; attrs: unknown }): boolean {
  const r = roleOf(n);
  return r === 'produces' || r === 'joins' || r === 'unions';
}

/** The kind as written (`dwconv` for a depthwise conv). */
export function surfaceNameOf(n: { kind: string; attrs: unknown }): string {
  return kindEntry(n.kind).surfaceName?.(n.attrs as Record<string, unknown>) ?? n.kind;
}

/** True when some surface kind of this IR kind has a width argument (conv, dense, lstm). */
export function hasWidthArg(kind: string): boolean {
  return kindEntry(kind).surfaces.some((s) => s.widthArg !== undefined);
}

/** Long spellings accepted for readability; the printer keeps what was written. */
const ALIASES: Record<string, string> = { batchnorm: 'bn', globalavgpool: 'gap' };

const ALL: LayerKindDef[] = KIND_ENTRIES.flatMap((e) => e.surfaces);

export const LAYER_KINDS: ReadonlyMap<string, LayerKindDef> = new Map([
  ...ALL.map((d) => [d.name, d] as const),
  ...Object.entries(ALIASES).map(([alias, target]) => [alias, ALL.find((d) => d.name === target)!] as const),
]);

/**
 * The words layer arguments take as values (`padding same`, `add(shortcut)`, `activation relu`), each with the
 * first place it is written. A block parameter of that name would hide the word inside the block.
 */
export const ARGUMENT_WORDS: ReadonlyMap<string, string> = (() => {
  const out = new Map<string, string>();
  for (const def of LAYER_KINDS.values()) {
    for (const p of def.schema) {
      if (p.type.t !== 'enum') continue;
      for (const w of p.type.words) if (!out.has(w)) out.set(w, p.positional ? `${def.name}(${w})` : `${p.name} ${w}`);
    }
  }
  return out;
})();

export function lookupKind(name: string): LayerKindDef | undefined {
  return LAYER_KINDS.get(name);
}

/** Params and MACs of one IR node from its attrs, input shapes and output shape (the one counting convention). */
export function countNode(node: IrNode, inputShapes: readonly Shape[]): { params: number; macs: number } {
  return kindEntry(node.kind).count?.(node, inputShapes) ?? { params: 0, macs: 0 };
}

export type { LayerKind };
