// Files archc wrote and reads back, damaged: a checkpoint whose header has a wrong-typed field (with a valid
// checksum, so only the schema can catch it), an exported model.json and a compaction.json with a wrong field,
// and a metrics line missing one. Each read fails with one message naming the file and the field, and the CLI
// turns it into exit 1 without a stack trace. The undamaged files from the same run read back cleanly first.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCompactionReport } from '../../src/compaction/file-schemas.ts';
import { FileFormatError } from '../../src/io/read-json.ts';
import { parseMetrics } from '../../src/report/index.ts';
import { CHECKPOINT_FILE, CheckpointError, readCheckpoint, writeCheckpoint } from '../../src/runtime/train/checkpoint.ts';
import { runCli } from '../cli/helpers.ts';

const SPEC = 'test/codegen/cases/plain-cnn.arch';
const TINY = ['--data', 'synthetic', '--steps', '2', '--batch', '4', '--synthetic-size', '16', '--eval-limit', '16', '--backend', 'cpu'];

let run: string;
beforeAll(async () => {
  run = join(mkdtempSync(join(tmpdir(), 'archc-damaged-')), 'run');
  const cli = await runCli(['train', SPEC, ...TINY, '--out', run]);
  expect(cli.code, cli.err).toBe(0);
});

type Rec = Record<string, unknown>;
const at = (v: unknown, key: string | number): Rec => (v as Record<string | number, Rec>)[key]!;
const editJson = (file: string, edit: (j: Rec) => void): void => {
  const j = JSON.parse(readFileSync(file, 'utf8')) as Rec;
  edit(j);
  writeFileSync(file, JSON.stringify(j));
};

describe('damaged files archc reads back', () => {
  it('a checkpoint with a valid checksum but meta.step a string names meta.step', () => {
    const file = join(run, CHECKPOINT_FILE);
    const ckpt = readCheckpoint(file);
    expect(ckpt.meta.step).toBe(2);
    const bad = join(run, 'bad.archckpt');
    writeCheckpoint(bad, { meta: { ...ckpt.meta, step: 'two' as unknown as number }, state: ckpt.state });
    expect(() => readCheckpoint(bad)).toThrow(CheckpointError);
    expect(() => readCheckpoint(bad)).toThrow(`${bad}: not an archc checkpoint header: meta.step: expected number, received string`);
    const noWeights = join(run, 'no-weights.archckpt');
    const { weights: _dropped, ...rest } = ckpt.state;
    writeCheckpoint(noWeights, { meta: ckpt.meta, state: rest as typeof ckpt.state });
    expect(() => readCheckpoint(noWeights)).toThrow(/: state\.weights: expected record, but the field is missing$/);
  });

  it('a model.json whose weight shape is a string names the field; archc eval exits 1 with that line', async () => {
    const weights = join(run, 'weights');
    const ok = await runCli(['eval', join(run, 'plain-cnn.pruned.arch'), '--weights', weights, '--data', 'synthetic', '--backend', 'cpu', '--limit', '1']);
    expect(ok.code, ok.err).toBe(0);
    editJson(join(weights, 'model.json'), (j) => {
      at(at(at(at(j, 'weightsManifest'), 0), 'weights'), 0)['shape'] = '3x3';
    });
    const cli = await runCli(['eval', join(run, 'plain-cnn.pruned.arch'), '--weights', weights, '--data', 'synthetic', '--backend', 'cpu']);
    expect(cli.code).toBe(1);
    expect(cli.err).toBe(`archc: ${join(weights, 'model.json')}: weightsManifest[0].weights[0].shape: expected array, received string`);
  });

  it('a compaction.json with a kept count as text names groups[1].kept', () => {
    const file = join(run, 'compaction.json');
    expect(readCompactionReport(file).groups.length).toBeGreaterThan(1);
    editJson(file, (j) => {
      at(at(j, 'groups'), 1)['kept'] = 'five';
    });
    expect(() => readCompactionReport(file)).toThrow(FileFormatError);
    expect(() => readCompactionReport(file)).toThrow(`${file}: groups[1].kept: expected number, received string`);
  });

  it('a metrics line without evalAccuracy names the line and the field; a torn last line is skipped', () => {
    const text = readFileSync(join(run, 'metrics.jsonl'), 'utf8');
    expect(parseMetrics(`${text}{"step":3,"epo`, 'm.jsonl').length).toBe(text.trim().split('\n').length);
    const lines = text.trim().split('\n');
    const broken = JSON.parse(lines[0]!) as Record<string, unknown>;
    delete broken['evalAccuracy'];
    expect(() => parseMetrics([JSON.stringify(broken), ...lines.slice(1)].join('\n'), 'm.jsonl')).toThrow(
      'm.jsonl:1: evalAccuracy: expected number, but the field is missing',
    );
  });

  it('archc report on a run with a damaged metrics line exits 1 naming it', async () => {
    const file = join(run, 'metrics.jsonl');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/"kept":\{"([^"]+)":\d+/, '"kept":{"$1":"many"'));
    const cli = await runCli(['report', run, '--input', SPEC]);
    expect(cli.code).toBe(1);
    expect(cli.err).toMatch(/^archc: .*metrics\.jsonl:1: kept\["g0:cbr1\.conv1"\]: expected number, received string$/);
  });
});
