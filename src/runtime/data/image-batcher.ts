// Mini-batches of images for training (seeded per-epoch shuffle + augmentation) and evaluation (in order).
// The batcher's whole position is plain data: the epoch, the samples consumed in it and the augmentation RNG
// state. Each epoch's order is re-derived from (seed, epoch), so restoring a position resumes bit-exactly.

import { drawTransform, writeSample, type AugmentConfig } from './augment.ts';
import { normLut } from './normalize.ts';
import { Rng, deriveSeed, type RngState } from './rng.ts';
import type { ImageBatch, ImageSplit, NormStats } from './types.ts';

export interface ImageBatcherOptions {
  batch: number;
  seed: number;
  norm: NormStats;
  /** null or { crop: 0, flip: false } = no augmentation. */
  augment?: AugmentConfig | null;
  /** Default true; false keeps the stored order (for debugging). */
  shuffle?: boolean;
  /** Drop the last partial batch of each epoch (default false). */
  dropLast?: boolean;
}

export interface ImageBatcherPosition {
  /** 0-based epoch. */
  epoch: number;
  /** Samples of this epoch already handed out. */
  index: number;
  /** Augmentation RNG state after the last batch handed out. */
  rng: RngState;
}

export class ImageBatcher {
  readonly batchSize: number;
  readonly batchesPerEpoch: number;
  private readonly split: ImageSplit;
  private readonly seed: number;
  private readonly lut: Float32Array;
  private readonly augment: AugmentConfig | null;
  private readonly shuffle: boolean;
  private readonly limit: number;
  private epochNo = 0;
  private index = 0;
  private rng: Rng;
  private order: Int32Array;

  constructor(split: ImageSplit, opts: ImageBatcherOptions) {
    if (!Number.isInteger(opts.batch) || opts.batch < 1) throw new Error(`batch size must be a positive integer, got ${opts.batch}`);
    if (opts.norm.mean.length !== split.channels) {
      throw new Error(`normalisation has ${opts.norm.mean.length} channels but the images have ${split.channels}`);
    }
    this.split = split;
    this.batchSize = opts.batch;
    this.seed = opts.seed;
    this.lut = normLut(opts.norm);
    const aug = opts.augment ?? null;
    this.augment = aug && (aug.crop > 0 || aug.flip) ? aug : null;
    this.shuffle = opts.shuffle ?? true;
    this.limit = opts.dropLast ? Math.floor(split.count / opts.batch) * opts.batch : split.count;
    if (this.limit === 0) throw new Error(`${split.count} samples are fewer than one batch of ${opts.batch} with dropLast`);
    this.batchesPerEpoch = Math.ceil(this.limit / opts.batch);
    this.rng = new Rng(deriveSeed(opts.seed, 0xa06));
    this.order = this.orderFor(0);
  }

  get epoch(): number {
    return this.epochNo;
  }

  position(): ImageBatcherPosition {
    return { epoch: this.epochNo, index: this.index, rng: this.rng.state() };
  }

  restore(pos: ImageBatcherPosition): void {
    if (!Number.isInteger(pos.epoch) || pos.epoch < 0 || !Number.isInteger(pos.index) || pos.index < 0 || pos.index > this.limit) {
      throw new Error(`invalid batcher position ${JSON.stringify(pos)} for ${this.limit} samples per epoch`);
    }
    if (pos.epoch !== this.epochNo) this.order = this.orderFor(pos.epoch);
    this.epochNo = pos.epoch;
    this.index = pos.index;
    this.rng.setState(pos.rng);
  }

  /** The next batch, moving on to the next epoch (with a fresh order) when the current one is used up. */
  next(): ImageBatch {
    if (this.index >= this.limit) {
      this.epochNo++;
      this.index = 0;
      this.order = this.orderFor(this.epochNo);
    }
    const { height: h, width: w, channels: c } = this.split;
    const per = h * w * c;
    const size = Math.min(this.batchSize, this.limit - this.index);
    const x = new Float32Array(size * per);
    const y = new Int32Array(size);
    for (let b = 0; b < size; b++) {
      const s = this.order[this.index + b]!;
      y[b] = this.split.labels[s]!;
      const t = this.augment ? drawTransform(this.rng, this.augment) : null;
      writeSample(x, b * per, this.split.pixels, s * per, h, w, c, this.lut, t);
    }
    const batchIndex = Math.floor(this.index / this.batchSize);
    this.index += size;
    return { x, y, shape: [size, h, w, c], size, epoch: this.epochNo, batchIndex, lastOfEpoch: this.index >= this.limit };
  }

  /** The remaining batches of the current epoch (all of the next one when the current is finished). */
  *epochBatches(): Generator<ImageBatch> {
    do {
      yield this.next();
    } while (this.index < this.limit);
  }

  private orderFor(epoch: number): Int32Array {
    const order = new Int32Array(this.split.count);
    for (let i = 0; i < order.length; i++) order[i] = i;
    if (this.shuffle) new Rng(deriveSeed(this.seed, 0x5b0f, epoch)).shuffle(order);
    return order;
  }
}

/** In-order, unaugmented batches over a whole split (evaluation); the last batch may be smaller. */
export function* evalBatches(split: ImageSplit, batch: number, norm: NormStats): Generator<ImageBatch> {
  const lut = normLut(norm);
  const { height: h, width: w, channels: c } = split;
  const per = h * w * c;
  const total = Math.ceil(split.count / batch);
  for (let k = 0; k < total; k++) {
    const start = k * batch;
    const size = Math.min(batch, split.count - start);
    const x = new Float32Array(size * per);
    const px = split.pixels;
    const off = start * per;
    for (let i = 0; i < x.length; i++) x[i] = lut[(i % c) * 256 + px[off + i]!]!;
    yield {
      x,
      y: split.labels.slice(start, start + size),
      shape: [size, h, w, c],
      size,
      epoch: 0,
      batchIndex: k,
      lastOfEpoch: k === total - 1,
    };
  }
}
