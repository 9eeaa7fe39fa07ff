// Checkpoints: the whole plain-data TrainerState in one file, written atomically and verified on read.
// Layout (little-endian): "ARCHCKPT" | u32 format version | u32 header bytes H | f64 blob bytes B |
// sha256(header ‖ blob) (32 bytes) | header JSON (H bytes, padded to 8) | blob (B bytes of typed-array data).
// The JSON header carries the spec hash, seed, step and the state with every typed array replaced by a
// reference into the blob, so a 36M-parameter state stays one sequential write and one read.

import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fsyncDirSync } from '../../io/atomic-write.ts';
import type { IrNetwork } from '../../semantic/ir.ts';
import { checkpointHeaderSchema, checkpointMetaSchema, trainerStateSchema, validatePart } from './checkpoint-schema.ts';
import type { TrainerState } from './trainer.ts';

export const CHECKPOINT_FILE = 'checkpoint.archckpt';
const MAGIC = Buffer.from('ARCHCKPT', 'ascii');
const FORMAT_VERSION = 1;
const PREFIX = 8 + 4 + 4 + 8 + 32;

/** Everything about a run that must match for a resume to be the same run. */
export interface CheckpointMeta {
  /** specHash(ir): the network, settings and train config (not spans or the file name). */
  specHash: string;
  specName: string;
  seed: number;
  step: number;
  epoch: number;
  plannedSteps: number;
  /** The run's settings as the CLI resolved them (steps, batch, data, …), restored on resume. */
  run: Record<string, unknown>;
  createdAt: string;
  /**
   * The spec the run trained (its path and its text at the time), so that compaction can be redone from the
   * checkpoint alone (`archc compact RUN_DIR`) after any failure once training is over. Absent in older checkpoints.
   */
  spec?: { path: string; source: string };
}

export interface Checkpoint {
  meta: CheckpointMeta;
  state: TrainerState;
}

/** A checkpoint that cannot be used; the message names the file and what is wrong. */
export class CheckpointError extends Error {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'CheckpointError';
  }
}

type ArrayKind = 'f32' | 'f64' | 'i32' | 'u32' | 'u8';
const CTORS: Record<ArrayKind, { new (b: ArrayBuffer, o: number, n: number): ArrayBufferView & ArrayLike<number>; BYTES_PER_ELEMENT: number }> = {
  f32: Float32Array,
  f64: Float64Array,
  i32: Int32Array,
  u32: Uint32Array,
  u8: Uint8Array,
};
function kindOf(v: ArrayBufferView): ArrayKind {
  if (v instanceof Float32Array) return 'f32';
  if (v instanceof Float64Array) return 'f64';
  if (v instanceof Int32Array) return 'i32';
  if (v instanceof Uint32Array) return 'u32';
  if (v instanceof Uint8Array) return 'u8';
  throw new Error(`checkpoint: unsupported typed array ${v.constructor.name}`);
}

const align8 = (n: number): number => (n + 7) & ~7;

/**
 * Replaces typed arrays by blob references and non-finite numbers by tags (JSON has no NaN), collecting the
 * arrays in write order. Offsets are 8-aligned so every array can be viewed in place on read.
 */
function encode(value: unknown, arrays: ArrayBufferView[], offset: { n: number }): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : { $num: String(value) };
  if (value === null || typeof value !== 'object') return value;
  if (ArrayBuffer.isView(value)) {
    const kind = kindOf(value);
    const o = offset.n;
    arrays.push(value);
    offset.n = align8(o + value.byteLength);
    return { $arr: kind, o, n: (value as unknown as ArrayLike<number>).length };
  }
  if (Array.isArray(value)) return value.map((v) => encode(v, arrays, offset));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = encode(v, arrays, offset);
  return out;
}

function decode(value: unknown, blob: ArrayBuffer, blobStart: number, file: string): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => decode(v, blob, blobStart, file));
  const o = value as Record<string, unknown>;
  if (typeof o['$num'] === 'string') return Number(o['$num']);
  if (typeof o['$arr'] === 'string') {
    const ctor = CTORS[o['$arr'] as ArrayKind];
    const off = o['o'];
    const n = o['n'];
    if (!ctor || typeof off !== 'number' || typeof n !== 'number' || off % 8 !== 0 || blobStart + off + n * ctor.BYTES_PER_ELEMENT > blob.byteLength) {
      throw new CheckpointError(file, 'the header refers to data outside the file (corrupt checkpoint)');
    }
    // A copy, so the state owns its arrays and the file buffer can go.
    return new ctor(blob.slice(blobStart + off, blobStart + off + n * ctor.BYTES_PER_ELEMENT), 0, n);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = decode(v, blob, blobStart, file);
  return out;
}

/** A stable hash of what the run computes: the IR without source positions or the file name. */
export function specHash(ir: IrNetwork): string {
  const skip = new Set(['span', 'callSites', 'file']);
  const stable = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map(stable);
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) if (!skip.has(k)) out[k] = stable((v as Record<string, unknown>)[k]);
    return out;
  };
  return createHash('sha256').update(JSON.stringify(stable(ir))).digest('hex').slice(0, 32);
}

/** Test hook: called between writing the temp file and renaming it (simulates a crash mid-write). */
export interface WriteHooks {
  beforeRename?: (tmpPath: string) => void;
}

/**
 * Writes `checkpoint` to `path` atomically: a temp file in the same folder, fsync, rename over `path`, fsync
 * the folder. Until the rename the previous checkpoint at `path` is untouched, so a crash at any point leaves
 * either the old or the new checkpoint, never a mix. Returns the bytes written.
 */
export function writeCheckpoint(path: string, checkpoint: Checkpoint, hooks: WriteHooks = {}): number {
  const arrays: ArrayBufferView[] = [];
  const offset = { n: 0 };
  const encoded = encode({ meta: checkpoint.meta, state: checkpoint.state }, arrays, offset);
  const header = Buffer.from(JSON.stringify({ kind: 'archc-checkpoint', ...(encoded as object) }), 'utf8');
  const headerPadded = align8(header.length);
  const blobBytes = offset.n;
  const prefix = Buffer.alloc(PREFIX);
  MAGIC.copy(prefix, 0);
  prefix.writeUInt32LE(FORMAT_VERSION, 8);
  prefix.writeUInt32LE(header.length, 12);
  prefix.writeDoubleLE(blobBytes, 16);

  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const hash = createHash('sha256');
  const fd = openSync(tmp, 'w', 0o644);
  try {
    let pos = PREFIX;
    const put = (buf: Buffer, hashed = true): void => {
      let done = 0;
      while (done < buf.length) done += writeSync(fd, buf, done, buf.length - done, pos + done);
      pos += buf.length;
      if (hashed) hash.update(buf);
    };
    const headerBuf = Buffer.alloc(headerPadded);
    header.copy(headerBuf);
    put(headerBuf);
    let blobPos = 0;
    const zeros = Buffer.alloc(8);
    for (const a of arrays) {
      put(Buffer.from(a.buffer, a.byteOffset, a.byteLength));
      blobPos += a.byteLength;
      const pad = align8(blobPos) - blobPos;
      if (pad > 0) put(zeros.subarray(0, pad));
      blobPos += pad;
    }
    hash.digest().copy(prefix, 24);
    writeSync(fd, prefix, 0, PREFIX, 0);
    fsyncSync(fd);
    closeSync(fd);
    hooks.beforeRename?.(tmp);
    renameSync(tmp, path);
    fsyncDirSync(dir);
    return pos;
  } catch (e) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Reads and verifies a checkpoint; any damage (truncation, garbling, a foreign file) is a CheckpointError. */
export function readCheckpoint(path: string): Checkpoint {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CheckpointError(path, code === 'ENOENT' ? 'no checkpoint here' : `cannot read: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (buf.length < PREFIX || !buf.subarray(0, 8).equals(MAGIC)) throw new CheckpointError(path, 'not an archc checkpoint (bad magic bytes)');
  const version = buf.readUInt32LE(8);
  if (version !== FORMAT_VERSION) throw new CheckpointError(path, `checkpoint format ${version} is not supported (expected ${FORMAT_VERSION})`);
  const headerLen = buf.readUInt32LE(12);
  const blobLen = buf.readDoubleLE(16);
  const expected = PREFIX + align8(headerLen) + blobLen;
  if (!Number.isSafeInteger(blobLen) || buf.length !== expected) {
    throw new CheckpointError(path, `truncated or corrupt: expected ${expected} bytes, found ${buf.length}`);
  }
  const digest = createHash('sha256').update(buf.subarray(PREFIX)).digest();
  if (!digest.equals(buf.subarray(24, 56))) throw new CheckpointError(path, 'checksum mismatch: the checkpoint is corrupt');
  let raw: unknown;
  try {
    raw = JSON.parse(buf.subarray(PREFIX, PREFIX + headerLen).toString('utf8'));
  } catch {
    throw new CheckpointError(path, 'the header is not valid JSON (corrupt checkpoint)');
  }
  const bad = (problem: string): Error => new CheckpointError(path, `not an archc checkpoint header: ${problem}`);
  const header = validatePart(path, 'header', raw, checkpointHeaderSchema, bad);
  // Copy the blob into its own 8-aligned ArrayBuffer (a Buffer from the pool may start at any offset).
  const blobStart = PREFIX + align8(headerLen);
  const blob = (buf.buffer as ArrayBuffer).slice(buf.byteOffset + blobStart, buf.byteOffset + blobStart + blobLen);
  const meta: CheckpointMeta = validatePart(path, 'meta', decode(header.meta, blob, 0, path), checkpointMetaSchema, bad);
  // The schema checks the state's top level and typed arrays; deeper parts are the trainer's own plain JSON.
  const state = validatePart(path, 'state', decode(header.state, blob, 0, path), trainerStateSchema, bad) as unknown as TrainerState;
  return { meta, state };
}

/**
 * The metadata of a checkpoint (spec, settings, step) without reading its tensors or verifying its checksum: for
 * tools that only describe a run (the report). Null when the file is missing or is not a readable checkpoint.
 */
export function readCheckpointMeta(path: string): CheckpointMeta | null {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const prefix = Buffer.alloc(PREFIX);
    if (readSync(fd, prefix, 0, PREFIX, 0) !== PREFIX || !prefix.subarray(0, 8).equals(MAGIC) || prefix.readUInt32LE(8) !== FORMAT_VERSION) return null;
    const header = Buffer.alloc(prefix.readUInt32LE(12));
    if (readSync(fd, header, 0, header.length, PREFIX) !== header.length) return null;
    const h = checkpointHeaderSchema.safeParse(JSON.parse(header.toString('utf8')));
    if (!h.success) return null;
    const meta = checkpointMetaSchema.safeParse(decode(h.data.meta, new ArrayBuffer(0), 0, path));
    return meta.success ? meta.data : null;
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The checkpoint file of a run folder, or null when it has none. */
export function findCheckpoint(dir: string): string | null {
  const p = join(dir, CHECKPOINT_FILE);
  return existsSync(p) && statSync(p).isFile() ? p : null;
}
