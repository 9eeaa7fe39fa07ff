// Vitest global setup: brings dist/ up to date before any test runs, because the tests that spawn `bin/archc.js`
// or a generated trainer under plain Node run the compiled package, not the source vitest loads. tsc's incremental
// build info makes this a no-op when nothing changed.

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
}
