// Token embedding: ids [B, T] (int32) → [B, T, dim]. Variable `${path}/embeddings` [vocab, dim], U(−0.05, 0.05)
// (the Keras default). The gather gradient is the backend layer's fast one (the cpu reference loops over the
// whole vocabulary).

import * as tf from '@tensorflow/tfjs';
import type { EmbeddingAttrs } from '../../semantic/ir.ts';
import type { Rng } from '../rng.ts';
import { uniform } from './init.ts';
import type { VariableStore } from './store.ts';

export class Embedding {
  readonly embeddings: tf.Variable;

  constructor(
    store: VariableStore,
    rng: Rng,
    readonly path: string,
    readonly attrs: EmbeddingAttrs,
  ) {
    const { vocab, dim } = attrs;
    this.embeddings = store.create(`${path}/embeddings`, [vocab, dim], uniform(rng, vocab * dim, 0.05));
  }

  apply(ids: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.gather(this.embeddings, ids.dtype === 'int32' ? ids : tf.cast(ids, 'int32')));
  }
}
