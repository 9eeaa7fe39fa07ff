// What a forward pass needs besides its input: training vs evaluation, this step's mask per group, the dropout
// random stream, and (for truncated BPTT) the recurrent state carried from the previous window.

import type * as tf from '@tensorflow/tfjs';
import type { Rng } from '../rng.ts';

/** Recurrent state of one LSTM layer between windows. */
export interface LstmState {
  h: tf.Tensor2D;
  c: tf.Tensor2D;
}

/**
 * Holds LSTM states across training steps (truncated BPTT). A replaced state is only retired: the gradient tape
 * of the step that read it may still need it, so the trainer calls `flush()` once the step's gradients exist.
 */
export class RecurrentCarry {
  private readonly states = new Map<string, LstmState>();
  private retired: LstmState[] = [];
  get(path: string): LstmState | undefined {
    return this.states.get(path);
  }
  set(path: string, state: LstmState): void {
    const old = this.states.get(path);
    this.states.set(path, state);
    if (old) this.retired.push(old);
  }
  /** Disposes states replaced since the last flush. */
  flush(): void {
    for (const s of this.retired) {
      s.h.dispose();
      s.c.dispose();
    }
    this.retired = [];
  }
  /** Forget every state (start of an epoch, or the data says `resetState`). */
  reset(): void {
    for (const s of this.states.values()) this.retired.push(s);
    this.states.clear();
    this.flush();
  }
}

export interface ForwardContext {
  /** Training: batch-stat BN, dropout on, sampled masks. Evaluation: moving stats, no dropout, 1[s > 0]. */
  training: boolean;
  /**
   * The [width] mask of group `groupId` for this step (σ(βs)·q when training, 1[s>0] when evaluating), or null
   * when the group is not maskable (or masks are switched off). The same tensor for every call within a step.
   */
  mask(groupId: number): tf.Tensor | null;
  /** Random stream for dropout masks (advanced in call order; deterministic for a fixed forward). */
  rng: Rng;
  /** Carried LSTM state (language models with truncated BPTT); absent = every window starts from zeros. */
  carry?: RecurrentCarry;
}
