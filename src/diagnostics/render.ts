// Render diagnostics as text: `file(line,col): error ARCH3001: message`, then the source line and a ~~~ underline.

import type { Diagnostic, RelatedInfo } from './diagnostic.ts';
import type { SourceText } from './span.ts';

export function renderDiagnostic(d: Diagnostic, source: SourceText | undefined, color = false): string {
  const file = d.file ?? source?.fileName ?? '<input>';
  if (!source) return `${file}: ${d.severity} ${d.code}: ${d.message}`;
  const { line, col } = source.position(d.span.start);
  const head = `${file}(${line},${col}): ${paint(d.severity, d.severity, color)} ${d.code}: ${d.message}`;
  const text = source.lineText(line);
  const endPos = source.position(Math.max(d.span.start, d.span.end));
  const endCol = endPos.line === line ? endPos.col : text.length + 1;
  const width = Math.max(1, endCol - col);
  const gutter = String(line);
  const lines = [head, `${gutter} | ${text}`, `${' '.repeat(gutter.length)} | ${' '.repeat(col - 1)}${paint('~'.repeat(width), d.severity, color)}`];
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
