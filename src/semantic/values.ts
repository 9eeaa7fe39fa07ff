// Values and argument binding: evaluates AST expressions in a block-parameter environment and binds call
// arguments (positional, named, defaults) to a declared schema. Every failure becomes a diagnostic on the
// offending argument or value, and the binder keeps going with the remaining arguments.

import { diag, type Diagnostic, type MessageKey, type RelatedInfo, type Span } from '../diagnostics/index.ts';
import type { Arg, CallExpr, Expr, Identifier } from '../syntax/ast.ts';

export type Value =
  | { k: 'num'; v: number }
  /** `40%`: only budget settings take a percent (`target`, `tolerance`); anywhere else it is a type error. */
  | { k: 'pct'; v: number }
  | { k: 'str'; v: string }
  | { k: 'bool'; v: boolean }
  /** A bare identifier that is not a parameter: an enum word such as `same` or `shortcut`. */
  | { k: 'word'; v: string; span: Span }
  | { k: 'list'; items: Value[] }
  /** A call used as a value (`scheduler global(p 1)`, a concat branch); evaluated later by its consumer. */
  | { k: 'call'; call: CallExpr; env: Env };

/** Block parameters in scope: name → value. */
export type Env = ReadonlyMap<string, Value>;
export const EMPTY_ENV: Env = new Map();

/** Where diagnostics go, with the block call sites the current expansion came from ("instantiated from"). */
export class Sink {
  readonly diagnostics: Diagnostic[] = [];
  related: RelatedInfo[] = [];
  report(key: MessageKey, span: Span, args: ReadonlyArray<string | number> = []): void {
    this.diagnostics.push(diag(key, span, args, [...this.related]));
  }
}

export function describe(v: Value): string {
  switch (v.k) {
    case 'num':
      return String(v.v);
    case 'pct':
      return `${v.v}%`;
    case 'str':
      return JSON.stringify(v.v);
    case 'bool':
      return String(v.v);
    case 'word':
      return v.v;
    case 'list':
      return `[${v.items.map(describe).join(', ')}]`;
    case 'call':
      return `${v.call.callee.name}(…)`;
  }
}

/** Evaluate an expression. Returns undefined after reporting an error (a poisoned value suppresses cascades). */
export function evaluate(e: Expr, env: Env, sink: Sink): Value | undefined {
  switch (e.kind) {
    case 'Number':
      return e.percent ? { k: 'pct', v: e.value } : { k: 'num', v: e.value };
    case 'String':
      return { k: 'str', v: e.value };
    case 'Bool':
      return { k: 'bool', v: e.value };
    case 'Name': {
      const bound = env.get(e.name);
      return bound ?? { k: 'word', v: e.name, span: e.span };
    }
    case 'List': {
      const items: Value[] = [];
      let ok = true;
      for (const it of e.items) {
        const v = evaluate(it, env, sink);
        if (v === undefined) ok = false;
        else items.push(v);
      }
      return ok ? { k: 'list', items } : undefined;
    }
    case 'Call':
      return { k: 'call', call: e, env };
    case 'Unary': {
      const x = evalNumber(e.operand, env, sink);
      return x === undefined ? undefined : { k: 'num', v: -x };
    }
    case 'Binary': {
      const h = hyphenated(e, env);
      if (h) return h;
      const a = evalNumber(e.left, env, sink);
      const b = evalNumber(e.right, env, sink);
      if (a === undefined || b === undefined) return undefined;
      const v = e.op === '+' ? a + b : e.op === '-' ? a - b : e.op === '*' ? a * b : a / b;
      if (!Number.isFinite(v)) {
        sink.report('outOfRange', e.span, ['the expression', 'a finite number', String(v)]);
        return undefined;
      }
      return { k: 'num', v };
    }
  }
}

/**
 * Identifiers have no hyphens, so `fashion-mnist("dir")` and `group-mean` parse as subtractions. When both
 * sides are unbound names (or a call on the right), read them back as one hyphenated word or call:
 * subtracting names that are not parameters could only be an error, and the printer spaces binary operators
 * (`fashion - mnist`), so spacing must not matter. This is a tolerance, not the spelling: specs and messages
 * write `fashion_mnist` (settings.ts `datasetSpelling`).
 */
function hyphenated(e: Expr, env: Env): Value | undefined {
  const parts: string[] = [];
  let tail: CallExpr | undefined;
  const collect = (x: Expr): boolean => {
    if (x.kind === 'Name') {
      if (env.has(x.name)) return false;
      parts.push(x.name);
      return true;
    }
    if (x.kind === 'Binary' && x.op === '-') {
      if (!collect(x.left)) return false;
      if (x.right.kind === 'Call') {
        parts.push(x.right.callee.name);
        tail = x.right;
        return true;
      }
      return collect(x.right);
    }
    return false;
  };
  if (!collect(e)) return undefined;
  // A call must be the rightmost operand (a call in the middle is an ordinary subtraction).
  const last = tail as CallExpr | undefined;
  if (last && !(e.kind === 'Binary' && e.right === last)) return undefined;
  const name = parts.join('-');
  if (last) {
    const tail = last;
    const callee = { kind: 'Identifier' as const, name, span: { start: e.span.start, end: tail.callee.span.end } };
    return { k: 'call', call: { ...tail, callee, span: e.span }, env };
  }
  return { k: 'word', v: name, span: e.span };
}

function evalNumber(e: Expr, env: Env, sink: Sink): number | undefined {
  const v = evaluate(e, env, sink);
  if (v === undefined) return undefined;
  if (v.k === 'num') return v.v;
  if (v.k === 'word') {
    sink.report('unknownName', v.span, [v.v, didYouMean(v.v, [...env.keys()])]);
    return undefined;
  }
  sink.report('typeMismatch', e.span, ['arithmetic', 'numbers', describe(v)]);
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Schemas

export type ArgType =
  | { t: 'number' }
  | { t: 'int' }
  | { t: 'bool' }
  | { t: 'string' }
  | { t: 'enum'; words: readonly string[] }
  /** An int or a list of two ints (`kernel 3` or `kernel [3, 1]`). */
  | { t: 'pair' }
  | { t: 'numList' }
  /** A call or bare name, bound later against the callee's own schema. */
  | { t: 'call' }
  /** Anything (block parameters). */
  | { t: 'any' };

export interface ParamSpec {
  name: string;
  type: ArgType;
  /** May be given without a name, in declaration order. */
  positional?: boolean;
  required?: boolean;
}

/** A bound argument: its value and the span to report problems with it on. */
export interface BoundArg {
  value: Value;
  span: Span;
  /** The argument node, or undefined when the value came from a default. */
  arg: Arg | undefined;
}

export type BoundArgs = Map<string, BoundArg>;

/** A call-like thing to bind: a layer call, a setting section (`key value` pairs become named args). */
export interface Bindable {
  callee: Identifier;
  args: Arg[];
  span: Span;
}

/**
 * Bind args to a schema: positionals in order, then named ones; check types. Missing required args are
 * reported on the callee name. Unknown, duplicate and extra args are reported on the arg itself.
 */
export interface BindOptions {
  /** Bind the `key value` settings of a section: unknown keys are "unknown setting" diagnostics. */
  section?: boolean;
  /** Extra advice for an unknown name (e.g. "it belongs in scheduler(...)"), or "". */
  hint?: (name: string) => string;
}

export function bindArgs(call: Bindable, schema: readonly ParamSpec[], env: Env, sink: Sink, what = call.callee.name, opts: BindOptions = {}): BoundArgs {
  const out: BoundArgs = new Map();
  const positional = schema.filter((p) => p.positional);
  let nextPos = 0;
  for (const arg of call.args) {
    let spec: ParamSpec | undefined;
    if (arg.name) {
      spec = schema.find((p) => p.name === arg.name!.name);
      if (!spec) {
        const n = arg.name.name;
        const advice = opts.hint?.(n) || didYouMean(n, schema.map((p) => p.name));
        sink.report(opts.section ? 'unknownSetting' : 'unknownArg', arg.name.span, [n, what, advice]);
        continue;
      }
    } else {
      // Skip positional params already filled by name.
      while (nextPos < positional.length && out.has(positional[nextPos]!.name)) nextPos++;
      spec = positional[nextPos++];
      if (!spec) {
        sink.report('tooManyArgs', arg.span, [what, positional.length]);
        continue;
      }
    }
    if (out.has(spec.name)) {
      sink.report('duplicateArg', arg.name?.span ?? arg.span, [spec.name]);
      continue;
    }
    const v = evaluate(arg.value, env, sink);
    if (v === undefined) {
      // Poisoned: record nothing so later code treats it as absent-but-reported.
      out.set(spec.name, { value: { k: 'word', v: '<error>', span: arg.span }, span: arg.value.span, arg });
      continue;
    }
    const checked = checkType(v, spec, arg.value.span, env, sink);
    if (checked !== undefined) out.set(spec.name, { value: checked, span: arg.value.span, arg });
    else out.set(spec.name, { value: { k: 'word', v: '<error>', span: arg.span }, span: arg.value.span, arg });
  }
  for (const p of schema) {
    if (p.required && !out.has(p.name)) sink.report('missingArg', call.callee.span, [p.name, what]);
  }
  // Drop poisoned entries: callers see them as missing, and the error has been reported.
  for (const [k, b] of out) if (b.value.k === 'word' && b.value.v === '<error>') out.delete(k);
  return out;
}

function checkType(v: Value, spec: ParamSpec, span: Span, env: Env, sink: Sink): Value | undefined {
  const ty = spec.type;
  const bad = (expected: string): undefined => {
    if (v.k === 'word' && ty.t !== 'enum') sink.report('unknownName', v.span, [v.v, didYouMean(v.v, [...env.keys()])]);
    else sink.report('typeMismatch', span, [spec.name, expected, describe(v)]);
    return undefined;
  };
  switch (ty.t) {
    case 'any':
      return v;
    case 'number':
      return v.k === 'num' ? v : bad('a number');
    case 'int':
      if (v.k !== 'num') return bad('an integer');
      if (!Number.isInteger(v.v)) {
        sink.report('typeMismatch', span, [spec.name, 'an integer', describe(v)]);
        return undefined;
      }
      return v;
    case 'bool':
      return v.k === 'bool' ? v : bad('true or false');
    case 'string':
      return v.k === 'str' ? v : bad('a string in double quotes');
    case 'enum':
      if (v.k === 'word' || v.k === 'str' || v.k === 'bool') {
        const w = String(v.v);
        if (ty.words.includes(w)) return { k: 'word', v: w, span };
        sink.report('invalidEnum', span, [w, spec.name, ty.words.join(' | ')]);
        return undefined;
      }
      sink.report('invalidEnum', span, [describe(v), spec.name, ty.words.join(' | ')]);
      return undefined;
    case 'pair':
      if (v.k === 'num') return v;
      if (v.k === 'list' && v.items.length === 2 && v.items.every((i) => i.k === 'num')) return v;
      return bad('a number or a list of two numbers');
    case 'numList':
      if (v.k === 'list' && v.items.every((i) => i.k === 'num')) return v;
      return bad('a list of numbers');
    case 'call':
      if (v.k === 'call' || v.k === 'word') return v;
      return bad('a name or a call');
  }
}

// ---------------------------------------------------------------------------------------------------------
// Accessors for bound args (after bindArgs has checked types).

export function num(b: BoundArgs, name: string, dflt: number): number;
export function num(b: BoundArgs, name: string, dflt?: number): number | undefined;
export function num(b: BoundArgs, name: string, dflt?: number): number | undefined {
  const v = b.get(name)?.value;
  return v?.k === 'num' ? v.v : dflt;
}
export function bool(b: BoundArgs, name: string, dflt: boolean): boolean {
  const v = b.get(name)?.value;
  return v?.k === 'bool' ? v.v : dflt;
}
export function word<T extends string>(b: BoundArgs, name: string, dflt: T): T {
  const v = b.get(name)?.value;
  return v?.k === 'word' ? (v.v as T) : dflt;
}
export function str(b: BoundArgs, name: string): string | undefined {
  const v = b.get(name)?.value;
  return v?.k === 'str' ? v.v : undefined;
}
export function pair(b: BoundArgs, name: string, dflt: [number, number]): [number, number] {
  const v = b.get(name)?.value;
  if (v?.k === 'num') return [v.v, v.v];
  if (v?.k === 'list') return [(v.items[0] as { v: number }).v, (v.items[1] as { v: number }).v];
  return dflt;
}
export function numList(b: BoundArgs, name: string): number[] | undefined {
  const v = b.get(name)?.value;
  return v?.k === 'list' ? v.items.map((i) => (i as { v: number }).v) : undefined;
}
export function spanOf(b: BoundArgs, name: string, fallback: Span): Span {
  return b.get(name)?.span ?? fallback;
}
/** The span of the whole argument (`kernel 5`, not just `5`), for "report on the property". */
export function argSpanOf(b: BoundArgs, name: string, fallback: Span): Span {
  return b.get(name)?.arg?.span ?? fallback;
}

// ---------------------------------------------------------------------------------------------------------

/** "; did you mean 'conv'?" when a candidate is within a small edit distance, else "". */
export function didYouMean(name: string, candidates: readonly string[]): string {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  const limit = Math.max(1, Math.floor(name.length / 3));
  return best !== undefined && bestD <= limit ? `; did you mean '${best}'?` : '';
}

/** Optimal-string-alignment distance: Levenshtein plus adjacent transpositions (`widht` → `width` is 1). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}
