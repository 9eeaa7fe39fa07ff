// The PyTorch target end to end, with Debian's python3-torch (skipped, with the reason, only when no Python can
// import torch; CI installs it): `archc build --target pytorch`, `python3 -m <network>` for 50 steps on synthetic
// data, compaction of the run to a pruned .arch that re-checks and a tfjs export whose outputs equal the PyTorch
// masked evaluation (≤ 1e-4 relative to the logits' scale); and DDP on gloo with 2 processes: both ranks hold the
// same mask logits, β and counters bit for bit, and the run's widths equal a 1-process run at the same global batch
// (logits within 1e-4: only the order of float additions in the all-reduce differs).

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTfjsArtifacts } from '../../../src/compaction/tfjs-format.ts';
import type { CompactionReport } from '../../../src/compaction/compact-and-write.ts';
import { readTorchWeights } from '../../../src/compaction/torch-run.ts';
import { compileText } from '../../../src/semantic/compile.ts';
import { runCli } from '../../cli/helpers.ts';
import { findTorchPython, runPython as runPythonWith } from './torch-python.ts';

const { found: py, reason } = findTorchPython();
const HELPER = join(import.meta.dirname, 'eval_run.py');

const runPython = (args: string[], cwd: string, env: Record<string, string> = {}) => runPythonWith(py!.python, args, cwd, env);

const TINY = `# BN-free, so W ranks at B/W compute the gradient of one process at B (up to float addition order).
network tiny_ddp {
  input image(12, 12, 1)
  sparsify { lambda 0.01 }
  train {
    data synthetic
    steps 24
    batch 32
    optimizer sgd(lr 0.05, momentum 0.9)
    seed 3
  }
  layers {
    maskable conv(12, kernel 3)  relu  maxpool
    maskable conv(16, kernel 3)  relu
    gap
    dense(10)
  }
}
`;

describe.skipIf(!py)(`PyTorch target (${py ? `python ${py.python}, torch ${py.version}` : `skipped: ${reason}`})`, () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'archc-torch-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('builds fashion-cnn, trains 50 steps, and compacts to a pruned .arch and a tfjs export equal to the PyTorch masked evaluation', async () => {
    const built = await runCli(['build', 'specs/fashion-cnn.arch', '--target', 'pytorch', '-o', dir]);
    expect(built.code, built.err).toBe(0);
    expect(existsSync(join(dir, 'fashion_cnn.py')) && existsSync(join(dir, 'archc_torch', 'train.py'))).toBe(true);
    const run = join(dir, 'run-cnn');
    const r = await runPython(['-m', 'fashion_cnn', '--data', 'synthetic', '--steps', '50', '--batch', '64', '--out', run, '--bn-recalibration', '5', '--quiet'], dir);
    expect(r.code, r.err).toBe(0);
    for (const f of ['weights.json', 'weights.bin', 'spec.arch', 'run.json', 'metrics.jsonl', 'checkpoint.pt']) expect(existsSync(join(run, f)), f).toBe(true);
    const lines = readFileSync(join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { step: number; kept: Record<string, number> });
    expect(lines.at(-1)!.step).toBe(50);

    const compacted = await runCli(['compact', run]);
    expect(compacted.code, compacted.err).toBe(0);
    expect(compacted.out).toMatch(/^compaction: params 29,178 → [\d,]+ /);
    const report = JSON.parse(readFileSync(join(run, 'compaction.json'), 'utf8')) as CompactionReport;
    expect(report.recheck).toEqual({ compiles: true, matches: true, problems: [] });
    expect(report.after.macs).toBeLessThan(report.before.macs);
    // The widths compaction keeps are the ones the PyTorch run reported with 1[s > 0].
    for (const g of report.groups) if (g.maskable) expect(g.kept, g.name).toBe(lines.at(-1)!.kept[g.name]);
    const prunedText = readFileSync(report.prunedArch, 'utf8');
    const rechecked = compileText(prunedText, 'fashion-cnn.pruned.arch');
    expect(rechecked.ir?.macs).toBe(report.after.macs);

    // Same inputs through the tfjs export and through PyTorch's masked evaluation.
    const n = 6;
    const x = new Float32Array(n * 28 * 28);
    for (let i = 0; i < x.length; i++) x[i] = Math.sin(i * 0.37) * 1.5 + Math.cos(i * 0.011);
    const inputs = join(dir, 'inputs.bin');
    writeFileSync(inputs, Buffer.from(x.buffer));
    const ev = await runPython([HELPER, dir, 'fashion_cnn', run, inputs, `${n},28,28,1`, 'float32'], dir);
    expect(ev.code, ev.err).toBe(0);
    const torchOut = JSON.parse(ev.out) as number[];
    const model = await tf.loadLayersModel(tf.io.fromMemory(await readTfjsArtifacts(report.weightsDir)));
    const y = model.predict(tf.tensor4d(x, [n, 28, 28, 1])) as tf.Tensor;
    const tfOut = Array.from(y.dataSync());
    y.dispose();
    expect(tfOut.length).toBe(torchOut.length);
    const scale = Math.max(1, ...torchOut.map(Math.abs));
    const maxDiff = Math.max(...tfOut.map((v, i) => Math.abs(v - torchOut[i]!)));
    expect(maxDiff / scale).toBeLessThan(1e-4);
  });

  it('resume: 12 steps, a checkpoint, then --resume to 24 gives the straight run\'s mask logits bit for bit', async () => {
    const spec = join(dir, 'tiny.arch');
    writeFileSync(spec, TINY);
    expect((await runCli(['build', spec, '--target', 'pytorch', '-o', dir])).code).toBe(0);
    const straight = await runPython(['-m', 'tiny_ddp', '--out', join(dir, 'straight'), '--quiet', '--device', 'cpu'], dir);
    expect(straight.code, straight.err).toBe(0);
    const half = `import sys
import tiny_ddp
from archc_torch.train import Trainer
opts = {"data": None, "steps": None, "epochs": None, "batch": None, "lr": None, "weight_decay": None, "lambda": None, "seed": None,
        "out": sys.argv[1], "device": "cpu", "log_every": None, "eval_limit": None, "bn_recalibration": 20, "quiet": True}
t = Trainer(tiny_ddp.TinyDdp, opts)
for _ in range(12):
    t.train_step()
t.save_checkpoint()
`;
    const resumed = join(dir, 'resumed');
    const first = await runPython(['-c', half, resumed], dir);
    expect(first.code, first.err).toBe(0);
    const second = await runPython(['-m', 'tiny_ddp', '--out', resumed, '--quiet', '--device', 'cpu', '--resume', join(resumed, 'checkpoint.pt')], dir);
    expect(second.code, second.err).toBe(0);
    const a = readTorchWeights(join(dir, 'straight'));
    const b = readTorchWeights(resumed);
    for (const name of Object.keys(a)) expect(Array.from(b[name]!.data), name).toEqual(Array.from(a[name]!.data));
  });

  it('a checkpoint that is not one is refused in one line', async () => {
    const bad = join(dir, 'bad.pt');
    writeFileSync(bad, 'not a checkpoint');
    const r = await runPython(['-m', 'tiny_ddp', '--out', join(dir, 'bad-run'), '--quiet', '--resume', bad], dir);
    expect(r.code).toBe(1);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/^error: cannot resume from .*bad\.pt/);
  });

  it('2 processes on gloo: identical masks, β and counters on both ranks; widths equal to 1 process at the same global batch', async () => {
    const spec = join(dir, 'tiny.arch');
    writeFileSync(spec, TINY);
    const built = await runCli(['build', spec, '--target', 'pytorch', '-o', dir]);
    expect(built.code, built.err).toBe(0);
    const port = String(20000 + Math.floor(Math.random() * 20000));
    const ddp = join(dir, 'run-ddp');
    const args = ['-m', 'tiny_ddp', '--out', ddp, '--quiet', '--device', 'cpu'];
    // The environment torchrun sets (Debian's torchrun 1.13 fails under Python 3.11, a PyTorch bug fixed in 2.x).
    const ranks = await Promise.all([0, 1].map((r) => runPython(args, dir, { MASTER_ADDR: '127.0.0.1', MASTER_PORT: port, RANK: String(r), LOCAL_RANK: String(r), WORLD_SIZE: '2' })));
    for (const r of ranks) expect(r.code, r.err).toBe(0);
    type Summary = { step: number; kept: Record<string, number>; s: Record<string, number[]>; beta: Record<string, number[]>; counts: Record<string, number[]> };
    const [a, b] = [0, 1].map((r) => JSON.parse(readFileSync(join(ddp, `rank${r}.json`), 'utf8')) as Summary);
    expect(a!.step).toBe(24);
    expect(b!.s).toEqual(a!.s);
    expect(b!.beta).toEqual(a!.beta);
    expect(b!.counts).toEqual(a!.counts);
    expect(b!.kept).toEqual(a!.kept);

    const single = join(dir, 'run-1');
    const one = await runPython(['-m', 'tiny_ddp', '--out', single, '--quiet', '--device', 'cpu'], dir);
    expect(one.code, one.err).toBe(0);
    const w1 = readTorchWeights(single);
    const w2 = readTorchWeights(ddp);
    for (const name of Object.keys(a!.s)) {
      const s1 = w1[`masks/${name}/s`]!.data;
      const s2 = w2[`masks/${name}/s`]!.data;
      expect(Math.max(...s1.map((v, i) => Math.abs(v - s2[i]!)))).toBeLessThan(1e-4);
      expect(s1.filter((v) => v > 0).length, name).toBe(a!.kept[name]);
    }
    // Something was learned and something pruned, so the comparison is not between two untouched networks.
    const kept = Object.values(a!.kept).reduce((x, y) => x + y, 0);
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(28);
  });
});
