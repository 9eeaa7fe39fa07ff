// Build-time benchmark for `archc build`: compile + generate specs/resnet50.arch (the target is under a second),
// first build in a fresh process (ts-morph warms up) and the median of warm builds, plus the cost of loading the
// code generator. `benchBuild()` returns rows for bench/run.ts; `npx tsx bench/build.ts` prints the table alone.

import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface BuildBenchRow {
  name: string;
  value: number;
  unit: string;
}

export const BUILD_TARGET_MS = 1000;

export async function benchBuild(opts: { spec?: string; reps?: number } = {}): Promise<BuildBenchRow[]> {
  const t0 = performance.now();
  const { buildSpecFile } = await import('../src/codegen/build.ts');
  const { PACKAGE_ROOT } = await import('../src/codegen/index.ts');
  const loadMs = performance.now() - t0;
  const spec = opts.spec ?? join('specs', 'resnet50.arch');
  const once = async (): Promise<number> => {
    const s = performance.now();
    const r = await buildSpecFile(spec, PACKAGE_ROOT);
    if (!r.module) throw new Error(`bench: ${spec} does not compile`);
    return performance.now() - s;
  };
  const first = await once();
  const warm: number[] = [];
  for (let i = 0; i < (opts.reps ?? 5); i++) warm.push(await once());
  warm.sort((a, b) => a - b);
  const median = warm[Math.floor(warm.length / 2)]!;
  return [
    { name: 'build: load code generator (ts-morph, runtime)', value: round(loadMs), unit: 'ms' },
    { name: `build: ${spec}, first in process`, value: round(first), unit: 'ms' },
    { name: `build: ${spec}, median warm`, value: round(median), unit: 'ms' },
  ];
}

const round = (x: number): number => Math.round(x * 10) / 10;

function table(rows: BuildBenchRow[]): string {
  const w = Math.max(...rows.map((r) => r.name.length));
  return rows.map((r) => `${r.name.padEnd(w)}  ${String(r.value).padStart(8)} ${r.unit}`).join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await benchBuild();
  process.stdout.write(`${table(rows)}\n`);
  const worst = Math.max(rows[1]!.value, rows[2]!.value);
  process.stdout.write(`target: a ResNet-50 build under ${BUILD_TARGET_MS} ms: ${worst < BUILD_TARGET_MS ? 'met' : 'NOT met'}\n`);
}
