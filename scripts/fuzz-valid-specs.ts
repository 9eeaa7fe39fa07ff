// Valid-spec fuzzing: specs generated from the grammar that `archc check` must accept (image nets with plain,
// residual, vanishing-residual, projection, depthwise, inverted-residual and concat blocks, DenseNet-style concat
// chains with identity operands; token nets with LSTM stacks; labels drawn from JS/TS keywords and the generated
// module's base-class members), each pushed through the chain a user's spec goes through:
//   check → build → type-check (one type-checker program per batch) → train 2 steps in process → compact →
//   re-check of the pruned spec.
// Inputs are a pure function of (seed, index, features), so a failure is rebuilt from its number.
//
//   npx tsx scripts/fuzz-specs.ts --valid [--from N] [--count N] [--full N] [--seed S] [--long]
//   (--long: 100,000 through check → build → type-check in batches, memory bounded by the batch; --from N --count M
//   runs specs N … N+M-1 only, so the 100,000 can be run in chunks with the same seed)

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compactAndWrite } from '../src/compaction/compact-and-write.ts';
import { generateModule, PACKAGE_ROOT, typecheckModules, typecheckProject } from '../src/codegen/index.ts';
import { hasErrors } from '../src/diagnostics/index.ts';
import { initBackend } from '../src/runtime/backend/index.ts';
import { NetworkModule } from '../src/runtime/module.ts';
import { runTraining } from '../src/runtime/train/run-training.ts';
import { compileText } from '../src/semantic/compile.ts';
import type { IrNetwork } from '../src/semantic/ir.ts';

/**
 * What the generator may use. Each flag names a feature whose chain failures are known defects outside the front
 * end (issue 15); a suite test turns it off until the defect is fixed, and says so by the flag's name.
 */
export interface ValidFeatures {
  /**
   * A concat whose input comes from a concat (DenseNet's dense layers after the first, with identity operands):
   * defect 1, compaction ("input of c2 has no layout"; also when only the first has an identity operand).
   */
  denseNetChains: boolean;
  /**
   * A residual block with an identity add whose input comes from a concat (through pooling, say): compaction fails
   * ("Operands could not be broadcast together with shapes [10,10,8] [10,10,4]"); found by this fuzzer.
   */
  residualOnConcat: boolean;
  /** Labels named like members of the generated module's base class (`bnLayers:`): defect 10, codegen. */
  baseClassMemberLabels: boolean;
  /**
   * Labels that start with '_' (`__proto__:`): the tfjs export refuses the weight names ("Not a valid tensor
   * name: '__proto__.conv1/kernel'"); found by this fuzzer.
   */
  leadingUnderscoreLabels: boolean;
}
export const ALL_FEATURES: ValidFeatures = { denseNetChains: true, residualOnConcat: true, baseClassMemberLabels: true, leadingUnderscoreLabels: true };

// ---- deterministic randomness ----------------------------------------------------------------------------------
class Prng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

// ---- labels ----------------------------------------------------------------------------------------------------
/** JavaScript and TypeScript reserved and contextual words, and names special on objects; .arch keywords excluded. */
const JS_TS_WORDS = [
  'await', 'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum',
  'export', 'extends', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null', 'return',
  'super', 'switch', 'this', 'throw', 'try', 'typeof', 'var', 'void', 'while', 'with', 'yield', 'let', 'static',
  'implements', 'interface', 'package', 'private', 'protected', 'public', 'arguments', 'eval', 'undefined', 'NaN',
  'Infinity', 'constructor', 'prototype', '__proto__', 'type', 'namespace', 'declare', 'abstract', 'readonly', 'keyof',
  'any', 'number', 'string', 'boolean', 'symbol', 'object', 'never', 'unknown', 'as', 'is', 'of', 'get', 'set',
  'async', 'module', 'require', 'from', 'infer', 'override', 'satisfies', 'accessor', 'toString', 'valueOf',
  'hasOwnProperty', 'widths', 'Object', 'Array', 'Promise', 'Tensor', 'tf',
];

/**
 * Members a generated module inherits from the runtime's NetworkModule: its prototype's methods (read from the
 * class, so a new method is covered) and its instance fields (which only an instance shows; listed by hand).
 */
function baseClassMembers(): string[] {
  const methods = Object.getOwnPropertyNames(NetworkModule.prototype).filter((n) => n !== 'constructor');
  return [...new Set([...methods, 'ir', 'masks', 'store', 'initRng', 'bnLayers', 'placement', 'gates'])];
}

// ---- the generator ---------------------------------------------------------------------------------------------
/** Block declarations the image generator draws from (declared only when used). */
const BLOCKS: Record<string, string> = {
  cbr: 'block cbr(w, k = 3) { maskable conv(w, kernel k) bn relu }',
  res: 'block res(w) { maskable conv(w, kernel 3) bn relu  maskable conv(w, kernel 3) bn  add  relu }',
  // The inner conv's mask logits start negative: after two steps the branch is still off, so compaction removes it
  // (the second conv shares the block input's group through the add, which must keep its init).
  vres: 'block vres(w) { maskable(init -4) conv(w, kernel 3) bn relu  maskable conv(w, kernel 3) bn  add  relu }',
  down: 'block down(w) { maskable conv(w, kernel 3, stride 2) bn relu  maskable conv(w, kernel 3) bn  add(shortcut)  relu }',
  dws: 'block dws(w, stride = 1) { dwconv(kernel 3, stride stride) bn relu6  maskable conv(w, kernel 1) bn relu6 }',
  inv: 'block inv(w, e) { maskable conv(e, kernel 1) bn relu6  dwconv(kernel 3) bn relu6  conv(w, kernel 1) bn  add }',
  id: 'block id() { }',
  br: 'block br(g) { maskable conv(g, kernel 3) bn relu }',
};

class Labels {
  private readonly used = new Set<string>();
  private readonly pool: string[];
  constructor(
    private readonly r: Prng,
    features: ValidFeatures,
  ) {
    const words = features.leadingUnderscoreLabels ? JS_TS_WORDS : JS_TS_WORDS.filter((w) => !w.startsWith('_'));
    this.pool = features.baseClassMemberLabels ? [...words, ...baseClassMembers().filter((w) => features.leadingUnderscoreLabels || !w.startsWith('_'))] : words;
  }
  /** `label: ` or '' (a label at most once per spec, so no scope sees it twice). */
  maybe(p = 0.3): string {
    if (!this.r.chance(p)) return '';
    const l = this.r.pick(this.pool);
    if (this.used.has(l)) return '';
    this.used.add(l);
    return `${l}: `;
  }
}

function imageSpec(r: Prng, name: string, f: ValidFeatures): string {
  const labels = new Labels(r, f);
  const blocks = new Set<string>();
  const inputHw = r.pick([6, 8, 10, 12]);
  let hw = inputHw;
  const c0 = r.range(1, 3);
  let c = r.range(4, 8);
  const stmts: string[] = [`${labels.maybe()}maskable conv(${c}, kernel 3)  bn  relu`];
  // True while the channels are laid out by a concat (pooling and identity adds keep the layout, a conv ends it).
  let concatLayout = false;
  for (let n = r.range(1, 6); n > 0; n--) {
    const w = r.range(4, 10);
    let roll = r.int(10);
    // On a concat's layout, a feature that is off becomes a plain conv (which ends the layout).
    if (concatLayout && ((!f.residualOnConcat && [1, 2, 5].includes(roll)) || (!f.denseNetChains && (roll === 6 || roll === 7)))) roll = 9;
    const use = (b: string): void => void blocks.add(b);
    // Identity adds (res, vres, inv) and pooling keep the layout; a concat starts one; everything else ends it.
    let layout: boolean = roll === 1 || roll === 2 || roll === 5 || roll === 8 ? concatLayout : false;
    if (roll === 0) {
      use('cbr');
      stmts.push(`${labels.maybe()}cbr(${w}${r.chance(0.5) ? `, k ${r.pick([1, 3])}` : ''})`);
      c = w;
    } else if (roll === 1) {
      use('res');
      stmts.push(`${labels.maybe()}repeat ${r.range(1, 2)} res(${c})`);
    } else if (roll === 2) {
      use('vres');
      stmts.push(`${labels.maybe()}vres(${c})`);
    } else if (roll === 3 && hw >= 4) {
      use('down');
      stmts.push(`${labels.maybe()}down(${w})`);
      hw = Math.ceil(hw / 2);
      c = w;
    } else if (roll === 4) {
      use('dws');
      const stride = hw >= 4 && r.chance(0.3) ? 2 : 1;
      stmts.push(`${labels.maybe()}dws(${w}${stride === 2 ? ', stride 2' : ''})`);
      if (stride === 2) hw = Math.ceil(hw / 2);
      c = w;
    } else if (roll === 5) {
      use('inv');
      stmts.push(`${labels.maybe()}inv(${c}, ${r.range(4, 16)})`);
    } else if (roll === 6) {
      // DenseNet: keep the input, add g new channels.
      use('id');
      use('br');
      const g = r.range(2, 6);
      stmts.push(`${labels.maybe()}concat(id(), br(${g}))`);
      c += g;
      layout = true;
    } else if (roll === 7) {
      use('br');
      const g = r.range(2, 6);
      stmts.push(`${labels.maybe()}concat(br(${g}), maxpool(3, stride 1, padding same))`);
      c += g;
      layout = true;
    } else if (roll === 8 && hw >= 4) {
      stmts.push(`${labels.maybe()}maxpool`);
      hw = Math.floor(hw / 2);
    } else {
      stmts.push(`${labels.maybe()}maskable conv(${w}, kernel ${r.pick([1, 3])})  bn  ${r.pick(['relu', 'relu6'])}`);
      c = w;
      layout = false;
    }
    concatLayout = layout;
  }
  const head = hw * hw * c <= 400 && r.chance(0.3) ? 'flatten  dense(10)' : r.chance(0.3) ? 'gap  maskable dense(8, activation relu)  dense(10)' : 'gap  dense(10)';
  const group = r.chance(0.3);
  return [
    `network ${name} {`,
    `  input image(${inputHw}, ${inputHw}, ${c0})`,
    ...(r.chance(0.5) ? [`  sparsify { lambda ${r.pick(['0.01', '0.05', '0.1'])} }`] : []),
    `  train { data synthetic  steps 2  batch 4  seed ${r.range(1, 9)} }`,
    ...[...blocks].map((b) => `  ${BLOCKS[b]}`),
    '  layers {',
    ...(group ? [`    ${labels.maybe(1) || 'stage: '}{`, ...stmts.map((s) => `      ${s}`), '    }'] : stmts.map((s) => `    ${s}`)),
    `    ${head}`,
    '  }',
    '}',
    '',
  ].join('\n');
}

function tokenSpec(r: Prng, name: string, f: ValidFeatures): string {
  const labels = new Labels(r, f);
  const vocab = r.pick([16, 20, 32]);
  const stmts = [`${labels.maybe()}embedding(${r.range(4, 8)})`];
  for (let n = r.range(1, 3); n > 0; n--) {
    stmts.push(`${labels.maybe()}${r.chance(0.8) ? 'maskable ' : ''}lstm(${r.range(4, 8)})`);
    if (r.chance(0.2)) stmts.push(`${labels.maybe()}dropout(0.1)`);
  }
  if (r.chance(0.3)) stmts.push(`${labels.maybe()}maskable dense(${r.range(4, 8)}, activation relu)`);
  return [
    `network ${name} {`,
    `  input tokens(vocab ${vocab}, seq ${r.pick([4, 6])})`,
    ...(r.chance(0.5) ? [`  sparsify { lambda ${r.pick(['0.01', '0.05'])} }`] : []),
    `  train { data synthetic  steps 2  batch 4  seed ${r.range(1, 9)} }`,
    '  layers {',
    ...stmts.map((s) => `    ${s}`),
    `    dense(${vocab})`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** Valid spec `index` of `seed` with `features`. */
export function validSpec(seed: number, index: number, features: ValidFeatures = ALL_FEATURES): string {
  const r = new Prng((Math.imul(seed, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b) ^ 0x5bd1e995) >>> 0);
  const name = `fuzz_${index}`;
  if (r.chance(0.2)) return tokenSpec(r, name, features);
  return imageSpec(r, name, features);
}

// ---- the chain -------------------------------------------------------------------------------------------------
export type ChainStage = 'check' | 'build' | 'type-check' | 'train' | 'compact' | 're-check';

export interface ChainFailure {
  index: number;
  stage: ChainStage;
  problem: string;
}

export interface ValidFuzzReport {
  /** Specs through check → build → type-check, and how many of them also through train → compact → re-check. */
  count: number;
  full: number;
  seconds: number;
  failures: ChainFailure[];
}

export interface ValidFuzzOptions {
  seed: number;
  /** The first spec's number (default 0): specs `from` … `from + count - 1`, so a long run can go in chunks. */
  from?: number;
  count: number;
  /** The first `full` specs of the range also train, compact and re-check. */
  full: number;
  features?: ValidFeatures;
  /** Specs per type-checker program: the program's memory is bounded by it. */
  batch?: number;
  log?: (line: string) => void;
}

const firstLine = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 300);

/** Where generated modules are written to be imported: inside the package, so `archc/runtime` resolves. */
const BUILD_DIR = join(PACKAGE_ROOT, '.fuzz-tmp', 'valid');

export async function runValidFuzz(o: ValidFuzzOptions): Promise<ValidFuzzReport> {
  const t0 = Date.now();
  const features = o.features ?? ALL_FEATURES;
  const batch = o.batch ?? 200;
  const failures: ChainFailure[] = [];
  // One type-checker program for the whole run: the runtime's and tfjs's types are loaded once.
  const program = typecheckProject();
  const fail = (index: number, stage: ChainStage, problem: string): void => {
    failures.push({ index, stage, problem });
    o.log?.(`spec ${index}: ${stage}: ${problem}`);
  };
  const first = o.from ?? 0;
  const end = first + o.count;
  for (let from = first; from < end; from += batch) {
    const built: { index: number; text: string; ir: IrNetwork; module: { fileName: string; text: string } }[] = [];
    for (let i = from; i < Math.min(end, from + batch); i++) {
      const text = validSpec(o.seed, i, features);
      const c = compileText(text, `fuzz_${i}.arch`);
      if (hasErrors(c.diagnostics) || !c.ir) {
        fail(i, 'check', c.diagnostics.map((d) => `${d.code} ${d.message}`).join('; '));
        continue;
      }
      try {
        built.push({ index: i, text, ir: c.ir, module: generateModule(c.ir, c.source, { specPath: `fuzz/fuzz_${i}.arch` }) });
      } catch (e) {
        fail(i, 'build', firstLine(e));
      }
    }
    const tc = Date.now();
    const typed = typecheckModules(built.map((b) => b.module), program);
    o.log?.(`type-checked ${built.length} modules in ${((Date.now() - tc) / 1000).toFixed(1)} s`);
    for (let k = 0; k < built.length; k++) {
      const b = built[k]!;
      const ds = typed[k]!.diagnostics;
      if (ds.length > 0) fail(b.index, 'type-check', ds.slice(0, 3).join('; '));
      else if (b.index < first + o.full) await trainCompactRecheck(b, fail);
    }
    const rss = process.memoryUsage().rss / 2 ** 20;
    const done = Math.min(end, from + batch);
    // The spec numbers done so far, so an interrupted run resumes with `--from <done> --count <end - done>`.
    o.log?.(`specs ${first}…${done - 1} of ${first}…${end - 1} done, ${failures.length} failure(s), ${((Date.now() - t0) / 1000).toFixed(0)} s, rss ${rss.toFixed(0)} MiB (resume: --from ${done} --count ${end - done})`);
  }
  rmSync(BUILD_DIR, { recursive: true, force: true });
  return { count: o.count, full: Math.min(o.full, o.count), seconds: (Date.now() - t0) / 1000, failures };
}

/** Train the generated module two steps on synthetic data, compact it, and re-check the pruned spec. */
async function trainCompactRecheck(b: { index: number; text: string; ir: IrNetwork; module: { fileName: string; text: string } }, fail: (i: number, s: ChainStage, p: string) => void): Promise<void> {
  // The backend first: weights created before it is chosen would land on tfjs's default one.
  await initBackend('cpu');
  mkdirSync(BUILD_DIR, { recursive: true });
  const file = join(BUILD_DIR, b.module.fileName);
  writeFileSync(file, b.module.text);
  let module: NetworkModule;
  try {
    const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    const Cls = Object.values(mod).find((v): v is new (ir: IrNetwork) => NetworkModule => typeof v === 'function' && v.prototype instanceof NetworkModule);
    if (!Cls) throw new Error(`${b.module.fileName} exports no NetworkModule class`);
    module = new Cls(b.ir);
  } catch (e) {
    fail(b.index, 'train', `loading the module: ${firstLine(e)}`);
    return;
  }
  const out = mkdtempSync(join(tmpdir(), 'archc-fuzz-valid-'));
  try {
    try {
      await runTraining({
        ir: b.ir,
        module,
        data: 'synthetic',
        overrides: { steps: 2, batch: 4, logEvery: 1, evalLimit: 8, synthetic: { train: 64, valid: 32, test: 32 } },
        outDir: null,
        backend: 'cpu',
        log: () => {},
      });
    } catch (e) {
      fail(b.index, 'train', firstLine(e));
      return;
    }
    let report;
    try {
      report = await compactAndWrite({ ir: b.ir, sourceText: b.text, sourcePath: join(out, `fuzz_${b.index}.arch`), module, outDir: out, log: () => {} });
    } catch (e) {
      fail(b.index, 'compact', firstLine(e));
      return;
    }
    if (!report.recheck.compiles || !report.recheck.matches) fail(b.index, 're-check', report.recheck.problems.join('; ') || 'the pruned spec does not compile to the compacted network');
  } finally {
    module.dispose();
    rmSync(out, { recursive: true, force: true });
  }
}
