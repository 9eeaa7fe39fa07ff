// Where the archc package lives on disk. Generated modules import the runtime by the package's self-reference
// (`archc/runtime`), which Node and TypeScript resolve only for files inside the package, so builds that will run
// (archc train) and type checks of emitted text place their files under this root.

import { fileURLToPath } from 'node:url';

export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url)).replace(/[\\/]$/, '');
