// `archc eval PRUNED.arch --weights DIR --data synthetic`: loads the exported tfjs weights into the pruned spec and
// prints accuracy (or perplexity for a language model); mismatched weights are a one-line user error that names the
// layer and both shapes, not a stack trace.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compactAndWrite } from '../../src/compaction/compact-and-write.ts';
import { initBackend } from '../../src/runtime/backend/index.ts';
import { IrModule } from '../../src/runtime/module.ts';
import { SPECS, compileSpec, randomWeights } from '../compaction/helpers.ts';
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
});
