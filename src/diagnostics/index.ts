// The diagnostics leaf: every stage may import from here, and this folder imports nothing else in src/.
export * from './span.ts';
export * from './diagnostic.ts';
export * from './messages.ts';
export * from './render.ts';
export * from './printable.ts';
