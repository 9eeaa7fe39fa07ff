// The policy around a training run that the CLI and generated trainers share: the output folder (refuse a
// non-empty one unless --force or --resume; never write over the input spec; names cannot leave --out),
// checkpoints every N steps and at each epoch end, resume with a spec/settings check, NaN/Inf guards, and
// SIGINT: finish the step, checkpoint, write the pruned spec, say where both are, exit 130.

import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { writeFileAtomicSync } from '../io/atomic-write.ts';
import { samePath } from './same-path.ts';
import type { IrNetwork } from '../semantic/ir.ts';
import { DataError } from '../runtime/data/errors.ts';
import { CHECKPOINT_FILE, CheckpointError, readCheckpoint, specHash, writeCheckpoint, type CheckpointMeta } from '../runtime/train/checkpoint.ts';
import { checkStep, NumericsError } from '../runtime/train/numerics.ts';
import { metricsLineSchema } from '../runtime/train/metrics-schema.ts';
import type { StepInfo, Trainer, TrainerState } from '../runtime/train/trainer.ts';
import { prunedFileName } from '../compaction/index.ts';
import { METRICS_FILE } from '../runtime/train/trainer.ts';
import { UserError } from './io.ts';

export { METRICS_FILE };

/** The file names a run writes into its folder; --force removes these (and only these) first. */
export function runFiles(specPath: string): string[] {
  return [METRICS_FILE, CHECKPOINT_FILE, prunedFileName(specPath), 'compaction.json', 'report.html'];
}

/**
 * The path of a file named after the network inside `outDir`. A network name is a lexer identifier, but this is
 * the last line of defence: a name with a separator, `..`, or one that lands on the input spec is refused.
 */
export function outputPath(outDir: string, fileName: string, specPath?: string): string {
  if (fileName === '' || fileName !== basename(fileName) || fileName.includes('/') || fileName.includes('\\') || fileName === '.' || fileName === '..' || fileName.includes('\0')) {
    throw new UserError(`refusing the output name '${fileName}': it must be a plain file name inside the output folder`);
  }
  const out = resolve(outDir);
  const p = resolve(out, fileName);
  const rel = relative(out, p);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) throw new UserError(`refusing the output name '${fileName}': it escapes ${outDir}`);
  if (specPath !== undefined && samePath(p, specPath)) {
    throw new UserError(`refusing to overwrite the input spec ${specPath}: choose another --out folder`);
  }
  return p;
}

// Re-exported: `archc build` imports it from same-path.ts without loading this file's runtime imports.
export { samePath } from './same-path.ts';

export interface OutDirOptions {
  outDir: string;
  /** The input spec: never written, never inside what --force removes. */
  specPath: string;
  ir: Pick<IrNetwork, 'name'>;
  force?: boolean;
  resume?: boolean;
}

/**
 * Makes `outDir` ready: refused when it exists and holds anything, unless --force (the run's own files are
 * removed; anything else is left alone) or --resume (kept as it is). Refused when it is a file, or when the
 * pruned spec would land on the input spec.
 */
export function prepareOutDir(o: OutDirOptions): void {
  const out = resolve(o.outDir);
  // Validates the names the run will write (and that none of them is the input spec) before touching anything.
  for (const f of runFiles(o.specPath)) outputPath(out, f, o.specPath);
  if (existsSync(out)) {
    if (!statSync(out).isDirectory()) throw new UserError(`--out ${o.outDir} is a file, not a folder`);
    const entries = readdirSync(out);
    if (entries.length > 0 && !o.resume) {
      if (!o.force) {
        throw new UserError(`the output folder ${o.outDir} is not empty; pass --force to start over in it, or --resume ${o.outDir} to continue its run`);
      }
      for (const f of runFiles(o.specPath)) rmSync(join(out, f), { force: true });
      rmSync(join(out, 'weights'), { recursive: true, force: true });
    }
  }
  mkdirSync(out, { recursive: true });
  // A process killed while writing a checkpoint leaves its temp file (the checkpoint itself is intact): tidy up.
  for (const f of readdirSync(out)) if (f.startsWith(`.${CHECKPOINT_FILE}.`) && f.endsWith('.tmp')) rmSync(join(out, f), { force: true });
}

/** Keeps the metrics lines of steps ≤ `step` (a resumed run rewrites what came after). Atomic rename. */
export function truncateMetrics(outDir: string, step: number): void {
  const p = join(outDir, METRICS_FILE);
  if (!existsSync(p)) return;
  const kept = readFileSync(p, 'utf8')
    .split('\n')
    .filter((l) => {
      if (l.trim() === '') return false;
      try {
        const r = metricsLineSchema.pick({ step: true }).safeParse(JSON.parse(l));
        return r.success && r.data.step <= step;
      } catch {
        return false; // a torn last line from a killed run
      }
    });
  writeFileAtomicSync(p, kept.map((l) => l + '\n').join(''));
}

/** Thrown out of the training loop after a SIGINT checkpoint; caught by `controlledTraining`. */
class Interrupted extends Error {
  constructor(readonly state: TrainerState) {
    super('interrupted');
  }
}

export interface SignalSource {
  on(event: 'SIGINT', listener: () => void): unknown;
  off(event: 'SIGINT', listener: () => void): unknown;
}

export interface ControlledTrainingOptions {
  ir: IrNetwork;
  specPath: string;
  outDir: string;
  /** The run's resolved settings (seed, steps, batch, data, …): stored in checkpoints and compared on resume. */
  run: Record<string, unknown> & { seed: number };
  /** The spec's text: stored in checkpoints so `archc compact` can redo compaction from one. */
  specSource?: string;
  force?: boolean;
  /** Continue the run whose folder this is (must equal outDir when both are given). */
  resume?: string;
  /** Checkpoint every N steps (and at each epoch end and the last step); default ir.train.checkpointEvery. 0 = epoch ends only. */
  checkpointEvery?: number;
  /** Check every variable for NaN/Inf every K steps (always when the loss is non-finite); default 1. */
  numericsEvery?: number;
  log: (line: string) => void;
  /** Where SIGINT comes from; default process. Null: don't handle it. */
  signals?: SignalSource | null;
  /** On a second SIGINT: stop at once. Default process.exit(130). */
  hardExit?: () => void;
}

export interface TrainHooks {
  state?: TrainerState;
  onStep: (info: StepInfo, trainer: Trainer) => Promise<void>;
}

/**
 * Compaction's entry, the same one a finished run calls: writes the pruned spec for `state` and returns the path it
 * wrote (or true for the suggested `path`), or null/false when it cannot (the message then says so).
 */
export type WritePruned = (state: TrainerState, path: string) => Promise<string | boolean | null>;

export interface ControlledResult<R> {
  result: R;
  checkpoint: string | null;
}

/**
 * Runs `train` (which passes `hooks` to runTraining) under the run policy. Returns its result, or throws a
 * UserError: exit 130 after SIGINT (with the checkpoint and pruned spec named), 1 for NaN/Inf, a bad checkpoint,
 * a mismatched resume, or bad data.
 */
export async function controlledTraining<R>(
  o: ControlledTrainingOptions,
  train: (hooks: TrainHooks) => Promise<R>,
  writePruned?: WritePruned,
): Promise<ControlledResult<R>> {
  if (o.resume !== undefined && resolve(o.resume) !== resolve(o.outDir)) {
    throw new UserError(`--resume ${o.resume} and --out ${o.outDir} name different folders; a resumed run continues in its own folder`);
  }
  const outDir = resolve(o.outDir);
  const ckptPath = outputPath(outDir, CHECKPOINT_FILE, o.specPath);
  const hash = specHash(o.ir);
  let state: TrainerState | undefined;
  if (o.resume !== undefined) {
    if (!existsSync(ckptPath)) throw new UserError(`cannot resume: ${join(o.resume, CHECKPOINT_FILE)} does not exist`);
    let meta: CheckpointMeta;
    try {
      ({ meta, state } = readCheckpoint(ckptPath));
    } catch (e) {
      if (e instanceof CheckpointError) throw new UserError(`cannot resume: ${e.message}`);
      throw e;
    }
    const diff = firstDifference(o.run, meta.run);
    if (diff !== null) {
      throw new UserError(`cannot resume: ${diff.key} is ${JSON.stringify(diff.now)} but the checkpoint's run used ${JSON.stringify(diff.then)}; resume with the same settings`);
    }
    if (meta.specHash !== hash) {
      throw new UserError(`cannot resume: ${ckptPath} was written for a different spec (network '${meta.specName}'); the spec or its settings changed since`);
    }
    if (state.step >= state.plannedSteps) {
      throw new UserError(`nothing to resume: the run in ${o.resume} finished all ${state.plannedSteps} steps (archc compact ${o.resume} redoes its compaction from the checkpoint)`);
    }
  }
  prepareOutDir({ outDir, specPath: o.specPath, ir: o.ir, ...(o.force ? { force: true } : {}), ...(o.resume !== undefined ? { resume: true } : {}) });
  if (state) {
    truncateMetrics(outDir, state.step);
    o.log(`resuming from ${ckptPath} at step ${state.step}`);
  }

  const every = o.checkpointEvery ?? o.ir.train.checkpointEvery ?? 0;
  let lastGood: string | null = state ? ckptPath : null;
  let interruptRequested = false;
  const signals = o.signals === undefined ? process : o.signals;
  const onSigint = (): void => {
    if (interruptRequested) {
      o.log('second interrupt: stopping now without a checkpoint');
      (o.hardExit ?? (() => process.exit(130)))();
      return;
    }
    interruptRequested = true;
    o.log('interrupt: finishing the current step, then writing a checkpoint (press Ctrl-C again to stop at once)');
  };
  signals?.on('SIGINT', onSigint);

  const spec = o.specSource !== undefined ? { spec: { path: o.specPath, source: o.specSource } } : {};
  const save = (trainer: Trainer, info: StepInfo): TrainerState => {
    const s = trainer.getState();
    writeCheckpoint(ckptPath, {
      meta: { specHash: hash, specName: o.ir.name, seed: o.run.seed, step: info.step, epoch: trainer.epoch, plannedSteps: trainer.plannedSteps, run: o.run, createdAt: new Date().toISOString(), ...spec },
      state: s,
    });
    lastGood = ckptPath;
    return s;
  };

  const hooks: TrainHooks = {
    ...(state ? { state } : {}),
    onStep: async (info, trainer) => {
      checkStep(info, trainer.module, lastGood, { weightsEvery: o.numericsEvery ?? 1 });
      const due = (every > 0 && info.step % every === 0) || info.lastOfEpoch || info.step === trainer.plannedSteps;
      if (interruptRequested) throw new Interrupted(save(trainer, info));
      if (due) save(trainer, info);
    },
  };

  try {
    const result = await train(hooks);
    return { result, checkpoint: lastGood };
  } catch (e) {
    if (e instanceof Interrupted) {
      const where = [`checkpoint: ${ckptPath}`];
      const pruned = outputPath(outDir, prunedFileName(o.specPath), o.specPath);
      let note = 'not written (compaction is not available in this build)';
      try {
        const wrote = writePruned ? await writePruned(e.state, pruned) : null;
        if (typeof wrote === 'string') note = wrote;
        else if (wrote === true) note = pruned;
      } catch (err) {
        note = `not written: ${err instanceof Error ? err.message : String(err)}`;
      }
      where.push(`pruned spec: ${note}`);
      throw new UserError(`interrupted at step ${e.state.step}; ${where.join('; ')}; continue with --resume ${o.outDir}`, 130);
    }
    if (e instanceof NumericsError) throw new UserError(e.message);
    if (e instanceof DataError || e instanceof CheckpointError) throw new UserError(e.message);
    throw e;
  } finally {
    signals?.off('SIGINT', onSigint);
  }
}

/** The settings a run folder's checkpoint was written with (for flags a resume does not repeat). */
export function savedRun(dir: string): Record<string, unknown> {
  const p = join(resolve(dir), CHECKPOINT_FILE);
  if (!existsSync(p)) throw new UserError(`cannot resume: ${join(dir, CHECKPOINT_FILE)} does not exist`);
  try {
    return readCheckpoint(p).meta.run;
  } catch (e) {
    if (e instanceof CheckpointError) throw new UserError(`cannot resume: ${e.message}`);
    throw e;
  }
}

/** Refuses output names that escape `outDir` or land on the input spec, before anything is removed or written. */
export function checkRunOutputs(outDir: string, specPath: string, ir: Pick<IrNetwork, 'name'>): void {
  for (const f of runFiles(specPath)) outputPath(outDir, f, specPath);
}

/** Run settings a resume may change: the backend (a run can move to another machine; results then differ in the last bits). */
const MAY_CHANGE_ON_RESUME = new Set(['backend']);

/** The first setting (dotted key, one level of nesting) whose value differs between a run and its checkpoint. */
function firstDifference(now: Record<string, unknown>, then: Record<string, unknown>, prefix = ''): { key: string; now: unknown; then: unknown } | null {
  for (const [k, v] of Object.entries(now)) {
    if (!(k in then) || MAY_CHANGE_ON_RESUME.has(k)) continue;
    const w = then[k];
    if (prefix === '' && v !== null && w !== null && typeof v === 'object' && typeof w === 'object' && !Array.isArray(v)) {
      const d = firstDifference(v as Record<string, unknown>, w as Record<string, unknown>, `${k}.`);
      if (d !== null) return d;
    } else if (JSON.stringify(v) !== JSON.stringify(w)) return { key: prefix + k, now: v, then: w };
  }
  return null;
}
