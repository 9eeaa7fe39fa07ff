// Plain-data shapes shared by the loaders, batchers and the training loop. Nothing here touches tfjs: images are
// kept as raw uint8 NHWC pixels (a quarter of the memory of float32) and normalised only when a batch is built;
// token streams are Int32Array ids ready for an embedding lookup.

import type { DatasetKind } from '../../semantic/ir.ts';

/** A split of an image classification set: `count` images of height×width×channels uint8 pixels, NHWC. */
export interface ImageSplit {
  readonly pixels: Uint8Array;
  readonly labels: Int32Array;
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/** Per-channel mean and standard deviation of pixel/255 over the train split. */
export interface NormStats {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

export interface ImageDataset {
  readonly kind: 'image';
  readonly name: DatasetKind;
  /** Directory or file the data came from ('synthetic' for generated data). */
  readonly source: string;
  /** One line for logs, e.g. "fashion-mnist: 60000 train / 10000 test from /usr/share/datasets/fashion-mnist". */
  readonly description: string;
  readonly train: ImageSplit;
  readonly test: ImageSplit;
  readonly numClasses: number;
  readonly classNames: readonly string[] | null;
  readonly norm: NormStats;
}

export interface Vocabulary {
  /** id → word. */
  readonly words: readonly string[];
  /** word → id. */
  readonly index: ReadonlyMap<string, number>;
  readonly unk: number;
  readonly eos: number;
  readonly size: number;
}

export interface TokenDataset {
  readonly kind: 'tokens';
  readonly name: DatasetKind;
  readonly source: string;
  readonly description: string;
  readonly vocab: Vocabulary;
  readonly train: Int32Array;
  readonly valid: Int32Array;
  readonly test: Int32Array;
}

export type Dataset = ImageDataset | TokenDataset;

/** A batch of images ready for `tf.tensor4d(x, shape)` / labels for `tf.oneHot(tf.tensor1d(y, 'int32'), k)`. */
export interface ImageBatch {
  readonly x: Float32Array;
  readonly y: Int32Array;
  /** [batch, height, width, channels]; batch may be smaller than requested for the last batch of an epoch. */
  readonly shape: [number, number, number, number];
  readonly size: number;
  readonly epoch: number;
  /** 0-based index of this batch within its epoch. */
  readonly batchIndex: number;
  /** True for the last batch of the epoch. */
  readonly lastOfEpoch: boolean;
}

/** A truncated-BPTT window: `y[b, t] = x[b, t + 1]` in the underlying stream (targets shifted by one). */
export interface TokenBatch {
  readonly x: Int32Array;
  readonly y: Int32Array;
  /** [batch, steps]; steps < seq only for a partial last window when that was asked for. */
  readonly shape: [number, number];
  readonly epoch: number;
  readonly window: number;
  /** True on the first window of an epoch: the loop should zero the recurrent state. */
  readonly resetState: boolean;
  readonly lastOfEpoch: boolean;
}
