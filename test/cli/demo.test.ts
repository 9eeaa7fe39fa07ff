// `archc demo --quick --fallback`: the whole main job on the embedded synthetic fallback (no dataset needed) —
// it trains, prints the width diff (archc diff when compaction and diff exist), writes metrics, report.html and
// says where everything is. One tiny run, well under a minute.

import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Io } from '../../src/cli/io.ts';
import { run } from '../../src/cli/main.ts';

const dir = mkdtempSync(join(tmpdir(), 'archc-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('archc demo --quick', () => {
  it('trains on the fallback data, prints the diff and writes the report', async () => {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const io: Io = { out: (t) => void stdout.push(t), err: (t) => void stderr.push(t), isTTY: false, cwd: dir };
    const code = await run(['demo', '--quick', '--fallback', '--out', 'out'], io);
    const text = stdout.join('\n');
    expect(code, stderr.join('\n')).toBe(0);
    expect(text).toContain('embedded synthetic fallback');
    // The diff of input vs pruned is archc diff's own output (layers, groups, totals), never the fallback width
    // table, which would mean compaction or diff did not run (issue 15: the old patterns accepted either).
    expect(text).toMatch(/^\$ archc diff out\/demo-fashion\.arch out\/demo-fashion\.pruned\.arch$/m);
    expect(text).toMatch(/^stage1\.cbr1\.conv1\s+conv\s+24\s+(→ )?\d+\s+\d+\.\d%$/m);
    expect(text).toMatch(/^g0:stage1\.cbr1\.conv1\s+channels\s+24\s+\d+\s+\d+\.\d%\s+g0:stage1\.cbr1\.conv1$/m);
    expect(text).toMatch(/^params [\d,]+ → [\d,]+ \(×\d\.\d{3}, \d+\.\d%\)$/m);
    expect(text).not.toContain('width diff (input → learned');
    expect(text).toMatch(/^pruned spec: +out\/demo-fashion\.pruned\.arch$/m);
    expect(text).toMatch(/report: +out\/report\.html/);
    const out = join(dir, 'out');
    for (const f of ['metrics.jsonl', 'report.html', 'masks-final.json', 'run.json', 'demo-fashion.arch', 'demo-fashion.pruned.arch', 'compaction.json', 'diff.json']) expect(existsSync(join(out, f)), f).toBe(true);
    const lines = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(4);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('Training MACs per iteration');
  }, 300_000); // one quick demo: under a minute alone, but the shared 2-core machine can triple that

  it('refuses a non-empty --out without --force, and --force never touches a user file of a run file name (issue 15 #4)', async () => {
    const err: string[] = [];
    const io: Io = { out: () => {}, err: (t) => void err.push(t), isTTY: false, cwd: dir };
    const mine = join(dir, 'mine');
    mkdirSync(mine);
    writeFileSync(join(mine, 'demo-fashion.arch'), 'my own spec');
    expect(await run(['demo', '--quick', '--fallback', '--out', 'mine'], io)).toBe(1);
    expect(err.join('\n')).toMatch(/the output folder .*mine is not empty; pass --force/);
    expect(await run(['demo', '--quick', '--fallback', '--out', 'mine', '--force'], io)).toBe(1);
    expect(err.join('\n')).toMatch(/--force removes only files an earlier archc run recorded as its own.*'demo-fashion\.arch' would be overwritten/);
    expect(readFileSync(join(mine, 'demo-fashion.arch'), 'utf8')).toBe('my own spec');
    expect(readdirSync(mine)).toEqual(['demo-fashion.arch']);
    // A folder holding an earlier run (its run.json): without --force it is refused as well.
    const earlier = join(dir, 'earlier');
    mkdirSync(earlier);
    writeFileSync(join(earlier, 'metrics.jsonl'), '{"step":1}\n');
    writeFileSync(join(earlier, 'run.json'), JSON.stringify({ archcRun: 1, id: 'earlier', files: ['metrics.jsonl', 'run.json'] }));
    err.length = 0;
    expect(await run(['demo', '--quick', '--fallback', '--out', 'earlier'], io)).toBe(1);
    expect(err.join('\n')).toMatch(/is not empty; pass --force/);
    expect(readFileSync(join(earlier, 'metrics.jsonl'), 'utf8')).toBe('{"step":1}\n');
  }, 60_000);
});
