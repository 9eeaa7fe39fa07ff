// `archc eval PRUNED.arch --weights DIR --data synthetic`: loads the exported tfjs weights into the pruned spec and
// prints accuracy (or perplexity for a language model); mismatched weights are a one-line user error that names the
// layer and both shapes, not a stack trace.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compactAndWrite } from '../../src/compaction/compact-and-write.ts';
import { initBackend } from '../../src/runtime/backend/index.ts';
import { IrModule } from '../../src/runtime/module.ts';
import { SPECS, compileSpec, randomWeights } from '../compaction/helpers.ts';
import { PACKAGE_ROOT } from '../../src/codegen/index.ts';
import { runCli } from './helpers.ts';

let dir: string;
beforeAll(async () => {
  await initBackend('cpu');
  dir = mkdtempSync(join(tmpdir(), 'archc-eval-'));
  for (const [name, text] of [['cnn', SPECS.cnn], ['lm', SPECS.lstm]] as const) {
    writeFileSync(join(dir, `${name}.arch`), text);
    const ir = compileSpec(text, `${name}.arch`);
    const m = new IrModule(ir, { seed: 1 });
    m.setWeights(randomWeights(ir, 5));
    await compactAndWrite({ ir, sourceText: text, sourcePath: join(dir, `${name}.arch`), module: m, outDir: join(dir, name), log: () => {} });
    m.dispose();
  }
});

describe('archc eval', () => {
  it('evaluates a pruned classifier with its exported weights', async () => {
    const cli = await runCli(['eval', 'cnn/cnn.pruned.arch', '--weights', 'cnn/weights', '--data', 'synthetic', '--backend', 'cpu', '--limit', '2'], { cwd: dir });
    expect(cli.code).toBe(0);
    expect(cli.out).toMatch(/^cnn: accuracy \d+\.\d\d% \(loss \d+\.\d+\) on [\d,]+ test examples/);
  });

  it('reports perplexity for a language model', async () => {
    const cli = await runCli(['eval', 'lm/lm.pruned.arch', '--weights', 'lm/weights', '--data', 'synthetic', '--backend', 'cpu', '--limit', '2', '--json'], { cwd: dir });
    expect(cli.code).toBe(0);
    const r = JSON.parse(cli.stdout.join('')) as { perplexity: number; split: string };
    expect(r.split).toBe('valid');
    expect(r.perplexity).toBeGreaterThan(1);
  });

  it('names the layer and shapes when the weights do not fit the spec', async () => {
    const cli = await runCli(['eval', 'cnn.arch', '--weights', 'cnn/weights', '--data', 'synthetic', '--backend', 'cpu'], { cwd: dir });
    expect(cli.code).toBe(1);
    expect(cli.err).toMatch(/^archc: the weights in .* do not match cnn:\n {2}layer 'conv1': 'conv1\/kernel' has shape \[3,3,2,\d\] but the spec needs \[3,3,2,8\]/);
  });

  it('says where it looked when there are no weights', async () => {
    const cli = await runCli(['eval', 'cnn.arch', '--weights', 'nowhere', '--data', 'synthetic', '--backend', 'cpu'], { cwd: dir });
    expect(cli.code).toBe(1);
    expect(cli.err).toContain('expected model.json and weights.bin');
  });

  it("evaluates a run's weights on the data the run trained on, and says which data it uses (issue 15 #12)", async () => {
    // The spec reads CIFAR-10 (not installed in the test's view: its folder is a fresh empty one); the run trained on
    // --data synthetic. Eval must not silently switch to the spec's data set.
    const spec = readFileSync(join(PACKAGE_ROOT, 'test/reliability/fixtures/tiny.arch'), 'utf8')
      .replace('data synthetic', `data cifar10("${join(dir, 'no-cifar')}")`)
      .replace('image(8, 8, 1)', 'image(32, 32, 3)');
    writeFileSync(join(dir, 'cif.arch'), spec);
    const train = await runCli(['train', 'cif.arch', '--data', 'synthetic', '--steps', '3', '--backend', 'cpu', '--synthetic-size', '32', '--out', 'cif-run'], { cwd: dir });
    expect(train.code, train.err).toBe(0);
    const final = JSON.parse(readFileSync(join(dir, 'cif-run', 'metrics.jsonl'), 'utf8').trim().split('\n').at(-1)!) as { evalAccuracy: number };
    const cli = await runCli(['eval', 'cif-run/cif.pruned.arch', '--weights', 'cif-run/weights', '--backend', 'cpu', '--json'], { cwd: dir });
    expect(cli.code, cli.err).toBe(0);
    const r = JSON.parse(cli.stdout.join('')) as { accuracy: number; data: string; dataSource: string; dataNote: string };
    expect(r.dataSource).toBe('run');
    expect(r.data).toMatch(/^synthetic: 32 train/);
    expect(r.dataNote).toContain(join('cif-run', 'run.json'));
    expect(Math.abs(r.accuracy - final.evalAccuracy)).toBeLessThanOrEqual(0.01);
    // --data given: eval says it uses that (here the run's own data, so no warning that it differs).
    const text = await runCli(['eval', 'cif-run/cif.pruned.arch', '--weights', 'cif-run/weights', '--backend', 'cpu', '--data', 'synthetic'], { cwd: dir });
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/data: --data as given/);
  }, 120_000);
});
