// `archc eval SPEC --weights DIR --data PATH|synthetic [--split test|valid] [--backend …] [--limit N]`: evaluate a
// compacted (pruned) network from its exported tfjs weights. The spec is compiled, the weights in DIR/model.json +
// weights.bin are matched to its layers by name and shape (a mismatch names the layer and both shapes), every mask
// is switched on (a compacted network keeps all of its structures), and accuracy or perplexity is printed. Without
// --data it evaluates on the data the run trained on (its run.json, next to the weights), and always says which.

import { dirname, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadTfjsWeights, WeightsMismatchError } from '../../compaction/tfjs-format.ts';
import { configureNative, initBackend, nativeOptionsFromEnv, type BackendChoice } from '../../runtime/backend/index.ts';
import { DataError, openDataset } from '../../runtime/data/index.ts';
import { IrModule, type WeightMap } from '../../runtime/module.ts';
import { evaluate } from '../../runtime/train/evaluate.ts';
import type { IrNetwork, TrainConfig } from '../../semantic/ir.ts';
import { compileOrReport } from '../compile-or-report.ts';
import { UserError, type Io } from '../io.ts';
import { readRunMarker, RUN_MARKER, type RunData } from '../run-marker.ts';
import type { RegisterCommand } from './index.ts';

interface EvalOpts {
  weights: string;
  data?: string;
  split?: string;
  backend?: string;
  limit?: string;
  json?: boolean;
}

const BACKENDS = ['node-gpu', 'node', 'native', 'wasm', 'cpu'];

interface DataChoice {
  data: TrainConfig['data'];
  /** Where the choice came from: --data, the run's run.json, or the spec. */
  source: 'flag' | 'run' | 'spec';
  seed?: number;
  synthetic?: RunData['synthetic'];
  /** One line saying which data this is and why. */
  note: string;
}

/**
 * The data to evaluate on: --data when given; else the data the run trained on, from the run.json found in one of
 * `runDirs` (next to the weights, or to the spec); else the spec's own. The note says which, so a run trained on
 * synthetic data is never silently evaluated on the spec's real data set (or the other way round).
 */
function chooseData(ir: IrNetwork, flag: string | undefined, cwd: string, runDirs: string[]): DataChoice {
  let run: { dir: string; data: RunData } | null = null;
  for (const d of runDirs) {
    const m = readRunMarker(d);
    if (m?.data && typeof m.data.data === 'string') {
      run = { dir: d, data: m.data };
      break;
    }
  }
  const fromRun = (r: RunData): TrainConfig['data'] =>
    r.data === 'synthetic' ? { kind: 'synthetic', path: null } : r.data === ir.train.data.kind ? { kind: ir.train.data.kind, path: null } : { kind: ir.train.data.kind, path: r.data };
  const runFile = run ? relative(cwd, join(run.dir, RUN_MARKER)) || RUN_MARKER : '';
  if (flag !== undefined) {
    const data: TrainConfig['data'] = flag === 'synthetic' ? { kind: 'synthetic', path: null } : { kind: ir.train.data.kind, path: resolve(cwd, flag) };
    const same = run !== null && JSON.stringify(fromRun(run.data)) === JSON.stringify(data);
    const note = run === null || same ? '--data as given' : `--data as given; note the run trained on ${run.data.data} (${runFile})`;
    return { data, source: 'flag', ...(same && run ? { seed: run.data.seed, ...(run.data.synthetic ? { synthetic: run.data.synthetic } : {}) } : {}), note };
  }
  if (run) {
    return {
      data: fromRun(run.data),
      source: 'run',
      seed: run.data.seed,
      ...(run.data.synthetic ? { synthetic: run.data.synthetic } : {}),
      note: `the data the run trained on (${run.data.data}, from ${runFile}); --data chooses another`,
    };
  }
  return { data: ir.train.data, source: 'spec', note: `the spec's data (${ir.train.data.path ?? ir.train.data.kind}); no run.json next to the weights or the spec says what the run trained on; --data chooses another` };
}

export const registerEval: RegisterCommand = (program: Command, io: Io, setExit: (code: number) => void) => {
  program
    .command('eval')
    .description('evaluate a (pruned) spec with exported weights: accuracy or perplexity')
    .argument('<spec>', '.arch file the weights belong to (e.g. runs/…/NAME.pruned.arch)')
    .requiredOption('--weights <dir>', 'directory with model.json and weights.bin (tfjs layers format)')
    .option('--data <path>', "the data set's directory, or 'synthetic' (default: the spec's data)")
    .option('--split <split>', "'test' or 'valid' (default: test for images, valid for text)")
    .option('--backend <name>', `force a backend: ${BACKENDS.join(', ')}`)
    .option('--limit <n>', 'evaluate at most n batches')
    .option('--json', 'print the result as one JSON object')
    .action(async (spec: string, opts: EvalOpts) => {
      if (opts.split !== undefined && opts.split !== 'test' && opts.split !== 'valid') throw new UserError(`--split must be 'test' or 'valid', not '${opts.split}'`);
      if (opts.backend !== undefined && !BACKENDS.includes(opts.backend)) throw new UserError(`--backend must be one of ${BACKENDS.join(', ')}`);
      const limit = opts.limit === undefined ? undefined : Number(opts.limit);
      if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new UserError(`--limit must be a positive integer, not '${opts.limit}'`);
      const ir = await compileOrReport(spec, io, setExit);
      if (!ir) return;
      configureNative(nativeOptionsFromEnv(process.env));
      await initBackend(opts.backend as BackendChoice | undefined);
      let weights: WeightMap;
      try {
        weights = await loadTfjsWeights(resolve(io.cwd, opts.weights), ir);
      } catch (e) {
        if (e instanceof WeightsMismatchError) throw new UserError(e.message);
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') throw new UserError(`cannot read the weights in ${opts.weights}: expected model.json and weights.bin there`);
        throw e;
      }
      // Every structure of a compacted network is kept: masks on (s = 1 > 0) for every maskable group.
      for (const g of ir.groups) if (g.maskable) weights[`masks/${g.name}/s`] = { shape: [g.width], data: new Float32Array(g.width).fill(1) };
      const choice = chooseData(ir, opts.data, io.cwd, [dirname(resolve(io.cwd, opts.weights)), dirname(resolve(io.cwd, spec)), resolve(io.cwd, opts.weights)]);
      const data = choice.data;
      const module = new IrModule(ir, { seed: ir.train.seed });
      try {
        module.setWeights(weights);
        let dataset;
        try {
          dataset = openDataset(data, {
            input: ir.input,
            ...(ir.task === 'classification' ? { classes: ir.outputs } : {}),
            seed: choice.seed ?? ir.train.seed,
            ...(choice.synthetic ? { synthetic: choice.synthetic } : {}),
          });
        } catch (e) {
          if (e instanceof DataError) throw new UserError(e.message);
          throw e;
        }
        const split = (opts.split as 'test' | 'valid' | undefined) ?? (dataset.kind === 'image' ? 'test' : 'valid');
        const r = await evaluate(module, dataset, split, limit !== undefined ? { limit } : {});
        if (opts.json) {
          io.out(JSON.stringify({ spec, weights: opts.weights, data: dataset.description, dataSource: choice.source, dataNote: choice.note, split: r.split, examples: r.examples, loss: r.loss, accuracy: r.accuracy, perplexity: r.perplexity, params: ir.params, macs: ir.macs }, null, 2));
        } else {
          const metric = r.perplexity !== null ? `perplexity ${r.perplexity.toFixed(2)} (loss ${r.loss.toFixed(4)}, next-token accuracy ${(100 * r.accuracy).toFixed(2)}%)` : `accuracy ${(100 * r.accuracy).toFixed(2)}% (loss ${r.loss.toFixed(4)})`;
          io.out(`${ir.name}: ${metric} on ${r.examples.toLocaleString('en-US')} ${r.split} ${ir.task === 'classification' ? 'examples' : 'tokens'} of ${dataset.description}`);
          io.out(`  params ${ir.params.toLocaleString('en-US')}, MACs ${ir.macs.toLocaleString('en-US')} per example`);
          io.out(`  data: ${choice.note}`);
        }
      } finally {
        module.dispose();
      }
    });
};
