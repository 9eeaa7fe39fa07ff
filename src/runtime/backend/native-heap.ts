// Zero-copy access to tfjs-wasm tensors for the oneDNN addon: a tensor's bytes live in the wasm heap at
// `dataIdMap.get(dataId).memoryOffset`, so the addon gets the heap ArrayBuffer plus byte offsets. The heap can
// grow (and its ArrayBuffer be replaced) on any allocation, so `heap()` must be read after the outputs exist.
// Also the helpers every native kernel shares (argument type, stock fallback).
import type * as tf from '@tensorflow/tfjs';
import { stockKernel, type Attrs } from './kernel-utils.ts';

type Info = tf.TensorInfo;
/** What every native kernelFunc receives. */
export type Args = { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: Attrs };

export const allFloat = (...ts: Info[]): boolean => ts.every((t) => t.dtype === 'float32');

/** Runs the stock wasm kernel for the cases a native kernel does not take (NCHW, int32, tiny tensors). */
export function fallback(name: string, args: Args): Info {
  const cfg = stockKernel(name, 'wasm');
  if (cfg === undefined) throw new Error(`archc: kernel '${name}' has no fallback on 'wasm'`);
  return cfg.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]) as Info;
}

interface WasmBackendLike {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): Info;
}

export class WasmHeap {
  private readonly be: WasmBackendLike;
  constructor(backend: tf.KernelBackend) {
    this.be = backend as unknown as WasmBackendLike;
    if (this.be.wasm === undefined || this.be.dataIdMap === undefined) {
      throw new Error('archc internal: native kernels need the tfjs-wasm backend');
    }
  }
  /** A fresh output tensor in the heap, float32 unless said (allocating may grow the heap: read `heap()` afterwards). */
  output(shape: number[], dtype: tf.DataType = 'float32'): Info {
    return this.be.makeOutput(shape, dtype);
  }
  offset(t: Info): number {
    const d = this.be.dataIdMap.get(t.dataId);
    if (d === undefined) throw new Error('archc internal: tensor is not on the wasm backend');
    return d.memoryOffset;
  }
  heap(): ArrayBuffer {
    return this.be.wasm.HEAPU8.buffer as ArrayBuffer;
  }
  /** The first `n` floats of `t` as a view into the heap: valid only until the next `output` (which may grow it). */
  floats(t: Info, n: number): Float32Array {
    return new Float32Array(this.heap(), this.offset(t), n);
  }
}
