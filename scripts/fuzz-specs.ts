// Spec fuzzer: grammar-aware random specs plus byte-, token-, line- and splice-mutations of every spec in specs/
// and the test cases, each run through parse → check → print → re-parse in a worker process with a per-input
// time limit. No input may throw, leave an IR without an error, print text that re-parses differently, or hang.
// Inputs are a pure function of (seed, index), so the parent can rebuild whichever input crashed or hung and save
// it under test/reliability/regressions/, which test/reliability/regressions.test.ts replays forever.
//
//   npx tsx scripts/fuzz-specs.ts [--count N] [--seed S] [--long] [--timeout-ms T] [--no-save]
//   (--long = 100k inputs; default 10k)
//
// With --valid, specs that must be accepted go through the whole chain instead (scripts/fuzz-valid-specs.ts):
//   npx tsx scripts/fuzz-specs.ts --valid [--from N] [--count N] [--full N] [--seed S] [--long] [--without FEATURE,...]
//   (default 1,000 through check → build → type-check, the first 100 also train → compact → re-check;
//   --long = 100,000 through check → build → type-check, in batches of one shared type-checker program)

import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasErrors } from '../src/diagnostics/index.ts';
import { printArch } from '../src/printer/index.ts';
import { compileText } from '../src/semantic/compile.ts';
import { parseArch, sameSyntax } from '../src/syntax/index.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const REGRESSIONS = join(ROOT, 'test/reliability/regressions');

// ---- deterministic randomness: input i of seed s is rebuilt from (s, i) alone -------------------------------
class Prng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  next(): number {
    // mulberry32
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** Every .arch we can mutate: the examples, the test cases, the saved regressions. */
export function seedCorpus(): { name: string; text: string }[] {
  const dirs = ['specs', 'test/semantic/cases', 'test/syntax/cases', 'test/reliability/fixtures', 'test/reliability/regressions'];
  const out: { name: string; text: string }[] = [];
  for (const d of dirs) {
    let files: string[] = [];
    try {
      files = readdirSync(join(ROOT, d)).filter((f) => f.endsWith('.arch')).sort();
    } catch {
      continue;
    }
    for (const f of files) out.push({ name: `${d}/${f}`, text: readFileSync(join(ROOT, d, f), 'utf8') });
  }
  return out;
}

// ---- grammar-aware generator ---------------------------------------------------------------------------------
const NUMBERS = ['0', '1', '2', '3', '7', '16', '64', '0.5', '1e-3', '1e9', '65536', '4096', '60000', '99999999999999999999', '1e308', '1e-400', '00', '3.', '-1', '0.0001', '2147483648'];
const LAYER_CALLS = [
  'conv({n}, kernel {k})', 'conv({n}, {k}, stride {s}, padding valid)', 'conv({n}, kernel {k}, groups {s})', 'dwconv({k})', 'dwconv(kernel {k}, stride {s})',
  'bn', 'bn(epsilon {x}, momentum {x})', 'relu', 'relu6', 'maxpool', 'maxpool({k}, stride {s})', 'avgpool({k})', 'gap', 'flatten',
  'dense({n})', 'dense({n}, activation relu)', 'dropout({x})', 'embedding({n})', 'lstm({n})', 'add', 'add(shortcut)', 'add(projection)',
  'concat(b({n}), maxpool(3, stride 1, padding same))', 'b({n})', 'b({n}, stride {s})', 'nope({n})',
];
const SETTINGS_SPARSIFY = ['lambda {x}', 'scheduler structurewise(p {x}, beta0 {x}, betaMax {n}, every {s}, betaFinal {n})', 'scheduler global(gamma {x})', 'maskOptimizer sgd(lr {x}, momentum {x})', 'minWidth {n}', 'warmup {n}', 'init {x}', 'penalty macs', 'gradient ste'];
const SETTINGS_TRAIN = ['data synthetic', 'data fashion_mnist("d")', 'data ptb("../../etc")', 'epochs {n}', 'steps {n}', 'batch {n}', 'optimizer sgd(lr {x}, momentum {x})', 'optimizer adam(lr {x})', 'lr cosine(warmup {n}, minLr 0)', 'lr step(atSteps [{n}, {n}], factor {x})', 'lr step(at [{n}], factor {x})', 'augment [flip, crop({s})]', 'seed {n}', 'clip {x}', 'checkpointEvery {n}', 'lossReduction sum'];

function fill(r: Prng, template: string): string {
  return template.replace(/\{([nksx])\}/g, (_, c: string) => {
    if (c === 'n') return r.pick(NUMBERS);
    if (c === 'k') return r.pick(['1', '3', '5', '7', '0', '9999']);
    if (c === 's') return r.pick(['1', '2', '3', '0']);
    return r.pick(['0.1', '0.01', '0.9', '1', '0', '-0.5', '1e30', '2']);
  });
}

function genStmts(r: Prng, depth: number, max: number): string {
  const parts: string[] = [];
  const n = 1 + r.int(max);
  for (let i = 0; i < n; i++) {
    const roll = r.int(10);
    if (roll === 0 && depth < 4) parts.push(`repeat ${r.pick(['1', '2', '3', '0', '1000000'])} ${fill(r, r.pick(LAYER_CALLS))}`);
    else if (roll === 1 && depth < 4) parts.push(`s${i}: { ${genStmts(r, depth + 1, 3)} }`);
    else if (roll === 2) parts.push(`sparsify { ${fill(r, r.pick(SETTINGS_SPARSIFY))} }`);
    else parts.push(`${r.chance(0.3) ? (r.chance(0.2) ? 'maskable(lambda 0.1) ' : 'maskable ') : ''}${fill(r, r.pick(LAYER_CALLS))}`);
  }
  return parts.join(r.chance(0.5) ? '\n    ' : '  ');
}

export function generateSpec(r: Prng): string {
  const input = r.pick(['image({n}, {n}, {s})', 'image(28, 28, 1)', 'image(32, 32, 3)', 'tokens(vocab {n}, seq {n})', 'tokens(vocab 100, seq 5)', 'image(4096, 4096, 3)', 'video(1)']);
  const lines = [`network ${r.pick(['n', 'net_1', 'network', '_', 'a'.repeat(300)])} {`, `  input ${fill(r, input)}`];
  if (r.chance(0.7)) lines.push(`  sparsify { ${Array.from({ length: r.int(4) }, () => fill(r, r.pick(SETTINGS_SPARSIFY))).join('  ')} }`);
  if (r.chance(0.8)) lines.push(`  train { ${Array.from({ length: r.int(6) }, () => fill(r, r.pick(SETTINGS_TRAIN))).join('  ')} }`);
  if (r.chance(0.6)) {
    const params = r.pick(['width, stride = 1', 'width', '', 'width, width', 'a = b']);
    lines.push(`  block ${r.pick(['b', 'conv', 'b'])}(${params}) {`, `    ${genStmts(r, 1, 5).replace(/\{n\}/g, 'width')}`, '  }');
  }
  lines.push('  layers {', `    ${genStmts(r, 0, 8)}`, `    ${r.pick(['dense(10)', 'gap  dense(10)', 'flatten  dense(10)', 'lstm(8)  dense(100)', ''])}`, '  }', '}');
  return lines.join('\n') + (r.chance(0.1) ? '' : '\n');
}

// ---- mutators ------------------------------------------------------------------------------------------------
const TOKEN_RE = /"(?:[^"\\\r\n]|\\.)*"?|#[^\n]*|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|[A-Za-z_][A-Za-z0-9_]*|\s+|./g;
const NASTY = ['\0', '\u00e9', '\u{1F600}', '\ufeff', '\r', '\t', '"', '\\', '`', '${x}', '*/', '/*', '\u2028', '{', '}', '(', ')', '[', ']', ',', ':', '=', '-', '+', '*', '/', '#', '\n', '"\\q"', '""', '"unterminated'];
const WORDS = ['network', 'input', 'block', 'layers', 'repeat', 'maskable', 'true', 'false', 'conv', 'dwconv', 'bn', 'lstm', 'dense', 'add', 'concat', 'gap', 'flatten', 'embedding', 'maxpool', 'sparsify', 'train', 'image', 'tokens', 'shortcut', 'projection', 'valid', 'same', 'width', 'stride', 'kernel'];

function mutate(r: Prng, text: string, other: string): string {
  const kind = r.int(6);
  if (kind === 0) {
    // bytes: insert, delete or replace a few characters, sometimes nasty ones
    let t = text;
    for (let n = 1 + r.int(4); n > 0; n--) {
      const at = r.int(t.length + 1);
      const op = r.int(3);
      const ch = r.chance(0.5) ? r.pick(NASTY) : String.fromCharCode(r.int(128));
      if (op === 0) t = t.slice(0, at) + ch + t.slice(at);
      else if (op === 1) t = t.slice(0, at) + t.slice(at + 1 + r.int(8));
      else t = t.slice(0, at) + ch + t.slice(at + 1);
    }
    return t;
  }
  const toks = text.match(TOKEN_RE) ?? [];
  if (kind <= 3 && toks.length > 0) {
    // tokens: delete, duplicate, swap, or replace with numbers / keywords / punctuation
    for (let n = 1 + r.int(3); n > 0; n--) {
      const i = r.int(toks.length);
      const op = r.int(5);
      if (op === 0) toks.splice(i, 1 + r.int(3));
      else if (op === 1) toks.splice(i, 0, ...toks.slice(i, i + 1 + r.int(6)));
      else if (op === 2) {
        const j = r.int(toks.length);
        [toks[i], toks[j]] = [toks[j]!, toks[i]!];
      } else if (op === 3) toks[i] = r.pick(NUMBERS);
      else toks[i] = r.chance(0.5) ? r.pick(WORDS) : r.pick(NASTY);
    }
    return toks.join('');
  }
  if (kind === 4) {
    // lines: drop, duplicate, or truncate the file
    const lines = text.split('\n');
    const i = r.int(lines.length);
    const op = r.int(3);
    if (op === 0) lines.splice(i, 1);
    else if (op === 1) lines.splice(i, 0, ...lines.slice(i, i + 1 + r.int(4)));
    else return text.slice(0, r.int(text.length + 1));
    return lines.join('\n');
  }
  // splice: a head of one file and a tail of another; sometimes deep nesting
  if (r.chance(0.1)) {
    const d = 50 + r.int(2000);
    return text.replace('layers {', `layers { ${'s: { '.repeat(d)}relu${' }'.repeat(d)}`);
  }
  return text.slice(0, r.int(text.length + 1)) + other.slice(r.int(other.length + 1));
}

/** Input `i` of a fuzz run: a generated spec, or one to three mutations of a corpus file. */
export function fuzzInput(corpus: readonly { text: string }[], seed: number, i: number): string {
  const r = new Prng((Math.imul(seed, 0x9e3779b1) ^ Math.imul(i + 1, 0x85ebca6b)) >>> 0);
  if (corpus.length === 0 || r.chance(0.25)) {
    const g = generateSpec(r);
    return r.chance(0.5) ? g : mutate(r, g, g);
  }
  let t = r.pick(corpus).text;
  for (let n = 1 + r.int(3); n > 0; n--) t = mutate(r, t, r.pick(corpus).text);
  return t;
}

/** One input through the front end; returns a failure description, or null when everything behaved. */
export function fuzzOne(text: string): string | null {
  try {
    const c = compileText(text, 'fuzz.arch');
    if (!c.ir && !hasErrors(c.diagnostics)) return 'no IR and no error diagnostic';
    for (const d of c.diagnostics) {
      if (typeof d.message !== 'string' || d.message.length === 0 || /(?<!\\u)\{\d\}|undefined|NaN|\[object /.test(d.message)) return `malformed diagnostic ${d.code}: ${d.message}`;
      if (d.span.start < 0 || d.span.end < d.span.start || d.span.end > text.length) return `span out of range in ${d.code}: ${JSON.stringify(d.span)}`;
    }
    const parsed = parseArch(text, 'fuzz.arch');
    if (!hasErrors(parsed.diagnostics)) {
      const printed = printArch(parsed.value, text);
      const again = parseArch(printed, 'fuzz.arch');
      if (hasErrors(again.diagnostics)) return `printed text does not re-parse: ${again.diagnostics[0]!.message}`;
      if (!sameSyntax(parsed.value, again.value)) return 'printing changed the meaning';
      if (printArch(again.value, printed) !== printed) return 'printing is not idempotent';
    }
    return null;
  } catch (e) {
    return `threw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
  }
}

export function saveRegression(text: string, problem: string): string {
  mkdirSync(REGRESSIONS, { recursive: true });
  const name = `crash-${createHash('sha256').update(text).digest('hex').slice(0, 12)}`;
  writeFileSync(join(REGRESSIONS, `${name}.arch`), text);
  writeFileSync(join(REGRESSIONS, `${name}.txt`), problem.split('\n').slice(0, 8).join('\n') + '\n');
  return name;
}

export interface FuzzReport {
  count: number;
  seconds: number;
  failures: { index: number; problem: string; saved: string | null }[];
  slowest: { index: number; ms: number };
}

// ---- parent: drives a worker process, restarts it after a hang or crash --------------------------------------
export async function runFuzz(opts: { count: number; seed: number; timeoutMs: number; save: boolean; log?: (s: string) => void }): Promise<FuzzReport> {
  const corpus = seedCorpus();
  const t0 = Date.now();
  const failures: FuzzReport['failures'] = [];
  let slowest = { index: -1, ms: 0 };
  let next = 0;
  const record = (index: number, problem: string): void => {
    const text = fuzzInput(corpus, opts.seed, index);
    failures.push({ index, problem, saved: opts.save ? saveRegression(text, problem) : null });
    opts.log?.(`input ${index}: ${problem.split('\n')[0]}`);
  };
  while (next < opts.count) {
    next = await new Promise<number>((resolve) => {
      const child = fork(fileURLToPath(import.meta.url), ['--worker', String(opts.seed), String(next), String(opts.count)], {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      });
      let current = next;
      let output = '';
      child.stdout!.on('data', (d: Buffer) => void (output += d.toString()));
      child.stderr!.on('data', (d: Buffer) => void (output += d.toString()));
      let timer: NodeJS.Timeout | undefined;
      const arm = (): void => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          record(current, `hang: no result within ${opts.timeoutMs} ms`);
          child.kill('SIGKILL');
        }, opts.timeoutMs);
      };
      arm();
      child.on('message', (m: { i: number; ms?: number; problem?: string }) => {
        if (m.ms !== undefined) {
          if (m.ms > slowest.ms) slowest = { index: m.i, ms: m.ms };
          current = m.i + 1;
          arm();
        }
        if (m.problem !== undefined) record(m.i, m.problem);
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        if (code !== 0 && code !== null) record(current, `worker exited with ${code}: ${output.slice(-500)}`);
        else if (code === 0 && output.trim() !== '') record(current, `printed to the console: ${output.slice(0, 500)}`);
        // Skip the input that killed the worker; go on with the rest.
        resolve(code === 0 && current >= opts.count ? opts.count : current + (code === 0 ? 0 : 1));
      });
    });
  }
  return { count: opts.count, seconds: (Date.now() - t0) / 1000, failures, slowest };
}

function worker(seed: number, from: number, to: number): void {
  const corpus = seedCorpus();
  for (let i = from; i < to; i++) {
    const t = performance.now();
    const problem = fuzzOne(fuzzInput(corpus, seed, i));
    const ms = performance.now() - t;
    if (problem !== null) process.send!({ i, problem });
    // Progress every input so the parent knows which one hung; IPC is cheap next to a parse.
    process.send!({ i, ms });
  }
  process.disconnect();
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const argv = process.argv.slice(2);
  if (argv[0] === '--worker') {
    worker(Number(argv[1]), Number(argv[2]), Number(argv[3]));
  } else if (argv.includes('--valid')) {
    await validMain(argv);
  } else {
    const arg = (name: string): string | undefined => {
      const i = argv.indexOf(name);
      return i >= 0 ? argv[i + 1] : undefined;
    };
    const count = Number(arg('--count') ?? (argv.includes('--long') ? 100_000 : 10_000));
    const seed = Number(arg('--seed') ?? 1);
    const report = await runFuzz({ count, seed, timeoutMs: Number(arg('--timeout-ms') ?? 5000), save: !argv.includes('--no-save'), log: (s) => console.error(s) });
    console.log(`fuzzed ${report.count} inputs (seed ${seed}) in ${report.seconds.toFixed(1)} s; slowest input ${report.slowest.index}: ${report.slowest.ms.toFixed(0)} ms; ${report.failures.length} failure(s)`);
    for (const f of report.failures) console.log(`  input ${f.index}: ${f.problem.split('\n')[0]}${f.saved ? ` (saved as test/reliability/regressions/${f.saved}.arch)` : ''}`);
    process.exitCode = report.failures.length > 0 ? 1 : 0;
  }
}

async function validMain(argv: string[]): Promise<void> {
  const arg = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const { ALL_FEATURES, runValidFuzz } = await import('./fuzz-valid-specs.ts');
  const features = { ...ALL_FEATURES };
  for (const f of (arg('--without') ?? '').split(',').filter((x) => x !== '')) {
    if (!(f in features)) throw new Error(`--without: unknown feature '${f}'; expected ${Object.keys(features).join(', ')}`);
    features[f as keyof typeof features] = false;
  }
  const long = argv.includes('--long');
  const count = Number(arg('--count') ?? (long ? 100_000 : 1000));
  const seed = Number(arg('--seed') ?? 1);
  const from = Number(arg('--from') ?? 0);
  const full = Number(arg('--full') ?? (long ? 0 : 100));
  for (const [k, v] of Object.entries({ from, count, seed, full })) if (!Number.isInteger(v) || v < 0) throw new Error(`--${k}: expected a whole number ≥ 0, got ${v}`);
  const r = await runValidFuzz({ seed, from, count, full, features, log: (l) => console.error(l) });
  console.log(`valid specs (seed ${seed}, specs ${from}…${from + count - 1}): ${r.count} through check → build → type-check, ${r.full} also through train → compact → re-check, in ${r.seconds.toFixed(0)} s; ${r.failures.length} failure(s)`);
  for (const f of r.failures) console.log(`  spec ${f.index} (${f.stage}): ${f.problem}`);
  process.exitCode = r.failures.length > 0 ? 1 : 0;
}
