// Vitest global setup: brings dist/ up to date before any test runs (`npm run build`: tsc's declarations, then the
// esbuild bundle), because the tests that spawn `bin/archc.js` or a generated trainer under plain Node run the
// compiled package, not the source vitest loads. tsc's incremental build info makes its half a no-op when nothing
// changed; the bundle takes about a second.

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  execFileSync(process.execPath, [join(root, 'scripts', 'bundle.mjs')], { cwd: root, stdio: 'inherit' });
}
