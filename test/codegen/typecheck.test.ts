// What archc emits type-checks under the repository's strict settings: ts-morph's pre-emit diagnostics are empty
// for the module of every spec in specs/, every golden case, and the hostile-input modules (one program, so the
// runtime's types load once). `archc/runtime` resolves through the package's self-reference, as for tsc.

import { beforeAll, describe, expect, it } from 'vitest';
import { generateModule, typecheckModules, type ModuleDiagnostics } from '../../src/codegen/index.ts';
import { SourceText } from '../../src/diagnostics/span.ts';
import { compileText } from '../../src/semantic/compile.ts';
import { buildAll } from '../../scripts/build-generated.ts';
import { buildCase, caseNames } from './helpers.ts';
import { hostileDataSpec, hostilePathIr } from './hostile-fixtures.ts';

let results: ModuleDiagnostics[];
beforeAll(async () => {
  const modules = (await buildAll()).flatMap((b) => (b.module ? [b.module] : []));
  for (const name of caseNames()) modules.push({ ...(await buildCase(name)), fileName: `case_${name}.ts` });
  const { spec } = hostileDataSpec();
  const c = compileText(spec, 'specs/hostile.arch');
  modules.push(generateModule(c.ir!, c.source, { specPath: 'specs/hostile.arch' }));
  modules.push({ ...generateModule(hostilePathIr(), new SourceText('h.arch', ''), { specPath: 'h.arch' }), fileName: 'hostile_paths.ts' });
  results = typecheckModules(modules);
}, 300_000);

describe('pre-emit diagnostics of generated modules', () => {
  it('covers every spec, the golden cases and the hostile inputs', () => {
    expect(results.length).toBeGreaterThanOrEqual(10 + 3 + 2);
  });
  it('are empty', () => {
    const failing = results.filter((r) => r.diagnostics.length > 0);
    expect(failing.flatMap((r) => r.diagnostics.slice(0, 5))).toEqual([]);
  });
  it('would catch an error (the check is live)', () => {
    const [r] = typecheckModules([{ fileName: 'broken.ts', text: "import { NetworkModule } from 'archc/runtime';\nconst n: NetworkModule = 3;\nexport {};\n" }]);
    expect(r!.diagnostics.join('\n')).toMatch(/TS2322/);
  });
});
