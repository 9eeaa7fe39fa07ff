// Numbers as messages show them: 1.2M, 150k, 3.40G, 29,178 (shared by `archc check`/`stats`, compaction, the report and the run summary).

/** A count in three significant digits with a k/M/G suffix; below 1,000 as it is. */
export function human(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (n >= 1e5) return `${(n / 1e6).toPrecision(3)}M`;
  if (n >= 1e3) return `${(n / 1e3).toPrecision(3)}k`;
  return String(n);
}

/**
 * An integer with thousands separators, 29178 → "29,178", as `toLocaleString('en-US')` writes it for integers, without
 * its cost: the first locale-aware call loads ICU data, 16–24 ms of CPU, which was 5–7% of `archc check`'s startup.
 * Non-integers are rounded to three decimals first (what `toLocaleString` does by default).
 */
export function grouped(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const [int = '0', frac] = Math.abs(n).toFixed(3).replace(/\.?0+$/, '').split('.');
  const sign = n < 0 ? '-' : '';
  return `${sign}${int.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${frac !== undefined ? `.${frac}` : ''}`;
}
