// Child process of `runVariants`: trains one variant with the runtime (`runTraining`) and writes
// runs/exp/<name>/{metrics.jsonl, result.json, masks-final.json} (+ weights.json/.bin for dense runs, which the
// L1 baseline prunes). Argument: the variant as JSON, with its cache key.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileText } from '../../src/semantic/compile.ts';
import type { IrNetwork, TrainConfig } from '../../src/semantic/ir.ts';
import { IrModule, evaluate, runTraining } from '../../src/runtime/index.ts';
import { initBackend } from '../../src/runtime/backend/index.ts';
import { openDataset } from '../../src/runtime/data/index.ts';
import { assignData } from '../../src/runtime/tensor-utils.ts';
import { fixedMaskLogits, frozenMaskIr, planL1Pruning } from '../../src/baselines/index.ts';
import { EXP_DIR, applyEdits, readResult, type Variant, type VariantResult } from './variant.ts';
import { loadWeights, saveWeights } from './weights.ts';

const v = JSON.parse(process.argv[2]!) as Variant & { key: string };
const t0 = Date.now();
const dir = join(EXP_DIR, v.name);
const text = applyEdits(readFileSync(v.spec, 'utf8'), v.edits);
const c = compileText(text, v.spec);
if (!c.ir) {
  console.error(c.diagnostics.map((d) => d.message).join('\n'));
  process.exit(1);
}
let ir: IrNetwork = c.ir;
if (v.dense) ir = { ...ir, groups: ir.groups.map((g) => ({ ...g, maskable: false })) };
if (v.bnMomentum !== undefined) {
  const m = v.bnMomentum;
  ir = { ...ir, nodes: ir.nodes.map((n) => (n.kind === 'bn' ? { ...n, attrs: { ...n.attrs, momentum: m } } : n)) };
}
// The specs name data/fashion-mnist; fall back to the apt location when that folder is absent.
const data: TrainConfig['data'] = ir.train.data.path && !existsSync(ir.train.data.path) ? { kind: ir.train.data.kind, path: null } : ir.train.data;
const log = (l: string) => console.log(`[${v.name}] ${l}`);
const overrides = { steps: v.steps, logEvery: v.logEvery, evalLimit: v.evalLimit, ...(v.batch ? { batch: v.batch } : {}) };

let l1: VariantResult['l1'];
let module: IrModule | undefined;
if (v.l1) {
  const target = readResult(v.l1.target);
  if (!target) throw new Error(`L1 target run ${v.l1.target} has no result`);
  const weights = loadWeights(join(EXP_DIR, v.l1.from));
  const plan = planL1Pruning(ir, weights, target.macs);
  log(`L1 plan: keep ratio ${plan.ratio.toFixed(3)}, MACs ${plan.macs.toFixed(0)} (target ${target.macs.toFixed(0)})`);
  const frozen = frozenMaskIr(ir);
  ir = {
    ...frozen,
    train: { ...frozen.train, optimizer: { ...frozen.train.optimizer, lr: v.l1.lr }, lrSchedule: { kind: 'constant' } },
  };
  await initBackend();
  module = new IrModule(ir, { seed: ir.train.seed });
  module.setWeights(weights, { allowMissing: true });
  const logits = fixedMaskLogits(ir, plan);
  for (const g of module.masks.groups) assignData(g.s, logits.get(g.group.id)!);
  const ds = openDataset(data, { input: ir.input, ...(ir.task === 'classification' ? { classes: ir.outputs } : {}), seed: ir.train.seed });
  const before = await evaluate(module, ds);
  log(`after pruning, before fine-tuning: accuracy ${(100 * before.accuracy).toFixed(2)}%`);
  l1 = { ratio: plan.ratio, accuracyBeforeFinetune: before.accuracy, targetMacs: target.macs };
}

const r = await runTraining({ ir, data, outDir: dir, log, overrides, ...(module ? { module } : {}) });
const f = r.finalMetrics;
if (v.dense) saveWeights(dir, r.state.weights);
const masks: Record<string, { s: number[]; beta: number[] }> = {};
for (const [name, g] of Object.entries(r.state.masks.groups)) masks[name] = { s: Array.from(g.s), beta: Array.from(g.beta) };
writeFileSync(join(dir, 'masks-final.json'), JSON.stringify(masks));
const result: VariantResult = {
  name: v.name,
  key: v.key,
  variant: v,
  command: `npx tsx experiments/lib/run-variant.ts '${JSON.stringify(v)}'`,
  seed: ir.train.seed,
  steps: f.step,
  batch: v.batch ?? ir.train.batch,
  processWall: (Date.now() - t0) / 1000,
  trainWall: f.wallTime,
  accuracy: f.evalAccuracy,
  perplexity: f.evalPerplexity,
  params: f.archParams,
  macs: f.archMacs,
  denseParams: f.denseParams,
  denseMacs: f.denseMacs,
  kept: f.kept,
  widths: Object.fromEntries(ir.groups.map((g) => [g.name, g.width])),
  trainMacsSampled: f.sampledMacsTotal,
  trainMacsExpected: f.expectedMacsTotal,
  trainMacsDense: f.denseMacsTotal,
  ...(l1 ? { l1 } : {}),
  backend: r.backend.name,
  dataset: r.dataset,
  date: new Date().toISOString(),
};
writeFileSync(join(dir, 'result.json'), JSON.stringify(result, null, 2));
module?.dispose();
log(`done in ${result.processWall.toFixed(0)} s: ${f.evalPerplexity !== null ? `ppl ${f.evalPerplexity.toFixed(1)}` : `acc ${(100 * f.evalAccuracy).toFixed(2)}%`}, MACs ${f.archMacs.toFixed(0)}`);
