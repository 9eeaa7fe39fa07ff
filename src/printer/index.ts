// The printer stage: canonical .arch text from an AST (print-arch.ts) and in-place span edits of the
// original text (replace-spans.ts) for outputs that must differ from their input only where they must.
export { printArch } from './print-arch.ts';
export { printExpr, printCall, printArg } from './print-expr.ts';
export { replaceSpans, type SpanEdit } from './replace-spans.ts';
