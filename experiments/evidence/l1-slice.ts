// L1-norm filter pruning (Li et al. 2017), physically sliced: reads a dense run's exported weights, plans the L1
// keep sets to a MACs target (`planL1Pruning`: one uniform keep ratio, the largest whose MACs stay within the
// target), and writes the sliced network with archc's compaction: OUT/<spec>.pruned.arch (the spec with the L1
// widths), OUT/weights/ (tfjs layers format, only the kept structures), OUT/compaction.json and OUT/l1-plan.json.
// The driver then fine-tunes the sliced network with `archc train <pruned, maskable removed> --init-weights
// OUT/weights`: a smaller dense network, not masks on the full one.
//
// Usage: npx tsx experiments/evidence/l1-slice.ts --spec SPEC.arch --weights DENSE_RUN/weights --target-macs N --out DIR

import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { planL1Pruning } from '../../src/baselines/index.ts';
import { compactAndWrite, loadTfjsWeights } from '../../src/compaction/index.ts';
import { initBackend } from '../../src/runtime/backend/index.ts';
import { compileFile } from '../../src/semantic/compile.ts';
import { readFileSync } from 'node:fs';

const { values } = parseArgs({ options: { spec: { type: 'string' }, weights: { type: 'string' }, 'target-macs': { type: 'string' }, out: { type: 'string' } } });
const fail = (m: string): never => {
  console.error(`l1-slice: ${m}`);
  process.exit(1);
};
if (!values.spec || !values.weights || !values['target-macs'] || !values.out) fail('give --spec, --weights, --target-macs (MACs per example) and --out');
const target = Number(values['target-macs']);
if (!(target > 0)) fail(`--target-macs must be a positive number of MACs, not '${values['target-macs']}'`);
const specPath = resolve(values.spec!);
const compiled = await compileFile(specPath, values.spec!);
if (!compiled.ir) fail(`${values.spec} does not check: ${compiled.diagnostics.map((d) => d.message).join('; ')}`);
const ir = compiled.ir!;
await initBackend('cpu');
const weights = await loadTfjsWeights(resolve(values.weights!), ir);
const plan = planL1Pruning(ir, weights, target);
// The plan as fixed masks (+1 kept, −1 pruned): compaction keeps exactly the structures with s > 0.
for (const g of ir.groups) {
  if (!g.maskable) continue;
  const s = new Float32Array(g.width).fill(-1);
  for (const j of plan.kept.get(g.id) ?? []) s[j] = 1;
  weights[`masks/${g.name}/s`] = { shape: [g.width], data: s };
}
const out = resolve(values.out!);
const report = await compactAndWrite({ ir, sourceText: readFileSync(specPath, 'utf8'), sourcePath: specPath, weights, outDir: out, log: (l) => console.log(l) });
const facts = {
  ratio: plan.ratio,
  targetMacs: target,
  macs: report.after.macs,
  params: report.after.params,
  denseMacs: ir.macs,
  denseParams: ir.params,
  kept: Object.fromEntries(report.groups.filter((g) => g.maskable).map((g) => [g.name, g.kept])),
};
writeFileSync(join(out, 'l1-plan.json'), JSON.stringify(facts, null, 2) + '\n');
console.log(`l1-slice: keep ratio ${plan.ratio.toFixed(4)}, MACs ${report.after.macs} (target ${Math.round(target)}), params ${report.after.params}`);
