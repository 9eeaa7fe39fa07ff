// In-place edits of the ORIGINAL text: replace given spans and leave every other character alone. Used
// where output must be "the input with only these values changed" (compaction rewrites widths so that
// `diff -u` shows only those lines), which a reformatting printer could not promise.

import type { Span } from '../diagnostics/index.ts';

export interface SpanEdit {
  span: Span;
  newText: string;
}

/** Apply non-overlapping edits (in any order). Overlapping edits are a caller bug and throw. */
export function replaceSpans(text: string, edits: readonly SpanEdit[]): string {
  const sorted = [...edits].sort((a, b) => a.span.start - b.span.start);
  let out = '';
  let at = 0;
  for (const e of sorted) {
    if (e.span.start < at || e.span.end < e.span.start || e.span.end > text.length) {
      throw new Error(`replaceSpans: bad or overlapping span [${e.span.start}, ${e.span.end})`);
    }
    out += text.slice(at, e.span.start) + e.newText;
    at = e.span.end;
  }
  return out + text.slice(at);
}
