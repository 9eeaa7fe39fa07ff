// Weight maps on disk for the experiments: <dir>/weights.json (names, shapes, offsets) + <dir>/weights.bin (float32).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Weights } from '../../src/baselines/index.ts';

export function saveWeights(dir: string, w: Weights): void {
  const index: { name: string; shape: number[]; offset: number; length: number }[] = [];
  let n = 0;
  for (const [name, t] of Object.entries(w)) {
    index.push({ name, shape: t.shape, offset: n, length: t.data.length });
    n += t.data.length;
  }
  const all = new Float32Array(n);
  for (const e of index) all.set(w[e.name]!.data, e.offset);
  writeFileSync(join(dir, 'weights.json'), JSON.stringify(index));
  writeFileSync(join(dir, 'weights.bin'), Buffer.from(all.buffer));
}

export function loadWeights(dir: string): Weights {
  const index = JSON.parse(readFileSync(join(dir, 'weights.json'), 'utf8')) as { name: string; shape: number[]; offset: number; length: number }[];
  const buf = readFileSync(join(dir, 'weights.bin'));
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const out: Weights = {};
  for (const e of index) out[e.name] = { shape: e.shape, data: all.slice(e.offset, e.offset + e.length) };
  return out;
}
