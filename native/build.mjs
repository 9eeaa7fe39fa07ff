#!/usr/bin/env node
// Builds archc's oneDNN addon (native/build/Release/archc_native.node) with node-gyp. Run by `npm install` /
// `npm ci` (the package's own install script) and by `npm run build:native`. On install, a missing oneDNN or a
// failed build prints ONE line and exits 0, so installation carries on and archc falls back to wasm;
// `--strict` (npm run build:native) shows the compiler's output and exits 1 instead.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const strict = process.argv.includes('--strict');
const HINT = 'apt-get install libdnnl-dev, then npm run build:native';

function giveUp(line) {
  console.log(`archc: native oneDNN kernels not built: ${line}. archc still works (wasm). For the fast CPU path: ${HINT}`);
  process.exit(strict ? 1 : 0);
}

if (process.env.ARCHC_NATIVE === '0') giveUp('ARCHC_NATIVE=0');
const dnnl = ['/usr/include/oneapi/dnnl/dnnl.hpp', '/usr/local/include/oneapi/dnnl/dnnl.hpp'].some((p) => existsSync(p));
if (!dnnl) giveUp('oneDNN headers not found (package libdnnl-dev)');

// npm exports its bundled node-gyp to scripts; outside npm, look beside node for npm's copy.
const candidates = [
  process.env.npm_config_node_gyp,
  join(dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
].filter(Boolean);
const gyp = candidates.find((p) => existsSync(p));
if (gyp === undefined) giveUp('node-gyp not found (it ships with npm)');

// Node's own headers (Debian: /usr/include/node; official builds: <prefix>/include/node): use them, so node-gyp
// needs no download, which fails offline.
const args = [gyp, 'rebuild'];
const prefix = join(dirname(process.execPath), '..');
if (existsSync(join(prefix, 'include/node/node_api.h'))) args.push(`--nodedir=${prefix}`);
const r = spawnSync(process.execPath, args, { cwd: here, encoding: 'utf8', stdio: strict ? 'inherit' : 'pipe' });
if (r.status !== 0) {
  let where = '';
  if (!strict) {
    mkdirSync(join(here, 'build'), { recursive: true });
    const log = join(here, 'build', 'build-error.log');
    writeFileSync(log, `${r.stdout ?? ''}\n${r.stderr ?? ''}`);
    where = `; log: ${log}`;
  }
  const lines = `${r.stderr ?? ''}\n${r.stdout ?? ''}`.split('\n');
  const err = (lines.find((l) => /error:|undefined reference|cannot find -l/.test(l)) ?? lines.find((l) => /gyp ERR!/.test(l)))?.trim().slice(0, 160);
  giveUp(`build failed (${err ?? `node-gyp exited ${r.status}`})${where}`);
}
console.log('archc: built the native oneDNN kernels (native/build/Release/archc_native.node)');
