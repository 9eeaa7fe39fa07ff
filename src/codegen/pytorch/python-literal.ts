// Python source literals for the PyTorch target: plain data (the IR, settings) as a Python expression, strings as
// JSON string literals (which Python reads with the same meaning), and identifiers that are safe as attribute names.

export type PyData = null | boolean | number | string | PyData[] | { [k: string]: PyData };

/** A JSON string literal is a valid Python str literal with the same value (\uXXXX, \n, \", \\ all agree). */
export function pyString(s: string): string {
  return JSON.stringify(s);
}

export function pyNumber(n: number): string {
  if (Number.isNaN(n)) return 'float("nan")';
  if (!Number.isFinite(n)) return n > 0 ? 'float("inf")' : '-float("inf")';
  return String(n);
}

export function pyLiteral(v: PyData): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return pyNumber(v);
  if (typeof v === 'string') return pyString(v);
  if (Array.isArray(v)) return `[${v.map(pyLiteral).join(', ')}]`;
  return `{${Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => `${pyString(k)}: ${pyLiteral(x)}`).join(', ')}}`;
}

const PY_KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield match case type'.split(' '),
);

/** A layer path as a Python attribute name: `stage1.conv` → `stage1_conv`; never a keyword, never a taken name. */
export class PyNames {
  private readonly taken: Set<string>;
  constructor(reserved: Iterable<string> = []) {
    this.taken = new Set(reserved);
  }
  claim(path: string): string {
    let base = path.replace(/[^A-Za-z0-9_]/g, '_');
    if (/^[0-9]/.test(base) || base === '' || PY_KEYWORDS.has(base) || base.startsWith('__')) base = `l_${base}`;
    let name = base;
    for (let i = 2; this.taken.has(name); i++) name = `${base}_${i}`;
    this.taken.add(name);
    return name;
  }
}
