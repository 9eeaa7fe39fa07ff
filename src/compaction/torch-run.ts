// Compaction of a PyTorch-target run (README "PyTorch target"): reads RUN_DIR/run.json, spec.arch and the weights
// the generated trainer wrote (weights.json index + weights.bin, raw little-endian float32 under archc's logical
// names and layouts), re-checks the spec to the same IR the module was generated from, and feeds archc's own
// compaction, so the pruned `.arch`, the sliced weights and the tfjs export are exactly those of a TypeScript run.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasErrors } from '../diagnostics/index.ts';
import type { WeightMap } from '../runtime/module.ts';
import { compileText } from '../semantic/compile.ts';
import type { IrNetwork } from '../semantic/ir.ts';
import { kindEntry } from '../semantic/registry.ts';
import { compactAndWrite, type CompactionReport } from './compact-and-write.ts';

export const TORCH_RUN_FORMAT = 'archc-torch-run';
export const TORCH_WEIGHTS_FORMAT = 'archc-weights';

/** A problem with the run folder the user can act on (the CLI prints it as one line). */
export class TorchRunError extends Error {}

export interface TorchRun {
  dir: string;
  network: string;
  specPath: string;
  sourceText: string;
  ir: IrNetwork;
  weights: WeightMap;
  info: Record<string, unknown>;
}

/** True when `dir` holds a PyTorch-target run (its run.json names the format). */
export function isTorchRun(dir: string): boolean {
  const p = join(dir, 'run.json');
  if (!existsSync(p)) return false;
  try {
    return (JSON.parse(readFileSync(p, 'utf8')) as { format?: unknown }).format === TORCH_RUN_FORMAT;
  } catch {
    return false;
  }
}

function readJson(path: string): unknown {
  if (!existsSync(path)) throw new TorchRunError(`${path} is missing: is this the --out folder of a finished PyTorch run?`);
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new TorchRunError(`${path} is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
}

/** Reads weights.json + weights.bin: `tensors: [{name, shape, offset}]`, offsets in bytes, float32 little-endian. */
export function readTorchWeights(dir: string): WeightMap {
  const meta = readJson(join(dir, 'weights.json')) as { format?: string; version?: number; dtype?: string; byteOrder?: string; tensors?: { name: string; shape: number[]; offset: number }[] };
  if (meta.format !== TORCH_WEIGHTS_FORMAT || meta.version !== 1 || meta.dtype !== 'float32' || meta.byteOrder !== 'little' || !Array.isArray(meta.tensors)) {
    throw new TorchRunError(`${join(dir, 'weights.json')}: not an archc weights index (format ${TORCH_WEIGHTS_FORMAT} version 1, float32, little-endian)`);
  }
  const binPath = join(dir, 'weights.bin');
  if (!existsSync(binPath)) throw new TorchRunError(`${binPath} is missing`);
  const bin = readFileSync(binPath);
  const out: WeightMap = {};
  for (const t of meta.tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (!Number.isInteger(t.offset) || t.offset < 0 || t.offset + 4 * n > bin.length) {
      throw new TorchRunError(`${binPath}: tensor ${t.name} [${t.shape}] at byte ${t.offset} lies outside the file (${bin.length} bytes)`);
    }
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = bin.readFloatLE(t.offset + 4 * i);
    out[t.name] = { shape: [...t.shape], data };
  }
  return out;
}

export function readTorchRun(dir: string): TorchRun {
  const run = readJson(join(dir, 'run.json')) as { format?: string; version?: number; network?: string; spec?: string; specPath?: string };
  if (run.format !== TORCH_RUN_FORMAT || run.version !== 1) throw new TorchRunError(`${join(dir, 'run.json')}: not a PyTorch-target run (format ${TORCH_RUN_FORMAT} version 1)`);
  const specFile = join(dir, run.spec ?? 'spec.arch');
  if (!existsSync(specFile)) throw new TorchRunError(`${specFile} is missing`);
  const sourceText = readFileSync(specFile, 'utf8');
  const specPath = run.specPath ?? 'spec.arch';
  const compiled = compileText(sourceText, specPath);
  if (!compiled.ir || hasErrors(compiled.diagnostics)) throw new TorchRunError(`${specFile} no longer checks: run archc check on it`);
  const ir = compiled.ir;
  if (run.network !== undefined && run.network !== ir.name) throw new TorchRunError(`${dir}: run.json names ${run.network} but spec.arch defines ${ir.name}`);
  const weights = readTorchWeights(dir);
  const expected = expectedShapes(ir);
  for (const [name, shape] of expected) {
    const w = weights[name];
    if (!w) throw new TorchRunError(`${dir}: weights.json has no ${name}; was the run made from another spec?`);
    if (w.shape.join(',') !== shape.join(',')) throw new TorchRunError(`${dir}: ${name} is [${w.shape}] but ${ir.name} expects [${shape}]`);
  }
  return { dir, network: ir.name, specPath, sourceText, ir, weights, info: run as Record<string, unknown> };
}

/** Logical name → shape of every variable of `ir` (the TypeScript runtime's names and layouts). */
function expectedShapes(ir: IrNetwork): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const n of ir.nodes) for (const w of kindEntry(n.kind).weights?.(n) ?? []) out.set(`${n.path}/${w.leaf}`, w.shape);
  for (const g of ir.groups) if (g.maskable) out.set(`masks/${g.name}/s`, [g.width]);
  return out;
}

/**
 * `archc compact RUN_DIR` for a PyTorch run: writes RUN_DIR/<spec>.pruned.arch, RUN_DIR/weights/{model.json,
 * weights.bin} (tfjs layers format) and RUN_DIR/compaction.json through the same `compactAndWrite` as a TypeScript
 * run (it throws PrunedSpecRejected when the pruned text does not re-check).
 */
export async function compactTorchRun(dir: string, log: (line: string) => void): Promise<CompactionReport> {
  const run = readTorchRun(dir);
  return compactAndWrite({ ir: run.ir, sourceText: run.sourceText, sourcePath: run.specPath, weights: run.weights, outDir: dir, log });
}

/** Writes a WeightMap in the PyTorch run format (weights.json + weights.bin): the generated module loads it with
 * `load_archc_weights(archc_torch.export.load_weights(dir))` — e.g. to start a PyTorch run from TypeScript weights. */
export function torchWeightFiles(weights: WeightMap): { index: string; bin: Buffer } {
  const names = Object.keys(weights).sort();
  const total = names.reduce((a, n) => a + 4 * weights[n]!.data.length, 0);
  const bin = Buffer.alloc(total);
  const tensors: { name: string; shape: number[]; offset: number }[] = [];
  let offset = 0;
  for (const name of names) {
    const w = weights[name]!;
    tensors.push({ name, shape: [...w.shape], offset });
    for (let i = 0; i < w.data.length; i++) bin.writeFloatLE(w.data[i]!, offset + 4 * i);
    offset += 4 * w.data.length;
  }
  const index = JSON.stringify({ format: TORCH_WEIGHTS_FORMAT, version: 1, dtype: 'float32', byteOrder: 'little', tensors }, null, 1) + '\n';
  return { index, bin };
}
