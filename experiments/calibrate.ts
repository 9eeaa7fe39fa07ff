// The calibration runner behind the README's "Calibration" table: the small CNN (16/32/64 + pools + flatten + dense)
// on real Fashion-MNIST with sparsify overrides given as JSON on the command line, e.g.
//   HEAD=flat EVAL_LIMIT=2000 LOG_EVERY=200 npx tsx experiments/calibrate.ts final 2 '{}'
//   HEAD=flat npx tsx experiments/calibrate.ts paper1 1 '{"base":"paper"}'
// Usage: tsx experiments/calibrate.ts <name> <epochs> '<overrides json>' [backend] [steps]. Prints one RESULT line.
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/runtime/backend/index.ts';
import { openDataset } from '../src/runtime/data/index.ts';
import { IrModule } from '../src/runtime/module.ts';
import { train } from '../src/runtime/train/trainer.ts';
import { IrBuilder, testTrain } from '../src/runtime/testing/ir-fixtures.ts';
import { SPARSIFY_DEFAULTS } from '../src/semantic/defaults.ts';
import type { SparsifyConfig } from '../src/semantic/ir.ts';

const [name = 'x', epochsS = '1', over = '{}', backend = 'wasm', stepsS] = process.argv.slice(2);
const o = JSON.parse(over) as Partial<SparsifyConfig> & { base?: 'paper' | 'archc'; sched?: Partial<SparsifyConfig['scheduler']>; dense?: boolean; lr?: number };
const base = SPARSIFY_DEFAULTS[o.base ?? 'archc'];
const sp: SparsifyConfig = { ...base, ...o, scheduler: { ...base.scheduler, ...(o.sched ?? {}) } } as SparsifyConfig;
const sel = await initBackend(backend as 'wasm');
console.log('backend', sel.name, 'sparsify', JSON.stringify(sp));
const b = new IrBuilder(sp);
const mk = (n: string, w: number) => b.group(n, w, 'channels', { maskable: !o.dense });
const g1 = mk('g0:c1', 16), g2 = mk('g1:c2', 32), g3 = mk('g2:c3', 64);
let x = b.input({ kind: 'image', height: 28, width: 28, channels: 1 });
x = b.conv('c1.conv', x, { filters: 16 }, g1); x = b.bn('c1.bn', x, g1); x = b.simple('relu', 'c1.relu', x); x = b.pool('maxpool', 'c1.pool', x);
x = b.conv('c2.conv', x, { filters: 32 }, g2); x = b.bn('c2.bn', x, g2); x = b.simple('relu', 'c2.relu', x); x = b.pool('maxpool', 'c2.pool', x);
x = b.conv('c3.conv', x, { filters: 64 }, g3); x = b.bn('c3.bn', x, g3); x = b.simple('relu', 'c3.relu', x);
x = process.env.HEAD === 'flat' ? b.simple('flatten', 'flatten', b.pool('maxpool', 'c3.pool', x)) : b.simple('gap', 'gap', x);
b.dense('logits', x, 10);
const epochs = Number(epochsS);
const ir = b.build('fmnist_cnn', 'classification', 10, testTrain({ epochs, steps: stepsS ? Number(stepsS) : null, batch: 128, optimizer: { kind: 'sgd', lr: o.lr ?? 0.05, momentum: 0.9, nesterov: false, weightDecay: 5e-4 }, lrSchedule: { kind: 'cosine', warmupSteps: 0, minLr: 0 }, seed: 1 }));
console.log('dense MACs', ir.macs, 'params', ir.params);
const ds = openDataset({ kind: 'fashion-mnist', path: null }, { input: ir.input, classes: 10 });
const m = new IrModule(ir, { seed: 1 });
const t0 = Date.now();
const r = await train({ ir, module: m, dataset: ds, seed: 1, outDir: `runs/calib/${name}`, log: (l) => console.log(l), isTTY: false, logEvery: Number(process.env.LOG_EVERY ?? 100), ...(process.env.EVAL_LIMIT ? { evalLimit: Number(process.env.EVAL_LIMIT) } : {}) });
console.log('RESULT', name, JSON.stringify({ acc: r.final.evalAccuracy, kept: r.final.kept, macsKept: r.final.archMacs / r.final.denseMacs, paramsKept: r.final.archParams / r.final.denseParams, trainMacsFrac: r.final.sampledMacsTotal / r.final.denseMacsTotal, seconds: (Date.now() - t0) / 1000, tensors: tf.memory().numTensors }));
