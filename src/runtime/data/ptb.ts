// Penn Treebank word-level LM data in Mikolov's format: ptb.{train,valid,test}.txt (or {train,valid,test}.txt),
// one sentence per line, words separated by spaces, already lower-cased with `<unk>` and `N` in place. The
// vocabulary comes from train; `<eos>` ends every line, as in Zaremba et al.'s reader.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from './errors.ts';
import { decodeText, readDataFile } from './file-read.ts';
import { buildVocabulary, encode } from './vocab.ts';
import type { Vocabulary } from './types.ts';

export interface TokenSplits {
  readonly vocab: Vocabulary;
  readonly train: Int32Array;
  readonly valid: Int32Array;
  readonly test: Int32Array;
}

/** Whitespace-split words per line; blank lines carry no sentence and are skipped. */
export function ptbLines(file: string, text: string): string[][] {
  const out: string[][] = [];
  for (const line of text.split(/\r?\n/)) {
    const words = line.split(/\s+/).filter((w) => w.length > 0);
    if (words.length > 0) out.push(words);
  }
  if (out.length === 0) throw new DataError(file, 'no words: the file holds only whitespace');
  return out;
}

/** The path of one split: `ptb.<split>.txt` when present, else `<split>.txt`, else the ptb name (for the message). */
export function findPtbFile(dir: string, split: 'train' | 'valid' | 'test'): string {
  const ptbName = join(dir, `ptb.${split}.txt`);
  if (existsSync(ptbName)) return ptbName;
  const plain = join(dir, `${split}.txt`);
  return existsSync(plain) ? plain : ptbName;
}

export function loadPtbDirectory(dir: string, vocabCap: number, missingHint: string): TokenSplits {
  const read = (split: 'train' | 'valid' | 'test'): string[][] => {
    const file = findPtbFile(dir, split);
    return ptbLines(file, decodeText(file, readDataFile(file, missingHint)));
  };
  const train = read('train');
  const valid = read('valid');
  const test = read('test');
  const vocab = buildVocabulary(train, vocabCap);
  return { vocab, train: encode(train, vocab), valid: encode(valid, vocab), test: encode(test, vocab) };
}
