// PTB-style normalisation of raw English text, the way Mikolov's Penn Treebank LM data was prepared: lower case,
// punctuation removed, numbers replaced by `N`, possessive/negation clitics split off ("god's" → "god 's",
// "don't" → "do n't"), one sentence per input line. Rare words become `<unk>` later, when the vocabulary is capped.

/** Words (letters, with inner hyphens/apostrophes) and numbers (digits with inner , . or /); the rest is dropped. */
const TOKEN = /[\p{L}\p{M}]+(?:['-][\p{L}\p{M}]+)*|\p{N}+(?:[.,/]\p{N}+)*/gu;

export function ptbTokens(line: string): string[] {
  const out: string[] = [];
  const text = line.toLowerCase().replace(/[\u2018\u2019]/g, "'");
  for (const m of text.matchAll(TOKEN)) {
    const t = m[0];
    if (/^\p{N}/u.test(t)) {
      out.push('N');
    } else if (t.endsWith("n't") && t.length > 3) {
      out.push(t.slice(0, -3), "n't");
    } else if (t.endsWith("'s") && t.length > 2) {
      out.push(t.slice(0, -2), "'s");
    } else {
      out.push(t);
    }
  }
  return out;
}

/** One sentence per non-empty line; lines that hold only punctuation vanish. */
export function ptbSentences(text: string): string[][] {
  const out: string[][] = [];
  for (const line of text.split(/\r?\n/)) {
    const toks = ptbTokens(line);
    if (toks.length > 0) out.push(toks);
  }
  return out;
}

/**
 * Splits sentences by position into contiguous train/valid/test parts (default 90/5/5). Contiguous blocks keep
 * neighbouring sentences, which share vocabulary and topic, from leaking between splits.
 */
export function splitByPosition<T>(items: readonly T[], fractions: readonly [number, number, number] = [0.9, 0.05, 0.05]): {
  train: T[];
  valid: T[];
  test: T[];
} {
  const total = fractions[0] + fractions[1] + fractions[2];
  const n = items.length;
  // Small corpora must still give every split at least one item (when there are three), or evaluation is empty.
  const a = Math.max(1, Math.min(Math.floor((n * fractions[0]) / total), n - 2));
  const b = Math.max(a + 1, Math.min(Math.floor((n * (fractions[0] + fractions[1])) / total), n - 1));
  return { train: items.slice(0, a), valid: items.slice(a, b), test: items.slice(b) };
}
