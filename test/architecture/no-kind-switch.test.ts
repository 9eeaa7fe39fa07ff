// A layer kind has one owner per stage (README "Adding a layer kind"): its entry files. This test scans src/ and
// fails on any decision on a layer-kind name written elsewhere — `case 'conv'`, `kind === 'lstm'`, `.kind !== 'add'`,
// `def.irKind === 'concat'`, or a literal list of two or more kind names (`new Set(['relu', 'relu6'])`) — so that a
// new kind never has to be threaded through switch statements again. The kind names come from the registry itself
// (surface names, aliases and IR kinds), so the list cannot go stale.

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as registry from '../../src/semantic/registry.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** The entry files: the only places where a kind's name may decide anything. */
const ENTRY_FILES = [/^src\/semantic\/kinds\//, /^src\/runtime\/kinds\.ts$/, /^src\/codegen\/kinds\.ts$/, /^src\/codegen\/pytorch\/kinds\.ts$/, /^src\/compaction\/export-kinds\.ts$/];

function kindNames(): string[] {
  const names = new Set<string>();
  for (const [name, def] of registry.LAYER_KINDS) {
    names.add(name);
    names.add(def.irKind);
  }
  const entries = (registry as { KIND_ENTRIES?: readonly { kind: string }[] }).KIND_ENTRIES ?? [];
  for (const e of entries) names.add(e.kind);
  return [...names].sort();
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every kind decision in `text` as `line: source`, comments excluded. */
function kindDecisions(text: string, names: readonly string[]): string[] {
  const k = `(?:${names.map(esc).join('|')})`;
  const q = `(['"\`])${k}\\1`;
  const patterns = [
    new RegExp(`\\bcase\\s+${q}`),
    new RegExp(`kind\\s*[!=]==?\\s*${q}`, 'i'),
    new RegExp(`${q}\\s*[!=]==?\\s*[\\w.?!]*kind\\b`, 'i'),
    // A literal list of kind names: `['relu', 'relu6', …]` (a set or array that stands for a switch).
    new RegExp(`\\[\\s*${q}\\s*,\\s*(['"\`])${k}\\2`),
  ];
  const out: string[] = [];
  text.split('\n').forEach((line, i) => {
    const code = line.replace(/\/\/.*$/, '');
    const t = code.trim();
    if (t.startsWith('*') || t.startsWith('/*')) return;
    if (patterns.some((p) => p.test(code))) out.push(`${i + 1}: ${t}`);
  });
  return out;
}

function decisionsInSrc(): Map<string, string[]> {
  const names = kindNames();
  const byFile = new Map<string, string[]>();
  for (const f of sourceFiles(join(ROOT, 'src'))) {
    const rel = relative(ROOT, f).split(sep).join('/');
    if (ENTRY_FILES.some((r) => r.test(rel))) continue;
    const found = kindDecisions(readFileSync(f, 'utf8'), names);
    if (found.length > 0) byFile.set(rel, found);
  }
  return byFile;
}

describe('layer kinds are decided only in their entry files', () => {
  it('knows the kinds from the registry', () => {
    const names = kindNames();
    for (const k of ['conv', 'dwconv', 'bn', 'dense', 'lstm', 'add', 'concat', 'flatten']) expect(names).toContain(k);
  });

  it('finds the decisions it is meant to find (the scanner itself)', () => {
    const names = ['conv', 'lstm', 'relu', 'relu6', 'add'];
    const text = [
      "switch (n.kind) { case 'conv': break; }",
      "if (n.kind === 'lstm') x();",
      "if (node.kind !== 'add') y();",
      "if (def.irKind === 'conv') z();",
      "const P = new Set(['relu', 'relu6']);",
      "// case 'conv' in a comment does not count",
      "const s = 'conv';",
      "if (mode === 'relu') w();",
    ].join('\n');
    expect(kindDecisions(text, names).map((l) => Number(l.split(':')[0]))).toEqual([1, 2, 3, 4, 5]);
  });

  it('src/ has no kind switch or kind-name predicate outside the entry files', () => {
    const found = decisionsInSrc();
    const lines = [...found].flatMap(([file, ls]) => ls.map((l) => `${file}:${l}`));
    expect(lines, `${lines.length} kind decisions outside the entry files:\n${lines.join('\n')}`).toEqual([]);
  });
});
