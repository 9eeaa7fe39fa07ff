// Writers for everything in a generated module that carries text from the spec: string literals, plain-data
// literals (the IR, attrs, groups) and comments quoting source lines. Strings are always single-quoted and
// escaped down to printable ASCII, so no spec text (quotes, backticks, `${…}`, line separators, bidi controls)
// can end a literal or a comment early, or hide code from a reader.

/** A single-quoted TypeScript string literal whose contents are printable ASCII (others become \u escapes). */
export function stringLiteral(s: string): string {
  let out = "'";
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === "'") out += "\\'";
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c >= 0x20 && c < 0x7f) out += ch;
    else if (c <= 0xffff) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += `\\u{${c.toString(16)}}`;
  }
  return out + "'";
}

/** A number as TypeScript source; the IR holds only finite numbers, anything else is a broken invariant. */
export function numberLiteral(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`codegen: cannot emit the non-finite number ${n}`);
  if (Object.is(n, -0)) return '0';
  return n < 0 ? `-${String(-n)}` : String(n);
}

/** An object key: bare when it is a plain identifier, else a string literal. */
export function propertyKey(k: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : stringLiteral(k);
}

export type PlainData = null | boolean | number | string | readonly PlainData[] | { readonly [k: string]: PlainData | undefined };

/**
 * A plain-data value (JSON-like) as a TypeScript expression on one line. Keys keep their insertion order, so the
 * output is as deterministic as the data; `undefined` properties are dropped as JSON would.
 */
export function dataLiteral(v: PlainData): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return numberLiteral(v);
  if (typeof v === 'string') return stringLiteral(v);
  if (Array.isArray(v)) return `[${(v as readonly PlainData[]).map(dataLiteral).join(', ')}]`;
  const entries = Object.entries(v as Record<string, PlainData | undefined>).filter(
    (e): e is [string, PlainData] => e[1] !== undefined,
  );
  if (entries.length === 0) return '{}';
  return `{ ${entries.map(([k, x]) => `${propertyKey(k)}: ${dataLiteral(x)}`).join(', ')} }`;
}

/**
 * Text that is safe inside `// …` and `/* … *\/` comments: one line, no `*\/`, printable ASCII only (anything
 * else is shown as \u{…}), at most `max` characters.
 */
export function commentText(s: string, max = 100): string {
  let out = '';
  for (const ch of s.replace(/\r\n|[\r\n\u2028\u2029]/g, ' ')) {
    const c = ch.codePointAt(0)!;
    out += c >= 0x20 && c < 0x7f ? ch : c === 0x09 ? ' ' : `\\u{${c.toString(16)}}`;
  }
  out = out.replace(/\*\//g, '*\\/').replace(/\s+/g, ' ').trim();
  return out.length > max ? `${out.slice(0, max - 3)}...` : out;
}
