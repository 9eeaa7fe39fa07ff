#!/usr/bin/env node
// archc's executable: runs the compiled CLI from dist/ (built by `npm run build`, which `npm install` runs through
// the `prepare` script). No TypeScript loader is involved, so a command starts in a fraction of a second.
let main;
try {
  main = await import('../dist/src/cli/main.js');
} catch (e) {
  if (e?.code !== 'ERR_MODULE_NOT_FOUND' || !String(e.message).includes('dist/src/cli/main.js')) throw e;
  process.stderr.write('archc: the compiled CLI (dist/) is missing: run `npm run build` in the archc folder\n');
  process.exit(1);
}
process.exitCode = await main.run(process.argv.slice(2));
