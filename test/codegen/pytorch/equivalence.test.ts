// The generated PyTorch module computes what archc's TypeScript runtime computes: the same random weights (BN
// statistics included) and mask logits, written in the run format, give the same evaluation outputs (1[s > 0],
// branch gates) in PyTorch as archc's IrModule, ≤ 1e-4·(1 + max|ref|), for a CNN with flatten → dense, identity and
// projection residual nets (a dead branch included), depthwise/relu6 blocks, a concat, a small DenseNet-BC (BNs that
// read concats), TF 'same' pools with odd sizes, a stacked LSTM LM, a stacked GRU LM and a grouped convolution. Skipped, with the reason, only when no Python can import torch.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { torchWeightFiles } from '../../../src/compaction/torch-run.ts';
import { initBackend } from '../../../src/runtime/backend/index.ts';
import { runCli } from '../../cli/helpers.ts';
import { SPECS, compileSpec, evalOutputs, groupByPrefix, inputFor, maxAbsDiff, randomWeights } from '../../compaction/helpers.ts';
import { findTorchPython, runPython } from './torch-python.ts';

const { found: py, reason } = findTorchPython();
const HELPER = join(import.meta.dirname, 'eval_run.py');

const EXTRA = {
  concat: `network mix {
  input image(8, 8, 3)
  train { data synthetic  steps 1  batch 4 }
  block branch(width, k = 1) {
    maskable conv(width, kernel k)  bn  relu
  }
  layers {
    conv(8, kernel 3)  bn  relu
    mix: concat(branch(4), branch(6, k 3))
    maskable conv(5, kernel 3, stride 2)  bn  relu
    gap
    dense(3)
  }
}
`,
  // The two kinds issue 13 added: a stacked masked GRU LM, and a grouped conv between maskable layers.
  gru: `network glm {
  input tokens(vocab 40, seq 5)
  train { data synthetic  steps 1  batch 4 }
  layers {
    embedding(12)
    maskable gru(10)
    maskable gru(8)
    dense(40)
  }
}
`,
  grouped: `network grouped_net {
  input image(9, 9, 2)
  train { data synthetic  steps 1  batch 4 }
  layers {
    conv(8, kernel 3)  bn  relu
    conv(12, kernel 3, groups 4, stride 2)  bn  relu
    maskable conv(6, kernel 1)  bn  relu
    gap
    maskable dense(5, activation relu)
    dense(3)
  }
}
`,
  pools: `network pools {
  input image(10, 10, 2)
  train { data synthetic  steps 1  batch 4 }
  layers {
    maskable conv(6, kernel 3, stride 2)  bn  relu
    maxpool(size 3, stride 2, padding same)
    maskable conv(5, kernel 3)  bn  relu
    avgpool(size 2, stride 2, padding same)
    flatten
    maskable dense(7, activation relu)
    dense(4)
  }
}
`,
};

const CASES: [string, string, (ir: ReturnType<typeof compileSpec>) => Record<string, number[]>][] = [
  ['cnn', SPECS.cnn, () => ({})],
  ['identity', SPECS.identity, () => ({})],
  ['projection, one branch dead', SPECS.projection, (ir) => ({ [groupByPrefix(ir, 'g3:stage2.basic1.conv1')]: new Array<number>(ir.groups.find((g) => g.name.startsWith('g3:'))!.width).fill(-1) })],
  ['depthwise', SPECS.depthwise, () => ({})],
  ['concat', EXTRA.concat, () => ({})],
  // BNs that read concats: their masks are the concatenated segment masks (semantic/placement.ts).
  ['DenseNet-BC', readFileSync(join(import.meta.dirname, '..', '..', 'compaction', 'cases', 'densenet-bc.arch'), 'utf8'), () => ({})],
  ['same pools, odd sizes', EXTRA.pools, () => ({})],
  ['lstm', SPECS.lstm, () => ({})],
  ['gru', EXTRA.gru, () => ({})],
  ['grouped conv', EXTRA.grouped, () => ({})],
];

describe.skipIf(!py)(`generated PyTorch module = archc's TypeScript runtime (${py ? `torch ${py.version}` : `skipped: ${reason}`})`, () => {
  let dir: string;
  beforeAll(async () => {
    await initBackend('cpu');
    dir = mkdtempSync(join(tmpdir(), 'archc-torch-eq-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [label, text, logits] of CASES) {
    it(label, async () => {
      const ir = compileSpec(text);
      const spec = join(dir, `${ir.name}.arch`);
      writeFileSync(spec, text);
      const built = await runCli(['build', spec, '--target', 'pytorch', '-o', dir]);
      expect(built.code, built.err).toBe(0);
      const weights = randomWeights(ir, 31, logits(ir));
      // Some structures off and some on, so the masks matter.
      const s = Object.entries(weights).filter(([n]) => n.startsWith('masks/')).flatMap(([, t]) => Array.from(t.data));
      expect(s.some((v) => v > 0) && s.some((v) => v <= 0)).toBe(true);
      const wdir = join(dir, `w-${ir.name}`);
      const files = torchWeightFiles(weights);
      rmSync(wdir, { recursive: true, force: true });
      mkdirSync(wdir);
      writeFileSync(join(wdir, 'weights.json'), files.index);
      writeFileSync(join(wdir, 'weights.bin'), files.bin);
      const x = inputFor(ir, 3, 5);
      const inputs = join(dir, `x-${ir.name}.bin`);
      const data = x.dataSync();
      writeFileSync(inputs, Buffer.from(x.dtype === 'int32' ? Int32Array.from(data).buffer : Float32Array.from(data).buffer));
      const r = await runPython(py!.python, [HELPER, dir, ir.name, wdir, inputs, x.shape.join(','), x.dtype], dir);
      expect(r.code, r.err).toBe(0);
      const ours = evalOutputs(ir, weights, x);
      x.dispose();
      const theirs = JSON.parse(r.out) as number[];
      const scale = 1 + Math.max(...Array.from(ours, Math.abs));
      expect(maxAbsDiff(ours, theirs) / scale).toBeLessThanOrEqual(1e-4);
    });
  }
});
