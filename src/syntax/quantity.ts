// Number literals with a unit suffix, as budgets are written: `40%` (a percent), `1.2M`, `150k`, `2G` (counts with
// the usual SI suffixes). One table for the lexer's literal, the AST visitor and the command line's --target-*.

/** Count suffixes and their scale (k = 10³, M = 10⁶, G = 10⁹; the ones `archc stats` prints). */
export const COUNT_SUFFIXES = { k: 1e3, M: 1e6, G: 1e9 } as const;

export type Quantity = { kind: 'percent'; value: number } | { kind: 'count'; value: number };

/**
 * `40%` → percent 40; `1.2M` → count 1,200,000; `150` → count 150. Undefined for anything else (signs, blanks,
 * other suffixes), so a caller can say what it expected.
 */
export function parseQuantity(text: string): Quantity | undefined {
  const m = /^(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(%|[kMG])?$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  if (!Number.isFinite(n)) return undefined;
  const suffix = m[2];
  if (suffix === '%') return { kind: 'percent', value: n };
  return { kind: 'count', value: suffix ? n * COUNT_SUFFIXES[suffix as keyof typeof COUNT_SUFFIXES] : n };
}
