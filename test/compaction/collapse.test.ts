// A tiny net that collapses to chance gets a warning (issue 15, defect 19): final accuracy at chance level with most
// maskable groups at their minimum width → compaction says so in its log and in compaction.json, and suggests the
// MAC budget or a smaller λ; a run that kept its accuracy, or its widths, gets no warning. The end-to-end case trains
// the tiny CNN with a crushing λ through `archc train`.

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compactAndWrite } from '../../src/compaction/compact-and-write.ts';
import { initBackend } from '../../src/runtime/backend/index.ts';
import { runCli } from '../cli/helpers.ts';
import { SPECS, compileSpec, randomWeights } from './helpers.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

const WARNING = /warning: the network collapsed: accuracy 10\.5% is at chance level \(10\.0% for 10 classes\) with 4 of 4 maskable groups at their minimum width\. .*set a MAC budget instead \(sparsify \{ target macs … \}\) or train with a smaller λ \(now 0\.04; e\.g\. --lambda 0\.01\)/;

async function compactCnn(accuracy: number, offGroups: boolean): Promise<{ log: string; warnings: string[] }> {
  const ir = compileSpec(SPECS.cnn, 'cnn.arch');
  const logits = Object.fromEntries(ir.groups.filter((g) => g.maskable).map((g) => [g.name, new Array<number>(g.width).fill(offGroups ? -1 : 1)]));
  const dir = join(mkdtempSync(join(tmpdir(), 'archc-collapse-')), 'run');
  const lines: string[] = [];
  await compactAndWrite({ ir, sourceText: SPECS.cnn, sourcePath: 'cnn.arch', weights: randomWeights(ir, 2, logits), outDir: dir, log: (l) => lines.push(l), accuracy });
  const report = JSON.parse(readFileSync(join(dir, 'compaction.json'), 'utf8')) as { warnings: string[] };
  return { log: lines.join('\n'), warnings: report.warnings };
}

describe('a run that collapsed to chance level', () => {
  it('is warned about, with the budget target and a smaller λ suggested', async () => {
    const r = await compactCnn(0.105, true);
    expect(r.log).toMatch(WARNING);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(WARNING);
  });

  it('is not confused with a small network that kept its accuracy, or a poor run that kept its widths', async () => {
    expect((await compactCnn(0.8, true)).warnings).toEqual([]);
    expect((await compactCnn(0.105, false)).warnings).toEqual([]);
  });

  it('archc train says so at the end of a run crushed by λ', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'archc-collapse-')), 'run');
    const flags = ['--data', 'synthetic', '--steps', '20', '--batch', '8', '--synthetic-size', '64', '--eval-limit', '64', '--backend', 'cpu', '--lambda', '100'];
    const cli = await runCli(['train', 'test/codegen/cases/plain-cnn.arch', ...flags, '--out', out]);
    expect(cli.code, cli.err).toBe(0);
    expect(cli.out).toMatch(/warning: the network collapsed: accuracy \d+\.\d% is at chance level \(33\.3% for 3 classes\) with 3 of 3 maskable groups at their minimum width\..*--lambda 25\)/);
  });
});
