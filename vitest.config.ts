// Vitest runs the TypeScript sources: the "source" export condition makes `archc/runtime` and `archc/trainer`
// (imported by generated trainers) resolve to src/ rather than the compiled dist/. dist/ is rebuilt first
// (test/package/build-dist.ts) for the tests that spawn the compiled CLI.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/package/build-dist.ts'],
    // ARCHC_NATIVE=0 / ARCHC_THREADS reach in-process tests the way the CLI passes them to runs.
    setupFiles: ['test/runtime/backend/setup-native.ts'],
    pool: 'forks',
    // Vitest 4 replaced poolOptions.forks.maxForks with maxWorkers.
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
