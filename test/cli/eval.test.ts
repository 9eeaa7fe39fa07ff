// `archc eval PRUNED.arch --weights DIR --data synthetic`: loads the exported tfjs weights into the pruned spec and
// prints accuracy (or perplexity for a language model); mismatched weights are a one-line user error that names the
// layer and both shapes, not a stack trace.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Io } from '../../src/cli/io.ts';
import { run } from '../../src/cli/main.ts';
import { compactAndWrite } from '../../src/compaction/compact-and-write.ts';
import { initBackend } from '../../src/runtime/backend/index.ts';
import { IrModule } from '../../src/runtime/module.ts';
import { SPECS, compileSpec, randomWeights } from '../compaction/helpers.ts';

function capture(cwd: string): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => void stdout.push(t), err: (t) => void stderr.push(t), isTTY: false, cwd };
}

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
    const io = capture(dir);
    expect(await run(['eval', 'cnn/cnn.pruned.arch', '--weights', 'cnn/weights', '--data', 'synthetic', '--backend', 'cpu', '--limit', '2'], io)).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/^cnn: accuracy \d+\.\d\d% \(loss \d+\.\d+\) on [\d,]+ test examples/);
  });

  it('reports perplexity for a language model', async () => {
    const io = capture(dir);
    expect(await run(['eval', 'lm/lm.pruned.arch', '--weights', 'lm/weights', '--data', 'synthetic', '--backend', 'cpu', '--limit', '2', '--json'], io)).toBe(0);
    const r = JSON.parse(io.stdout.join('')) as { perplexity: number; split: string };
    expect(r.split).toBe('valid');
    expect(r.perplexity).toBeGreaterThan(1);
  });

  it('names the layer and shapes when the weights do not fit the spec', async () => {
    const io = capture(dir);
    expect(await run(['eval', 'cnn.arch', '--weights', 'cnn/weights', '--data', 'synthetic', '--backend', 'cpu'], io)).toBe(1);
    expect(io.stderr.join('\n')).toMatch(/^archc: the weights in .* do not match cnn:\n {2}layer 'conv1': 'conv1\/kernel' has shape \[3,3,2,\d\] but the spec needs \[3,3,2,8\]/);
  });

  it('says where it looked when there are no weights', async () => {
    const io = capture(dir);
    expect(await run(['eval', 'cnn.arch', '--weights', 'nowhere', '--data', 'synthetic', '--backend', 'cpu'], io)).toBe(1);
    expect(io.stderr.join('\n')).toContain('expected model.json and weights.bin');
  });
});
