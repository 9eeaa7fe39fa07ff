// Vitest setup: applies ARCHC_NATIVE / ARCHC_THREADS to in-process tests the way the CLI applies them to runs,
// so `ARCHC_NATIVE=0 npx vitest run` (a .ci/run pass) exercises every test with the native backend forced off.
import { configureNative, nativeOptionsFromEnv } from '../../../src/runtime/backend/index.ts';

configureNative(nativeOptionsFromEnv(process.env));
