// IrModule over the fixture IRs: output shapes, variable naming, mask placement (after BN, at every producer of a
// residual group), BN not undoing the mask, and init independent of declaration order.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/runtime/backend/index.ts';
import { IrModule, NetworkModule, applyMask, makeContext, maskPlacement, type ForwardContext } from '../../../src/runtime/module.ts';
import { Rng } from '../../../src/runtime/rng.ts';
import { IrBuilder, lstmLmIr, plainCnnIr, residualIr } from '../../../src/runtime/testing/ir-fixtures.ts';
import type { Conv2d, BatchNorm } from '../../../src/runtime/layers/index.ts';
import type { IrNetwork } from '../../../src/semantic/ir.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

function evalCtx(m: NetworkModule, training = false): { ctx: ForwardContext; dispose: () => void } {
  const masks = training ? m.masks.trainingMasks() : m.masks.evalMasks();
  return { ctx: makeContext({ training, masks, rng: new Rng(0) }), dispose: () => masks.forEach((t) => t.dispose()) };
}

describe('IrModule forward', () => {
  it('plain CNN: [B,8,8,1] → [B,3]', () => {
    const m = new IrModule(plainCnnIr(), { seed: 1 });
    const { ctx, dispose } = evalCtx(m, true);
    expect(tf.tidy(() => m.forward(tf.zeros([2, 8, 8, 1]), ctx).shape)).toEqual([2, 3]);
    dispose();
    m.dispose();
  });
  it('residual net: [B,8,8,3] → [B,3]', () => {
    const m = new IrModule(residualIr(), { seed: 1 });
    const { ctx, dispose } = evalCtx(m);
    expect(tf.tidy(() => m.forward(tf.ones([2, 8, 8, 3]), ctx).shape)).toEqual([2, 3]);
    dispose();
    m.dispose();
  });
  it('LSTM LM: [B,T] int32 → [B,T,V]', () => {
    const m = new IrModule(lstmLmIr({ vocab: 11, seq: 5 }), { seed: 1 });
    const { ctx, dispose } = evalCtx(m, true);
    expect(tf.tidy(() => m.forward(tf.zeros([2, 5], 'int32'), ctx).shape)).toEqual([2, 5, 11]);
    dispose();
    m.dispose();
  });

  it('names variables by path', () => {
    const m = new IrModule(plainCnnIr(), { seed: 1 });
    const names = m.variables().map((v) => v.name);
    expect(names).toEqual(expect.arrayContaining([
      'masks/g0:block1/s', 'block1.conv/kernel', 'block1.bn/gamma', 'block1.bn/beta', 'block1.bn/movingMean',
      'block1.bn/movingVariance', 'fc/kernel', 'fc/bias', 'logits/kernel',
    ]));
    expect(m.weightVariables().some((v) => v.name.startsWith('masks/'))).toBe(false);
    m.dispose();
  });
});

describe('mask placement', () => {
  it('masks after BN, not after a conv that feeds a BN of its group; dense after the activation', () => {
    const ir = plainCnnIr();
    const p = maskPlacement(ir);
    const at = (path: string) => p.get(ir.nodes.find((n) => n.path === path)!.id);
    expect(at('block1.conv')).toBeUndefined();
    expect(at('block1.bn')).toBe(0);
    expect(at('fc')).toBe(2);
    expect(at('logits')).toBeUndefined();
  });
  it('a residual group is masked at every producer (stem BN, block BN, projection BN), never at the add', () => {
    const ir = residualIr();
    const p = maskPlacement(ir);
    const paths = [...p.keys()].map((id) => ir.nodes[id]!.path).sort();
    expect(paths).toEqual(['stage1.block1.bn1', 'stage1.block1.bn2', 'stage2.block1.bn1', 'stage2.block1.bn2', 'stage2.block1.projbn', 'stem.bn'].sort());
  });

  it('BN does not undo the mask: a masked channel is exactly 0 and s still gets a task gradient', () => {
    const b = new IrBuilder();
    const g = b.group('g0:c', 3, 'channels');
    const x0 = b.input({ kind: 'image', height: 4, width: 4, channels: 2 });
    b.bn('bn', b.conv('conv', x0, { filters: 3 }, g), g);
    const ir = b.build('convbn', 'classification', 3);
    const m = new IrModule(ir, { seed: 2 });
    const st = m.masks.groups[0]!;
    st.q = Float32Array.from([1, 0, 1]);
    const input = tf.tensor4d(new Rng(3).fillNormal(2 * 4 * 4 * 2), [2, 4, 4, 2]);
    const { value, grads } = tf.variableGrads(() => {
      const ctx = makeContext({ training: true, masks: m.masks.trainingMasks(), rng: new Rng(0) });
      const y = m.forward(input, ctx);
      const ch1 = tf.slice(y, [0, 0, 0, 1], [2, 4, 4, 1]);
      expect(tf.max(tf.abs(ch1)).dataSync()[0]).toBe(0);
      // A loss that weights channels differently, so ∂L/∂m ≠ 0.
      return tf.sum(tf.mul(tf.square(y), tf.tensor1d([1, 2, 3]))) as tf.Scalar;
    }, [st.s]);
    const gs = grads[st.s.name]!.dataSync();
    expect(Math.abs(gs[0]!)).toBeGreaterThan(1e-3);
    expect(Math.abs(gs[2]!)).toBeGreaterThan(1e-3);
    tf.dispose([value, input, ...Object.values(grads)]);
    m.dispose();
  });
});

describe('generated-style modules', () => {
  // What a generated module looks like: layers declared as fields (here in reverse order), straight-line forward.
  class Handwritten extends NetworkModule {
    readonly c2: Conv2d;
    readonly c1: Conv2d;
    readonly bn1: BatchNorm;
    constructor(ir: IrNetwork) {
      super(ir, { seed: 4 });
      const n = (p: string) => ir.nodes.find((x) => x.path === p)!;
      const at = <K extends 'conv' | 'bn'>(p: string, k: K) => n(p).attrs as Extract<IrNetwork['nodes'][number], { kind: K }>['attrs'];
      this.c2 = this.conv('c2', at('c2', 'conv'));
      this.bn1 = this.bn('bn1', at('bn1', 'bn'));
      this.c1 = this.conv('c1', at('c1', 'conv'));
    }
    forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
      let h = this.c1.apply(x);
      h = applyMask(this.bn1.apply(h, ctx.training), ctx, 0);
      return this.c2.apply(tf.relu(h));
    }
  }
  it('computes what IrModule computes for the same seed, independent of declaration order', () => {
    const b = new IrBuilder();
    const g = b.group('g0:c1', 3, 'channels');
    let x = b.input({ kind: 'image', height: 4, width: 4, channels: 2 });
    x = b.conv('c1', x, { filters: 3 }, g);
    x = b.bn('bn1', x, g);
    x = b.simple('relu', 'relu', x);
    b.conv('c2', x, { filters: 2 });
    const ir = b.build('pair', 'classification', 2);
    const a = new IrModule(ir, { seed: 4 });
    const h = new Handwritten(ir);
    const input = tf.tensor4d(new Rng(8).fillNormal(2 * 4 * 4 * 2), [2, 4, 4, 2]);
    for (const g of [a, h]) g.masks.groups[0]!.s.assign(tf.tensor1d([0.3, -0.2, 0.1]));
    const ea = evalCtx(a);
    const eh = evalCtx(h);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(a.forward(input, ea.ctx), h.forward(input, eh.ctx)))).dataSync()[0]);
    expect(diff).toBe(0);
    ea.dispose();
    eh.dispose();
    a.dispose();
    h.dispose();
  });
});
