// Makes a folder outside the package able to run the trainer modules `archc build -o DIR` writes there: they are
// ES modules (top-level await) that import the runtime as `archc/runtime` and `archc/trainer`, which Node resolves
// inside the package (self-reference) or through node_modules/archc. So DIR gets a package.json with
// "type": "module" when no package.json governs it, and node_modules/archc → this install when archc does not
// resolve from DIR. Nothing is written when DIR is inside the package or already set up; a user's own package.json is
// never changed (a note says what to add instead).

import { existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { PACKAGE_ROOT } from './package-root.ts';

export interface RunnableSetup {
  /** What was written, for the user (absolute paths). */
  wrote: { path: string; why: string }[];
  /** What the user must do themselves (a package.json of theirs that is not an ES module package). */
  notes: string[];
}

function nearestPackageJson(dir: string): string | null {
  for (let d = resolve(dir); ; d = dirname(d)) {
    const p = join(d, 'package.json');
    if (existsSync(p)) return p;
    if (dirname(d) === d) return null;
  }
}

function isModulePackage(pkgJson: string): boolean {
  try {
    return (JSON.parse(readFileSync(pkgJson, 'utf8')) as { type?: unknown }).type === 'module';
  } catch {
    return false;
  }
}

function archcResolves(dir: string): boolean {
  try {
    createRequire(join(dir, 'noop.js')).resolve('archc/package.json');
    return true;
  } catch {
    return false;
  }
}

function lstatExists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

export function makeRunnable(dir: string): RunnableSetup {
  const out = resolve(dir);
  const setup: RunnableSetup = { wrote: [], notes: [] };
  const inside = relative(PACKAGE_ROOT, out);
  if (!inside.startsWith('..') && !isAbsolute(inside)) return setup; // the package's own self-reference applies
  const pkg = nearestPackageJson(out);
  if (pkg === null || (!isModulePackage(pkg) && dirname(pkg) !== out)) {
    const p = join(out, 'package.json');
    writeFileSync(p, JSON.stringify({ private: true, type: 'module', description: 'Written by archc build: generated trainers are ES modules.' }, null, 2) + '\n');
    setup.wrote.push({ path: p, why: 'generated trainers are ES modules' });
  } else if (!isModulePackage(pkg)) {
    setup.notes.push(`${pkg} does not say "type": "module"; add it (generated trainers are ES modules), or build into another folder`);
  }
  if (!archcResolves(out)) {
    const link = join(out, 'node_modules', 'archc');
    if (lstatExists(link)) {
      setup.notes.push(`${link} exists but is not a working archc install; remove it, or run \`npm install archc\` in ${out}`);
      return setup;
    }
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(PACKAGE_ROOT, link, 'junction');
    setup.wrote.push({ path: link, why: `a link to this archc install (${PACKAGE_ROOT}), so archc/runtime resolves; \`npm install archc\` there does the same` });
  }
  return setup;
}
