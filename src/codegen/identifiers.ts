// Turns names from a spec (layer paths, the network name) into TypeScript identifiers that cannot inject code:
// every character outside [A-Za-z0-9_] becomes '_', reserved words get a trailing '_', and collisions are resolved with numeric suffixes in a fixed order (so output is stable).

/** ECMAScript reserved words, strict-mode reserved words, and names TypeScript treats specially in our positions. */
const RESERVED = new Set([
  'await', 'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else',
  'enum', 'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new',
  'null', 'return', 'super', 'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with',
  'yield', 'let', 'static', 'implements', 'interface', 'package', 'private', 'protected', 'public', 'arguments',
  'eval', 'undefined', 'NaN', 'Infinity', 'constructor', 'prototype', '__proto__',
]);

/**
 * The field of a generated network class that holds its layers, one property per layer. Layer names live inside
 * it, so no label can shadow a member of NetworkModule (test/codegen/member-names.test.ts labels layers with every
 * one of them); this name itself is checked against the base class by that test.
 */
export const LAYERS_FIELD = 'layers';

/** A syntactically valid identifier for any input string (never empty, never a reserved word). */
export function sanitizeIdentifier(name: string, extraReserved: ReadonlySet<string> = new Set()): string {
  let id = name.replace(/\./g, '_').replace(/[^A-Za-z0-9_]/g, '_');
  if (id === '') id = '_';
  if (/^[0-9]/.test(id)) id = `_${id}`;
  while (RESERVED.has(id) || extraReserved.has(id)) id = `${id}_`;
  return id;
}

/** Property name of a layer in `layers`: its dotted path with '.' → '_' (`stage1.basic1.conv1` → `stage1_basic1_conv1`). */
export function layerFieldName(path: string): string {
  return sanitizeIdentifier(path);
}

/** Assigns unique identifiers in input order: the second `a_b` (from `a.b` and `a_b`) becomes `a_b_2`, etc. */
export class IdentifierPool {
  private readonly used: Set<string>;
  constructor(taken: Iterable<string> = []) {
    this.used = new Set(taken);
  }
  claim(base: string): string {
    let id = base;
    for (let k = 2; this.used.has(id); k++) id = `${base}_${k}`;
    this.used.add(id);
    return id;
  }
}

/** `resnet20` → `Resnet20`, `kjv_lstm` → `KjvLstm`; a name that collides with `taken` gets a `Net` suffix. */
export function className(networkName: string, taken: ReadonlySet<string>): string {
  const parts = sanitizeIdentifier(networkName).split('_').filter((p) => p !== '');
  let name = parts.map((p) => p[0]!.toUpperCase() + p.slice(1)).join('');
  if (name === '' || /^[0-9]/.test(name)) name = `Net${name}`;
  while (taken.has(name) || RESERVED.has(name) || taken.has(`${name}Config`) || taken.has(`${name}LayerPath`) || taken.has(`${name}Layers`)) name = `${name}Net`;
  return name;
}

/** True when `name` can be used as a file name stem and an identifier fragment without any escaping. */
export function isPlainName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);
}
