// Shared fixtures for the compaction tests: small inline specs of the five families, random weights (BN statistics
// included, so a leaking constant would show), random or chosen mask logits, and masked vs compacted forwards.

import * as tf from '@tensorflow/tfjs';
import { compileText } from '../../src/semantic/compile.ts';
import type { IrNetwork } from '../../src/semantic/ir.ts';
import { IrModule, makeContext, type WeightMap } from '../../src/runtime/module.ts';
import { Rng } from '../../src/runtime/rng.ts';

export const TRAIN = 'train { data synthetic  steps 1  batch 4 }';

export const SPECS = {
  cnn: `network cnn {
  input image(12, 12, 2)
  ${TRAIN}
  layers {
    maskable conv(8, kernel 3)  bn  relu
    maskable conv(6, kernel 3, bias true)  relu  maxpool
    maskable conv(5, kernel 3)  relu
    flatten
    maskable dense(7, activation relu)
    dense(10)
  }
}
`,
  identity: `network resid {
  input image(8, 8, 3)
  ${TRAIN}
  block basic(width) {
    maskable conv(width, kernel 3)  bn  relu
    maskable conv(width, kernel 3)  bn
    add
    relu
  }
  layers {
    maskable conv(8, kernel 3)  bn  relu
    stage1: repeat 3 basic(8)
    gap
    dense(10)
  }
}
`,
  projection: `network proj {
  input image(8, 8, 3)
  ${TRAIN}
  block basic(width, stride = 1) {
    maskable conv(width, kernel 3, stride stride)  bn  relu
    maskable conv(width, kernel 3)  bn
    add(shortcut)
    relu
  }
  layers {
    conv(6, kernel 3)  bn  relu
    stage1: { basic(6)  basic(6) }
    stage2: { basic(10, stride 2)  basic(10) }
    gap
    dense(10)
  }
}
`,
  depthwise: `network dw {
  input image(10, 10, 3)
  ${TRAIN}
  block dws(width, stride = 1) {
    dwconv(kernel 3, stride stride)  bn  relu6
    maskable conv(width, kernel 1)  bn  relu6
  }
  block inv(width) {
    maskable conv(width, kernel 1)  bn  relu6
    dwconv(kernel 3)  bn  relu6
    conv(8, kernel 1)  bn
    add
  }
  layers {
    maskable conv(6, kernel 3, stride 2)  bn  relu6
    dws(8)
    inv(12)
    dws(9, stride 2)
    dwconv(kernel 3, bias true)
    gap
    dense(10)
  }
}
`,
  lstm: `network lm {
  input tokens(vocab 40, seq 5)
  ${TRAIN}
  layers {
    embedding(12)
    dropout(0.2)
    maskable lstm(10)
    dropout(0.2)
    maskable lstm(8)
    dense(40)
  }
}
`,
} as const;

/** The issue's reproduction (defect 1): c2 concatenates c1, which is itself a concat. */
export const CONCAT_CHAIN = `network dn {
  input image(8, 8, 1)
  ${TRAIN}
  block id() { }
  block br() { maskable conv(4, kernel 3) bn relu }
  layers {
    conv(8, kernel 3)
    c1: concat(id(), br())
    c2: concat(id(), br())
    gap
    dense(10)
  }
}
`;

export function compileSpec(text: string, name = 't.arch'): IrNetwork {
  const c = compileText(text, name);
  const errors = c.diagnostics.filter((d) => d.severity === 'error');
  if (!c.ir || errors.length > 0) throw new Error(`spec does not compile: ${errors.map((d) => `${d.code} ${d.message}`).join('; ')}`);
  return c.ir;
}

/**
 * A module's weights made random everywhere (BN β, moving mean and variance too) and mask logits from `logits`
 * (group name → values), default N(0, 1).
 */
export function randomWeights(ir: IrNetwork, seed: number, logits: Record<string, number[]> = {}): WeightMap {
  const m = new IrModule(ir, { seed });
  const w = m.getWeights();
  m.dispose();
  const rng = new Rng(seed + 1000);
  for (const [name, t] of Object.entries(w)) {
    const mask = /^masks\/(.+)\/s$/.exec(name);
    if (mask) {
      const given = logits[mask[1]!];
      t.data = given ? Float32Array.from(given) : rng.fillNormal(t.data.length, 0, 1);
    } else if (name.endsWith('/movingVariance')) t.data = rng.fillUniform(t.data.length, 0.5, 2);
    else if (name.endsWith('/movingMean') || name.endsWith('/beta') || name.endsWith('/bias')) t.data = rng.fillNormal(t.data.length, 0, 0.5);
    else if (name.endsWith('/gamma')) t.data = rng.fillUniform(t.data.length, 0.5, 1.5);
  }
  return w;
}

export function inputFor(ir: IrNetwork, batch = 3, seed = 7): tf.Tensor {
  const rng = new Rng(seed);
  if (ir.input.kind === 'image') {
    const { height, width, channels } = ir.input;
    return tf.tensor4d(rng.fillNormal(batch * height * width * channels, 0, 1), [batch, height, width, channels]);
  }
  const ids = new Int32Array(batch * ir.input.seq);
  for (let i = 0; i < ids.length; i++) ids[i] = Math.floor(rng.uniform() * ir.input.vocab);
  return tf.tensor2d(ids, [batch, ir.input.seq], 'int32');
}

/** Evaluation-mode outputs of `ir` with `weights` (deterministic masks 1[s > 0] and the branch gates). */
export function evalOutputs(ir: IrNetwork, weights: WeightMap, x: tf.Tensor): Float32Array {
  const m = new IrModule(ir, { seed: 1 });
  m.setWeights(weights);
  const masks = m.masks.evalMasks();
  try {
    const ctx = makeContext({ training: false, masks, rng: new Rng(0) });
    return tf.tidy(() => m.forward(x, ctx).dataSync() as Float32Array);
  } finally {
    masks.forEach((t) => t.dispose());
    m.dispose();
  }
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`outputs differ in size: ${a.length} vs ${b.length}`);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

export function groupByPrefix(ir: IrNetwork, prefix: string): string {
  const g = ir.groups.find((x) => x.name.startsWith(prefix) || x.members[0]?.startsWith(prefix));
  if (!g) throw new Error(`no group for ${prefix}: ${ir.groups.map((x) => x.name).join(', ')}`);
  return g.name;
}
