// The pipeline runs one way: text → tokens → AST → IR → codegen | runtime → compaction → report → train → cli.
// This test loads every source file with ts-morph and fails on an import that points to a later (or a sibling)
// stage, so a shortcut across the pipeline is caught when it is written, not when it has grown roots. Static
// imports, `import type`, re-exports and dynamic `import('…')` calls all count: a lazy import is still a dependency.
// Generated trainers, outside src/, may import only the runtime and the training stage (never the CLI).

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { Node, Project, SyntaxKind, type SourceFile } from 'ts-morph';
import { describe, expect, it } from 'vitest';

/** Stage rank: a file may import only from its own stage or from stages of a strictly lower rank. */
const RANK: Record<string, number> = {
  diagnostics: 0,
  io: 0,
  grammar: 0,
  syntax: 1,
  printer: 2,
  semantic: 2,
  codegen: 3,
  runtime: 3,
  compaction: 4,
  baselines: 5,
  report: 5,
  train: 6,
  cli: 7,
};

function stageOf(file: string, root: string): string | undefined {
  const parts = relative(root, file).split(sep);
  if (parts[0] === 'grammar') return 'grammar';
  if (parts[0] === 'src') return parts[1];
  return undefined;
}

/**
 * Every module a file depends on, as absolute paths: static imports and re-exports (resolved by ts-morph), and
 * dynamic `import()` calls whose argument is a relative string literal (resolved against the file's folder).
 * A dynamic import of a computed or bare specifier (a package, a user's generated trainer) names no stage.
 */
function dependencies(f: SourceFile): string[] {
  const out: string[] = [];
  for (const decl of [...f.getImportDeclarations(), ...f.getExportDeclarations()]) {
    const target = decl.getModuleSpecifierSourceFile();
    if (target) out.push(target.getFilePath());
  }
  for (const call of f.getDescendantsOfKind(SyntaxKind.CallExpression)) {
    if (call.getExpression().getKind() !== SyntaxKind.ImportKeyword) continue;
    const arg = call.getArguments()[0];
    if (!arg || !(Node.isStringLiteral(arg) || Node.isNoSubstitutionTemplateLiteral(arg))) continue;
    const spec = arg.getLiteralValue();
    if (spec.startsWith('.')) out.push(resolve(dirname(f.getFilePath()), spec));
  }
  return out;
}

/** `from (stage) imports to (stage)` for each dependency that points to a later or sibling stage. */
function pipelineViolations(files: readonly SourceFile[], root: string): string[] {
  const violations: string[] = [];
  for (const f of files) {
    const from = stageOf(f.getFilePath(), root);
    if (from === undefined) continue;
    for (const target of dependencies(f)) {
      const to = stageOf(target, root);
      if (to === undefined || to === from) continue;
      if (!(RANK[to]! < RANK[from]!)) violations.push(`${relative(root, f.getFilePath())} (${from}) imports ${relative(root, target)} (${to})`);
    }
  }
  return violations;
}

describe('pipeline direction', () => {
  const project = new Project({ tsConfigFilePath: 'tsconfig.json', skipAddingFilesFromTsConfig: true });
  project.addSourceFilesAtPaths(['src/**/*.ts', 'grammar/**/*.ts']);
  const files = project.getSourceFiles();

  it('knows every stage folder', () => {
    const stages = new Set(files.map((f) => stageOf(f.getFilePath(), process.cwd())).filter((s): s is string => s !== undefined));
    expect([...stages].filter((s) => RANK[s] === undefined)).toEqual([]);
    expect(stages.size).toBeGreaterThanOrEqual(10);
  });

  it('has no import that points to a later or sibling stage', () => {
    expect(pipelineViolations(files, process.cwd())).toEqual([]);
  });

  it('sees back-imports of every form in a planted fixture, dynamic import() included', () => {
    // An in-memory tree: a semantic file that reaches into the CLI three ways, and one legal import of each form.
    const fixture = new Project({ useInMemoryFileSystem: true });
    fixture.createSourceFile('/p/src/cli/main.ts', 'export const run = 1;');
    fixture.createSourceFile('/p/src/syntax/parse.ts', 'export const parse = 1;');
    fixture.createSourceFile(
      '/p/src/semantic/check.ts',
      [
        "import { parse } from '../syntax/parse.ts';",
        "export { run } from '../cli/main.ts';",
        "export async function lazy() { const m = await import('../cli/main.ts'); return m.run + parse; }",
        "export async function lazyOk() { return (await import('../syntax/parse.ts')).parse; }",
        "export async function pkg() { return import('node:fs'); }",
      ].join('\n'),
    );
    fixture.createSourceFile('/p/src/semantic/compile.ts', "import { run } from '../cli/main.ts';\nexport const x = run;");
    fixture.createSourceFile('/p/src/semantic/lazy-only.ts', "export const f = () => import(`../cli/main.ts`);");
    // The training stage sits between the runtime and the CLI: the runtime may not reach up into it (a type-only
    // import or a star re-export counts too), nor may it reach into the CLI; the CLI may import it.
    fixture.createSourceFile('/p/src/train/run.ts', "export const trainRun = 1;\nexport async function back() { return (await import('../cli/main.ts')).run; }");
    fixture.createSourceFile('/p/src/runtime/loop.ts', "import type { trainRun } from '../train/run.ts';\nexport type T = typeof trainRun;");
    fixture.createSourceFile('/p/src/runtime/index.ts', "export * from '../train/run.ts';");
    fixture.createSourceFile('/p/src/cli/train.ts', "import { trainRun } from '../train/run.ts';\nexport const t = trainRun;");
    expect(pipelineViolations(fixture.getSourceFiles(), '/p').sort()).toEqual([
      'src/runtime/index.ts (runtime) imports src/train/run.ts (train)',
      'src/runtime/loop.ts (runtime) imports src/train/run.ts (train)',
      'src/semantic/check.ts (semantic) imports src/cli/main.ts (cli)',
      'src/semantic/check.ts (semantic) imports src/cli/main.ts (cli)',
      'src/semantic/compile.ts (semantic) imports src/cli/main.ts (cli)',
      'src/semantic/lazy-only.ts (semantic) imports src/cli/main.ts (cli)',
      'src/train/run.ts (train) imports src/cli/main.ts (cli)',
    ]);
  });

  it('lets generated trainers import only the runtime and the training stage, never the CLI', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { exports: Record<string, { source?: string }> };
    // What the package's specifiers point at, by stage.
    const stageOfExport = (spec: string): string | undefined => {
      const source = pkg.exports[spec.replace(/^archc/, '.')]?.source;
      return source === undefined ? undefined : stageOf(resolve(source), process.cwd());
    };
    expect(stageOfExport('archc/runtime')).toBe('runtime');
    expect(stageOfExport('archc/trainer')).toBe('train');
    const generated = readdirSync('generated').filter((f) => f.endsWith('.ts'));
    expect(generated.length).toBeGreaterThan(5);
    const specifiers = new Set<string>();
    for (const f of generated) {
      const src = project.addSourceFileAtPath(join('generated', f));
      for (const d of [...src.getImportDeclarations(), ...src.getExportDeclarations()]) {
        const m = d.getModuleSpecifierValue();
        if (m !== undefined) specifiers.add(m);
      }
      expect(src.getDescendantsOfKind(SyntaxKind.CallExpression).filter((c) => c.getExpression().getKind() === SyntaxKind.ImportKeyword), f).toEqual([]);
    }
    const stages = [...specifiers].filter((m) => m.startsWith('archc')).map((m) => stageOfExport(m) ?? m);
    expect(new Set(stages)).toEqual(new Set(['runtime', 'train']));
    expect([...specifiers].filter((m) => !m.startsWith('archc') && !m.startsWith('@tensorflow/'))).toEqual([]);
  });

  it('keeps tfjs out of the front end and the code generator', () => {
    const offenders = files
      .filter((f) => ['syntax', 'semantic', 'printer', 'codegen', 'diagnostics', 'grammar'].includes(stageOf(f.getFilePath(), process.cwd()) ?? ''))
      .filter((f) => f.getImportDeclarations().some((d) => d.getModuleSpecifierValue().startsWith('@tensorflow/')))
      .map((f) => relative(process.cwd(), f.getFilePath()));
    expect(offenders).toEqual([]);
  });
});
