// Whether two paths name the same file, through symlinks: the check behind "refusing to overwrite the input".
// Its own file so `archc build` can use it without loading run-control.ts, which imports the training runtime.

import { realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** True when a and b name the same file (through symlinks too, when they exist). */
export function samePath(a: string, b: string): boolean {
  const real = (p: string): string => {
    try {
      return realpathSync(p);
    } catch {
      // A missing file: resolve its folder (which may be a symlink) and append the name.
      try {
        return join(realpathSync(dirname(resolve(p))), basename(p));
      } catch {
        return resolve(p);
      }
    }
  };
  return real(a) === real(b);
}
