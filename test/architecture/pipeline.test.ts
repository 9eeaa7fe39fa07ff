// The pipeline runs one way: text → tokens → AST → IR → codegen | runtime → compaction → report → cli.
// This test loads every source file with ts-morph and fails on an import that points to a later (or a sibling)
// stage, so a shortcut across the pipeline is caught when it is written, not when it has grown roots.

import { relative, sep } from 'node:path';
import { Project } from 'ts-morph';
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
  cli: 6,
};

function stageOf(file: string): string | undefined {
  const parts = relative(process.cwd(), file).split(sep);
  if (parts[0] === 'grammar') return 'grammar';
  if (parts[0] === 'src') return parts[1];
  return undefined;
}

describe('pipeline direction', () => {
  const project = new Project({ tsConfigFilePath: 'tsconfig.json', skipAddingFilesFromTsConfig: true });
  project.addSourceFilesAtPaths(['src/**/*.ts', 'grammar/**/*.ts']);
  const files = project.getSourceFiles();

  it('knows every stage folder', () => {
    const stages = new Set(files.map((f) => stageOf(f.getFilePath())).filter((s): s is string => s !== undefined));
    expect([...stages].filter((s) => RANK[s] === undefined)).toEqual([]);
    expect(stages.size).toBeGreaterThanOrEqual(10);
  });

  it('has no import that points to a later or sibling stage', () => {
    const violations: string[] = [];
    for (const f of files) {
      const from = stageOf(f.getFilePath());
      if (from === undefined) continue;
      for (const decl of [...f.getImportDeclarations(), ...f.getExportDeclarations()]) {
        const target = decl.getModuleSpecifierSourceFile();
        if (!target) continue;
        const to = stageOf(target.getFilePath());
        if (to === undefined || to === from) continue;
        if (!(RANK[to]! < RANK[from]!)) {
          violations.push(`${relative(process.cwd(), f.getFilePath())} (${from}) imports ${relative(process.cwd(), target.getFilePath())} (${to})`);
        }
      }
    }
    expect(violations).toEqual([]);
  });

  it('keeps tfjs out of the front end and the code generator', () => {
    const offenders = files
      .filter((f) => ['syntax', 'semantic', 'printer', 'codegen', 'diagnostics', 'grammar'].includes(stageOf(f.getFilePath()) ?? ''))
      .filter((f) => f.getImportDeclarations().some((d) => d.getModuleSpecifierValue().startsWith('@tensorflow/')))
      .map((f) => relative(process.cwd(), f.getFilePath()));
    expect(offenders).toEqual([]);
  });
});
