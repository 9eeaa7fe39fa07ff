// Startup benchmark for the compiled CLI: CPU seconds (user + system) and peak memory of `archc check` and
// `archc stats --json`, median of 5 fresh processes, next to `node -e 0` measured in the same run. The issue's
// target is ≤ 0.4 CPU-s and ≤ 100 MiB. Needs dist/ (`npm run build`). `benchStartup()` returns rows for
// bench/run.ts; `npx tsx bench/startup.ts` prints them alone.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface StartupBenchRow {
  name: string;
  value: number;
  unit: string;
}

export const STARTUP_TARGET = { cpuSeconds: 0.4, mib: 100 };

const ROOT = fileURLToPath(new URL('../', import.meta.url));
// Preloaded into the measured process: at exit it records its own CPU time and peak RSS (Node's resourceUsage).
const PROBE = `data:text/javascript,${encodeURIComponent(
  "import{writeFileSync}from'node:fs';process.on('exit',()=>{const u=process.resourceUsage();" +
    'writeFileSync(process.env.ARCHC_BENCH_OUT,JSON.stringify({cpu:(u.userCPUTime+u.systemCPUTime)/1e6,kib:u.maxRSS}))})',
)}`;

/** CPU seconds and MiB of one fresh `node ARGS` in the package root. */
function measureOnce(args: string[]): { cpu: number; mib: number } {
  const dir = mkdtempSync(join(tmpdir(), 'archc-bench-'));
  const out = join(dir, 'usage.json');
  try {
    const r = spawnSync(process.execPath, ['--import', PROBE, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ARCHC_BENCH_OUT: out } });
    if (r.status !== 0) throw new Error(`bench: node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    const u = JSON.parse(readFileSync(out, 'utf8')) as { cpu: number; kib: number };
    return { cpu: u.cpu, mib: u.kib / 1024 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export function benchStartup(opts: { reps?: number } = {}): StartupBenchRow[] {
  const cases: [string, string[]][] = [
    ['node -e 0', ['-e', '0']],
    ['archc check specs/fashion-cnn.arch', ['bin/archc.js', 'check', 'specs/fashion-cnn.arch']],
    ['archc stats specs/resnet50.arch --json', ['bin/archc.js', 'stats', 'specs/resnet50.arch', '--json']],
  ];
  const rows: StartupBenchRow[] = [];
  for (const [name, args] of cases) {
    const runs = Array.from({ length: opts.reps ?? 5 }, () => measureOnce(args));
    rows.push({ name: `startup: ${name}, median CPU`, value: round(median(runs.map((r) => r.cpu))), unit: 's' });
    rows.push({ name: `startup: ${name}, median peak RSS`, value: round(median(runs.map((r) => r.mib))), unit: 'MiB' });
  }
  return rows;
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

/**
 * benchStartup run from a small process of its own. Linux carries a process's peak RSS (ru_maxrss) over fork +
 * exec, so children spawned by a large process (bench/run.ts after its training rows) all report that process's
 * peak: measured in bench/run.ts, `node -e 0` read 114 MiB instead of 42.
 */
export function benchStartupIsolated(): StartupBenchRow[] {
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--json'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bench/startup.ts failed: ${(r.stderr ?? '').trim().split('\n').pop() ?? ''}`);
  return JSON.parse(r.stdout) as StartupBenchRow[];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1] && process.argv.includes('--json')) {
  console.log(JSON.stringify(benchStartup()));
} else if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const r of benchStartup()) console.log(`${r.name.padEnd(62)} ${String(r.value).padStart(8)} ${r.unit}`);
  console.log(`target: ≤ ${STARTUP_TARGET.cpuSeconds} CPU-s and ≤ ${STARTUP_TARGET.mib} MiB per command`);
}
