// Task losses. Classification: softmax cross-entropy averaged over the batch. Language models: per-token
// cross-entropy over [B, T, V] logits, either averaged over batch and time ('mean') or summed over the T time
// steps and averaged over the batch ('sum', Zaremba's PTB convention — it makes λ 1/T as strong relative to the
// task loss). Perplexity is always exp(mean per-token cross-entropy), whatever the training reduction.

import * as tf from '@tensorflow/tfjs';
import { fusedXent, hasFusedXent } from '../backend/native-xent.ts';

/** Mean cross-entropy of logits [N, K] against integer labels [N]; also the per-row correctness count. */
function xent(logits2: tf.Tensor2D, labels: tf.Tensor1D): { meanLoss: tf.Scalar; correct: tf.Scalar } {
  // The native backend: the same loss and count in one kernel each way (backend/native-xent.ts).
  if (hasFusedXent()) return fusedXent(logits2, labels);
  const k = logits2.shape[1];
  const logp = tf.logSoftmax(logits2);
  const onehot = tf.oneHot(labels, k);
  const meanLoss = tf.neg(tf.mean(tf.sum(tf.mul(onehot, logp), 1))) as tf.Scalar;
  const correct = tf.sum(tf.cast(tf.equal(tf.argMax(logits2, 1), labels), 'float32')) as tf.Scalar;
  return { meanLoss, correct };
}

export interface TaskLoss {
  /** The loss that is differentiated. */
  loss: tf.Scalar;
  /** Mean cross-entropy per example (classification) or per token (LM), for metrics and perplexity. */
  meanXent: tf.Scalar;
  /** Number of correct argmax predictions (examples or tokens). */
  correct: tf.Scalar;
  /** Examples or tokens in the batch. */
  count: number;
}

export function taskLoss(
  logits: tf.Tensor,
  labels: tf.Tensor,
  task: 'classification' | 'language-model',
  reduction: 'mean' | 'sum',
): TaskLoss {
  if (task === 'classification') {
    const { meanLoss, correct } = xent(logits as tf.Tensor2D, labels as tf.Tensor1D);
    return { loss: meanLoss, meanXent: meanLoss, correct, count: labels.shape[0]! };
  }
  const [b, t, v] = logits.shape as [number, number, number];
  const { meanLoss, correct } = xent(tf.reshape(logits, [b * t, v]), tf.reshape(labels, [b * t]));
  const loss = reduction === 'sum' ? (tf.mul(meanLoss, t) as tf.Scalar) : meanLoss;
  return { loss, meanXent: meanLoss, correct, count: b * t };
}
