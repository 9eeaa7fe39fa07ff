// `archc eval`'s run, in the training stage: a compiled spec and its exported tfjs weights (DIR/model.json +
// weights.bin, matched to its layers by name and shape: a mismatch names the layer and both shapes), every mask
// switched on (a compacted network keeps all of its structures), the backend chosen before any weight exists, the
// data (as given, else what the run trained on, from its run.json, else the spec's; the note says which), and the
// evaluation: accuracy or perplexity.

import { dirname, join, relative, resolve } from 'node:path';
import { loadTfjsWeights, WeightsMismatchError } from '../compaction/tfjs-format.ts';
import { DataError, openDataset, type Dataset } from '../runtime/data/index.ts';
import { IrModule, type WeightMap } from '../runtime/module.ts';
import { evaluate, type EvalResult } from '../runtime/train/evaluate.ts';
import type { IrNetwork, TrainConfig } from '../semantic/ir.ts';
import { UserError } from './io.ts';
import type { Backend } from './options.ts';
import { readRunMarker, RUN_MARKER, type RunData } from './run-marker.ts';
import { selectBackend } from './run.ts';

export interface EvalRunOptions {
  /** The spec as the user wrote it (relative to cwd), and its compiled IR. */
  spec: string;
  ir: IrNetwork;
  /** The weights' folder as written (relative to cwd). */
  weights: string;
  /** --data: a path or 'synthetic'; default: the run's data, else the spec's. */
  data?: string;
  split?: 'test' | 'valid';
  backend?: Backend;
  /** Evaluate at most this many batches. */
  limit?: number;
  cwd: string;
}

export interface EvalRunResult {
  result: EvalResult;
  /** What the loader says it opened. */
  dataset: string;
  choice: Pick<DataChoice, 'source' | 'note'>;
}

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

/** Loads the weights into the network and evaluates it; UserError for weights or data that do not fit. */
export async function evaluateRun(o: EvalRunOptions): Promise<EvalRunResult> {
  const { ir } = o;
  await selectBackend(o.backend);
  let weights: WeightMap;
  try {
    weights = await loadTfjsWeights(resolve(o.cwd, o.weights), ir);
  } catch (e) {
    if (e instanceof WeightsMismatchError) throw new UserError(e.message);
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`cannot read the weights in ${o.weights}: expected model.json and weights.bin there`);
    throw e;
  }
  // Every structure of a compacted network is kept: masks on (s = 1 > 0) for every maskable group.
  for (const g of ir.groups) if (g.maskable) weights[`masks/${g.name}/s`] = { shape: [g.width], data: new Float32Array(g.width).fill(1) };
  const choice = chooseData(ir, o.data, o.cwd, [dirname(resolve(o.cwd, o.weights)), dirname(resolve(o.cwd, o.spec)), resolve(o.cwd, o.weights)]);
  const module = new IrModule(ir, { seed: ir.train.seed });
  try {
    module.setWeights(weights);
    let dataset: Dataset;
    try {
      dataset = openDataset(choice.data, {
        input: ir.input,
        ...(ir.task === 'classification' ? { classes: ir.outputs } : {}),
        seed: choice.seed ?? ir.train.seed,
        ...(choice.synthetic ? { synthetic: choice.synthetic } : {}),
      });
    } catch (e) {
      if (e instanceof DataError) throw new UserError(e.message);
      throw e;
    }
    const split = o.split ?? (dataset.kind === 'image' ? 'test' : 'valid');
    const result = await evaluate(module, dataset, split, o.limit !== undefined ? { limit: o.limit } : {});
    return { result, dataset: dataset.description, choice: { source: choice.source, note: choice.note } };
  } finally {
    module.dispose();
  }
}
