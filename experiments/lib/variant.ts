// One experiment run ("variant"): a spec, text edits to it (λ, scheduler, mode), step count, and whether it is the
// dense baseline or an L1-pruning fine-tune of a dense run. `runVariants` runs each in its own `nice`d child
// process, one at a time, and caches results under runs/exp/<name>/result.json keyed by everything that
// determines the run (spec text after edits, the variant, the sparsify defaults of its mode): a changed default
// re-runs it.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SPARSIFY_DEFAULTS } from '../../src/semantic/defaults.ts';

export interface Variant {
  name: string;
  spec: string;
  /** Textual edits of the spec, applied in order. */
  edits?: { lambda?: number; scheduler?: 'global' | 'structurewise'; mode?: 'paper' | 'archc'; useDefaults?: boolean };
  /**
   * BatchNorm moving-average momentum for every BN node (the language default is 0.99, Keras-style). With 0.99 a
   * 150-step run's moving statistics still hold 0.99^150 = 22% of their initial values, and evaluation reads them.
   */
  bnMomentum?: number;
  /** Train with every mask group unmaskable (the dense baseline). */
  dense?: boolean;
  steps: number;
  batch?: number;
  logEvery: number;
  evalLimit: number;
  /** L1 pruning: prune the dense run `from` to the final MACs of run `target`, then fine-tune `steps` steps at `lr`. */
  l1?: { from: string; target: string; lr: number };
}

export interface VariantResult {
  name: string;
  key: string;
  variant: Variant;
  command: string;
  seed: number;
  steps: number;
  batch: number;
  /** Seconds the child process took, start to end (data loading and the final evaluation included). */
  processWall: number;
  /** The trainer's own wall time (training + evaluations). */
  trainWall: number;
  accuracy: number;
  perplexity: number | null;
  params: number;
  macs: number;
  denseParams: number;
  denseMacs: number;
  kept: Record<string, number>;
  widths: Record<string, number>;
  /** Forward MACs integrated over training (Σ steps sampled-MACs × batch), for this run alone. */
  trainMacsSampled: number;
  trainMacsExpected: number;
  trainMacsDense: number;
  /** L1 only: accuracy right after pruning, before fine-tuning, and the ratio found. */
  l1?: { ratio: number; accuracyBeforeFinetune: number; targetMacs: number };
  backend: string;
  dataset: string;
  date: string;
}

export const EXP_DIR = 'runs/exp';

export function applyEdits(text: string, e: Variant['edits']): string {
  let t = text;
  if (!e) return t;
  // Settings lines only (a comment that mentions `lambda 0.01` must stay as it is).
  const lambdaLine = /^([ \t]*)lambda[ \t]+[0-9.eE+-]+/m;
  // Drop the spec's own λ and mask optimizer so archc's calibrated defaults apply (src/semantic/defaults.ts).
  if (e.useDefaults) t = t.replace(/^[ \t]*(lambda|maskOptimizer)\b.*\n/gm, '');
  if (e.lambda !== undefined) {
    if (lambdaLine.test(t)) t = t.replace(lambdaLine, `$1lambda ${e.lambda}`);
    else t = t.replace(/sparsify\s*\{/, `sparsify {\n    lambda ${e.lambda}`);
  }
  // A scheduler or mode line the spec already has is edited; otherwise one is added (the spec may rely on defaults).
  if (e.scheduler) {
    const sched = /scheduler\s+(structurewise|global)\b/;
    t = sched.test(t) ? t.replace(sched, `scheduler ${e.scheduler}`) : t.replace(/sparsify\s*\{/, `sparsify {\n    scheduler ${e.scheduler}()`);
  }
  if (e.mode) {
    const mode = /^([ \t]*)mode[ \t]+\w+/m;
    t = mode.test(t) ? t.replace(mode, `$1mode ${e.mode}`) : t.replace(/sparsify\s*\{/, `sparsify {\n    mode ${e.mode}`);
  }
  return t;
}

export function variantKey(v: Variant): string {
  const h = createHash('sha256');
  h.update(JSON.stringify(v));
  h.update(applyEdits(readFileSync(v.spec, 'utf8'), v.edits));
  // Only the defaults the run uses: a dense run uses none, a sparsified one those of its mode.
  if (!v.dense) h.update(JSON.stringify(SPARSIFY_DEFAULTS[v.edits?.mode ?? 'archc']));
  return h.digest('hex').slice(0, 16);
}

export function readResult(name: string): VariantResult | null {
  const f = join(EXP_DIR, name, 'result.json');
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as VariantResult) : null;
}

/** Runs the variants in order (skipping cached ones), each in a niced child process; returns their results. */
export function runVariants(vs: Variant[], log = (s: string) => console.log(s)): Map<string, VariantResult> {
  const out = new Map<string, VariantResult>();
  for (const v of vs) {
    const key = variantKey(v);
    const cached = readResult(v.name);
    if (cached && cached.key === key) {
      log(`[${v.name}] cached (${cached.processWall.toFixed(0)} s)`);
      out.set(v.name, cached);
      continue;
    }
    const dir = join(EXP_DIR, v.name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    log(`[${v.name}] running ${v.steps} steps …`);
    const r = spawnSync('nice', ['-n', '10', 'npx', 'tsx', 'experiments/lib/run-variant.ts', JSON.stringify({ ...v, key })], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (r.status !== 0) throw new Error(`variant ${v.name} failed with exit ${r.status}`);
    const res = readResult(v.name);
    if (!res) throw new Error(`variant ${v.name} wrote no result.json`);
    out.set(v.name, res);
  }
  return out;
}
