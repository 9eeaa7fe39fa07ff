// Where the archc package lives on disk. Generated modules import the runtime by the package's self-reference
// (`archc/runtime`), which Node and TypeScript resolve only for files inside the package, so builds that will run
// (archc train) and type checks of emitted text place their files under this root. Found by walking up to the
// nearest package.json, because this file runs both from src/codegen/ (tests, tsx) and from dist/bundle/ (a chunk).

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`archc: no package.json above ${from}`);
  }
}

export const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));
