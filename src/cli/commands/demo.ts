// `archc demo [--out runs/demo] [--force] [--quick] [--fallback] [--steps N]` (= `npm run demo`): trains specs/demo-fashion.arch
// on Fashion-MNIST with continuous sparsification, compacts it to `<out>/<name>.pruned.arch`, prints `archc diff`
// of input vs pruned, writes `<out>/report.html`, and says where everything is. Without Fashion-MNIST installed
// (apt-get install dataset-fashion-mnist) it says so and trains on the runtime's generated synthetic images (a
// fixed low-frequency pattern per class plus noise), so it works on a fresh machine after `npm install` alone.
// The output folder follows archc train's policy (run-control.ts): refused when not empty unless --force. The final
// state goes to <out>/checkpoint.archckpt before compaction; a compaction failure exits 1 naming `archc compact`.

import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { hasErrors } from '../../diagnostics/index.ts';
import { PACKAGE_ROOT } from '../../codegen/package-root.ts';
import { writeFileAtomicSync } from '../../io/atomic-write.ts';
import { compactAndWrite, prunedFileName } from '../../compaction/index.ts';
import { writeReport } from '../../report/index.ts';
import { DEFAULT_DIRS } from '../../runtime/data/index.ts';
import { IrModule, runTraining } from '../../runtime/index.ts';
import { CHECKPOINT_FILE, specHash, writeCheckpoint } from '../../runtime/train/checkpoint.ts';
import { compileFile } from '../../semantic/compile.ts';
import type { IrNetwork, TrainConfig } from '../../semantic/ir.ts';
import { UserError, type Io } from '../io.ts';
import { checkRunOutputs, METRICS_FILE, prepareOutDir } from '../run-control.ts';
import { lockRunDir } from '../run-lock.ts';
import { updateRunMarker, type RunData } from '../run-marker.ts';
import { selectBackend } from '../trainer-main.ts';
import { renderAll } from './check.ts';
import type { RegisterCommand } from './index.ts';

export const DEMO_SPEC = join(PACKAGE_ROOT, 'specs', 'demo-fashion.arch');
const FASHION_FILES = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];

interface DemoOptions {
  out: string;
  force?: boolean;
  quick?: boolean;
  fallback?: boolean;
  steps?: string;
  spec?: string;
}

export const registerDemo: RegisterCommand = (program: Command, io: Io) => {
  program
    .command('demo')
    .description('train a small Fashion-MNIST CNN with sparsification, write the pruned .arch, print the diff and write report.html')
    .option('--out <dir>', 'output folder', 'runs/demo')
    .option('--force', 'write into a non-empty --out, replacing what an earlier run there wrote (never other files)')
    .option('--quick', 'a tiny run (30 steps) to see every stage work in well under a minute')
    .option('--fallback', 'use the embedded synthetic fallback even when Fashion-MNIST is installed')
    .option('--steps <n>', "override the spec's training steps")
    .option('--spec <file>', 'train another image-classification spec instead of specs/demo-fashion.arch')
    .action(async (opts: DemoOptions) => {
      await runDemo(opts, io);
    });
};

function fashionInstalled(): boolean {
  return FASHION_FILES.every((f) => existsSync(join(DEFAULT_DIRS['fashion-mnist'], f)));
}

export async function runDemo(opts: DemoOptions, io: Io): Promise<void> {
  const t0 = Date.now();
  const specPath = opts.spec ? resolve(io.cwd, opts.spec) : DEMO_SPEC;
  const out = resolve(io.cwd, opts.out);
  const shown = (p: string) => relative(io.cwd, p) || '.';
  const c = await compileFile(specPath, shown(specPath));
  if (hasErrors(c.diagnostics) || !c.ir) {
    io.err(renderAll(c.diagnostics, c.source, false));
    throw new UserError(`${shown(specPath)} does not compile`);
  }
  const ir = c.ir;
  if (ir.task !== 'classification' || ir.input.kind !== 'image') throw new UserError('archc demo trains image classifiers; use archc train for other specs');

  // Data: the real Fashion-MNIST when apt installed it, else the generated fallback.
  let data: TrainConfig['data'] | 'synthetic';
  let dataNote: string;
  const synthetic = opts.quick ? { train: 384, test: 128 } : { train: 12000, test: 2000 };
  if (!opts.fallback && fashionInstalled()) {
    data = { kind: 'fashion-mnist', path: DEFAULT_DIRS['fashion-mnist'] };
    dataNote = `Fashion-MNIST (60,000 train / 10,000 test images from ${DEFAULT_DIRS['fashion-mnist']})`;
  } else {
    data = 'synthetic';
    dataNote = `synthetic images (${synthetic.train} train / ${synthetic.test} test, 10 classes: a fixed pattern per class plus noise)`;
    io.out(
      opts.fallback
        ? 'data: --fallback given: using the embedded synthetic fallback.'
        : `data: Fashion-MNIST is not installed (expected in ${DEFAULT_DIRS['fashion-mnist']}/; install it with apt-get install dataset-fashion-mnist).\n      Using the embedded fallback instead: generated synthetic images, so every stage runs, but accuracy means little.`,
    );
  }
  const steps = opts.steps !== undefined ? Number(opts.steps) : opts.quick ? 30 : (ir.train.steps ?? undefined);
  if (steps !== undefined && (!Number.isInteger(steps) || steps < 1)) throw new UserError(`--steps must be a positive integer, got ${opts.steps}`);

  // The output folder, under the same policy as archc train: refused when not empty unless --force, which removes only
  // what an earlier run there recorded as its own (run.json); locked while this demo runs.
  const inputCopy = join(out, basename(specPath));
  const pruned = join(out, prunedFileName(specPath));
  const extraFiles = [basename(specPath), 'diff.json', 'masks-final.json'];
  const shownOut = shown(out);
  checkRunOutputs(out, specPath, ir, extraFiles);
  if (existsSync(out) && !statSync(out).isDirectory()) throw new UserError(`--out ${shownOut} is a file, not a folder`);
  mkdirSync(out, { recursive: true });
  const unlock = lockRunDir(out, shownOut);
  try {
    const runData: RunData = { data: data === 'synthetic' ? 'synthetic' : (data.path ?? data.kind), kind: ir.train.data.kind, seed: ir.train.seed, ...(data === 'synthetic' ? { synthetic } : {}) };
    prepareOutDir({ outDir: out, specPath, ir, extraFiles, ...(opts.force ? { force: true } : {}), facts: { data: runData } });
    copyFileSync(specPath, inputCopy);
    await trainAndReport({ opts, io, ir, specPath, out, inputCopy, pruned, data, dataNote, steps, synthetic, shown, t0 });
  } finally {
    unlock();
  }
}

interface DemoRun {
  opts: DemoOptions;
  io: Io;
  ir: IrNetwork;
  specPath: string;
  out: string;
  inputCopy: string;
  pruned: string;
  data: TrainConfig['data'] | 'synthetic';
  dataNote: string;
  steps: number | undefined;
  synthetic: { train: number; test: number };
  shown: (p: string) => string;
  t0: number;
}

async function trainAndReport({ opts, io, ir, specPath, out, inputCopy, pruned, data, dataNote, steps, synthetic, shown, t0 }: DemoRun): Promise<void> {
  io.out(`archc demo: training ${shown(specPath)} (${ir.name}: ${ir.params.toLocaleString('en-US')} params, ${(ir.macs / 1e6).toFixed(2)}M MACs) on ${dataNote}`);
  const logEvery = opts.quick ? 10 : 50;
  await selectBackend(undefined);
  const module = new IrModule(ir, { seed: ir.train.seed });
  let result;
  let compactionFailure: string | null = null;
  try {
    result = await runTraining({
      ir,
      module,
      data,
      outDir: out,
      log: (l) => io.out(l),
      isTTY: false,
      overrides: { ...(steps !== undefined ? { steps } : {}), logEvery, evalLimit: opts.quick ? 128 : 1000, synthetic },
    });
    const masks: Record<string, { s: number[]; beta: number[] }> = {};
    for (const [name, g] of Object.entries(result.state.masks.groups)) masks[name] = { s: Array.from(g.s), beta: Array.from(g.beta) };
    writeFileAtomicSync(join(out, 'masks-final.json'), JSON.stringify(masks));

    // The final state and the spec's text, as archc train's last checkpoint holds them: `archc compact <out>` redoes
    // the compaction from it, so a failure below loses nothing.
    const source = readFileSync(specPath, 'utf8');
    const ckpt = join(out, CHECKPOINT_FILE);
    const st = result.state;
    writeCheckpoint(ckpt, {
      meta: { specHash: specHash(ir), specName: ir.name, seed: ir.train.seed, step: st.step, epoch: result.finalMetrics.epoch, plannedSteps: st.plannedSteps, run: { seed: ir.train.seed, command: 'demo' }, createdAt: new Date().toISOString(), spec: { path: specPath, source } },
      state: st,
    });

    // Compaction: <out>/<spec>.pruned.arch (the input text with the learned widths), weights/, compaction.json.
    io.out('');
    try {
      await compactAndWrite({ ir, sourceText: source, sourcePath: specPath, module, outDir: out, log: (l) => io.out(l) });
    } catch (e) {
      // The demo goes on to its summary and report, then exits 1 with this (README "Reliability").
      compactionFailure = `compaction failed: ${e instanceof Error ? e.message : String(e)}; the trained network is saved in ${shown(ckpt)}; after fixing the cause, archc compact ${shown(out)} redoes it`;
      io.err(compactionFailure);
    }
  } finally {
    module.dispose();
  }

  io.out('');
  if (existsSync(pruned) && (await hasDiffCommand(io))) {
    io.out(`$ archc diff ${shown(inputCopy)} ${shown(pruned)}`);
    const { run } = await import('../main.ts');
    await run(['diff', inputCopy, pruned], io);
    const json: string[] = [];
    await run(['diff', inputCopy, pruned, '--json'], { ...io, out: (t) => void json.push(t), err: () => {} });
    try {
      writeFileAtomicSync(join(out, 'diff.json'), JSON.stringify(JSON.parse(json.join('\n')), null, 2));
    } catch {
      // diff --json printed nothing parseable: the report computes widths itself.
    }
  } else {
    io.out(`width diff (input → learned, from the final masks 1[s>0]; ${existsSync(pruned) ? 'archc diff is not available yet' : 'no pruned .arch to diff yet'}):`);
    io.out(widthDiff(ir, result.keptWidths));
  }

  const wall = (Date.now() - t0) / 1000;
  updateRunMarker(out, { dataset: dataNote, backend: result.backend.name, input: inputCopy, command: `archc demo${opts.quick ? ' --quick' : ''}${opts.fallback ? ' --fallback' : ''}`, wallTime: wall });
  const report = await writeReport(out, { input: inputCopy });
  const f = result.finalMetrics;
  io.out('');
  io.out(
    `accuracy ${(100 * f.evalAccuracy).toFixed(2)}% (${f.evalSplit}), params ${f.denseParams.toLocaleString('en-US')} → ${f.archParams.toLocaleString('en-US')}, ` +
      `MACs ${(f.denseMacs / 1e6).toFixed(2)}M → ${(f.archMacs / 1e6).toFixed(2)}M, training MACs ${((100 * f.sampledMacsTotal) / Math.max(1, f.denseMacsTotal)).toFixed(1)}% of dense, ${wall.toFixed(0)} s`,
  );
  io.out(`input spec:   ${shown(inputCopy)}`);
  io.out(`pruned spec:  ${existsSync(pruned) ? shown(pruned) : compactionFailure !== null ? '(not written: compaction failed, see below)' : '(not written: compaction is not available in this build)'}`);
  io.out(`metrics:      ${shown(join(out, METRICS_FILE))}`);
  io.out(`report:       ${shown(report)}  (open it in a browser; it works offline)`);
  if (compactionFailure !== null) throw new UserError(compactionFailure);
}

/** Widths per mask group, input → kept, as the fallback when there is no pruned .arch or no diff command. */
export function widthDiff(ir: IrNetwork, kept: Record<string, number>): string {
  const rows = ir.groups.map((g) => [g.name, String(g.width), String(kept[g.name] ?? g.width), g.maskable ? '' : '(not maskable)']);
  const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => `  ${r[0]!.padEnd(w[0]!)}  ${r[1]!.padStart(w[1]!)} → ${r[2]!.padStart(w[2]!)}  ${r[3]}`.trimEnd()).join('\n');
}

async function hasDiffCommand(_io: Io): Promise<boolean> {
  // Imported here, not at the top: index.ts imports this module (a cycle when demo.ts loads first).
  const { commandLoaders } = await import('./index.ts');
  return Object.hasOwn(commandLoaders, 'diff');
}
