// Turns the data layer's plain batches into tensors and wraps its batchers behind one interface for the loop:
// images get a seeded shuffled/augmented ImageBatcher, token streams a BpttBatcher. Positions are plain data.

import * as tf from '@tensorflow/tfjs';
import type { IrNetwork } from '../../semantic/ir.ts';
import {
  BpttBatcher,
  ImageBatcher,
  evalBatches,
  type BpttPosition,
  type Dataset,
  type ImageBatcherPosition,
} from '../data/index.ts';

export interface TensorBatch {
  x: tf.Tensor;
  y: tf.Tensor;
  /** Examples in the batch (rows). */
  size: number;
  epoch: number;
  lastOfEpoch: boolean;
  /** LM: the recurrent state must start from zeros (first window of an epoch). */
  resetState: boolean;
}

export type DataPosition = { kind: 'image'; pos: ImageBatcherPosition } | { kind: 'tokens'; pos: BpttPosition };

export interface TrainBatches {
  readonly stepsPerEpoch: number;
  next(): TensorBatch;
  position(): DataPosition;
  restore(p: DataPosition): void;
}

/** Sequence length of an LM from the IR input. */
function seqOf(ir: IrNetwork): number {
  return ir.input.kind === 'tokens' ? ir.input.seq : 0;
}

export function trainBatches(ir: IrNetwork, data: Dataset, batch: number, seed: number): TrainBatches {
  if (data.kind === 'image') {
    const b = new ImageBatcher(data.train, { batch, seed, norm: data.norm, augment: ir.train.augment });
    return {
      stepsPerEpoch: b.batchesPerEpoch,
      next: () => {
        const r = b.next();
        return { x: tf.tensor4d(r.x, r.shape), y: tf.tensor1d(r.y, 'int32'), size: r.size, epoch: r.epoch, lastOfEpoch: r.lastOfEpoch, resetState: false };
      },
      position: () => ({ kind: 'image', pos: b.position() }),
      restore: (p) => {
        if (p.kind !== 'image') throw new Error('data position is for a token stream but the dataset is images');
        b.restore(p.pos);
      },
    };
  }
  const b = new BpttBatcher(data.train, { batch, seq: seqOf(ir), source: data.source });
  return {
    stepsPerEpoch: b.windowsPerEpoch,
    next: () => {
      const r = b.next();
      return { x: tf.tensor2d(r.x, r.shape, 'int32'), y: tf.tensor2d(r.y, r.shape, 'int32'), size: r.shape[0], epoch: r.epoch, lastOfEpoch: r.lastOfEpoch, resetState: r.resetState };
    },
    position: () => ({ kind: 'tokens', pos: b.position() }),
    restore: (p) => {
      if (p.kind !== 'tokens') throw new Error('data position is for images but the dataset is a token stream');
      b.restore(p.pos);
    },
  };
}

/** In-order evaluation batches of a split ('test' for images; 'valid' or 'test' for tokens), at most `limit` rows. */
export function* evalTensorBatches(ir: IrNetwork, data: Dataset, split: 'valid' | 'test', batch: number, limit?: number): Generator<TensorBatch> {
  if (data.kind === 'image') {
    let seen = 0;
    for (const r of evalBatches(data.test, batch, data.norm)) {
      if (limit !== undefined && seen >= limit) return;
      seen += r.size;
      yield { x: tf.tensor4d(r.x, r.shape), y: tf.tensor1d(r.y, 'int32'), size: r.size, epoch: 0, lastOfEpoch: r.lastOfEpoch, resetState: false };
    }
    return;
  }
  const stream = split === 'valid' ? data.valid : data.test;
  const b = new BpttBatcher(stream, { batch, seq: seqOf(ir), partialLast: true, source: data.source });
  for (let w = 0; w < b.windowsPerEpoch; w++) {
    if (limit !== undefined && w * batch * seqOf(ir) >= limit) return;
    const r = b.next();
    yield { x: tf.tensor2d(r.x, r.shape, 'int32'), y: tf.tensor2d(r.y, r.shape, 'int32'), size: r.shape[0], epoch: 0, lastOfEpoch: r.lastOfEpoch, resetState: r.resetState };
  }
}

/**
 * The first `count` in-order, unaugmented batches of the TRAIN split (BN recalibration: deterministic and
 * independent of the training batcher's position). Images only; token streams yield nothing.
 */
export function* calibrationBatches(data: Dataset, batch: number, count: number): Generator<TensorBatch> {
  if (data.kind !== 'image') return;
  let k = 0;
  for (const r of evalBatches(data.train, batch, data.norm)) {
    if (k++ >= count) return;
    yield { x: tf.tensor4d(r.x, r.shape), y: tf.tensor1d(r.y, 'int32'), size: r.size, epoch: 0, lastOfEpoch: r.lastOfEpoch, resetState: false };
  }
}
