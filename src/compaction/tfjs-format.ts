// Weights out and back in, in the TensorFlow.js layers format: a functional `Model` built from the (compacted) IR
// with tf.layers, so the topology is exactly what tfjs-layers serialises and loads, plus `weights.bin` in its
// manifest order. Layer names are the IR paths (`tfjsName`: one that starts with '_', as with a label `__proto__:`,
// gets the prefix `0-`, since tfjs refuses such names) and each tfjs weight maps to one logical variable name
// (`conv` kernel ↔ `<path>/kernel`, `depthwise_kernel`, BN `moving_mean` ↔ `movingMean`, LSTM `recurrent_kernel`
// ↔ `recurrentKernel`); the layouts are already tfjs's (HWIO kernels, LSTM gates i, f, c, o). No masks are
// exported: in a compacted network every kept structure's mask is 1.

import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeFileAtomic } from '../io/atomic-write.ts';
import { parseJson } from '../io/read-json.ts';
import { modelJsonSchema } from './file-schemas.ts';
import type { WeightMap } from '../runtime/module.ts';
import type { IrNetwork, IrNode } from '../semantic/ir.ts';
import { isNetworkInput, kindEntry } from '../semantic/registry.ts';
import { EXPORT_KINDS } from './export-kinds.ts';

/** One exported weight: the tfjs name (`<layer>/<weight>`), our logical name and the shape the IR implies. */
export interface TfjsWeightName {
  tfjs: string;
  logical: string;
  layer: string;
  /** The shape tfjs-layers stores. */
  shape: number[];
  /** Our variable's shape, and the conversions when it differs from tfjs's layout (a grouped conv's kernel). */
  logicalShape: number[];
  toTfjs?: (data: Float32Array) => Float32Array;
  fromTfjs?: (data: Float32Array) => Float32Array;
}

/**
 * A path or network name as tfjs accepts it (tfjs-layers names match /^[A-Za-z0-9][-A-Za-z0-9._/]*$/): itself, or
 * with the prefix `0-` when it starts with '_'. No .arch identifier starts with a digit or holds a '-', so the
 * mapping is one to one.
 */
export function tfjsName(path: string): string {
  return /^[A-Za-z0-9]/.test(path) ? path : `0-${path}`;
}

/** The weights of every node in tfjs-layers order (per layer: conv kernel, bias; BN γ, β, mean, variance; …). */
export function tfjsWeightNames(ir: IrNetwork): TfjsWeightName[] {
  const out: TfjsWeightName[] = [];
  for (const n of ir.nodes) {
    for (const w of kindEntry(n.kind).weights?.(n) ?? []) {
      const t = w.tfjsLayout;
      out.push({
        tfjs: `${tfjsName(n.path)}/${w.tfjs}`,
        logical: `${n.path}/${w.leaf}`,
        layer: n.path,
        shape: t ? t.shape : w.shape,
        logicalShape: w.shape,
        ...(t ? { toTfjs: t.to, fromTfjs: t.from } : {}),
      });
    }
  }
  return out;
}

/** The tf.layers layer of one IR node (null for the input, which is a `tf.input`). */
function layerFor(n: IrNode): tf.layers.Layer | null {
  return EXPORT_KINDS[n.kind].layer(n, tfjsName(n.path));
}

/** A tfjs-layers model of `ir` holding `weights` (logical names; masks ignored). Caller disposes it. */
export function buildTfjsModel(ir: IrNetwork, weights: WeightMap): tf.LayersModel {
  const values: tf.SymbolicTensor[] = [];
  let input: tf.SymbolicTensor | undefined;
  const layers = new Map<string, tf.layers.Layer>();
  for (const n of ir.nodes) {
    if (isNetworkInput(n)) {
      input = tf.input({ name: tfjsName(n.path), shape: n.shape, dtype: ir.input.kind === 'tokens' ? 'int32' : 'float32' });
      values[n.id] = input;
      continue;
    }
    const layer = layerFor(n)!;
    layers.set(n.path, layer);
    const args = n.inputs.map((i) => values[i]!);
    values[n.id] = layer.apply(args.length === 1 ? args[0]! : args) as tf.SymbolicTensor;
  }
  if (!input) throw new Error('buildTfjsModel: the IR has no input node');
  const model = tf.model({ inputs: input, outputs: values[ir.output]!, name: tfjsName(ir.name) });
  const byLayer = new Map<string, TfjsWeightName[]>();
  for (const w of tfjsWeightNames(ir)) byLayer.set(w.layer, [...(byLayer.get(w.layer) ?? []), w]);
  for (const [path, ws] of byLayer) {
    const tensors = ws.map((w) => {
      const t = weights[w.logical];
      if (!t) throw new Error(`buildTfjsModel: no weights for '${w.logical}'`);
      if (t.shape.join(',') !== w.logicalShape.join(',')) throw new Error(`buildTfjsModel: '${w.logical}' has shape [${t.shape}], the network expects [${w.logicalShape}]`);
      return tf.tensor(w.toTfjs ? w.toTfjs(t.data) : t.data, w.shape, 'float32');
    });
    layers.get(path)!.setWeights(tensors);
    tensors.forEach((t) => t.dispose());
  }
  return model;
}

/** model.json contents (the tfjs `ModelJSON` shape) and the weight bytes. */
export interface TfjsFiles {
  modelJson: { format: string; generatedBy: string; convertedBy: null; modelTopology: unknown; weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] };
  weightData: ArrayBuffer;
}

export async function tfjsFiles(ir: IrNetwork, weights: WeightMap): Promise<TfjsFiles> {
  const model = buildTfjsModel(ir, weights);
  try {
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save({
      save: async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      },
    });
    if (!artifacts?.weightSpecs || !artifacts.weightData) throw new Error('tfjs did not serialise the model');
    const data = artifacts.weightData;
    const weightData = Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data;
    return {
      modelJson: {
        format: 'layers-model',
        generatedBy: 'archc compaction',
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      },
      weightData,
    };
  } finally {
    model.dispose();
  }
}

/** Writes `<dir>/model.json` and `<dir>/weights.bin` (each via a temp file and rename). */
export async function saveTfjsModel(dir: string, ir: IrNetwork, weights: WeightMap): Promise<string[]> {
  const files = await tfjsFiles(ir, weights);
  await mkdir(dir, { recursive: true });
  const put = (name: string, data: string | Uint8Array) => writeFileAtomic(join(dir, name), data);
  // weights.bin first: a model.json never points at a missing or older weights file.
  await put('weights.bin', new Uint8Array(files.weightData));
  await put('model.json', JSON.stringify(files.modelJson));
  return [join(dir, 'model.json'), join(dir, 'weights.bin')];
}

/** The stored files as tfjs ModelArtifacts (for `tf.loadLayersModel(tf.io.fromMemory(...))`). */
export async function readTfjsArtifacts(dir: string): Promise<tf.io.ModelArtifacts> {
  const file = join(dir, 'model.json');
  const json = parseJson(file, await readFile(file, 'utf8'), modelJsonSchema);
  const specs = json.weightsManifest.flatMap((g) => g.weights) as tf.io.WeightsManifestEntry[];
  const parts = await Promise.all(json.weightsManifest.flatMap((g) => g.paths).map((p) => readFile(join(dir, p))));
  const buffers = parts.map((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
  return {
    modelTopology: json.modelTopology as tf.io.ModelArtifacts['modelTopology'],
    weightSpecs: specs,
    weightData: buffers.length === 1 ? buffers[0]! : tf.io.concatenateArrayBuffers(buffers),
    format: json.format,
  };
}

/** A mismatch between stored weights and the spec: which layer, which weight, which shapes. */
export class WeightsMismatchError extends Error {}

/**
 * Reads exported weights for `ir` by logical name. Every weight the spec needs must be present with its shape, and
 * the file may hold no others; a mismatch names the layer and both shapes.
 */
export async function loadTfjsWeights(dir: string, ir: IrNetwork): Promise<WeightMap> {
  const art = await readTfjsArtifacts(dir);
  const specs = art.weightSpecs ?? [];
  const tensors = tf.io.decodeWeights(art.weightData!, specs);
  try {
    const expected = tfjsWeightNames(ir);
    const out: WeightMap = {};
    const problems: string[] = [];
    for (const w of expected) {
      const t = tensors[w.tfjs];
      if (!t) {
        problems.push(`layer '${w.layer}': no '${w.tfjs}' in the weights (expected shape [${w.shape}])`);
        continue;
      }
      if (t.shape.join(',') !== w.shape.join(',')) {
        problems.push(`layer '${w.layer}': '${w.tfjs}' has shape [${t.shape}] but the spec needs [${w.shape}]`);
        continue;
      }
      const data = Float32Array.from(t.dataSync() as Float32Array);
      out[w.logical] = { shape: [...w.logicalShape], data: w.fromTfjs ? w.fromTfjs(data) : data };
    }
    const known = new Set(expected.map((w) => w.tfjs));
    for (const name of Object.keys(tensors)) if (!known.has(name)) problems.push(`'${name}' is in the weights but the spec has no such layer weight`);
    if (problems.length > 0) {
      const more = problems.length > 8 ? `\n  … and ${problems.length - 8} more` : '';
      throw new WeightsMismatchError(`the weights in ${dir} do not match ${ir.name}:\n  ${problems.slice(0, 8).join('\n  ')}${more}`);
    }
    return out;
  } finally {
    for (const t of Object.values(tensors)) t.dispose();
  }
}
