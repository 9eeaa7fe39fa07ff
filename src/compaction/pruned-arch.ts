// The pruned .arch: the INPUT TEXT with only the widths changed, so `diff -u input.arch pruned.arch` reads as the
// learned architecture. Rules (README "Compaction"):
//   1. A width literal that feeds exactly one surviving layer instance is edited in place: in the layer statement
//      (`conv(32, kernel 3)` → `conv(21, kernel 3)`), or at the block call when the layer's width is a bare block
//      parameter used once in the body (`cbr(32)` → `cbr(21)`).
//   2. Every other changed width becomes a per-instance override in a `widths { <path> <width> }` section appended
//      before the network's closing brace (or edited in place where the input already overrides that path).
//   3. A block instance whose branch became the identity is removed from its statement with a comment
//      `# archc: <path> pruned to identity (…)`; later unlabelled instances of that block in the scope get labels
//      (`basic3: basic(32)`) or the repeat is split, so every surviving layer keeps its path (= its weight names).
// Written atomically (temp file + rename), never over the input.

import { resolve as resolvePath } from 'node:path';
import type { Span } from '../diagnostics/index.ts';
import { writeFileAtomic } from '../io/atomic-write.ts';
import { replaceSpans, type SpanEdit } from '../printer/index.ts';
import type { Arg, ArchFile, BlockDecl, CallExpr, Expr, LayerStmt, RepeatStmt, Statement } from '../syntax/ast.ts';
import type { IrNetwork, IrNode } from '../semantic/ir.ts';
import { kindEntry, lookupKind } from '../semantic/registry.ts';
import type { CompactedIr } from './compact-ir.ts';
import type { CompactionPlan, DeadBranch } from './plan.ts';

export interface WidthOverride {
  path: string;
  width: number;
  was: number;
}

export interface PrunedArch {
  text: string;
  /** Widths edited in place: layer path → new width. */
  inPlace: { path: string; width: number; was: number; line: number }[];
  overrides: WidthOverride[];
  /** Instance paths removed from the text. */
  removedInstances: string[];
}

const key = (s: Span): string => `${s.start}:${s.end}`;

/** Where a layer's width comes from in the source: the statement's call and the enclosing block declaration. */
interface StmtInfo {
  call: CallExpr;
  block: BlockDecl | undefined;
}

export function emitPrunedArch(source: string, ast: ArchFile, plan: CompactionPlan, compacted: CompactedIr, opts: { allOverrides?: boolean } = {}): PrunedArch {
  const net = ast.network;
  if (!net) throw new Error('emitPrunedArch: the source has no network');
  const ir = plan.ir;
  const blocks = new Map<string, BlockDecl>();
  for (const it of net.items) if (it.kind === 'Block') blocks.set(it.name.name, it);

  // Every statement by the span the IR records: a layer statement's span, a repeat's call span (its layers' span).
  const stmts = new Map<string, StmtInfo>();
  const calls = new Map<string, LayerStmt | RepeatStmt>();
  const visit = (body: Statement[], block: BlockDecl | undefined): void => {
    for (const s of body) {
      if (s.kind === 'Layer') {
        stmts.set(key(s.span), { call: s.call, block });
        calls.set(key(s.call.span), s);
      } else if (s.kind === 'Repeat') {
        stmts.set(key(s.call.span), { call: s.call, block });
        calls.set(key(s.call.span), s);
      } else if (s.kind === 'Group') visit(s.body, block);
    }
  };
  for (const it of net.items) {
    if (it.kind === 'Block') visit(it.body, it);
    else if (it.kind === 'Layers') visit(it.body, undefined);
  }

  const edits: SpanEdit[] = [];
  const inPlace: PrunedArch['inPlace'] = [];
  const overrides: WidthOverride[] = [];
  const existing = existingOverrides(ast);
  const lineOf = (offset: number): number => source.slice(0, offset).split('\n').length;

  // --- 1/2: widths -------------------------------------------------------------------------------------
  const survivors = ir.nodes.filter((n) => !plan.removed.has(n.id));
  const widthNodes = survivors.filter((n) => widthOf(n) !== null && ownsWidth(n, stmts));
  const perStmt = countBy(widthNodes, (n) => key(n.span));
  const perStmtAndCall = countBy(widthNodes, (n) => `${key(n.span)}@${n.callSites.length > 0 ? key(n.callSites[n.callSites.length - 1]!) : ''}`);
  // A group's widths are edited in place only if every changed producer of the group can be: the checker resolves
  // `add(shortcut)` on the spec WITHOUT its overrides, so mixing edited literals and overrides inside one group
  // could turn an identity shortcut into a projection there.
  const changed = widthNodes.filter((n) => compacted.layout[n.id]!.length !== widthOf(n));
  const literalOf = new Map<number, { span: Span } | undefined>();
  for (const n of changed) {
    literalOf.set(n.id, opts.allOverrides || existing.has(n.path) ? undefined : widthLiteral(n, stmts.get(key(n.span))!, perStmt.get(key(n.span)) ?? 0, perStmtAndCall, calls));
  }
  const mixed = new Set<number | null>();
  for (const n of changed) if (!literalOf.get(n.id) && !existing.has(n.path)) mixed.add(n.group);
  const literalEdits = new Map<string, { span: Span; text: string }>();
  for (const n of changed) {
    const was = widthOf(n)!;
    const width = compacted.layout[n.id]!.length;
    const ex = existing.get(n.path);
    if (ex) {
      edits.push({ span: ex.span, newText: String(width) });
      inPlace.push({ path: n.path, width, was, line: lineOf(ex.span.start) });
      continue;
    }
    const lit = mixed.has(n.group) ? undefined : literalOf.get(n.id);
    const k = lit ? key(lit.span) : '';
    if (lit && !literalEdits.has(k)) {
      literalEdits.set(k, { span: lit.span, text: String(width) });
      edits.push({ span: lit.span, newText: String(width) });
      inPlace.push({ path: n.path, width, was, line: lineOf(lit.span.start) });
    } else if (lit && literalEdits.get(k)!.text !== String(width)) {
      throw new Error(`emitPrunedArch: one literal would need two widths (${n.path})`);
    } else if (!lit) overrides.push({ path: n.path, width, was });
  }

  // --- 3: removed block instances ------------------------------------------------------------------------
  const removed = plan.dead.filter((d) => d.mode === 'identity');
  const removedInstances = removed.map((d) => d.instance);
  if (removed.length > 0) {
    const layersBody = net.items.find((i) => i.kind === 'Layers');
    if (layersBody && layersBody.kind === 'Layers') {
      new InstanceEditor(source, ir, blocks, new Map(removed.map((d) => [d.instance, d])), edits, literalEdits).body(layersBody.body, '');
    }
  }
  for (const d of plan.dead.filter((x) => x.mode === 'zeroed')) {
    const add = ir.nodes[d.add]!;
    const at = add.callSites[0] ?? add.span;
    const ls = lineStart(source, at.start);
    edits.push({ span: { start: ls, end: ls }, newText: `${indentAt(source, ls)}# archc: ${d.instance} branch disabled (${describeEmptied(d)}): kept at minimum width with a zero output, since ${d.reason}\n` });
  }

  // --- the widths section ---------------------------------------------------------------------------------
  if (overrides.length > 0) edits.push(widthsSection(source, ast, overrides));

  return { text: replaceSpans(source, mergeDeletions(edits)), inPlace, overrides, removedInstances };
}

/** Writes `text` to `path` atomically (temp file in the same directory, then rename); refuses to overwrite `input`. */
export async function writePrunedArch(path: string, text: string, input?: string): Promise<void> {
  if (input !== undefined && resolvePath(path) === resolvePath(input)) throw new Error(`refusing to overwrite the input ${input} with the pruned spec`);
  await writeFileAtomic(path, text);
}

// ---------------------------------------------------------------------------------------------------------

function widthOf(n: IrNode): number | null {
  return kindEntry(n.kind).ownWidth?.(n.attrs as unknown as Record<string, unknown>) ?? null;
}

/** The layer's own statement states its width (a projection conv's width comes from its block, not from `add`). */
function ownsWidth(n: IrNode, stmts: Map<string, StmtInfo>): boolean {
  const info = stmts.get(key(n.span));
  return info !== undefined && info.call.callee.name === n.kind;
}

/** The width argument of a layer call: named `filters`/`units`, else the first positional argument. */
function widthArg(call: CallExpr): Arg | undefined {
  const name = lookupKind(call.callee.name)?.widthArg?.arg;
  return call.args.find((a) => name !== undefined && a.name?.name === name) ?? call.args.find((a) => !a.name);
}

/** The number literal to edit for node `n`, or undefined when no literal feeds exactly this one instance. */
function widthLiteral(
  n: IrNode,
  info: StmtInfo,
  instances: number,
  perStmtAndCall: Map<string, number>,
  calls: Map<string, LayerStmt | RepeatStmt>,
): { span: Span } | undefined {
  const arg = widthArg(info.call);
  if (!arg) return undefined;
  if (arg.value.kind === 'Number') return instances === 1 ? arg.value : undefined;
  if (arg.value.kind !== 'Name' || !info.block || n.callSites.length === 0) return undefined;
  const param = arg.value.name;
  const block = info.block;
  const idx = block.params.findIndex((p) => p.name.name === param);
  if (idx < 0 || countRefs(block, param) !== 1) return undefined;
  const site = n.callSites[n.callSites.length - 1]!;
  if (perStmtAndCall.get(`${key(n.span)}@${key(site)}`) !== 1) return undefined;
  const callStmt = calls.get(key(site));
  if (!callStmt) return undefined;
  // The call's expansion count must be one too (not a repeat, not inside a block used twice).
  if (callStmt.kind === 'Repeat') return undefined;
  const bound = bindBlockArg(callStmt.call, block, idx);
  return bound?.value.kind === 'Number' ? bound.value : undefined;
}

/** The argument bound to block parameter `idx` (named, else positional as values.ts `bindArgs` binds them). */
function bindBlockArg(call: CallExpr, block: BlockDecl, idx: number): Arg | undefined {
  const name = block.params[idx]!.name.name;
  const named = call.args.find((a) => a.name?.name === name);
  if (named) return named;
  const filled = new Set<string>();
  let next = 0;
  for (const a of call.args) {
    if (a.name) {
      filled.add(a.name.name);
      continue;
    }
    while (next < block.params.length && filled.has(block.params[next]!.name.name)) next++;
    if (next === idx) return a;
    filled.add(block.params[next]?.name.name ?? '');
    next++;
  }
  return undefined;
}

function countRefs(block: BlockDecl, name: string): number {
  let n = 0;
  const expr = (e: Expr | undefined): void => {
    if (!e) return;
    switch (e.kind) {
      case 'Name':
        if (e.name === name) n++;
        break;
      case 'List':
        e.items.forEach(expr);
        break;
      case 'Call':
        e.args.forEach((a) => expr(a.value));
        break;
      case 'Binary':
        expr(e.left);
        expr(e.right);
        break;
      case 'Unary':
        expr(e.operand);
        break;
      default:
        break;
    }
  };
  const body = (ss: Statement[]): void => {
    for (const s of ss) {
      if (s.kind === 'Layer') {
        expr(s.call);
        s.maskable?.args.forEach((a) => expr(a.value));
      } else if (s.kind === 'Repeat') {
        expr(s.count);
        expr(s.call);
      } else if (s.kind === 'Group') body(s.body);
      else s.settings.forEach((st) => expr(st.value));
    }
  };
  block.params.forEach((p) => expr(p.default));
  body(block.body);
  return n;
}

/** Entries of an existing `widths` section (a pruned spec compacted again): path → width literal span. */
function existingOverrides(ast: ArchFile): Map<string, { span: Span }> {
  const out = new Map<string, { span: Span }>();
  for (const it of ast.network?.items ?? []) {
    if (it.kind !== 'Widths') continue;
    for (const e of it.entries) out.set(e.path.map((p) => p.name).join('.'), { span: e.width.span });
  }
  return out;
}

function widthsSection(source: string, ast: ArchFile, overrides: WidthOverride[]): SpanEdit {
  const net = ast.network!;
  const existing = net.items.find((i) => i.kind === 'Widths');
  const entry = (o: WidthOverride, indent: string) => `${indent}${o.path} ${o.width}  # was ${o.was}\n`;
  if (existing) {
    const close = source.lastIndexOf('}', existing.span.end - 1);
    const ls = lineStart(source, close);
    const indent = indentAt(source, ls) + '  ';
    return { span: { start: ls, end: ls }, newText: overrides.map((o) => entry(o, indent)).join('') };
  }
  const close = source.lastIndexOf('}', net.span.end - 1);
  const ls = lineStart(source, close);
  const onOwnLine = /^[ \t]*$/.test(source.slice(ls, close));
  const indent = `${onOwnLine ? indentAt(source, ls) : ''}  `;
  const text = [
    '',
    `${indent}# learned widths (archc compaction): per-instance overrides of block-parameter widths`,
    `${indent}widths {`,
    ...overrides.map((o) => entry(o, `${indent}  `).replace(/\n$/, '')),
    `${indent}}`,
    '',
  ].join('\n');
  return onOwnLine ? { span: { start: ls, end: ls }, newText: text.slice(1) } : { span: { start: close, end: close }, newText: `${text}` };
}

/** "all 32 inner channels of g3:stage2.basic1.conv1 removed". */
export function describeEmptied(d: DeadBranch): string {
  const total = d.emptied.reduce((a, e) => a + e.width, 0);
  const s = d.emptied[0]?.structure;
  const what = s === 'channels' ? 'channels' : s === 'hidden' ? 'hidden units' : 'units';
  return `all ${total} inner ${what} of ${d.emptied.map((e) => e.name).join(', ')} removed`;
}

function countBy<T>(xs: T[], f: (x: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const x of xs) m.set(f(x), (m.get(f(x)) ?? 0) + 1);
  return m;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function lineEnd(text: string, offset: number): number {
  const i = text.indexOf('\n', offset);
  return i < 0 ? text.length : i;
}

function indentAt(text: string, ls: number): string {
  return /^[ \t]*/.exec(text.slice(ls))![0];
}

/** Pure deletions may touch (two removed neighbours share the blanks between them): merge them into one. */
function mergeDeletions(edits: SpanEdit[]): SpanEdit[] {
  const dels = edits.filter((e) => e.newText === '' && e.span.end > e.span.start).sort((a, b) => a.span.start - b.span.start);
  const rest = edits.filter((e) => !(e.newText === '' && e.span.end > e.span.start));
  const merged: SpanEdit[] = [];
  for (const d of dels) {
    const last = merged[merged.length - 1];
    if (last && d.span.start <= last.span.end) last.span = { start: last.span.start, end: Math.max(last.span.end, d.span.end) };
    else merged.push({ span: { ...d.span }, newText: '' });
  }
  // Zero-width insertions go before a deletion that starts at the same offset.
  return [...rest, ...merged].sort((a, b) => a.span.start - b.span.start || (a.span.end - a.span.start) - (b.span.end - b.span.start));
}

/**
 * Removes dead block instances from the top-level layer statements, keeping every surviving instance's path:
 * per scope and block name, instances are numbered among unlabelled statements, so once one is removed the later
 * ones are labelled with their old names (or a repeat is split into runs and labelled calls).
 */
class InstanceEditor {
  constructor(
    private readonly source: string,
    private readonly ir: IrNetwork,
    private readonly blocks: Map<string, BlockDecl>,
    private readonly removed: Map<string, DeadBranch>,
    private readonly edits: SpanEdit[],
    private readonly literalEdits: Map<string, { span: Span; text: string }>,
  ) {}

  body(stmts: Statement[], prefix: string): void {
    const producers = new Map<string, (LayerStmt | RepeatStmt)[]>();
    for (const s of stmts) {
      if (s.kind === 'Group') this.body(s.body, `${prefix}${s.label.name}.`);
      if ((s.kind !== 'Layer' && s.kind !== 'Repeat') || !this.blocks.has(s.call.callee.name)) continue;
      const b = s.call.callee.name;
      if (s.kind === 'Repeat' && s.label) {
        this.scope([s], b, `${prefix}${s.label.name}.`);
        continue;
      }
      if (s.kind === 'Layer' && s.label) {
        const path = `${prefix}${s.label.name}`;
        if (this.removed.has(path)) this.remove(s, [path]);
        continue;
      }
      producers.set(b, [...(producers.get(b) ?? []), s]);
    }
    for (const [b, list] of producers) this.scope(list, b, prefix);
  }

  /** Instance numbers a statement produced (from the IR: the names its layers' paths start with). */
  private numbers(s: LayerStmt | RepeatStmt, b: string, prefix: string): number[] {
    const names = new Set<string>();
    for (const n of this.ir.nodes) {
      const site = n.callSites[0];
      if (!site || site.start !== s.call.span.start || site.end !== s.call.span.end || !n.path.startsWith(prefix)) continue;
      names.add(n.path.slice(prefix.length).split('.')[0]!);
    }
    return [...names].map((x) => Number(x.slice(b.length))).filter((k) => Number.isInteger(k) && k > 0).sort((a, c) => a - c);
  }

  /** The unlabelled producers of block `b` in one scope (or one labelled repeat, its own scope). */
  private scope(list: (LayerStmt | RepeatStmt)[], b: string, prefix: string): void {
    let counter = 0;
    for (const s of list) {
      const nums = this.numbers(s, b, prefix);
      const gone = nums.filter((k) => this.removed.has(`${prefix}${b}${k}`));
      const alive = nums.filter((k) => !gone.includes(k));
      if (gone.length === 0 && nums[0] === counter + 1) {
        counter += nums.length;
        continue;
      }
      const paths = gone.map((k) => `${prefix}${b}${k}`);
      if (alive.length === 0) {
        this.remove(s, paths);
        continue;
      }
      this.comment(s, paths);
      if (s.kind === 'Layer') {
        // A surviving single instance whose automatic number moved: name it explicitly.
        if (alive[0] === counter + 1) counter++;
        else this.edits.push({ span: { start: s.span.start, end: s.span.start }, newText: `${b}${alive[0]}: ` });
        continue;
      }
      // A repeat: runs of automatically numbered instances stay `repeat r call`, the rest get labels.
      const callText = this.callText(s.call);
      const pieces: string[] = [];
      let labelled = 0;
      let run = 0;
      const flush = () => {
        if (run > 0) pieces.push(run === 1 ? callText : `repeat ${run} ${callText}`);
        run = 0;
      };
      for (const k of alive) {
        if (k === counter + 1) {
          counter++;
          run++;
        } else {
          flush();
          labelled++;
          pieces.push(`${b}${k}: ${callText}`);
        }
      }
      flush();
      if (labelled === 0 && pieces.length === 1 && s.count.kind === 'Number') {
        // Only the count changed: edit the number, so the diff shows just that.
        this.edits.push({ span: s.count.span, newText: String(alive.length) });
        continue;
      }
      const text = pieces.join('  ');
      this.edits.push({ span: s.span, newText: s.label ? `${s.label.name}: { ${text} }` : text });
    }
  }

  /** The call's source text with any width literal edits inside it applied. */
  private callText(call: CallExpr): string {
    const inner: SpanEdit[] = [];
    for (const [k, e] of this.literalEdits) {
      if (e.span.start >= call.span.start && e.span.end <= call.span.end) {
        inner.push({ span: { start: e.span.start - call.span.start, end: e.span.end - call.span.start }, newText: e.text });
        this.literalEdits.delete(k);
        const i = this.edits.findIndex((x) => x.span.start === e.span.start && x.span.end === e.span.end);
        if (i >= 0) this.edits.splice(i, 1);
      }
    }
    return replaceSpans(this.source.slice(call.span.start, call.span.end), inner);
  }

  private comment(s: LayerStmt | RepeatStmt, paths: string[]): void {
    const ls = lineStart(this.source, s.span.start);
    const indent = indentAt(this.source, ls);
    const text = paths.map((p) => `${indent}# archc: ${p} pruned to identity (${describeEmptied(this.removed.get(p)!)})\n`).join('');
    this.edits.push({ span: { start: ls, end: ls }, newText: text });
  }

  /** Deletes a whole statement (and the blanks that separated it), leaving the comment on the line above. */
  private remove(s: LayerStmt | RepeatStmt, paths: string[]): void {
    const src = this.source;
    const ls = lineStart(src, s.span.start);
    const le = lineEnd(src, s.span.end);
    const before = src.slice(ls, s.span.start);
    const after = src.slice(s.span.end, le);
    const indent = indentAt(src, ls);
    const note = paths.map((p) => `${indent}# archc: ${p} pruned to identity (${describeEmptied(this.removed.get(p)!)})\n`).join('');
    // Width edits inside the statement go with it.
    for (const [k, e] of this.literalEdits) {
      if (e.span.start >= s.span.start && e.span.end <= s.span.end) {
        this.literalEdits.delete(k);
        const i = this.edits.findIndex((x) => x.span.start === e.span.start && x.span.end === e.span.end);
        if (i >= 0) this.edits.splice(i, 1);
      }
    }
    if (/^[ \t]*$/.test(before) && /^[ \t]*$/.test(after)) {
      this.edits.push({ span: { start: ls, end: Math.min(src.length, le + 1) }, newText: note });
      return;
    }
    this.edits.push({ span: { start: ls, end: ls }, newText: note });
    const pre = /[ \t]*$/.exec(before)![0].length;
    const post = /^[ \t]*/.exec(after)![0].length;
    const nextChar = src[s.span.end + post];
    const atStart = pre === before.length;
    if (!atStart && (nextChar === undefined || nextChar === '\n' || nextChar === '\r' || nextChar === '}' || nextChar === '#')) {
      this.edits.push({ span: { start: s.span.start - pre, end: s.span.end }, newText: '' });
    } else {
      this.edits.push({ span: { start: s.span.start, end: s.span.end + post }, newText: '' });
    }
  }
}
