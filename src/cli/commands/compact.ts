// `archc compact RUN_DIR [--input SPEC]`: redoes a run's compaction from its checkpoint, which holds the final
// trained state and the spec's text, so that a failure after training (a compaction bug, a full disk, Ctrl-C in the
// summary) never loses the run: writes RUN_DIR/<spec>.pruned.arch, weights/ and compaction.json, exactly as the end
// of `archc train` does. It holds the run folder's lock (the trainer's, src/train/run-lock.ts) while it works. Exit 0
// when the pruned spec re-checks, 1 for any problem (one line, no stack trace).

import { existsSync, readFileSync, statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { compactAndWrite, PrunedSpecRejected } from '../../compaction/index.ts';
import { CHECKPOINT_FILE, CheckpointError, findCheckpoint, readCheckpoint, specHash, type Checkpoint } from '../../runtime/train/checkpoint.ts';
import { compileText } from '../../semantic/compile.ts';
import { recordedRunIr, selectBackend } from '../../train/run.ts';
import { UserError, type Io } from '../io.ts';
import { lockRunDir } from '../../train/run-lock.ts';
import { renderAll } from './check.ts';
import { compactTorchRunCommand, isTorchRun } from './compact-torch.ts';
import type { RegisterCommand } from './index.ts';

export const registerCompact: RegisterCommand = (program: Command, io: Io) => {
  program
    .command('compact')
    .description("redo a run's compaction from its checkpoint: the pruned spec, weights/ and compaction.json")
    .argument('<run-dir>', 'output folder of archc train (holds checkpoint.archckpt), or of a PyTorch-target run (run.json)')
    .option('--input <file>', 'the spec the run trained, for checkpoints that do not record it (written by an older archc)')
    .action(async (dir: string, opts: { input?: string }) => {
      await compactRun(dir, opts, io);
    });
};

export async function compactRun(dir: string, opts: { input?: string }, io: Io): Promise<void> {
  const shown = (p: string) => relative(io.cwd, p) || '.';
  const d = resolve(io.cwd, dir);
  if (!existsSync(d) || !statSync(d).isDirectory()) throw new UserError(`${dir}: no such folder`);
  // The trainer's lock: no compaction while a train, --resume or another compact of this folder is running.
  let release: () => void;
  try {
    release = lockRunDir(d, shown(d));
  } catch (e) {
    if (e instanceof UserError) throw new UserError(`cannot compact: ${e.message}`);
    throw new UserError(`cannot compact ${dir}: cannot write in it (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  try {
    await compactLocked(d, dir, opts, io, shown);
  } finally {
    release();
  }
}

async function compactLocked(d: string, dir: string, opts: { input?: string }, io: Io, shown: (p: string) => string): Promise<void> {
  // A run of a trainer built with `archc build --target pytorch` (README "PyTorch target").
  if (isTorchRun(d)) return compactTorchRunCommand(dir, io);
  const ckpt = findCheckpoint(d);
  if (ckpt === null) throw new UserError(`${dir} has no ${CHECKPOINT_FILE}: nothing to compact (archc compact works on the folder of an archc train run)`);
  let cp: Checkpoint;
  try {
    cp = readCheckpoint(ckpt);
  } catch (e) {
    if (e instanceof CheckpointError) throw new UserError(`cannot compact: ${e.message}`);
    throw e;
  }
  const spec = specOf(cp, opts, io, ckpt);
  const compiled = compileText(spec.source, shown(spec.path));
  if (!compiled.ir || compiled.diagnostics.some((x) => x.severity === 'error')) {
    io.err(renderAll(compiled.diagnostics, compiled.source, false));
    throw new UserError(`${shown(spec.path)} does not compile, so the run cannot be compacted with it`);
  }
  // The spec's IR with the run's recorded settings (and budget flag), as the training stage applied them.
  const ir = recordedRunIr(compiled.ir, cp.meta.run, specHash, cp.meta.specHash) ?? compiled.ir;
  if (specHash(ir) !== cp.meta.specHash) {
    throw new UserError(`${shown(spec.path)} is not the spec that ${shown(ckpt)} was trained with (network '${cp.meta.specName}'); give that spec with --input`);
  }
  const { step, plannedSteps } = cp.state;
  io.out(`${ir.name}: compacting the state of ${shown(ckpt)} at step ${step}${step < plannedSteps ? ` of ${plannedSteps} (the run did not finish)` : ''}`);
  // The tfjs export builds a layers model: choose the backend first (tfjs's implicit cpu backend prints a banner).
  await selectBackend(undefined);
  try {
    // A finished run's last metrics line is its final evaluation (for the collapse warning).
    const final = step >= plannedSteps ? cp.state.history.at(-1) : undefined;
    const report = await compactAndWrite({
      ir,
      sourceText: spec.source,
      sourcePath: spec.path,
      weights: cp.state.weights,
      outDir: d,
      log: (l) => io.out(l),
      ...(final ? { accuracy: final.evalAccuracy } : {}),
    });
    io.out(`pruned spec: ${shown(report.prunedArch)}`);
  } catch (e) {
    if (e instanceof PrunedSpecRejected) throw new UserError(e.message);
    throw new UserError(`compaction failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The spec to compact with: --input, else the text the checkpoint recorded. */
function specOf(cp: Checkpoint, opts: { input?: string }, io: Io, ckpt: string): { path: string; source: string } {
  if (opts.input !== undefined) {
    const path = resolve(io.cwd, opts.input);
    try {
      return { path, source: readFileSync(path, 'utf8') };
    } catch {
      throw new UserError(`${opts.input}: cannot read it`);
    }
  }
  if (cp.meta.spec) return cp.meta.spec;
  throw new UserError(`${ckpt} does not record its spec (it was written by an older archc); give the spec it trained with --input SPEC`);
}
