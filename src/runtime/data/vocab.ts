// Word vocabularies for language-model data: built from the train split only, capped at the spec's size by
// keeping the most frequent words (ties broken by plain code-unit order, so the ids never depend on the locale
// or on Map iteration order), with `<eos>` = 0 and `<unk>` = 1 always present.

import type { Vocabulary } from './types.ts';

export const EOS = '<eos>';
export const UNK = '<unk>';

/** A sentence-split corpus: each sentence is a list of words, without `<eos>` (encoding adds it). */
export type Sentences = readonly (readonly string[])[];

export function buildVocabulary(train: Sentences, cap: number): Vocabulary {
  if (!Number.isInteger(cap) || cap < 2) throw new Error(`vocabulary cap must be an integer ≥ 2, got ${cap}`);
  const counts = new Map<string, number>();
  for (const s of train) for (const w of s) if (w !== EOS && w !== UNK) counts.set(w, (counts.get(w) ?? 0) + 1);
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const words = [EOS, UNK, ...ranked.slice(0, cap - 2).map(([w]) => w)];
  return fromWords(words);
}

export function fromWords(words: readonly string[]): Vocabulary {
  const index = new Map<string, number>();
  words.forEach((w, i) => index.set(w, i));
  const eos = index.get(EOS);
  const unk = index.get(UNK);
  if (eos === undefined || unk === undefined) throw new Error('a vocabulary needs <eos> and <unk>');
  return { words, index, eos, unk, size: words.length };
}

/** Encodes sentences to ids, appending `<eos>` after each and mapping out-of-vocabulary words to `<unk>`. */
export function encode(sentences: Sentences, vocab: Vocabulary): Int32Array {
  let n = 0;
  for (const s of sentences) n += s.length + 1;
  const out = new Int32Array(n);
  let k = 0;
  for (const s of sentences) {
    for (const w of s) out[k++] = vocab.index.get(w) ?? vocab.unk;
    out[k++] = vocab.eos;
  }
  return out;
}

export function decode(ids: ArrayLike<number>, vocab: Vocabulary): string[] {
  return Array.from(ids, (i) => vocab.words[i] ?? UNK);
}
