// A/B of the native backend's fused LSTM recurrence and softmax cross-entropy on specs/kjv-lstm.arch (batch 20,
// T 35): alternating rounds of the real trainer (bench/train.ts's throughput) with the fused kernels registered
// ('fused') and unregistered ('unfused': the tfjs loop of layers/lstm.ts and the tfjs loss, everything else
// native), and PyTorch's yardstick in the same rounds. `npx tsx experiments/stop-20/lstm-ab.ts [ROUNDS]`.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { throughput } from '../../bench/train.ts';
import { TorchYardstick } from '../../bench/torch.ts';
import { configureNative, initBackend, nativeOptionsFromEnv, nativeThreads, registerArchcKernels } from '../../src/runtime/backend/index.ts';
import { compileText } from '../../src/semantic/compile.ts';

const rounds = Number(process.argv[2] ?? 3);
configureNative(nativeOptionsFromEnv(process.env));
await initBackend('native');
const ir = compileText(readFileSync('specs/kjv-lstm.arch', 'utf8'), 'specs/kjv-lstm.arch').ir!;
const fusedNames = ['ArchcLstmForward', 'ArchcLstmBackward', 'ArchcSoftmaxXent', 'ArchcSoftmaxXentGrad'];
const torch = await TorchYardstick.start(nativeThreads());
const res: Record<string, number[]> = { fused: [], unfused: [], torch: [] };
const loads: number[] = [];
try {
  for (let r = 0; r < rounds; r++) {
    registerArchcKernels('wasm', 'native');
    res['fused']!.push(await throughput(ir, 20, 1, 4));
    for (const k of fusedNames) tf.unregisterKernel(k, 'wasm');
    res['unfused']!.push(await throughput(ir, 20, 1, 4));
    if (typeof torch !== 'string') res['torch']!.push(await torch.measure('kjv_lstm', 4));
    loads.push(loadavg()[0]!);
    console.error(`round ${r + 1}: ${Object.entries(res).map(([k, v]) => `${k} ${v.at(-1)?.toFixed(0)}`).join(', ')} tok/s, load ${loads.at(-1)!.toFixed(1)}`);
  }
} finally {
  if (typeof torch !== 'string') torch.stop();
}
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const f = med(res['fused']!), u = med(res['unfused']!), t = med(res['torch']!);
console.log(JSON.stringify({ fused: f, unfused: u, torch: t, fusedVsTorch: f / t, unfusedVsTorch: u / t, speedup: f / u, loads, threads: nativeThreads(), torchInfo: typeof torch === 'string' ? torch : torch.info }));
