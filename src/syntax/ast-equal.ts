// Structural equality of ASTs "up to spans": what the round-trip properties (parse ∘ print) and the fmt
// safety check compare. Comments compare by text with trailing blanks ignored (the printer trims them).

import type { ArchFile } from './ast.ts';

/** A deep copy of any AST value with every `span` removed (undefined-valued keys dropped too). */
export function stripSpans(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripSpans);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === 'span' || v === undefined) continue;
      out[k] = stripSpans(v);
    }
    return out;
  }
  return value;
}

export function sameSyntax(a: ArchFile, b: ArchFile): boolean {
  const comments = (f: ArchFile): string[] => f.comments.map((c) => c.text.trimEnd());
  return (
    JSON.stringify(stripSpans(a.network)) === JSON.stringify(stripSpans(b.network)) &&
    JSON.stringify(comments(a)) === JSON.stringify(comments(b))
  );
}
