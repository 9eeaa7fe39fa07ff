// Drives bench/torch_ref.py, the PyTorch yardstick, as a child process so archc and PyTorch rounds can alternate
// in one run, with archc's thread count; OPENBLAS_* settings are passed through untouched. The OpenMP wait policy
// is a parameter: PASSIVE survives other load (spinning threads collapse under it), while the default (spinning)
// policy is PyTorch's real speed on an idle machine (~1.5x PASSIVE on ResNet-20). OpenBLAS's own pthread pool is
// a second parameter: its busy-waiting threads fight PyTorch's OpenMP threads, and with OPENBLAS_NUM_THREADS=1
// fashion-cnn trained ~2x faster here. `npm run bench` runs every combination and compares archc with the
// fastest, so the ratio never flatters archc.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';

/** OMP_WAIT_POLICY of the yardstick's process: PASSIVE, or unset (libgomp's default: spin, then sleep). */
export type WaitPolicy = 'PASSIVE' | 'default';

/** One yardstick configuration: the OpenMP wait policy and OpenBLAS's thread count (null: OpenBLAS's default). */
export interface TorchConfig {
  waitPolicy: WaitPolicy;
  blasThreads: number | null;
}

export interface TorchInfo extends TorchConfig {
  torch: string;
  blas: string;
  threads: number;
}

/** `OMP_WAIT_POLICY PASSIVE, OpenBLAS 1 thread` (the rows' label of a configuration). */
export const describeConfig = (c: TorchConfig): string =>
  `OMP_WAIT_POLICY ${c.waitPolicy}, OpenBLAS ${c.blasThreads === null ? 'default threads' : `${c.blasThreads} thread${c.blasThreads === 1 ? '' : 's'}`}`;

export class TorchYardstick {
  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly lines: AsyncIterator<string>,
    readonly info: TorchInfo,
  ) {}

  /** Starts the yardstick, or returns why it cannot run (with the apt command). */
  static async start(threads: number, config: TorchConfig = { waitPolicy: 'PASSIVE', blasThreads: null }): Promise<TorchYardstick | string> {
    const { waitPolicy, blasThreads } = config;
    const py = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
    if (!py) return 'PyTorch not found (apt-get install python3-torch libopenblas0-pthread)';
    const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: String(threads) };
    if (waitPolicy === 'PASSIVE') env['OMP_WAIT_POLICY'] = 'PASSIVE';
    else delete env['OMP_WAIT_POLICY'];
    if (blasThreads !== null) env['OPENBLAS_NUM_THREADS'] = String(blasThreads);
    // Debian's reference libblas is ~10x slower than OpenBLAS: point this process at OpenBLAS when it is installed
    // but not the system default.
    const openblas = '/usr/lib/x86_64-linux-gnu/openblas-pthread';
    if (existsSync(`${openblas}/libblas.so.3`)) env['LD_LIBRARY_PATH'] = [openblas, env['LD_LIBRARY_PATH']].filter(Boolean).join(':');
    const child = spawn(py, [new URL('./torch_ref.py', import.meta.url).pathname, String(threads)], { env });
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    const first = await lines.next();
    if (first.done) return `PyTorch yardstick failed: ${stderr.trim().split('\n').pop() ?? 'no output'}`;
    return new TorchYardstick(child, lines, { ...(JSON.parse(first.value) as Omit<TorchInfo, keyof TorchConfig>), waitPolicy, blasThreads });
  }

  /** Items per second over `steps` timed steps (after a 2-step warm-up on first use of a model). */
  async measure(model: 'resnet20' | 'fashion_cnn' | 'kjv_lstm', steps: number): Promise<number> {
    this.child.stdin.write(`${model} ${steps}\n`);
    const r = await this.lines.next();
    if (r.done) throw new Error('PyTorch yardstick exited');
    return (JSON.parse(r.value) as { items_per_s: number }).items_per_s;
  }

  stop(): void {
    this.child.stdin.end();
    this.child.kill();
  }
}
