// Evaluation with the deterministic masks 1[s > 0] (+ minWidth for groups that cannot vanish): the architecture
// compaction will keep. Reports accuracy (classification) or perplexity (LM), the kept width of every group, and
// the params and MACs of that kept architecture.

import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../data/index.ts';
import { RecurrentCarry } from '../layers/context.ts';
import { finalCounts } from '../../semantic/dead-branches.ts';
import { buildCostModel, evalCost, type CostModel } from '../macs.ts';
import { makeContext, type NetworkModule } from '../module.ts';
import { Rng } from '../rng.ts';
import { calibrationBatches, evalTensorBatches } from './batches.ts';
import { taskLoss } from './loss.ts';

export interface ArchitectureSummary {
  /** Kept structures per group name (every group; unmaskable ones at full width). */
  keptWidths: Record<string, number>;
  params: number;
  macs: number;
  denseParams: number;
  denseMacs: number;
}

export interface EvalResult extends ArchitectureSummary {
  split: 'valid' | 'test';
  /** Mean cross-entropy per example (classification) or per token (LM). */
  loss: number;
  /** Classification: fraction correct. LM: next-token accuracy. */
  accuracy: number;
  /** LM only: exp(loss). */
  perplexity: number | null;
  examples: number;
}

const models = new WeakMap<object, CostModel>();
export function costModelOf(module: NetworkModule): CostModel {
  let m = models.get(module.ir);
  if (!m) {
    m = buildCostModel(module.ir);
    models.set(module.ir, m);
  }
  return m;
}

/** Widths, params and MACs of the deterministic architecture 1[s > 0]. */
export function architectureSummary(module: NetworkModule): ArchitectureSummary {
  const det = new Map<number, number>();
  for (const g of module.masks.groups) det.set(g.group.id, g.deterministic().reduce((a, b) => a + b, 0));
  // The architecture compaction builds (semantic/dead-branches.ts): a vanished block goes with its BN and
  // projection, a branch the spec cannot drop keeps its minimum width — one count for the summary and compaction.
  const ir = module.ir;
  const final = finalCounts(ir, (g) => det.get(g) ?? ir.groups[g]!.width);
  const keptWidths: Record<string, number> = {};
  const f = new Map<number, number>();
  for (const g of ir.groups) {
    const k = final.kept.get(g.id) ?? g.width;
    keptWidths[g.name] = k;
    f.set(g.id, g.width > 0 ? k / g.width : 1);
  }
  const model = costModelOf(module);
  return {
    keptWidths,
    params: Math.round(evalCost(model.params, f, final.removed)),
    macs: Math.round(evalCost(model.macs, f, final.removed)),
    denseParams: model.denseParams,
    denseMacs: model.denseMacs,
  };
}

/**
 * BN recalibration for the deterministic architecture: re-estimates every BatchNorm's moving statistics as the
 * plain mean of batch statistics over `batches` in-order train batches, forwarding with the evaluation masks
 * 1[s > 0]. Why: during training the moving statistics average over the sampled masks σ(βs)·q, so a BN whose input
 * comes from a masked group has statistics of a different (stochastic, σ-scaled) network than the one kept. Returns
 * the previous statistics so a caller can restore them (intermediate metrics must not disturb training).
 */
export async function recalibrateBatchNorm(module: NetworkModule, data: Dataset, opts: { batches?: number; batch?: number } = {}): Promise<Map<string, Float32Array>> {
  const saved = new Map<string, Float32Array>();
  if (module.bnLayers.length === 0 || data.kind !== 'image') return saved;
  for (const bn of module.bnLayers) {
    saved.set(`${bn.path}/movingMean`, Float32Array.from(bn.movingMean.dataSync() as Float32Array));
    saved.set(`${bn.path}/movingVariance`, Float32Array.from(bn.movingVariance.dataSync() as Float32Array));
  }
  const masks = module.masks.evalMasks();
  const ctx = makeContext({ training: true, masks, rng: new Rng(0) });
  let k = 0;
  try {
    for (const b of calibrationBatches(data, opts.batch ?? 256, opts.batches ?? 20)) {
      k += 1;
      for (const bn of module.bnLayers) bn.momentumOverride = 1 - 1 / k;
      tf.tidy(() => {
        module.forward(b.x, ctx);
      });
      b.x.dispose();
      b.y.dispose();
      await new Promise((r) => setImmediate(r));
    }
  } finally {
    for (const bn of module.bnLayers) bn.momentumOverride = null;
    for (const m of masks.values()) m.dispose();
  }
  return saved;
}

/** Puts back statistics saved by `recalibrateBatchNorm`. */
export function restoreBatchNorm(module: NetworkModule, saved: ReadonlyMap<string, Float32Array>): void {
  const byName = new Map(module.variables().map((v) => [v.name, v.variable]));
  for (const [name, data] of saved) {
    const v = byName.get(name);
    if (v) tf.tidy(() => v.assign(tf.tensor(data, v.shape, 'float32')));
  }
}

export async function evaluate(
  module: NetworkModule,
  data: Dataset,
  split: 'valid' | 'test' = data.kind === 'image' ? 'test' : 'valid',
  opts: { batch?: number; limit?: number } = {},
): Promise<EvalResult> {
  const ir = module.ir;
  const batch = opts.batch ?? (data.kind === 'image' ? 256 : ir.train.batch);
  const masks = module.masks.evalMasks();
  const carry = data.kind === 'tokens' ? new RecurrentCarry() : undefined;
  const ctx = makeContext({ training: false, masks, rng: new Rng(0), ...(carry ? { carry } : {}) });
  let lossSum = 0;
  let correct = 0;
  let count = 0;
  try {
    for (const b of evalTensorBatches(ir, data, split, batch, opts.limit)) {
      if (b.resetState) carry?.reset();
      const [l, c] = tf.tidy(() => {
        const t = taskLoss(module.forward(b.x, ctx), b.y, ir.task, 'mean');
        return [t.meanXent, t.correct];
      });
      const n = ir.task === 'classification' ? b.size : b.y.size;
      lossSum += (await l!.data())[0]! * n;
      correct += (await c!.data())[0]!;
      count += n;
      l!.dispose();
      c!.dispose();
      b.x.dispose();
      b.y.dispose();
      carry?.flush();
      // Let the event loop breathe between batches (progress output, signals).
      await new Promise((r) => setImmediate(r));
    }
  } finally {
    for (const m of masks.values()) m.dispose();
    carry?.reset();
  }
  const loss = count > 0 ? lossSum / count : NaN;
  return {
    split,
    loss,
    accuracy: count > 0 ? correct / count : NaN,
    perplexity: ir.task === 'language-model' ? Math.exp(loss) : null,
    examples: count,
    ...architectureSummary(module),
  };
}
