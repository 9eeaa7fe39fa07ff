// Markdown helpers for the committed result tables.
import { cpus } from 'node:os';
import type { VariantResult } from './variant.ts';

export function mdTable(header: string[], rows: (string | number)[][]): string {
  const line = (r: (string | number)[]) => `| ${r.map(String).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export const pct = (v: number) => `${(100 * v).toFixed(2)}%`;
export const M = (v: number) => `${(v / 1e6).toFixed(2)}M`;
export const k = (v: number) => (v < 1000 ? `${Math.round(v)}` : `${(v / 1e3).toFixed(1)}k`);
export const T = (v: number) => `${(v / 1e12).toFixed(3)}T`;
export const s = (v: number) => `${v.toFixed(0)} s`;

export function machineNote(): string {
  return `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}, tfjs wasm backend; the 2 cores were shared with other jobs (other engineers' tests and calibration runs) during the runs, so wall times are upper bounds and only roughly comparable.`;
}

export function commandsOf(rs: VariantResult[]): string {
  return rs.map((r) => `- \`${r.name}\`: seed ${r.seed}, ${r.steps} steps × batch ${r.batch}, ${r.date}`).join('\n');
}

export function keptWidths(r: VariantResult): string {
  return Object.entries(r.kept)
    .filter(([g]) => (r.widths[g] ?? 0) !== r.kept[g] || true)
    .map(([g, v]) => `${g.replace(/^g\d+:/, '')} ${v}/${r.widths[g] ?? '?'}`)
    .join(', ');
}
