// The data layer's public surface: dataset resolution, the loaders, batchers, normalisation, augmentation and
// the seedable RNG. The training loop imports from here and converts batches to tensors inside its own tf.tidy.

export { DataError } from './errors.ts';
export { Rng, deriveSeed, type RngState } from './rng.ts';
export type {
  Dataset,
  ImageBatch,
  ImageDataset,
  ImageSplit,
  NormStats,
  TokenBatch,
  TokenDataset,
  Vocabulary,
} from './types.ts';
export { openDataset, DEFAULT_DIRS, MISSING_HINTS, type OpenDatasetOptions } from './open-dataset.ts';
export { ImageBatcher, evalBatches, type ImageBatcherOptions, type ImageBatcherPosition } from './image-batcher.ts';
export { BpttBatcher, type BpttOptions, type BpttPosition } from './bptt.ts';
export { computeNormStats, normLut } from './normalize.ts';
export { drawTransform, writeSample, type AugmentConfig, type SampleTransform } from './augment.ts';
export { parseIdx, loadIdxSplit, loadIdxDirectory, IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC } from './idx.ts';
export { parseCifarBatch, loadCifar10Directory } from './cifar.ts';
export { loadPtbDirectory, type TokenSplits } from './ptb.ts';
export { loadKjv, loadBrown, loadPlainText, parseBibleDump, parseBrownFile, ensureKjvDump } from './corpora.ts';
export { ptbTokens, ptbSentences, splitByPosition } from './text-preprocess.ts';
export { buildVocabulary, encode, decode, EOS, UNK } from './vocab.ts';
export { syntheticImages, syntheticTokens } from './synthetic.ts';
