#!/usr/bin/env node
// archc's executable: registers tsx's TypeScript loader and runs the CLI from source (no build step).
import { register } from 'tsx/esm/api';

register();
const { run } = await import('../src/cli/main.ts');
process.exitCode = await run(process.argv.slice(2));
