// Bench rows for the PyTorch target (`archc build --target pytorch`): the generated ResNet-20's full training step
// (masks, penalty, two optimizers) against a hand-written PyTorch ResNet-20 of the same layers, same batch, same
// process and thread count (bench/torch_target.py). The target adds no meaningful overhead when the ratio
// generated/hand-written is ≥ 0.9. Without python3-torch the rows say why and carry no value.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { generatePytorchModule, pytorchRuntimeFiles } from '../src/codegen/pytorch/index.ts';
import { compileFile } from '../src/semantic/compile.ts';
import type { BenchRow } from './kernels.ts';

export async function benchTorchTarget(opts: { threads?: number; device?: string; rounds?: number } = {}): Promise<BenchRow[]> {
  const py = [process.env['ARCHC_PYTHON'], '/usr/bin/python3', 'python3'].find((p) => !!p && spawnSync(p, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
  const name = 'train ResNet-20, PyTorch target: generated/hand-written';
  if (!py) return [{ name: `${name} (python3-torch not installed)`, value: NaN, unit: 'ratio' }];
  const dir = mkdtempSync(join(tmpdir(), 'archc-bench-torch-'));
  try {
    const c = await compileFile('specs/resnet20.arch');
    if (!c.ir) throw new Error('specs/resnet20.arch does not check');
    for (const f of [generatePytorchModule(c.ir, c.source, { specPath: 'specs/resnet20.arch' }), ...pytorchRuntimeFiles()]) {
      mkdirSync(dirname(join(dir, f.path)), { recursive: true });
      writeFileSync(join(dir, f.path), f.text);
    }
    const args = ['bench/torch_target.py', dir, String(opts.threads ?? 2), opts.device ?? 'cpu', String(opts.rounds ?? 5)];
    const r = spawnSync(py, args, { encoding: 'utf8', timeout: 600_000, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
    const line = r.stdout.trim().split('\n').pop() ?? '';
    let res: { device: string; generated_img_s: number; hand_img_s: number; ratio: number };
    try {
      res = JSON.parse(line) as typeof res;
    } catch {
      return [{ name: `${name} (failed: ${r.stderr.trim().split('\n').pop() ?? 'no output'})`, value: NaN, unit: 'ratio' }];
    }
    return [
      { name: `train ResNet-20, PyTorch target (generated, ${res.device})`, value: res.generated_img_s, unit: 'img/s' },
      { name: `train ResNet-20, hand-written PyTorch (${res.device})`, value: res.hand_img_s, unit: 'img/s' },
      { name, value: res.ratio, unit: 'ratio (≥ 0.9 = within 10%)' },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// `npx tsx bench/torch_target.ts` prints the rows alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await benchTorchTarget()) console.log(`${r.name}: ${Number.isFinite(r.value) ? r.value.toFixed(3) : '-'} ${r.unit}`);
}
