// A whole LSTM recurrence as two native kernels (native/src/lstm.cc): the forward over every time step and the
// backpropagation through time, instead of ~170 tfjs kernel calls per layer and step. `lstmRecurrence` wraps
// them in a tf.customGrad; layers/lstm.ts uses it when the backend has the kernels (the native plan) and keeps
// its tfjs loop otherwise (wasm, cpu, ARCHC_NATIVE=0). Same math as that loop: z_t = xw_t + h_{t−1}·U, gates
// i, f, g, o, h_t = m ⊙ o ⊙ tanh(c_t), h_0 ← m ⊙ h_0.
//
// Heap discipline (tfjs-wasm keeps every tensor in one wasm heap that may grow, and replace its ArrayBuffer, on
// any allocation): each kernel allocates all of its outputs first, then reads the heap buffer and every offset,
// checks each operand's byte range against the buffer and the tensor's own size and that no output overlaps
// another operand, and then makes its single native call. No view over the heap outlives a call.
import * as tf from '@tensorflow/tfjs';
import type { Info } from './kernel-utils.ts';
import { nativeAddon, type NativeAddon } from './native-addon.ts';
import { WasmHeap, type Args } from './native-heap.ts';
import { checkedOffsets, expectShape } from './native-checked.ts';

export const LSTM_FORWARD = 'ArchcLstmForward';
export const LSTM_BACKWARD = 'ArchcLstmBackward';

type Operand = number | Float32Array;
interface LstmAddon {
  lstmForward(heap: ArrayBuffer, dims: number[], xw: Operand, u: Operand, mask: Operand | null, h0: Operand, c0: Operand, y: Operand, hOut: Operand, cOut: Operand, ws: Operand): void;
  lstmBackward(heap: ArrayBuffer, dims: number[], dy: Operand, u: Operand, mask: Operand | null, ws: Operand, dxw: Operand, du: Operand, dmask: Operand | null): void;
  lstmWorkspaceSize(b: number, t: number, h: number): number;
}
const addon = (): NativeAddon & LstmAddon => nativeAddon() as NativeAddon & LstmAddon;

/** Floats of the forward's workspace: gates, cells, masked outputs, tanh(c) and h0 (native/src/lstm.cc). */
export const lstmWorkspaceSize = (b: number, t: number, h: number): number => b * h * (7 * t + 3);

/** xw [B, T, 4H], u [H, 4H], h0/c0 [B, H], mask [H]? → [y [B, T, H], h [B, H], c [B, H], workspace]. */
function lstmForwardKernel(args: Args): Info[] {
  const { xw, u, h0, c0, mask } = args.inputs as { xw: Info; u: Info; h0: Info; c0: Info; mask?: Info };
  const [b, t, g4] = xw.shape as [number, number, number];
  const hu = g4 / 4;
  if (xw.shape.length !== 3 || !Number.isInteger(hu) || b < 1 || t < 1 || hu < 1) {
    throw new Error(`archc internal: ${LSTM_FORWARD}: xw must be [B, T, 4H] with B, T, H ≥ 1, got [${xw.shape.join(', ')}]`);
  }
  expectShape(`${LSTM_FORWARD} xw`, xw, [b, t, 4 * hu]);
  expectShape(`${LSTM_FORWARD} u`, u, [hu, 4 * hu]);
  expectShape(`${LSTM_FORWARD} h0`, h0, [b, hu]);
  expectShape(`${LSTM_FORWARD} c0`, c0, [b, hu]);
  if (mask !== undefined) expectShape(`${LSTM_FORWARD} mask`, mask, [hu]);
  const a = addon();
  const wsSize = lstmWorkspaceSize(b, t, hu);
  if (a.lstmWorkspaceSize(b, t, hu) !== wsSize) throw new Error('archc internal: the LSTM workspace layout of the addon differs; rebuild it (npm run build:native)');
  const h = new WasmHeap(args.backend);
  // 1. Every output first (each allocation may grow the heap).
  const y = h.output([b, t, hu]), hOut = h.output([b, hu]), cOut = h.output([b, hu]), ws = h.output([wsSize]);
  // 2. Then the heap buffer and every offset; 3. then the one native call.
  const heap = h.heap();
  const ops = [
    { name: 'xw', t: xw, write: false }, { name: 'u', t: u, write: false }, { name: 'h0', t: h0, write: false },
    { name: 'c0', t: c0, write: false }, { name: 'y', t: y, write: true }, { name: 'h', t: hOut, write: true },
    { name: 'c', t: cOut, write: true }, { name: 'workspace', t: ws, write: true },
    ...(mask ? [{ name: 'mask', t: mask, write: false }] : []),
  ];
  const o = checkedOffsets(h, heap, ops);
  a.lstmForward(heap, [b, t, hu], o[0]!, o[1]!, mask ? o[8]! : null, o[2]!, o[3]!, o[4]!, o[5]!, o[6]!, o[7]!);
  return [y, hOut, cOut, ws];
}

/** dy [B, T, H], u, workspace, mask? → [dxw [B, T, 4H], du [H, 4H], dmask [H] (with a mask)]. */
function lstmBackwardKernel(args: Args): Info[] {
  const { dy, u, ws, mask } = args.inputs as { dy: Info; u: Info; ws: Info; mask?: Info };
  const [b, t, hu] = dy.shape as [number, number, number];
  if (dy.shape.length !== 3 || b < 1 || t < 1 || hu < 1) throw new Error(`archc internal: ${LSTM_BACKWARD}: dy must be [B, T, H], got [${dy.shape.join(', ')}]`);
  expectShape(`${LSTM_BACKWARD} dy`, dy, [b, t, hu]);
  expectShape(`${LSTM_BACKWARD} u`, u, [hu, 4 * hu]);
  expectShape(`${LSTM_BACKWARD} workspace`, ws, [lstmWorkspaceSize(b, t, hu)]);
  if (mask !== undefined) expectShape(`${LSTM_BACKWARD} mask`, mask, [hu]);
  const h = new WasmHeap(args.backend);
  const dxw = h.output([b, t, 4 * hu]), du = h.output([hu, 4 * hu]);
  const dmask = mask ? h.output([hu]) : null;
  const heap = h.heap();
  const ops = [
    { name: 'dy', t: dy, write: false }, { name: 'u', t: u, write: false }, { name: 'workspace', t: ws, write: false },
    { name: 'dxw', t: dxw, write: true }, { name: 'du', t: du, write: true },
    ...(mask && dmask ? [{ name: 'mask', t: mask, write: false }, { name: 'dmask', t: dmask, write: true }] : []),
  ];
  const o = checkedOffsets(h, heap, ops);
  addon().lstmBackward(heap, [b, t, hu], o[0]!, o[1]!, mask ? o[5]! : null, o[2]!, o[3]!, o[4]!, mask ? o[6]! : null);
  return dmask ? [dxw, du, dmask] : [dxw, du];
}

export const LSTM_KERNELS: Record<string, (args: Args) => Info[]> = {
  [LSTM_FORWARD]: lstmForwardKernel,
  [LSTM_BACKWARD]: lstmBackwardKernel,
};

/** Whether the current backend runs the fused recurrence (the native plan registered its kernels). */
export function hasFusedLstm(): boolean {
  return tf.getKernel(LSTM_FORWARD, tf.getBackend()) !== undefined;
}

/**
 * The recurrence over xw [B, T, 4H] (= x·W + b) with recurrent kernel u [H, 4H], optional mask [H] and initial
 * state h0/c0 [B, H] (constants: no gradient). Returns y [B, T, H] (differentiable in xw, u and mask) and the last
 * h and c (not differentiable; the carried state).
 */
export function lstmRecurrence(xw: tf.Tensor3D, u: tf.Tensor2D, mask: tf.Tensor | null, h0: tf.Tensor2D, c0: tf.Tensor2D): { y: tf.Tensor3D; h: tf.Tensor2D; c: tf.Tensor2D } {
  let last: tf.Tensor[] = [];
  const forward = (xi: tf.Tensor, ui: tf.Tensor, mi: tf.Tensor | null, save: tf.GradSaveFunc) => {
    const inputs: tf.NamedTensorMap = { xw: xi, u: ui, h0, c0, ...(mi ? { mask: mi } : {}) };
    const [y, hT, cT, ws] = tf.engine().runKernel(LSTM_FORWARD, inputs) as tf.Tensor[];
    last = [tf.keep(hT!), tf.keep(cT!)];
    save(mi ? [ui, ws!, mi] : [ui, ws!]);
    return {
      value: y!,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [us, wss, ms] = saved;
        const g = tf.engine().runKernel(LSTM_BACKWARD, { dy, u: us!, ws: wss!, ...(ms ? { mask: ms } : {}) }) as tf.Tensor[];
        return g;
      },
    };
  };
  const op = mask
    ? tf.customGrad((...a: Array<tf.Tensor | tf.GradSaveFunc>) => forward(a[0] as tf.Tensor, a[1] as tf.Tensor, a[2] as tf.Tensor, a[3] as tf.GradSaveFunc))
    : tf.customGrad((...a: Array<tf.Tensor | tf.GradSaveFunc>) => forward(a[0] as tf.Tensor, a[1] as tf.Tensor, null, a[2] as tf.GradSaveFunc));
  const y = (mask ? op(xw, u, mask) : op(xw, u)) as tf.Tensor3D;
  const [hK, cK] = last as [tf.Tensor2D, tf.Tensor2D];
  const out = { y, h: hK.clone(), c: cK.clone() };
  hK.dispose();
  cK.dispose();
  return out;
}
