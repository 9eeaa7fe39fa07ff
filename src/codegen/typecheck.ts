// Type-checks emitted modules the way the repository's `tsc` would: the repo's compiler options, real files for
// the runtime (so `archc/runtime` and `archc/trainer` resolve through package.json "exports"), and the emitted
// text as unsaved in-memory files placed inside the package. Returns ts-morph's pre-emit diagnostics per module.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Project, ts } from 'ts-morph';
import { PACKAGE_ROOT } from './package-root.ts';

export interface ModuleDiagnostics {
  fileName: string;
  /** Formatted diagnostics (`file(line,col): message`); empty when the module type-checks. */
  diagnostics: string[];
}

/** A program with the package's options and no files yet; pass it to typecheckModules to check in batches. */
export function typecheckProject(): Project {
  // An installed package ships no tsconfig.json: the same checks, with the runtime's types from dist/ (its .d.ts).
  const tsconfig = join(PACKAGE_ROOT, 'tsconfig.json');
  return existsSync(tsconfig)
    ? new Project({ tsConfigFilePath: tsconfig, skipAddingFilesFromTsConfig: true })
    : new Project({
        compilerOptions: {
          target: ts.ScriptTarget.ES2022,
          module: ts.ModuleKind.NodeNext,
          moduleResolution: ts.ModuleResolutionKind.NodeNext,
          strict: true,
          noImplicitOverride: true,
          skipLibCheck: true,
          noEmit: true,
          types: [],
        },
      });
}

/**
 * Checks several modules in one program (the runtime's types are loaded once). With `reuse`, a program from
 * typecheckProject, the modules are removed from it afterwards, so one program serves batch after batch (the
 * spec fuzzer's thousands of modules) with its memory bounded by the batch.
 */
export function typecheckModules(modules: readonly { fileName: string; text: string }[], reuse?: Project): ModuleDiagnostics[] {
  const project = reuse ?? typecheckProject();
  // Unsaved files inside the package, so the self-reference resolves; the prefix keeps them apart from the real
  // generated/ modules, which this program never loads.
  const dir = join(PACKAGE_ROOT, 'generated');
  const files = modules.map((m) => {
    const f = project.createSourceFile(join(dir, `.typecheck.${m.fileName}`), m.text, { overwrite: true });
    // ts-morph creates source files without the module format tsc derives from package.json ("type": "module"),
    // and TypeScript then treats them as CommonJS (TS1470 on import.meta). Give them the format tsc would.
    (f.compilerNode as { impliedNodeFormat?: ts.ResolutionMode }).impliedNodeFormat = ts.ModuleKind.ESNext;
    return f;
  });
  const results = files.map((f, i) => ({
    fileName: modules[i]!.fileName,
    diagnostics: f.getPreEmitDiagnostics().map((d) => {
      const pos = d.getStart();
      const lc = pos === undefined ? undefined : f.getLineAndColumnAtPos(pos);
      const msg = d.getMessageText();
      const text = typeof msg === 'string' ? msg : msg.getMessageText();
      return `${modules[i]!.fileName}${lc ? `(${lc.line},${lc.column})` : ''}: TS${d.getCode()}: ${text}`;
    }),
  }));
  if (reuse) for (const f of files) reuse.removeSourceFile(f);
  return results;
}
