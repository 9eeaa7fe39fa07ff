// `archc diff A B`: per-layer widths before → after with kept shares, removed layers shown as
// "removed (identity)", per-group widths matched across renumbered groups, totals with ratios; `--json` is one
// object; diagnostics of either file are rendered with exit 1.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DiffJson } from '../../src/cli/commands/diff.ts';
import { runCli } from './helpers.ts';

const A = `network r {
  input image(8, 8, 3)
  train { data synthetic  steps 1  batch 4 }
  block basic(width) {
    maskable conv(width, kernel 3)  bn  relu
    maskable conv(width, kernel 3)  bn
    add
    relu
  }
  layers {
    maskable conv(8, kernel 3)  bn  relu
    stage1: repeat 2 basic(8)
    gap
    dense(10)
  }
}
`;
const B = A.replace('maskable conv(8, kernel 3)', 'maskable conv(5, kernel 3)')
  .replace('stage1: repeat 2 basic(8)', '# archc: stage1.basic2 pruned to identity\n    stage1: repeat 1 basic(8)')
  .replace('  }\n}\n', '  }\n  widths {\n    stage1.basic1.conv1 3\n    stage1.basic1.conv2 5\n  }\n}\n');

/** A language model: no layer path in common with A, another name. */
const UNRELATED = `network lm {
  input tokens(vocab 40, seq 5)
  train { data synthetic  steps 1  batch 4 }
  layers {
    embedding(12)
    maskable lstm(10)
    head: dense(40)
  }
}
`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'archc-diff-'));
  writeFileSync(join(dir, 'a.arch'), A);
  writeFileSync(join(dir, 'b.arch'), B);
  writeFileSync(join(dir, 'bad.arch'), 'network x {\n  layers { conv(8 kernel 3) }\n}\n');
  writeFileSync(join(dir, 'lm.arch'), UNRELATED);
  writeFileSync(join(dir, 'renamed.arch'), A.replace('network r {', 'network other {'));
});

describe('archc diff', () => {
  it('prints widths before → after, removed layers and totals', async () => {
    const cli = await runCli(['diff', 'a.arch', 'b.arch'], { cwd: dir });
    expect(cli.code).toBe(0);
    const out = cli.out;
    expect(out).toMatch(/conv1\s+conv\s+8\s+→ 5\s+62\.5%/);
    expect(out).toMatch(/stage1\.basic1\.conv1\s+conv\s+8\s+→ 3\s+37\.5%/);
    expect(out).toMatch(/stage1\.basic2\.conv1\s+conv\s+8\s+removed \(identity\)/);
    expect(out).toMatch(/g2:stage1\.basic2\.conv1\s+channels\s+8\s+removed \(identity\)/);
    expect(out).toMatch(/params [\d,]+ → [\d,]+ \(×0\.\d{3}/);
    expect(out).toMatch(/MACs +[\d,]+ → [\d,]+/);
  });

  it('--json prints one object for tools', async () => {
    const cli = await runCli(['diff', '--json', 'a.arch', 'b.arch'], { cwd: dir });
    expect(cli.code).toBe(0);
    const d = JSON.parse(cli.stdout.join('')) as DiffJson;
    expect(d.layers.find((l) => l.path === 'stage1.basic2.add1')).toMatchObject({ status: 'removed', after: null });
    expect(d.layers.find((l) => l.path === 'conv1')).toMatchObject({ before: 8, after: 5, status: 'changed' });
    expect(d.groups.find((g) => g.name === 'g0:stage1')).toMatchObject({ before: 8, after: 5 });
    expect(d.totals.params.ratio).toBeCloseTo(d.b.params / d.a.params, 10);
  });

  it('renders diagnostics of either file and exits 1', async () => {
    const cli = await runCli(['diff', 'a.arch', 'bad.arch'], { cwd: dir });
    expect(cli.code).toBe(1);
    expect(cli.err).toMatch(/bad\.arch\(2,\d+\): error ARCH\d{4}/);
    expect(cli.stdout).toEqual([]);
  });

  // Issue 15, defect 15: unrelated networks used to exit 0 and call every layer of A "removed (identity)".
  it('refuses two unrelated networks (another name, or no layer path in common) with exit 1', async () => {
    let cli = await runCli(['diff', 'a.arch', 'lm.arch'], { cwd: dir });
    expect(cli.code).toBe(1);
    expect(cli.err).toMatch(/^archc: a\.arch \(network 'r'\) and lm\.arch \(network 'lm'\) are unrelated networks: different names, no layer path in common; archc diff compares a spec with its pruned or edited version \(pass --unrelated to compare them anyway\)$/m);
    expect(cli.stdout).toEqual([]);
    cli = await runCli(['diff', 'a.arch', 'renamed.arch'], { cwd: dir });
    expect(cli.code).toBe(1);
    expect(cli.err).toMatch(/are unrelated networks: different names;/);
    cli = await runCli(['diff', 'a.arch', 'lm.arch', '--unrelated'], { cwd: dir });
    expect(cli.code).toBe(0);
    expect(cli.out).toMatch(/stage1\.basic1\.conv1\s+conv\s+8\s+removed/);
  });
});
