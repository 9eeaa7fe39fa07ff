// Diagnostics are values: a stable code, a severity, a message from the one table in messages.ts, and a span.
// Every stage returns them in a Result; only src/cli turns them into text and exit codes.

import type { Span } from './span.ts';
import { MESSAGES, type MessageKey } from './messages.ts';
import { abbreviate } from './printable.ts';

export type Severity = 'error' | 'warning' | 'info';

export interface RelatedInfo {
  message: string;
  span: Span;
  /** Defaults to the diagnostic's own file. */
  file?: string;
}

export interface Diagnostic {
  /** Stable code such as "ARCH2001". */
  code: string;
  severity: Severity;
  message: string;
  span: Span;
  /** File the span refers to; filled in by the stage that knows it (parse/check of one file). */
  file?: string;
  related: RelatedInfo[];
}

export interface Result<T> {
  value: T;
  diagnostics: Diagnostic[];
}

/** Build a diagnostic from the message table. `{0}`, `{1}`… in the template are replaced by args. */
export function diag(key: MessageKey, span: Span, args: ReadonlyArray<string | number> = [], related: RelatedInfo[] = []): Diagnostic {
  const m = MESSAGES[key];
  return { code: m.code, severity: m.severity, message: format(m.text, args), span, related };
}

/** Longest argument a message repeats in full: user text beyond it (a huge name or string) is cut. */
const MAX_ARG = 160;

export function format(template: string, args: ReadonlyArray<string | number>): string {
  return template.replace(/\{(\d+)\}/g, (_, i: string) => {
    const v = args[Number(i)];
    return v === undefined ? `{${i}}` : abbreviate(String(v), MAX_ARG);
  });
}

export function hasErrors(ds: readonly Diagnostic[]): boolean {
  return ds.some((d) => d.severity === 'error');
}

/** Drop a diagnostic when an earlier one has the same code at the same start (TypeScript's parseErrorAtPosition habit). */
export function dedupe(ds: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const d of ds) {
    const k = `${d.file ?? ''}:${d.span.start}:${d.code}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(d);
  }
  return out;
}
