// Test helpers for the semantic stage: compile a source and list diagnostics as `line:col CODE`.

import { compileText, type Compiled } from '../../src/semantic/compile.ts';

export function compile(text: string): Compiled {
  return compileText(text, 't.arch');
}

/** `line:col CODE` for each diagnostic, in order. */
export function codes(text: string): string[] {
  const c = compile(text);
  return c.diagnostics.map((d) => {
    const p = c.source.position(d.span.start);
    return `${p.line}:${p.col} ${d.code}`;
  });
}

export function messages(text: string): string[] {
  return compile(text).diagnostics.map((d) => `${d.code} ${d.message}`);
}

/**
 * A network with fixed line numbers: line 2 input, 3 sparsify, 4 train, 5 blocks (one line), 6 `layers {`,
 * layer lines from 7 (each indented 4 spaces, so the first statement starts at column 5).
 */
export function net(o: { input?: string | null; sparsify?: string; train?: string; blocks?: string; layers?: string | null }): string {
  return [
    'network t {',
    o.input === null ? '  # no input' : `  input ${o.input ?? 'image(32, 32, 3)'}`,
    o.sparsify !== undefined ? `  sparsify { ${o.sparsify} }` : '  # no sparsify',
    o.train !== undefined ? `  train { ${o.train} }` : '  # no train',
    o.blocks !== undefined ? `  ${o.blocks}` : '  # no blocks',
    ...(o.layers === null ? ['  # no layers'] : ['  layers {', ...(o.layers ?? 'gap\ndense(10)').split('\n').map((l) => `    ${l}`), '  }']),
    '}',
    '',
  ].join('\n');
}
