// `archc eval SPEC --weights DIR --data PATH|synthetic [--split test|valid] [--backend …] [--limit N]`: evaluate a
// compacted (pruned) network from its exported tfjs weights, through the training stage (src/train/evaluate-run.ts:
// weights matched to the layers by name and shape, every mask on, the data as given, else the run's, else the
// spec's). This file parses the flags and prints accuracy or perplexity, and always which data it used.

import type { Command } from 'commander';
import { evaluateRun } from '../../train/evaluate-run.ts';
import { BACKENDS, type Backend } from '../../train/options.ts';
import { compileOrReport } from '../compile-or-report.ts';
import { UserError, type Io } from '../io.ts';
import type { RegisterCommand } from './index.ts';
import { grouped } from '../../io/numbers.ts';

interface EvalOpts {
  weights: string;
  data?: string;
  split?: string;
  backend?: string;
  limit?: string;
  json?: boolean;
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
      if (opts.backend !== undefined && !(BACKENDS as readonly string[]).includes(opts.backend)) throw new UserError(`--backend must be one of ${BACKENDS.join(', ')}`);
      const limit = opts.limit === undefined ? undefined : Number(opts.limit);
      if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new UserError(`--limit must be a positive integer, not '${opts.limit}'`);
      const ir = await compileOrReport(spec, io, setExit);
      if (!ir) return;
      const { result: r, dataset, choice } = await evaluateRun({
        spec,
        ir,
        weights: opts.weights,
        ...(opts.data !== undefined ? { data: opts.data } : {}),
        ...(opts.split !== undefined ? { split: opts.split as 'test' | 'valid' } : {}),
        ...(opts.backend !== undefined ? { backend: opts.backend as Backend } : {}),
        ...(limit !== undefined ? { limit } : {}),
        cwd: io.cwd,
      });
      if (opts.json) {
        io.out(JSON.stringify({ spec, weights: opts.weights, data: dataset, dataSource: choice.source, dataNote: choice.note, split: r.split, examples: r.examples, loss: r.loss, accuracy: r.accuracy, perplexity: r.perplexity, params: ir.params, macs: ir.macs }, null, 2));
      } else {
        const metric = r.perplexity !== null ? `perplexity ${r.perplexity.toFixed(2)} (loss ${r.loss.toFixed(4)}, next-token accuracy ${(100 * r.accuracy).toFixed(2)}%)` : `accuracy ${(100 * r.accuracy).toFixed(2)}% (loss ${r.loss.toFixed(4)})`;
        io.out(`${ir.name}: ${metric} on ${grouped(r.examples)} ${r.split} ${ir.task === 'classification' ? 'examples' : 'tokens'} of ${dataset}`);
        io.out(`  params ${grouped(ir.params)}, MACs ${grouped(ir.macs)} per example`);
        io.out(`  data: ${choice.note}`);
      }
    });
};
