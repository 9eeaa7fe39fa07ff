// Checked operands for native kernels that write several outputs (the fused LSTM and loss): shapes and dtypes
// checked up front, and byte offsets read only after every output exists (any allocation may grow the wasm heap
// and replace its buffer), each checked against the buffer's byte length and its tensor's size, outputs never
// overlapping another operand. A failed check throws; nothing is written out of range.
import * as tf from '@tensorflow/tfjs';
import type { Info } from './kernel-utils.ts';
import type { WasmHeap } from './native-heap.ts';

export function expectShape(what: string, t: Info, shape: number[], dtype: 'float32' | 'int32' = 'float32'): void {
  if (t.dtype !== dtype || t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new Error(`archc internal: ${what}: expected ${dtype} [${shape.join(', ')}], got ${t.dtype} [${t.shape.join(', ')}]`);
  }
}

/**
 * Byte offsets of `operands` in the heap, read now (after every output exists), each checked to lie inside the
 * heap buffer with the byte length its shape says; outputs (`writes`) must not overlap any other operand.
 */
export function checkedOffsets(h: WasmHeap, heap: ArrayBuffer, operands: Array<{ name: string; t: Info; write: boolean }>): number[] {
  const ranges = operands.map(({ name, t, write }) => {
    const off = h.offset(t);
    const bytes = tf.util.sizeFromShape(t.shape) * 4;
    if (!Number.isInteger(off) || off < 0 || off % 4 !== 0 || off + bytes > heap.byteLength) {
      throw new Error(`archc internal: native operand ${name} (${bytes} bytes at ${off}) lies outside the wasm heap (${heap.byteLength} bytes)`);
    }
    return { name, off, end: off + bytes, write };
  });
  for (const a of ranges) {
    if (!a.write) continue;
    for (const b of ranges) {
      if (a !== b && a.off < b.end && b.off < a.end) throw new Error(`archc internal: native output ${a.name} overlaps ${b.name} in the wasm heap`);
    }
  }
  return ranges.map((r) => r.off);
}
