// The PyTorch-run branch of `archc compact RUN_DIR`: a folder whose run.json says `archc-torch-run` (written by a
// trainer from `archc build --target pytorch`) is compacted from its weights.json/weights.bin and spec.arch, with
// the same outputs as a TypeScript run. Any problem is one line (UserError), never a stack trace.

import { resolve } from 'node:path';
import { PrunedSpecRejected } from '../../compaction/index.ts';
import { compactTorchRun, isTorchRun, TorchRunError } from '../../compaction/torch-run.ts';
import { selectBackend } from '../../train/run.ts';
import { UserError, type Io } from '../io.ts';

export { isTorchRun };

export async function compactTorchRunCommand(dir: string, io: Io): Promise<void> {
  const d = resolve(io.cwd, dir);
  // The tfjs export builds a layers model: choose the backend first (tfjs's implicit cpu backend prints a banner).
  await selectBackend(undefined);
  try {
    await compactTorchRun(d, (l) => io.out(l));
  } catch (e) {
    if (e instanceof TorchRunError || e instanceof PrunedSpecRejected) throw new UserError(`cannot compact: ${e.message}`);
    throw new UserError(`compaction failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}
