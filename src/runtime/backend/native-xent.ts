// The mean softmax cross-entropy (and the argmax-correct count) as two native kernels (native/src/xent.cc):
// train/loss.ts uses `fusedXent` when the backend has them (the native plan) instead of logSoftmax, oneHot, mul,
// sum and mean and their gradients — for the LM's [B·T, 10000] logits a [N, K] ones tensor, a cast and five
// full-size elementwise passes on one thread. Same formulas as the tfjs path; operands checked as in
// native-checked.ts (outputs first, then the heap and offsets, then one call).
import * as tf from '@tensorflow/tfjs';
import type { Info } from './kernel-utils.ts';
import { nativeAddon, type NativeAddon } from './native-addon.ts';
import { checkedOffsets, expectShape } from './native-checked.ts';
import { WasmHeap, type Args } from './native-heap.ts';

export const XENT_FORWARD = 'ArchcSoftmaxXent';
export const XENT_BACKWARD = 'ArchcSoftmaxXentGrad';

interface XentAddon {
  softmaxXentForward(heap: ArrayBuffer, dims: number[], x: number, labels: number, loss: number, correct: number, lse: number): void;
  softmaxXentBackward(heap: ArrayBuffer, dims: number[], x: number, labels: number, lse: number, dLoss: number, dx: number): void;
}
const addon = (): NativeAddon & XentAddon => nativeAddon() as NativeAddon & XentAddon;

function geometry(name: string, logits: Info, labels: Info): [number, number] {
  if (logits.shape.length !== 2 || logits.shape[0]! < 1 || logits.shape[1]! < 1) {
    throw new Error(`archc internal: ${name}: logits must be [N, K] with N, K ≥ 1, got [${logits.shape.join(', ')}]`);
  }
  const [n, k] = logits.shape as [number, number];
  expectShape(`${name} logits`, logits, [n, k]);
  expectShape(`${name} labels`, labels, [n], 'int32');
  return [n, k];
}

/** logits [N, K], labels int32 [N] → [mean loss [], correct count [], logsumexp per row [N]]. */
function xentForwardKernel(args: Args): Info[] {
  const { logits, labels } = args.inputs as { logits: Info; labels: Info };
  const [n, k] = geometry(XENT_FORWARD, logits, labels);
  const h = new WasmHeap(args.backend);
  const loss = h.output([]), correct = h.output([]), lse = h.output([n]);
  const heap = h.heap();
  const o = checkedOffsets(h, heap, [
    { name: 'logits', t: logits, write: false }, { name: 'labels', t: labels, write: false },
    { name: 'loss', t: loss, write: true }, { name: 'correct', t: correct, write: true }, { name: 'lse', t: lse, write: true },
  ]);
  addon().softmaxXentForward(heap, [n, k], o[0]!, o[1]!, o[2]!, o[3]!, o[4]!);
  return [loss, correct, lse];
}

/** dy [] (dLoss), logits, labels, lse → dlogits [N, K] = dy/N · (softmax − onehot). */
function xentBackwardKernel(args: Args): Info {
  const { dy, logits, labels, lse } = args.inputs as { dy: Info; logits: Info; labels: Info; lse: Info };
  const [n, k] = geometry(XENT_BACKWARD, logits, labels);
  expectShape(`${XENT_BACKWARD} dy`, dy, []);
  expectShape(`${XENT_BACKWARD} lse`, lse, [n]);
  const h = new WasmHeap(args.backend);
  const dx = h.output([n, k]);
  const heap = h.heap();
  const o = checkedOffsets(h, heap, [
    { name: 'logits', t: logits, write: false }, { name: 'labels', t: labels, write: false }, { name: 'lse', t: lse, write: false },
    { name: 'dy', t: dy, write: false }, { name: 'dlogits', t: dx, write: true },
  ]);
  addon().softmaxXentBackward(heap, [n, k], o[0]!, o[1]!, o[2]!, o[3]!, o[4]!);
  return dx;
}

export const XENT_KERNELS: Record<string, (args: Args) => Info | Info[]> = {
  [XENT_FORWARD]: xentForwardKernel,
  [XENT_BACKWARD]: xentBackwardKernel,
};

/** Whether the current backend runs the fused loss (the native plan registered its kernels). */
export function hasFusedXent(): boolean {
  return tf.getKernel(XENT_FORWARD, tf.getBackend()) !== undefined;
}

/** Mean cross-entropy of logits [N, K] (differentiable) against int32 labels [N], and the argmax-correct count. */
export function fusedXent(logits: tf.Tensor2D, labels: tf.Tensor1D): { meanLoss: tf.Scalar; correct: tf.Scalar } {
  let correct: tf.Scalar | undefined;
  const lab = labels.dtype === 'int32' ? labels : tf.cast(labels, 'int32');
  const op = tf.customGrad((...a: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const x = a[0] as tf.Tensor;
    const save = a[1] as tf.GradSaveFunc;
    const [loss, c, lse] = tf.engine().runKernel(XENT_FORWARD, { logits: x, labels: lab }) as tf.Tensor[];
    correct = tf.keep(c as tf.Scalar);
    save([x, lab, lse!]);
    return {
      value: loss!,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ls, lses] = saved;
        return tf.engine().runKernel(XENT_BACKWARD, { dy, logits: xs!, labels: ls!, lse: lses! }) as tf.Tensor;
      },
    };
  });
  const meanLoss = op(logits) as tf.Scalar;
  const kept = correct as tf.Scalar;
  const out = { meanLoss, correct: kept.clone() };
  kept.dispose();
  if (lab !== labels) lab.dispose();
  return out;
}
