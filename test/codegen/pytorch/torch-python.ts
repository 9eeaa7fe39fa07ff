// Finds a Python that can import torch for the PyTorch-target tests: $ARCHC_PYTHON, then Debian's /usr/bin/python3
// (python3-torch), then python3 on PATH. `null` with the reason when none can, so the suite skips with a clear note.

import { spawn, spawnSync } from 'node:child_process';

export interface TorchPython {
  python: string;
  /** torch.__version__ as that Python reports it. */
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

/** Runs `python ARGS` in `cwd` (no bytecode files, one OpenMP thread per process) and collects its output. */
export function runPython(python: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(python, args, { cwd, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', OMP_NUM_THREADS: '1', ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? 1, out, err }));
  });
}
