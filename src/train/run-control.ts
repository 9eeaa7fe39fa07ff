// The policy around a training run, the training stage's for every command that trains: the output folder (refuse a
// non-empty one unless --force or --resume; --force removes only what the earlier run's run.json lists as its own;
// never write over the input spec; names cannot leave --out), one process per folder (run-lock.ts), checkpoints
// every N steps and at each epoch end, resume with a spec/settings check, NaN/Inf guards, and SIGINT: finish the
// step, checkpoint, write the pruned spec, say where both are, exit 130.

import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { writeFileAtomicSync } from '../io/atomic-write.ts';
import { samePath } from './same-path.ts';
import type { IrNetwork } from '../semantic/ir.ts';
import { DataError } from '../runtime/data/errors.ts';
import { CHECKPOINT_FILE, CheckpointError, readCheckpoint, specHash, writeCheckpoint, type CheckpointMeta } from '../runtime/train/checkpoint.ts';
import { checkStep, NumericsError } from '../runtime/train/numerics.ts';
import { metricsLineSchema } from '../runtime/train/metrics-schema.ts';
import type { StepInfo, Trainer, TrainerState } from '../runtime/train/trainer.ts';
import { failedPrunedName, prunedFileName } from '../compaction/index.ts';
import { METRICS_FILE } from '../runtime/train/trainer.ts';
import { UserError } from './io.ts';
import { LOCK_FILE, lockRunDir } from './run-lock.ts';
import { newRunMarker, readRunMarker, RUN_MARKER, writeRunMarker, type RunMarker } from './run-marker.ts';

export { METRICS_FILE };

/**
 * The files a run writes into its folder, relative and '/'-separated. Its run.json lists them as the run's own, and
 * a later --force removes these (and only these, and only when that run.json lists them) first.
 */
export function runFiles(specPath: string): string[] {
  const pruned = prunedFileName(specPath);
  return [METRICS_FILE, CHECKPOINT_FILE, pruned, failedPrunedName(pruned), 'compaction.json', 'report.html', 'weights/model.json', 'weights/weights.bin', RUN_MARKER];
}

/** `rel` ('/'-separated, from a run's file list) inside `outDir`, each segment a plain file name (see outputPath). */
function runFilePath(outDir: string, rel: string, specPath?: string): string {
  const parts = rel.split('/');
  let p = resolve(outDir);
  for (const part of parts) p = outputPath(p, part);
  if (specPath !== undefined && samePath(p, specPath)) {
    throw new UserError(`refusing to overwrite the input spec ${specPath}: choose another --out folder`);
  }
  return p;
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
  /** Files this command writes besides `runFiles` (relative, '/'-separated): recorded as the run's own too. */
  extraFiles?: string[];
  /** Facts for the run marker (data, command, …). */
  facts?: Record<string, unknown>;
}

/** Entries that do not make a folder "in use": the lock and a temp file of a checkpoint torn by a kill. */
function isHousekeeping(f: string): boolean {
  return f === LOCK_FILE || (f.startsWith(`.${CHECKPOINT_FILE}.`) && f.endsWith('.tmp'));
}

/**
 * Makes `outDir` ready and marks it as this run's (run.json): refused when it exists and holds anything, unless
 * --resume (kept as it is) or --force. --force removes only the files that the earlier run's run.json lists as its
 * own; when a file this run would write is there and is not on that list (a user's file of the same name, or a
 * folder without a run.json), it is refused, so nothing of the user's is removed or overwritten. Refused when
 * `outDir` is a file, or when a run file would land on the input spec.
 */
export function prepareOutDir(o: OutDirOptions): RunMarker {
  const out = resolve(o.outDir);
  const planned = [...runFiles(o.specPath), ...(o.extraFiles ?? [])];
  // Validates the names the run will write (and that none of them is the input spec) before touching anything.
  for (const f of planned) runFilePath(out, f, o.specPath);
  const prior = existsSync(out) ? readRunMarker(out) : null;
  if (existsSync(out)) {
    if (!statSync(out).isDirectory()) throw new UserError(`--out ${o.outDir} is a file, not a folder`);
    const entries = readdirSync(out).filter((f) => !isHousekeeping(f));
    if (entries.length > 0 && !o.resume) {
      if (!o.force) {
        throw new UserError(`the output folder ${o.outDir} is not empty; pass --force to start over in it, or --resume ${o.outDir} to continue its run`);
      }
      removeOwnedFiles(out, o.outDir, o.specPath, planned, prior);
    }
  }
  mkdirSync(out, { recursive: true });
  // A process killed while writing a checkpoint leaves its temp file (the checkpoint itself is intact): tidy up.
  for (const f of readdirSync(out)) if (isHousekeeping(f) && f !== LOCK_FILE) rmSync(join(out, f), { force: true });
  if (o.resume && prior) return prior;
  const marker = newRunMarker({ network: o.ir.name, spec: resolve(o.specPath), files: planned, ...(o.facts ? { facts: o.facts } : {}) });
  writeRunMarker(out, marker);
  return marker;
}

/** --force: removes what `prior` (the folder's run marker) owns; refuses when a planned file is not the run's. */
function removeOwnedFiles(out: string, shown: string, specPath: string, planned: readonly string[], prior: RunMarker | null): void {
  const owned = new Set(prior?.files ?? []);
  const foreign = planned.filter((f) => (f === RUN_MARKER ? prior === null : !owned.has(f)) && existsSync(join(out, f)));
  if (foreign.length > 0) {
    const names = foreign.map((f) => `'${f}'`).join(', ');
    const why = prior === null ? `${shown} has no ${RUN_MARKER} of an archc run` : `the run recorded in ${join(shown, RUN_MARKER)} did not write ${foreign.length > 1 ? 'them' : 'it'}`;
    throw new UserError(
      `--force removes only files an earlier archc run recorded as its own, and ${why}: ${names} would be overwritten. Move ${foreign.length > 1 ? 'them' : 'it'} away, or choose another --out`,
    );
  }
  const dirs = new Set<string>();
  for (const f of owned) {
    let p: string;
    try {
      p = runFilePath(out, f, specPath);
    } catch {
      continue; // a hand-edited run.json naming something outside the folder (or the spec): not ours to remove
    }
    if (existsSync(p) && lstatSync(p).isFile()) rmSync(p, { force: true });
    if (f.includes('/')) dirs.add(dirname(p));
  }
  // Folders the run made (weights/) go when they are empty; a user's file inside keeps its folder.
  for (const d of dirs) if (existsSync(d) && readdirSync(d).length === 0) rmdirSync(d);
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
  /**
   * The spec's own IR, before flags were applied: its settings and hash are recorded, and a resume refuses a spec
   * that changed since (naming the first setting that did), instead of continuing with the old values silently.
   */
  specIr?: IrNetwork;
  /** Facts for the run marker (run.json): the run's data, the command, … */
  facts?: Record<string, unknown>;
  /** Files the command writes besides `runFiles` (relative, '/'-separated): recorded as the run's own too. */
  extraFiles?: string[];
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
  /** What follows a finished run in its folder (summary, compaction, a report): run with the folder still locked. */
  finish?: (done: ControlledResult<R>) => Promise<void>,
): Promise<ControlledResult<R>> {
  if (o.resume !== undefined && resolve(o.resume) !== resolve(o.outDir)) {
    throw new UserError(`--resume ${o.resume} and --out ${o.outDir} name different folders; a resumed run continues in its own folder`);
  }
  const outDir = resolve(o.outDir);
  const ckptPath = outputPath(outDir, CHECKPOINT_FILE, o.specPath);
  const hash = specHash(o.ir);
  const run = o.specIr ? { ...o.run, spec: specRecord(o.specIr) } : o.run;
  checkRunOutputs(outDir, o.specPath, o.ir, o.extraFiles);
  if (existsSync(outDir) && !statSync(outDir).isDirectory()) throw new UserError(`--out ${o.outDir} is a file, not a folder`);
  if (o.resume !== undefined && !existsSync(ckptPath)) throw new UserError(`cannot resume: ${join(o.resume, CHECKPOINT_FILE)} does not exist`);
  mkdirSync(outDir, { recursive: true });
  // One process per run folder: a second run (or resume) of the same folder is refused with the first one's pid.
  const unlock = lockRunDir(outDir, o.outDir);
  try {
    const done = await lockedTraining(o, run, outDir, ckptPath, hash, train, writePruned);
    await finish?.(done);
    return done;
  } finally {
    unlock();
  }
}

async function lockedTraining<R>(
  o: ControlledTrainingOptions,
  run: Record<string, unknown> & { seed: number },
  outDir: string,
  ckptPath: string,
  hash: string,
  train: (hooks: TrainHooks) => Promise<R>,
  writePruned?: WritePruned,
): Promise<ControlledResult<R>> {
  let state: TrainerState | undefined;
  if (o.resume !== undefined) {
    let meta: CheckpointMeta;
    try {
      ({ meta, state } = readCheckpoint(ckptPath));
    } catch (e) {
      if (e instanceof CheckpointError) throw new UserError(`cannot resume: ${e.message}`);
      throw e;
    }
    const changed = o.specIr ? specChange(run['spec'] as SpecRecord, meta.run['spec'] as SpecRecord | undefined) : null;
    if (changed !== null) {
      throw new UserError(
        `cannot resume: ${o.specPath} changed since the run started (${changed}); a resumed run continues with the spec it started with. ` +
          'Restore the spec to resume, or start a new run with the edited spec (--force, or another --out)',
      );
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
  prepareOutDir({
    outDir,
    specPath: o.specPath,
    ir: o.ir,
    ...(o.force ? { force: true } : {}),
    ...(o.resume !== undefined ? { resume: true } : {}),
    ...(o.facts ? { facts: o.facts } : {}),
    ...(o.extraFiles ? { extraFiles: o.extraFiles } : {}),
  });
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
      meta: { specHash: hash, specName: o.ir.name, seed: o.run.seed, step: info.step, epoch: trainer.epoch, plannedSteps: trainer.plannedSteps, run, createdAt: new Date().toISOString(), ...spec },
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
export function checkRunOutputs(outDir: string, specPath: string, _ir: Pick<IrNetwork, 'name'>, extraFiles: readonly string[] = []): void {
  for (const f of [...runFiles(specPath), ...extraFiles]) runFilePath(outDir, f, specPath);
}

/** What a run records of its spec as written: a hash of the IR and the settings a resume compares by name. */
interface SpecRecord {
  hash: string;
  settings: { train: Record<string, unknown>; sparsify: Record<string, unknown> };
}

function specRecord(ir: IrNetwork): SpecRecord {
  // How often checkpoints are written does not change what a run computes: the spec may change it between runs.
  const train = { ...ir.train, checkpointEvery: null };
  return { hash: specHash({ ...ir, train }), settings: JSON.parse(JSON.stringify({ train, sparsify: ir.sparsify })) as SpecRecord['settings'] };
}

/** The first difference between the spec now and as the run recorded it, in words; null when none (or no record). */
function specChange(now: SpecRecord, then: SpecRecord | undefined): string | null {
  if (!then || typeof then.hash !== 'string') return null;
  if (now.hash === then.hash) return null;
  const d = deepDifference(now.settings, then.settings ?? {}, '');
  if (d !== null) return `${d.key} is ${JSON.stringify(d.now)} in it now, the run started with ${JSON.stringify(d.then)}`;
  return 'its network (inputs, layers or blocks) is not the one the run started with';
}

function deepDifference(now: unknown, then: unknown, key: string): { key: string; now: unknown; then: unknown } | null {
  const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObj(now) && isObj(then)) {
    for (const k of new Set([...Object.keys(now), ...Object.keys(then)])) {
      const d = deepDifference(now[k], then[k], key === '' ? k : `${key}.${k}`);
      if (d !== null) return d;
    }
    return null;
  }
  return JSON.stringify(now) === JSON.stringify(then) ? null : { key, now: now ?? null, then: then ?? null };
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
