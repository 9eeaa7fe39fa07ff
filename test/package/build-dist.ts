// Vitest global setup: brings dist/ up to date before any test runs, because the tests that spawn `bin/archc.js`
// or a generated trainer under plain Node run the compiled package, not the source vitest loads. tsc's incremental
// build info makes this a no-op when nothing changed.

import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
}
