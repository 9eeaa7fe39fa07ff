// The runtime's vanishing-branch gate (runtime/module.ts `branchGates`/`applyGate`): which adds get gated by which
// groups, that an all-off inner group makes the block exactly the identity on its input (without the gate a BN
// shift after the empty conv leaks a constant into the add), and that a live group leaves the forward unchanged.

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/runtime/backend/index.ts';
import { IrModule, applyGate, branchGates, makeContext } from '../../src/runtime/module.ts';
import { Rng } from '../../src/runtime/rng.ts';
import { SPECS, compileSpec, inputFor, randomWeights } from './helpers.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('branch gates', () => {
  it('gate each residual add by the canVanish groups of its own branch (not the chain, not the projection)', () => {
    const ir = compileSpec(SPECS.projection);
    const gates = branchGates(ir);
    const named = [...gates].map(([add, gs]) => `${ir.nodes[add]!.path} <- ${gs.map((g) => ir.groups[g]!.name).join(',')}`);
    expect(named).toEqual([
      'stage1.basic1.add1 <- g1:stage1.basic1.conv1',
      'stage1.basic2.add1 <- g2:stage1.basic2.conv1',
      'stage2.basic1.add1 <- g3:stage2.basic1.conv1',
      'stage2.basic2.add1 <- g5:stage2.basic2.conv1',
    ]);
    expect(branchGates(compileSpec(SPECS.cnn)).size).toBe(0);
  });

  it('an all-off inner group turns the block into the identity exactly, in training and in evaluation', () => {
    const ir = compileSpec(SPECS.identity);
    const inner = ir.groups.find((g) => g.name === 'g2:stage1.basic2.conv1')!;
    const m = new IrModule(ir, { seed: 1 });
    m.setWeights(randomWeights(ir, 2, { [inner.name]: new Array<number>(inner.width).fill(-1) }));
    const x = inputFor(ir, 2, 5);
    for (const training of [false, true]) {
      const masks = training ? m.masks.trainingMasks() : m.masks.evalMasks();
      if (training) {
        // A training mask is σ(βs)·q: put the group's q at all zeros as a sample would.
        masks.get(inner.id)!.dispose();
        masks.set(inner.id, tf.zeros([inner.width]));
      }
      const ctx = makeContext({ training, masks, rng: new Rng(0) });
      const [blockIn, blockOut] = tf.tidy(() => {
        // Values of the block's input (basic1's output) and output (basic2's relu).
        const values = capture(m, x, ctx, ['stage1.basic1.relu2', 'stage1.basic2.relu2']);
        return [values[0]!.dataSync(), values[1]!.dataSync()];
      });
      expect(Array.from(blockOut!)).toEqual(Array.from(blockIn!));
      masks.forEach((t) => t.dispose());
    }
    x.dispose();
    m.dispose();
  });

  it('applyGate is the identity while any structure is on, and zero when none is', () => {
    const x = tf.tensor1d([1, -2, 3]);
    const on = makeContext({ training: false, masks: new Map([[0, tf.tensor1d([0, 1])]]), rng: new Rng(0) });
    const off = makeContext({ training: false, masks: new Map([[0, tf.tensor1d([0, 0])]]), rng: new Rng(0) });
    expect(Array.from(applyGate(x, on, [0]).dataSync())).toEqual([1, -2, 3]);
    expect(Array.from(applyGate(x, off, [0]).dataSync())).toEqual([0, -0, 0]);
    expect(applyGate(x, makeContext({ training: false, masks: new Map(), rng: new Rng(0) }), [0])).toBe(x);
  });
});

/** Runs the module on a truncated IR that ends at each requested path and returns those outputs. */
function capture(m: IrModule, x: tf.Tensor, ctx: ReturnType<typeof makeContext>, paths: string[]): tf.Tensor[] {
  return paths.map((p) => {
    const id = m.ir.nodes.find((n) => n.path === p)!.id;
    const saved = m.ir.output;
    (m.ir as { output: number }).output = id;
    try {
      return m.forward(x, ctx);
    } finally {
      (m.ir as { output: number }).output = saved;
    }
  });
}
