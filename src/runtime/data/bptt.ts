// Truncated-BPTT batching for language models (Zaremba et al.'s reader): the token stream is cut into `batch`
// contiguous rows of equal length, and each window takes `seq` steps of every row, with targets the same
// positions shifted by one. Row order is never shuffled, so the recurrent state can carry from window to window.

import { DataError } from './errors.ts';
import type { TokenBatch } from './types.ts';

export interface BpttOptions {
  batch: number;
  seq: number;
  /** Keep a last, shorter window instead of dropping the tail (evaluation wants every token). Default false. */
  partialLast?: boolean;
  /** Named in the error when the stream is too short. */
  source?: string;
}

export interface BpttPosition {
  epoch: number;
  /** Windows of this epoch already handed out. */
  window: number;
}

export class BpttBatcher {
  readonly batchSize: number;
  readonly seq: number;
  /** Tokens per row. */
  readonly rowLength: number;
  readonly windowsPerEpoch: number;
  private readonly tokens: Int32Array;
  private epochNo = 0;
  private windowNo = 0;

  constructor(tokens: Int32Array, opts: BpttOptions) {
    const { batch, seq } = opts;
    if (!Number.isInteger(batch) || batch < 1 || !Number.isInteger(seq) || seq < 1) {
      throw new Error(`BPTT batch and seq must be positive integers, got ${batch} and ${seq}`);
    }
    this.tokens = tokens;
    this.batchSize = batch;
    this.seq = seq;
    this.rowLength = Math.floor(tokens.length / batch);
    const usable = this.rowLength - 1; // the last token of a row is only ever a target
    this.windowsPerEpoch = opts.partialLast ? Math.ceil(Math.max(0, usable) / seq) : Math.floor(Math.max(0, usable) / seq);
    if (this.windowsPerEpoch === 0) {
      throw new DataError(
        opts.source ?? null,
        `${tokens.length} tokens are too few for batch ${batch} × (seq ${seq} + 1)`,
        'Use a smaller batch or seq, or more text',
      );
    }
  }

  get epoch(): number {
    return this.epochNo;
  }

  position(): BpttPosition {
    return { epoch: this.epochNo, window: this.windowNo };
  }

  restore(pos: BpttPosition): void {
    if (!Number.isInteger(pos.epoch) || pos.epoch < 0 || !Number.isInteger(pos.window) || pos.window < 0 || pos.window > this.windowsPerEpoch) {
      throw new Error(`invalid BPTT position ${JSON.stringify(pos)} for ${this.windowsPerEpoch} windows per epoch`);
    }
    this.epochNo = pos.epoch;
    this.windowNo = pos.window;
  }

  next(): TokenBatch {
    if (this.windowNo >= this.windowsPerEpoch) {
      this.epochNo++;
      this.windowNo = 0;
    }
    const w = this.windowNo;
    const start = w * this.seq;
    const steps = Math.min(this.seq, this.rowLength - 1 - start);
    const B = this.batchSize;
    const x = new Int32Array(B * steps);
    const y = new Int32Array(B * steps);
    for (let b = 0; b < B; b++) {
      const from = b * this.rowLength + start;
      x.set(this.tokens.subarray(from, from + steps), b * steps);
      y.set(this.tokens.subarray(from + 1, from + 1 + steps), b * steps);
    }
    this.windowNo++;
    return {
      x,
      y,
      shape: [B, steps],
      epoch: this.epochNo,
      window: w,
      resetState: w === 0,
      lastOfEpoch: this.windowNo >= this.windowsPerEpoch,
    };
  }

  /** The remaining windows of the current epoch (all of the next one when the current is finished). */
  *epochBatches(): Generator<TokenBatch> {
    do {
      yield this.next();
    } while (this.windowNo < this.windowsPerEpoch);
  }
}
