// Making user text safe to print: control characters, odd spaces and invisible format characters (bidi
// overrides) become `\u{…}` escapes, so a message or an excerpt stays on one line and cannot drive the terminal;
// and long text is cut to a short prefix, so no diagnostic echoes a 4 MB name back.

/** `s` with every control, odd-space and format character escaped; tabs kept when `keepTab` (excerpts). */
export function printable(s: string, keepTab = false): string {
  let out = '';
  for (const c of s) {
    const cp = c.codePointAt(0)!;
    const odd = cp < 0x20 || cp === 0x7f || (cp >= 0x80 && /\s|\p{C}/u.test(c));
    out += odd && !(keepTab && cp === 9) ? `\\u{${cp.toString(16)}}` : c;
  }
  return out;
}

/** Up to `max` characters of `s`, then `…` when there was more. */
export function abbreviate(s: string, max = 24): string {
  return s.length <= max ? s : `${s.slice(0, max)}…`;
}
