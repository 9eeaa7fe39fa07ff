// `archc demo [--out runs/demo] [--force] [--quick] [--fallback] [--steps N]` (= `npm run demo`): trains specs/demo-fashion.arch
// on Fashion-MNIST with continuous sparsification, compacts it to `<out>/<name>.pruned.arch`, prints `archc diff`
// of input vs pruned, writes `<out>/report.html`, and says where everything is. Without Fashion-MNIST installed
// (apt-get install dataset-fashion-mnist) it says so and trains on the runtime's generated synthetic images (a
// fixed low-frequency pattern per class plus noise), so it works on a fresh machine after `npm install` alone.
// It trains through the training stage (src/train/), so the output folder follows archc train's policy: refused when
// not empty unless --force.

import { copyFileSync, existsSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { hasErrors } from '../../diagnostics/index.ts';
import { PACKAGE_ROOT } from '../../codegen/package-root.ts';
import { writeFileAtomicSync } from '../../io/atomic-write.ts';
import { prunedFileName } from '../../compaction/index.ts';
import { writeReport } from '../../report/index.ts';
import { DEFAULT_DIRS } from '../../runtime/data/index.ts';
import { IrModule, type RunTrainingResult } from '../../runtime/index.ts';
import { METRICS_FILE } from '../../runtime/train/trainer.ts';
import { compileFile } from '../../semantic/compile.ts';
import type { IrNetwork, TrainConfig } from '../../semantic/ir.ts';
import { updateRunMarker } from '../../train/run-marker.ts';
import { parseRunOptions } from '../../train/options.ts';
import { interpretedNet, trainRun } from '../../train/run.ts';
import { UserError, type Io } from '../io.ts';
import { renderAll } from './check.ts';
import type { RegisterCommand } from './index.ts';
import { grouped } from '../../io/numbers.ts';

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
  // --steps is validated as the trainers' flag is (the training stage's one schema).
  const steps = opts.steps !== undefined ? parseRunOptions({ steps: opts.steps }).steps : opts.quick ? 30 : (ir.train.steps ?? undefined);

  // The run, through the training stage like archc train: the output folder under the same policy (refused when
  // not empty unless --force, which removes only what an earlier run there recorded as its own, run.json; locked
  // while it trains and reports), checkpoints, compaction. The demo adds the input copy, masks-final.json and diff.json.
  const inputCopy = join(out, basename(specPath));
  const pruned = join(out, prunedFileName(specPath));
  const extraFiles = [basename(specPath), 'diff.json', 'masks-final.json'];
  io.out(`archc demo: training ${shown(specPath)} (${ir.name}: ${grouped(ir.params)} params, ${(ir.macs / 1e6).toFixed(2)}M MACs) on ${dataNote}`);
  const net = interpretedNet(ir, { path: specPath, shown: shown(specPath), source: c.source.text });
  await trainRun(
    net,
    { data, ...(steps !== undefined ? { steps } : {}), logEvery: opts.quick ? 10 : 50, evalLimit: opts.quick ? 128 : 1000, synthetic, out, ...(opts.force ? { force: true } : {}) },
    { ...io, isTTY: false },
    {
      extraFiles,
      quiet: true,
      compactionFailure: 'report',
      // The demo has no --resume: Ctrl-C stops it as any program.
      signals: null,
      onReady: () => copyFileSync(specPath, inputCopy),
      onTrained: (r) => {
        const masks: Record<string, { s: number[]; beta: number[] }> = {};
        for (const [name, g] of Object.entries(r.state.masks.groups)) masks[name] = { s: Array.from(g.s), beta: Array.from(g.beta) };
        writeFileAtomicSync(join(out, 'masks-final.json'), JSON.stringify(masks));
      },
      // The diff and the report, with the run folder still locked.
      onDone: async ({ result, compactionFailure }) => {
        await report({ opts, io, ir, out, inputCopy, pruned, dataNote, result, shown, t0, compactionFailure });
        // After the summary and the report: exit 1 naming the checkpoint and `archc compact` (README "Reliability").
        if (compactionFailure !== null) throw new UserError(compactionFailure);
      },
    },
  );
}

interface DemoReport {
  opts: DemoOptions;
  io: Io;
  ir: IrNetwork;
  out: string;
  inputCopy: string;
  pruned: string;
  dataNote: string;
  result: RunTrainingResult;
  shown: (p: string) => string;
  t0: number;
  compactionFailure: string | null;
}

async function report({ opts, io, ir, out, inputCopy, pruned, dataNote, result, shown, t0, compactionFailure }: DemoReport): Promise<void> {
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
  const reportFile = await writeReport(out, { input: inputCopy });
  const f = result.finalMetrics;
  io.out('');
  io.out(
    `accuracy ${(100 * f.evalAccuracy).toFixed(2)}% (${f.evalSplit}), params ${grouped(f.denseParams)} → ${grouped(f.archParams)}, ` +
      `MACs ${(f.denseMacs / 1e6).toFixed(2)}M → ${(f.archMacs / 1e6).toFixed(2)}M, training MACs ${((100 * f.sampledMacsTotal) / Math.max(1, f.denseMacsTotal)).toFixed(1)}% of dense, ${wall.toFixed(0)} s`,
  );
  io.out(`input spec:   ${shown(inputCopy)}`);
  io.out(`pruned spec:  ${existsSync(pruned) ? shown(pruned) : compactionFailure !== null ? '(not written: compaction failed, see below)' : '(not written: compaction is not available in this build)'}`);
  io.out(`metrics:      ${shown(join(out, METRICS_FILE))}`);
  io.out(`report:       ${shown(reportFile)}  (open it in a browser; it works offline)`);
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
