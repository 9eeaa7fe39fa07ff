// Zero-copy access to tfjs-wasm tensors for the oneDNN addon: a tensor's bytes live in the wasm heap at
// `dataIdMap.get(dataId).memoryOffset`, so the addon gets the heap ArrayBuffer plus byte offsets. The heap can
// grow (and its ArrayBuffer be replaced) on any allocation, so `heap()` must be read after the outputs exist.
import type * as tf from '@tensorflow/tfjs';

type Info = tf.TensorInfo;

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
  /** A fresh float32 output tensor in the heap (allocating may grow the heap: read `heap()` afterwards). */
  output(shape: number[]): Info {
    return this.be.makeOutput(shape, 'float32');
  }
  offset(t: Info): number {
    const d = this.be.dataIdMap.get(t.dataId);
    if (d === undefined) throw new Error('archc internal: tensor is not on the wasm backend');
    return d.memoryOffset;
  }
  heap(): ArrayBuffer {
    return this.be.wasm.HEAPU8.buffer as ArrayBuffer;
  }
}
