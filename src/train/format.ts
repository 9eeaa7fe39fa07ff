// Numbers as messages show them: 1.2M, 150k, 3.40G (shared by `archc check`/`stats` and the run summary).

/** A count in three significant digits with a k/M/G suffix; below 1,000 as it is. */
export function human(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (n >= 1e5) return `${(n / 1e6).toPrecision(3)}M`;
  if (n >= 1e3) return `${(n / 1e3).toPrecision(3)}k`;
  return String(n);
}
