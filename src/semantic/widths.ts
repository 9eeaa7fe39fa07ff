// The network's `widths` section: per-instance width overrides by expanded layer path, which compaction writes
// where instances of one block or repeat learned different widths. Entries are checked against a NOMINAL
// expansion (the spec without overrides): the path must name a conv, dense or lstm that has a width of its
// own and does not produce the network's outputs, the width must be a positive integer within limits, and
// each path may appear once. The valid entries form a plan that the real expansion applies as it builds each
// layer (expand.ts), so shapes, params, MACs and mask groups all follow the overridden widths.

import { diag, type RelatedInfo, type Span } from '../diagnostics/index.ts';
import type { WidthEntry, WidthsSection } from '../syntax/ast.ts';
import type { GNode, Graph } from './graph.ts';
import { hasWidthArg, isNetworkInput, kindEntry, lookupKind, roleOf } from './registry.ts';
import { didYouMean, type Sink } from './values.ts';

/** The argument that carries a surface kind's width and its limit, when the kind has one (registry `widthArg`). */
function widthArgOf(surface: string): { arg: string; limit: number } | undefined {
  return lookupKind(surface)?.widthArg;
}

export interface WidthOverride {
  width: number;
  entry: WidthEntry;
}

export type ShortcutMode = 'identity' | 'projection';

export interface WidthPlan {
  /** Valid overrides by layer path. */
  byPath: ReadonlyMap<string, WidthOverride>;
  /**
   * How each `add(shortcut)` resolved in the nominal expansion, by the add's path. Overrides never flip it:
   * an override that breaks an identity shortcut is a residual mismatch (not a silent new projection), and
   * one that happens to equalise a projection's shapes keeps the projection that the weights have.
   */
  shortcuts: ReadonlyMap<string, ShortcutMode>;
}

export function entryPath(e: WidthEntry): string {
  return e.path.map((p) => p.name).join('.');
}

export function pathSpan(e: WidthEntry): Span {
  return { start: e.path[0]!.span.start, end: e.path[e.path.length - 1]!.span.end };
}

/** Related info that names an override, for diagnostics that it caused. */
export function overrideRelated(e: WidthEntry): RelatedInfo {
  return { message: `width override '${entryPath(e)} ${e.width.text}'`, span: e.span };
}

/** A layer with a width argument that takes its width from elsewhere: a projection shortcut's conv (its block's
 * output) or what its entry says (a depthwise conv: its input). */
function followsElsewhere(n: GNode): string | undefined {
  if (!hasWidthArg(n.kind)) return undefined;
  if (n.shortcut) return `the projection shortcut's ${n.surface} (its width follows the block's output)`;
  return kindEntry(n.kind).widthFollows?.(n.attrs, n.surface);
}

/**
 * The layer whose width is the network's output width: the last conv/dense/lstm before the output through
 * layers that keep the width (bn, relu, pooling, dropout, gap, flatten, dwconv).
 */
function outputProducer(g: Graph): GNode | undefined {
  let n = g.nodes[g.output];
  while (n) {
    const role = roleOf(n);
    if (role === 'produces') return n;
    if (role === 'unions' || role === 'concatenates' || role === 'source' || n.inputs.length !== 1) return undefined;
    n = g.nodes[n.inputs[0]!];
  }
  return undefined;
}

export function planWidths(section: WidthsSection, nominal: Graph, shortcuts: ReadonlyMap<string, ShortcutMode>, sink: Sink): WidthPlan {
  const byNodePath = new Map(nominal.nodes.map((n) => [n.path, n] as const));
  const overridable = nominal.nodes.filter((n) => widthArgOf(n.surface) && !followsElsewhere(n)).map((n) => n.path);
  const out = producerOf(nominal);
  const seen = new Map<string, WidthEntry>();
  const byPath = new Map<string, WidthOverride>();
  for (const e of section.entries) {
    const path = entryPath(e);
    const at = pathSpan(e);
    const first = seen.get(path);
    if (first) {
      sink.diagnostics.push(diag('duplicateWidthOverride', at, [path], [{ message: `'${path}' is first given a width here`, span: first.span }]));
      continue;
    }
    seen.set(path, e);
    let ok = true;
    const w = e.width.value;
    if (!Number.isInteger(w) || w < 1) {
      sink.report('widthOverrideValue', e.width.span, [path, e.width.text]);
      ok = false;
    }
    const node = byNodePath.get(path);
    if (!node) {
      sink.report('unknownWidthPath', at, [path, suggestPath(path, overridable)]);
      continue;
    }
    const def = widthArgOf(node.surface);
    const elsewhere = followsElsewhere(node);
    if (!def || elsewhere) {
      sink.report('widthNotOverridable', at, [path, elsewhere ?? describeKind(node)]);
      continue;
    }
    if (node === out.node) {
      sink.report('widthOverrideOutput', at, [path, out.what]);
      continue;
    }
    if (ok && w > def.limit) {
      sink.report('sizeTooLarge', e.width.span, [`width of '${path}'`, w, def.limit]);
      ok = false;
    }
    if (ok) byPath.set(path, { width: w, entry: e });
  }
  return { byPath, shortcuts };
}

function producerOf(g: Graph): { node: GNode | undefined; what: string } {
  const node = outputProducer(g);
  const o = g.nodes[g.output];
  const what = o?.shape ? String(o.shape[o.shape.length - 1]) : '';
  return { node, what };
}

function describeKind(n: GNode): string {
  if (isNetworkInput(n)) return 'the network input';
  return `${/^[aeiou]/.test(n.surface) ? 'an' : 'a'} '${n.surface}' layer`;
}

/**
 * "; did you mean '…'?" on the closest overridable path (the edit-distance limit grows with the path, so a slip
 * in any one segment is caught); a path that names a scope (a block instance or group) gets the first layer
 * inside it that takes an override instead.
 */
function suggestPath(path: string, overridable: readonly string[]): string {
  const inside = overridable.find((p) => p.startsWith(`${path}.`));
  if (inside) return `; it is a block instance or group: name a layer inside it, such as '${inside}'`;
  return didYouMean(path, overridable);
}
