// Budget targets in the checker (README "Budget targets"): resolves the network's `target macs 40%` /
// `target params 1.2M` / `tolerance 2%` against the dense network into the IR's `budget`, and reports what cannot
// work: a target in a block or layer override, a `lambda` or `penalty` that contradicts it, a target below the
// smallest network minWidth allows (from the same cost model the runtime measures with), or above the dense size.

import type { Span } from '../diagnostics/index.ts';
import { buildCostModel, evalCost, type CostModel, type CostTerm } from './cost-model.ts';
import type { BudgetTarget, IrNetwork } from './ir.ts';
import type { SparsifyPartial } from './settings.ts';
import type { Sink } from './values.ts';

/** Default tolerance: 2 percentage points of the dense network. */
export const DEFAULT_BUDGET_TOLERANCE = 0.02;

/** Per-structure cost of each group at full width (Σ over the terms containing it of value·multiplicity/width). */
export function costPerStructure(ir: IrNetwork, terms: CostTerm[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const g of ir.groups) out.set(g.id, 0);
  for (const t of terms) {
    for (const g of new Set(t.groups)) {
      const mult = t.groups.filter((x) => x === g).length;
      out.set(g, (out.get(g) ?? 0) + (t.value * mult) / (ir.groups[g]?.width ?? 1));
    }
  }
  return out;
}

/**
 * The smallest cost / dense that minWidth allows: every maskable group at its floor (0 where the group can vanish,
 * else minWidth), every other group at full width.
 */
export function smallestReachable(ir: IrNetwork, model: CostModel, metric: BudgetTarget['metric']): number {
  const f = new Map<number, number>();
  for (const g of ir.groups) if (g.maskable) f.set(g.id, g.canVanish ? 0 : Math.min(g.width, g.sparsify.minWidth) / g.width);
  const terms = metric === 'macs' ? model.macs : model.params;
  const dense = metric === 'macs' ? model.denseMacs : model.denseParams;
  return dense > 0 ? evalCost(terms, f) / dense : 1;
}

/** `1.2M`-style counts for messages (the form `archc stats` prints). */
function humanCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}

/** `target` / `tolerance` in a block, group or maskable(...) override: a budget is for the whole network. */
export function checkOverrideTargets(overrides: readonly SparsifyPartial[], sink: Sink): void {
  const seen = new Set<number>();
  for (const p of overrides) {
    for (const key of ['target', 'tolerance'] as const) {
      const sp = p.spans.get(key);
      if (sp && !seen.has(sp.start)) {
        seen.add(sp.start);
        sink.report('targetNotNetwork', sp, [key]);
      }
    }
  }
}

/**
 * The IR's budget from the network-level sparsify partial, or undefined (none written, or an error reported).
 * `overrides` are the other sparsify levels in the network (block bodies, groups, maskable(...)).
 */
export function resolveBudget(ir: IrNetwork, net: SparsifyPartial | undefined, overrides: readonly SparsifyPartial[], sink: Sink): BudgetTarget | undefined {
  const t = net?.target;
  if (!net || !t) {
    const sp = net?.spans.get('tolerance');
    if (sp) sink.report('targetContradicts', sp, ['tolerance', 'size (there is no target to be tolerant about)']);
    return undefined;
  }
  const unit = t.metric === 'macs' ? 'MACs' : 'params';
  const contradictions: { span: Span; key: string }[] = [];
  for (const p of [net, ...overrides]) {
    for (const key of ['lambda', 'penalty']) {
      const sp = p.spans.get(key);
      if (sp) contradictions.push({ span: sp, key });
    }
  }
  // One report per written place (a block's section is shared by its instances).
  const seen = new Set<string>();
  for (const c of contradictions) {
    const k = `${c.span.start}:${c.key}`;
    if (seen.has(k)) continue;
    seen.add(k);
    sink.report('targetContradicts', c.span, [c.key, unit]);
  }
  const dense = t.metric === 'macs' ? ir.macs : ir.params;
  const fraction = t.amount.kind === 'percent' ? t.amount.value / 100 : dense > 0 ? t.amount.value / dense : 1;
  if (t.amount.kind === 'count' && fraction > 1) {
    sink.report('outOfRange', t.span, [`target ${t.metric}`, `at most the dense network's ${humanCount(dense)} ${unit}`, t.written]);
    return undefined;
  }
  const tolerance = net.tolerance ?? DEFAULT_BUDGET_TOLERANCE;
  const model = buildCostModel(ir);
  const smallest = smallestReachable(ir, model, t.metric);
  if (fraction + tolerance < smallest) {
    sink.report('targetUnreachable', t.span, [t.metric, t.written, humanCount(smallest * dense), `${(100 * smallest).toFixed(1)}%`, unit]);
    return undefined;
  }
  if (contradictions.length > 0) return undefined;
  return { metric: t.metric, fraction, tolerance, written: t.written };
}
