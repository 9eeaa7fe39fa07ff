// A training run's options as one typed value (`RunOptions`): what the user chose, each field undefined when not
// given (the spec's value applies then, or on --resume the checkpoint's). Command-line flags become a RunOptions in
// one place, `parseRunOptions`, which validates every value once with one zod schema; `archc train`, generated
// trainers and `archc demo` hand the value to the stage (run.ts) as it is, never back through argv or the IR.

import { z } from 'zod';
import type { TrainConfig } from '../semantic/ir.ts';
import { parseQuantity } from '../syntax/quantity.ts';
import { UserError } from './io.ts';

export const BACKENDS = ['node-gpu', 'node', 'native', 'wasm', 'cpu'] as const;
export type Backend = (typeof BACKENDS)[number];

/** A budget flag as written (--target-macs 40%, --target-params 1.2M): replaces the spec's `target`. */
export interface TargetFlag {
  metric: 'macs' | 'params';
  written: string;
}

/** What a run was asked to do. Undefined: not given (the spec's value, or on --resume the checkpoint's). */
export interface RunOptions {
  /** A path or 'synthetic' (as --data takes it), or the loader's own description of a data set. */
  data?: string | TrainConfig['data'];
  steps?: number;
  epochs?: number;
  batch?: number;
  lr?: number;
  weightDecay?: number;
  /** Every mask group's λ (block-level λs included); undefined: the λs the spec gives each group. */
  lambda?: number;
  seed?: number;
  backend?: Backend;
  /** CPU threads of the native backend. */
  threads?: number;
  /** The output folder (default runs/<name>, or the --resume folder). */
  out?: string;
  force?: boolean;
  /** The run folder to continue. */
  resume?: string;
  checkpointEvery?: number;
  logEvery?: number;
  evalLimit?: number;
  target?: TargetFlag;
  /** A folder of exported tfjs weights (model.json + weights.bin) that replace the random init (--init-weights). */
  initWeights?: string;
  /** Synthetic data sizes (examples per split for images, tokens for text); --synthetic-size sets `train`. */
  synthetic?: { train?: number; valid?: number; test?: number };
}

type ValueKind = 'posInt' | 'nonNegInt' | 'posNumber' | 'nonNegNumber' | 'string' | 'backend' | 'flag' | 'quantity';

/** One command-line flag. `config` flags set a TrainerConfig field (a generated module's `<Name>Config`). */
export interface TrainerFlag {
  /** Commander's option key (camelCase). */
  key: string;
  flags: string;
  description: string;
  kind: ValueKind;
  config: boolean;
}

/** Every flag of `archc train` and of generated trainers. */
export const TRAINER_FLAGS: readonly TrainerFlag[] = [
  { key: 'data', flags: '--data <path|synthetic>', description: "dataset path, or 'synthetic' for generated data", kind: 'string', config: true },
  { key: 'steps', flags: '--steps <n>', description: 'training steps (instead of epochs)', kind: 'posInt', config: true },
  { key: 'epochs', flags: '--epochs <n>', description: 'training epochs', kind: 'posInt', config: true },
  { key: 'batch', flags: '--batch <n>', description: 'batch size', kind: 'posInt', config: true },
  { key: 'lr', flags: '--lr <x>', description: 'learning rate of the weights', kind: 'posNumber', config: true },
  { key: 'weightDecay', flags: '--weight-decay <x>', description: 'weight decay', kind: 'nonNegNumber', config: true },
  { key: 'lambda', flags: '--lambda <x>', description: "sparsity strength of every mask group (replaces the spec's λs, block-level ones too)", kind: 'nonNegNumber', config: true },
  { key: 'seed', flags: '--seed <n>', description: 'seed of init, masks, dropout and data order', kind: 'nonNegInt', config: true },
  { key: 'backend', flags: '--backend <node-gpu|node|native|wasm|cpu>', description: 'force a backend (default: the best that loads)', kind: 'backend', config: false },
  { key: 'threads', flags: '--threads <n>', description: 'CPU threads of the native (oneDNN) backend (default: $ARCHC_THREADS, else all cores)', kind: 'posInt', config: false },
  { key: 'out', flags: '--out <dir>', description: 'output folder for metrics.jsonl and the pruned spec (default runs/<name>)', kind: 'string', config: false },
  { key: 'force', flags: '--force', description: 'write into a non-empty --out, replacing earlier results', kind: 'flag', config: false },
  { key: 'resume', flags: '--resume <dir>', description: 'continue the run in <dir> from its checkpoint (same settings unless given)', kind: 'string', config: false },
  { key: 'checkpointEvery', flags: '--checkpoint-every <n>', description: "write a checkpoint every n steps, and at each epoch end (default: the spec's checkpointEvery)", kind: 'posInt', config: false },
  { key: 'logEvery', flags: '--log-every <n>', description: 'also evaluate and log every n steps', kind: 'posInt', config: false },
  { key: 'evalLimit', flags: '--eval-limit <n>', description: 'evaluate on at most n examples (tokens for language models)', kind: 'posInt', config: false },
  { key: 'targetMacs', flags: '--target-macs <P%|N>', description: "budget: steer λ so the kept network has this share (40%) or number (150M) of the dense MACs", kind: 'quantity', config: false },
  { key: 'targetParams', flags: '--target-params <N|P%>', description: 'budget: the same for the parameters (1.2M, or 30%)', kind: 'quantity', config: false },
  { key: 'syntheticSize', flags: '--synthetic-size <n>', description: 'training examples (tokens) of --data synthetic', kind: 'posInt', config: false },
  { key: 'initWeights', flags: '--init-weights <dir>', description: "start from exported weights (a run's weights/: model.json + weights.bin) instead of a random init, e.g. to fine-tune a pruned network", kind: 'string', config: false },
];

/**
 * A flag's value that cannot be used: printed as one line (`<name>: <message> (see --help)` by a trainer), exit 1.
 * A UserError, so a command that does not catch it (archc demo) still prints one line, never an internal error.
 */
export class FlagError extends UserError {}

/** The zod schema of one flag's value, as commander hands it over (a string, or true for a switch). */
function valueSchema(f: TrainerFlag): z.ZodType<unknown> {
  const name = f.flags.split(' ')[0]!;
  const fail = (ctx: z.RefinementCtx, message: string): never => {
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  };
  const number = (v: string): number | null => (v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : null);
  switch (f.kind) {
    case 'flag':
      return z.literal(true, { error: `${name} takes no value` });
    case 'string':
      return z.string();
    case 'posInt':
      return z.string().transform((v, ctx) => {
        const n = number(v);
        return n !== null && Number.isInteger(n) && n >= 1 ? n : fail(ctx, `${name} must be a positive integer; got '${v}'`);
      });
    case 'nonNegInt':
      return z.string().transform((v, ctx) => {
        const n = number(v);
        return n !== null && Number.isInteger(n) && n >= 0 && n <= 0xffffffff ? n : fail(ctx, `${name} must be an integer from 0 to 4294967295; got '${v}'`);
      });
    case 'posNumber':
      return z.string().transform((v, ctx) => {
        const n = number(v);
        return n !== null && n > 0 ? n : fail(ctx, `${name} must be a positive number; got '${v}'`);
      });
    case 'nonNegNumber':
      return z.string().transform((v, ctx) => {
        const n = number(v);
        return n !== null && n >= 0 ? n : fail(ctx, `${name} must be a number >= 0; got '${v}'`);
      });
    case 'backend':
      return z.string().transform((v, ctx) => ((BACKENDS as readonly string[]).includes(v) ? (v as Backend) : fail(ctx, `${name} must be one of ${BACKENDS.join(', ')}; got '${v}'`)));
    case 'quantity':
      return z.string().transform((v, ctx) => {
        const q = parseQuantity(v);
        return q && q.value > 0 && !(q.kind === 'percent' && q.value > 100)
          ? v.trim()
          : fail(ctx, `${name} must be a percent of the dense network in (0%, 100%] (40%) or a count (150M, 1.2M, 30000); got '${v}'`);
      });
  }
}

/** The flags' values (commander's `opts()`), each validated, then the rules between flags, into a RunOptions. */
const flagsSchema = z
  .object(Object.fromEntries(TRAINER_FLAGS.map((f) => [f.key, valueSchema(f).optional()])))
  .transform((raw, ctx): RunOptions => {
    const v = raw as Record<string, unknown>;
    const num = (k: string): number | undefined => v[k] as number | undefined;
    if (v['steps'] !== undefined && v['epochs'] !== undefined) ctx.addIssue({ code: 'custom', message: 'give --steps or --epochs, not both' });
    if (typeof v['data'] === 'string' && v['data'].trim() === '') ctx.addIssue({ code: 'custom', message: "--data must be a path or 'synthetic'" });
    if (v['targetMacs'] !== undefined && v['targetParams'] !== undefined) ctx.addIssue({ code: 'custom', message: 'give --target-macs or --target-params, not both' });
    const target: TargetFlag | undefined =
      v['targetMacs'] !== undefined ? { metric: 'macs', written: v['targetMacs'] as string } : v['targetParams'] !== undefined ? { metric: 'params', written: v['targetParams'] as string } : undefined;
    if (target && v['lambda'] !== undefined) {
      ctx.addIssue({ code: 'custom', message: `--lambda contradicts --target-${target.metric}: with a target, the budget controller sets λ` });
    }
    const o: RunOptions = {};
    const set = <K extends keyof RunOptions>(k: K, value: RunOptions[K] | undefined): void => {
      if (value !== undefined) o[k] = value;
    };
    set('data', v['data'] as string | undefined);
    for (const k of ['steps', 'epochs', 'batch', 'lr', 'weightDecay', 'lambda', 'seed', 'threads', 'checkpointEvery', 'logEvery', 'evalLimit'] as const) set(k, num(k));
    set('backend', v['backend'] as Backend | undefined);
    set('out', v['out'] as string | undefined);
    if (v['force'] === true) o.force = true;
    set('resume', v['resume'] as string | undefined);
    set('initWeights', v['initWeights'] as string | undefined);
    set('target', target);
    if (num('syntheticSize') !== undefined) o.synthetic = { train: num('syntheticSize')! };
    return o;
  });

/**
 * The run options from parsed command-line flags (commander's `opts()`: a string per valued flag, true for a
 * switch, undefined for one not given). Throws FlagError with the first problem. The one place flags are validated.
 */
export function parseRunOptions(flags: Readonly<Record<string, unknown>>): RunOptions {
  const r = flagsSchema.safeParse(flags);
  if (!r.success) throw new FlagError(r.error.issues[0]?.message ?? 'invalid flags');
  return r.data;
}
