#!/usr/bin/env node
// archc's executable: runs the bundled CLI from dist/bundle/ (built by `npm run build`, which `npm install` runs
// through the `prepare` script). No TypeScript loader is involved, so a command starts in a fraction of a second.
let main;
try {
  main = await import('../dist/bundle/cli.js');
} catch (e) {
  if (e?.code !== 'ERR_MODULE_NOT_FOUND' || !String(e.message).includes('dist/bundle/cli.js')) throw e;
  process.stderr.write('archc: the compiled CLI (dist/bundle/) is missing: run `npm run build` in the archc folder\n');
  process.exit(1);
}
process.exitCode = await main.run(process.argv.slice(2));
