// Finds a Python that can import torch for the PyTorch-target tests: $ARCHC_PYTHON, then Debian's /usr/bin/python3
// (python3-torch), then python3 on PATH. `null` with the reason when none can, so the suite skips with a clear note.

import { spawnSync } from 'node:child_process';

export interface TorchPython {
  python: string;
  /** torchrun from the same installation (Debian: /usr/bin/torchrun), run as `python -m torch.distributed.run`. */
  version: string;
}

export function findTorchPython(): { found: TorchPython | null; reason: string } {
  const candidates = [process.env['ARCHC_PYTHON'], '/usr/bin/python3', 'python3'].filter((c): c is string => !!c);
  for (const python of candidates) {
    const r = spawnSync(python, ['-c', 'import torch, numpy; print(torch.__version__)'], { encoding: 'utf8' });
    if (r.status === 0) return { found: { python, version: r.stdout.trim() }, reason: '' };
  }
  return { found: null, reason: `no Python with torch and numpy among ${candidates.join(', ')}: apt-get install python3-torch libopenblas0-pthread (CI does)` };
}
