// Names and strings from a spec can never inject code into a generated module. Identifiers: the lexer admits only
// ASCII [A-Za-z_][A-Za-z0-9_]*, so hostile names stop at a diagnostic. Strings (data paths) and source text in
// comments reach the output: they are escaped to printable ASCII, and a hand-built IR with hostile layer paths
// (bypassing the lexer) still yields valid, equivalent code. typecheck.test.ts type-checks the same outputs.

import { describe, expect, it } from 'vitest';
import { Project, SyntaxKind, ts } from 'ts-morph';
import { generateModule } from '../../src/codegen/index.ts';
import { commentText, stringLiteral } from '../../src/codegen/literals.ts';
import { layerFieldName, sanitizeIdentifier } from '../../src/codegen/identifiers.ts';
import { SourceText } from '../../src/diagnostics/span.ts';
import { compileText } from '../../src/semantic/compile.ts';
import { plainCnnIr } from '../../src/runtime/testing/ir-fixtures.ts';
import type { IrNetwork } from '../../src/semantic/ir.ts';
import { HOSTILE_TEXTS } from './helpers.ts';
import { hostileDataSpec, hostilePathIr } from './hostile-fixtures.ts';

/** Parses emitted text and returns the values of every string literal in it. */
function stringValues(text: string): string[] {
  const f = new Project({ useInMemoryFileSystem: true }).createSourceFile('/m.ts', text);
  return f.getDescendantsOfKind(SyntaxKind.StringLiteral).map((s) => s.getLiteralValue());
}

/** Syntax errors only (the module's imports do not exist in this in-memory project). */
function syntaxErrors(text: string): string[] {
  const project = new Project({ useInMemoryFileSystem: true, compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } });
  const f = project.createSourceFile('/m.ts', text);
  return project.getProgram().getSyntacticDiagnostics(f).map((d) => String(d.getMessageText()));
}

describe('the lexer stops hostile identifiers', () => {
  for (const bad of ["res'net", 'res`net', 'res${x}net', 'res*/net', 'résnet', 'res\u2028net']) {
    it(`network ${JSON.stringify(bad)}`, () => {
      const c = compileText(`network ${bad} {\n  input image(8, 8, 1)\n  layers { dense(2) }\n}\n`, 'bad.arch');
      expect(c.diagnostics.some((d) => d.severity === 'error')).toBe(true);
      expect(c.ir).toBeUndefined();
    });
  }
  it('a hostile label', () => {
    const c = compileText('network n {\n  input image(8, 8, 1)\n  layers { a"b: dense(2) }\n}\n', 'bad.arch');
    expect(c.ir).toBeUndefined();
  });
  it('generateModule refuses a network name that is not a plain identifier (hand-built IR)', () => {
    const ir: IrNetwork = { ...plainCnnIr(), name: "x'; process.exit(1); '" };
    expect(() => generateModule(ir, new SourceText('x.arch', ''), { specPath: 'x.arch' })).toThrow(/not a plain identifier/);
  });
});

describe('hostile strings are escaped', () => {
  it('string literals are printable ASCII and round-trip', () => {
    for (const t of HOSTILE_TEXTS) {
      const lit = stringLiteral(t);
      expect(lit).toMatch(/^'[\x20-\x7e]*'$/);
      expect(stringValues(`const s = ${lit};`)).toEqual([t]);
    }
  });
  it('comment text is one printable line without a comment terminator', () => {
    for (const t of HOSTILE_TEXTS) {
      const c = commentText(t);
      expect(c).toMatch(/^[\x20-\x7e]*$/);
      expect(c).not.toContain('*/');
    }
  });
  it('a data path with quotes, backticks, ${…}, */, line breaks and unicode survives as data', () => {
    const { spec, path } = hostileDataSpec();
    const c = compileText(spec, 'specs/hostile.arch');
    expect(c.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(c.ir!.train.data.path).toBe(path);
    const m = generateModule(c.ir!, c.source, { specPath: 'specs/hostile.arch' });
    expect(syntaxErrors(m.text)).toEqual([]);
    // Only the fixed header may hold non-ASCII (its em dash); nothing from the spec.
    expect(m.text.split('\n').slice(1).join('\n')).toMatch(/^[\x20-\x7e\n]*$/);
    const values = stringValues(m.text);
    expect(values.filter((v) => v === path).length).toBeGreaterThanOrEqual(2); // defaultConfig.data and ir.train.data.path
    expect(values.join('\n')).toContain(spec.split('\n')[0]); // the embedded spec text
  });
});

describe('a hostile spec file name', () => {
  it('appears only escaped, in strings and comments', () => {
    const specPath = "we'*/ird `${process.exit(1)}`\n\u2028é/x.arch";
    const c = compileText('network ok {\n  input image(8, 8, 1)\n  layers { flatten dense(2) }\n}\n', specPath);
    const m = generateModule(c.ir!, c.source, { specPath });
    expect(syntaxErrors(m.text)).toEqual([]);
    expect(m.text.split('\n').slice(1).join('\n')).toMatch(/^[\x20-\x7e\n]*$/);
    expect(stringValues(m.text)).toContain(specPath);
  });
});

describe('hostile layer paths in a hand-built IR', () => {
  const ir = hostilePathIr();
  const m = generateModule(ir, new SourceText('hostile.arch', ''), { specPath: 'hostile.arch' });

  it('parses without syntax errors', () => {
    expect(syntaxErrors(m.text)).toEqual([]);
  });
  it('keeps every path as data, exactly', () => {
    const values = new Set(stringValues(m.text));
    for (const n of ir.nodes) expect(values.has(n.path), n.path).toBe(true);
  });
  it('gives every layer a distinct, sanitised field', () => {
    const f = new Project({ useInMemoryFileSystem: true }).createSourceFile('/m.ts', m.text);
    const cls = f.getClasses()[0]!;
    // One field: the layers' namespace, so no layer name can shadow an inherited member.
    expect(cls.getProperties().map((p) => p.getName())).toEqual(['layers']);
    const layersType = f.getInterfaceOrThrow(cls.getPropertyOrThrow('layers').getTypeNodeOrThrow().getText());
    const names = layersType.getProperties().map((p) => p.getName());
    expect(names.length).toBeGreaterThan(0);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
  });
  it('sanitises and de-duplicates', () => {
    expect(sanitizeIdentifier('a.b')).toBe('a_b');
    expect(sanitizeIdentifier('1x')).toBe('_1x');
    expect(sanitizeIdentifier('class')).toBe('class_');
    expect(layerFieldName('constructor')).toBe('constructor_');
    expect(layerFieldName('__proto__')).toBe('__proto___');
    expect(sanitizeIdentifier("a'b`${c}")).toBe('a_b___c_');
  });
});
