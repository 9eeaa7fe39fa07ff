// Which features of every node's output survive a plan, in the ORIGINAL indexing of its last axis. This one walk
// drives both the compacted IR (new widths = lengths) and the weight slicing (kept rows/columns), so the two can
// never disagree. Producers take their group's kept set; pass-throughs, BN, depthwise convs and adds take their
// input's; a concat joins its operands' sets at their offsets; flatten of [.., C] keeps every position of the kept
// channels (NHWC: feature (h·W + w)·C + c).

import { range, type CompactionPlan } from './plan.ts';

/** Kept output features per node id (undefined for removed nodes). */
export type Layout = (number[] | undefined)[];

export function featureLayout(plan: CompactionPlan): Layout {
  const { ir, kept } = plan;
  const out: Layout = [];
  const inOf = (id: number): number[] => {
    const l = out[id];
    if (!l) throw new Error(`compaction layout: node ${ir.nodes[id]?.path ?? id} is read before it is laid out (or was removed)`);
    return l;
  };
  const replacement = replacements(plan);
  for (const n of ir.nodes) {
    if (plan.removed.has(n.id)) continue;
    const input = (i = 0): number[] => inOf(resolve(replacement, n.inputs[i]!));
    const own = (): number[] => {
      if (n.group === null) return range(lastDim(n.shape));
      const k = kept.get(n.group);
      if (!k) throw new Error(`compaction layout: no kept set for group ${n.group}`);
      return k;
    };
    switch (n.kind) {
      case 'input':
      case 'embedding':
        out[n.id] = range(lastDim(n.shape));
        break;
      case 'conv':
        out[n.id] = n.attrs.depthwise ? input() : own();
        break;
      case 'dense':
      case 'lstm':
        out[n.id] = own();
        break;
      case 'concat': {
        const parts: number[] = [];
        let offset = 0;
        for (let i = 0; i < n.inputs.length; i++) {
          const src = ir.nodes[n.inputs[i]!]!;
          for (const j of input(i)) parts.push(offset + j);
          offset += lastDim(src.shape);
        }
        out[n.id] = parts;
        break;
      }
      case 'flatten': {
        const src = ir.nodes[n.inputs[0]!]!;
        const c = lastDim(src.shape);
        const positions = lastDim(n.shape) / c;
        const k = input();
        const f: number[] = [];
        for (let p = 0; p < positions; p++) for (const j of k) f.push(p * c + j);
        out[n.id] = f;
        break;
      }
      default:
        // bn, relu, relu6, dropout, pools, gap, add: the input's features (an add's operands share one group).
        out[n.id] = input();
    }
  }
  return out;
}

/** Removed instance output → the node that replaces it (its skip input), from the plan's identity branches. */
export function replacements(plan: CompactionPlan): Map<number, number> {
  const m = new Map<number, number>();
  for (const d of plan.dead) {
    if (d.mode !== 'identity' || d.replacement === null) continue;
    m.set(Math.max(...d.removed), d.replacement);
  }
  return m;
}

/** Follows replacements until a surviving node (consecutive removed blocks chain). */
export function resolve(rep: ReadonlyMap<number, number>, id: number): number {
  let cur = id;
  for (let guard = 0; rep.has(cur); guard++) {
    if (guard > rep.size) throw new Error('compaction: cyclic block replacement');
    cur = rep.get(cur)!;
  }
  return cur;
}

export function lastDim(shape: readonly number[]): number {
  return shape[shape.length - 1] ?? 1;
}

/** The kept input features of node `id` (its `i`-th input's layout, after replacements `rep`). */
export function inputLayout(plan: CompactionPlan, layout: Layout, rep: ReadonlyMap<number, number>, id: number, i = 0): number[] {
  const n = plan.ir.nodes[id]!;
  const src = resolve(rep, n.inputs[i]!);
  const l = layout[src];
  if (!l) throw new Error(`compaction: input of ${n.path} has no layout`);
  return l;
}
