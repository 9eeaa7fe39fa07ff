// A generated module computes what the IR interpreter computes: for the golden CNN, residual net and LSTM, the
// baseline module and `IrModule` with the same weights (copied with setWeights) give the same logits, in evaluation
// (masks 1[s>0]) and in training (sampled masks, batch-stat BN, dropout from the same random stream).

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/runtime/backend/index.ts';
import { IrModule, NetworkModule, makeContext, type ModuleOptions, type WeightMap } from '../../src/runtime/index.ts';
import { Rng } from '../../src/runtime/rng.ts';
import type { IrNetwork } from '../../src/semantic/ir.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

type ModuleClass = new (ir: IrNetwork, opts: ModuleOptions) => NetworkModule;

async function load(name: string): Promise<{ ir: IrNetwork; Gen: ModuleClass }> {
  const mod = (await import(`./baselines/${name}.ts`)) as Record<string, unknown>;
  const Gen = Object.values(mod).find((v): v is ModuleClass => typeof v === 'function' && v.prototype instanceof NetworkModule);
  if (!Gen) throw new Error(`baselines/${name}.ts exports no NetworkModule subclass`);
  return { ir: mod['ir'] as IrNetwork, Gen };
}

/** Random non-trivial mask logits, so that some structures are off and masks matter. */
function withRandomLogits(w: WeightMap, rng: Rng): WeightMap {
  const out: WeightMap = {};
  for (const [k, v] of Object.entries(w)) {
    out[k] = k.startsWith('masks/') ? { shape: v.shape, data: v.data.map(() => rng.uniform() * 2 - 1) } : v;
  }
  return out;
}

function input(ir: IrNetwork, batch: number): tf.Tensor {
  if (ir.input.kind === 'tokens') {
    const { vocab, seq } = ir.input;
    return tf.tensor2d(Array.from({ length: batch * seq }, (_, i) => (i * 7 + 3) % vocab), [batch, seq], 'int32');
  }
  const { height, width, channels } = ir.input;
  return tf.randomNormal([batch, height, width, channels], 0, 1, 'float32', 11);
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

for (const name of ['plain-cnn', 'residual', 'lstm']) {
  describe(`generated ${name} module`, () => {
    it('declares the same variables as IrModule', async () => {
      const { ir, Gen } = await load(name);
      const gen = new Gen(ir, { seed: 3 });
      const ref = new IrModule(ir, { seed: 3 });
      expect(gen.variables().map((v) => v.name).sort()).toEqual(ref.variables().map((v) => v.name).sort());
      // Init depends on the seed and the path only, so even the initial weights agree.
      const gw = gen.getWeights();
      for (const [k, v] of Object.entries(ref.getWeights())) expect(Array.from(gw[k]!.data), k).toEqual(Array.from(v.data));
      gen.dispose();
      ref.dispose();
    });

    it('computes the same forward pass for the same weights', async () => {
      const { ir, Gen } = await load(name);
      const gen = new Gen(ir, { seed: 3 });
      const ref = new IrModule(ir, { seed: 99 });
      const weights = withRandomLogits(gen.getWeights(), new Rng(5));
      gen.setWeights(weights);
      ref.setWeights(weights);
      const x = input(ir, 3);
      for (const training of [false, true]) {
        const masks = training ? gen.masks.trainingMasks() : gen.masks.evalMasks();
        const a = tf.tidy(() => gen.forward(x, makeContext({ training, masks, rng: new Rng(17) })));
        const b = tf.tidy(() => ref.forward(x, makeContext({ training, masks, rng: new Rng(17) })));
        expect(a.shape).toEqual(b.shape);
        expect(maxAbsDiff(a, b), `training=${training}`).toBeLessThanOrEqual(1e-6);
        if (!training) expect([...masks.values()].some((m) => m.dataSync().some((v) => v === 0)), 'some structure masked off').toBe(true);
        tf.dispose([a, b, ...masks.values()]);
      }
      x.dispose();
      gen.dispose();
      ref.dispose();
    });
  });
}

describe('generated residual module with a fully pruned branch', () => {
  it('gates the branch like IrModule, so the block is the identity plus nothing', async () => {
    const { ir, Gen } = await load('residual');
    const vanishing = ir.groups.filter((g) => g.maskable && g.canVanish);
    expect(vanishing.length, 'the residual case has vanishable inner groups').toBeGreaterThan(0);
    const gen = new Gen(ir, { seed: 3 });
    const ref = new IrModule(ir, { seed: 3 });
    const w = gen.getWeights();
    // Every structure of the first vanishable group off (s < 0); everything else on.
    const dead = `masks/${vanishing[0]!.name}/s`;
    for (const [k, v] of Object.entries(w)) if (k.startsWith('masks/')) w[k] = { shape: v.shape, data: v.data.map(() => (k === dead ? -1 : 1)) };
    gen.setWeights(w);
    ref.setWeights(w);
    const x = input(ir, 2);
    const masks = gen.masks.evalMasks();
    const a = tf.tidy(() => gen.forward(x, makeContext({ training: false, masks, rng: new Rng(1) })));
    const b = tf.tidy(() => ref.forward(x, makeContext({ training: false, masks, rng: new Rng(1) })));
    expect(maxAbsDiff(a, b)).toBeLessThanOrEqual(1e-6);
    tf.dispose([a, b, x, ...masks.values()]);
    gen.dispose();
    ref.dispose();
  });
});
