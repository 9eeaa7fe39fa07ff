// Render diagnostics as text: `file(line,col): error ARCH3001: message`, then the source line and a ~~~ underline.
// What reaches the terminal is bounded and inert: control characters in an excerpt are escaped, a long line is
// shown as a window around the span, a long list of related sites and a long list of diagnostics are cut.

import type { Diagnostic, RelatedInfo } from './diagnostic.ts';
import { printable } from './printable.ts';
import type { SourceText } from './span.ts';

export function renderDiagnostic(d: Diagnostic, source: SourceText | undefined, color = false): string {
  const file = d.file ?? source?.fileName ?? '<input>';
  // No text (an unreadable or refused file): there is no line to show.
  if (!source || source.text.length === 0) return `${file}: ${d.severity} ${d.code}: ${d.message}`;
  const { line, col } = source.position(d.span.start);
  const head = `${file}(${line},${col}): ${paint(d.severity, d.severity, color)} ${d.code}: ${d.message}`;
  const text = source.lineText(line);
  const endPos = source.position(Math.max(d.span.start, d.span.end));
  const endCol = endPos.line === line ? endPos.col : text.length + 1;
  const ex = excerpt(text, col - 1, Math.max(col, endCol) - 1);
  const gutter = String(line);
  const lines = [head, `${gutter} | ${ex.text}`, `${' '.repeat(gutter.length)} | ${' '.repeat(ex.col)}${paint('~'.repeat(ex.width), d.severity, color)}`];
  for (const r of shownRelated(d.related)) {
    if (typeof r === 'number') {
      lines.push(`  … and ${r} more`);
      continue;
    }
    const p = source.position(r.span.start);
    lines.push(`  ${r.file ?? file}(${p.line},${p.col}): ${r.message}`);
  }
  return lines.join('\n');
}

/**
 * A line up to LONG_LINE characters is shown whole; of a longer one, WINDOW characters on each side of the span
 * and of the span itself, the rest cut to `…`.
 */
const LONG_LINE = 240;
const WINDOW = 100;

/**
 * The line `text` with the span [from, to) as printed: escaped, cut around the span when long, with the column
 * and width of the underline in the printed text.
 */
function excerpt(text: string, from: number, to: number): { text: string; col: number; width: number } {
  if (text.length <= LONG_LINE) {
    const before = printable(text.slice(0, from), true);
    const inside = printable(text.slice(from, to), true);
    return { text: before + inside + printable(text.slice(to), true), col: before.length, width: Math.max(1, inside.length) };
  }
  const start = Math.max(0, from - WINDOW);
  const spanEnd = Math.min(to, from + WINDOW);
  const end = Math.min(text.length, spanEnd + WINDOW);
  const before = (start > 0 ? '…' : '') + printable(text.slice(start, from), true);
  const inside = printable(text.slice(from, spanEnd), true);
  const after = printable(text.slice(spanEnd, end), true) + (end < text.length ? '…' : '');
  return { text: before + inside + after, col: before.length, width: Math.max(1, inside.length) };
}

/** Diagnostics printed for one file before the rest are summed up in one line. */
export const MAX_SHOWN_DIAGNOSTICS = 20;

/** The first `max` diagnostics, and the line that stands for the rest (`… and 370 more diagnostics (390 in all)`). */
export function limitShown<T>(ds: readonly T[], max = MAX_SHOWN_DIAGNOSTICS): { shown: T[]; more: string | undefined } {
  if (ds.length <= max) return { shown: [...ds], more: undefined };
  return { shown: ds.slice(0, max), more: `… and ${ds.length - max} more diagnostics (${ds.length} in all)` };
}

export function renderDiagnostics(ds: readonly Diagnostic[], sources: ReadonlyMap<string, SourceText> | SourceText | undefined, color = false): string {
  return ds
    .map((d) => {
      const src = sources instanceof Map ? sources.get(d.file ?? '') : (sources as SourceText | undefined);
      return renderDiagnostic(d, src, color);
    })
    .join('\n\n');
}

/**
 * Related lines to print: all of a short list; of a long one (64 nested call sites) the first three and the last
 * two (the innermost and the outermost) around the number left out.
 */
function shownRelated(related: readonly RelatedInfo[]): (RelatedInfo | number)[] {
  if (related.length <= MAX_RELATED) return [...related];
  return [...related.slice(0, 3), related.length - 5, ...related.slice(-2)];
}
const MAX_RELATED = 6;

function paint(s: string, sev: string, color: boolean): string {
  if (!color) return s;
  const code = sev === 'error' ? 31 : sev === 'warning' ? 33 : 36;
  return `\u001b[${code}m${s}\u001b[0m`;
}
