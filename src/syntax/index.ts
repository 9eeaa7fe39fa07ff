// The syntax stage: .arch text → AST with spans and diagnostics. Later stages import from here.
export type * from './ast.ts';
export { parseArch } from './parse.ts';
export { lexArch, type LexOutput } from './lex.ts';
export { stripSpans, sameSyntax } from './ast-equal.ts';
export { decodeString, encodeString } from './strings.ts';
