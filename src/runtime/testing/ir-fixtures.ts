// Hand-built IR for runtime tests and for downstream work that needs IR before the checker produces it: a plain
// CNN, a residual net (identity and projection shortcuts) and an LSTM language model. `IrBuilder` computes shapes,
// params and MACs with the IR's counting convention and fills `macsPerStructure` from runtime/macs.ts.

import type {
  IrNetwork,
  IrNode,
  MaskGroup,
  SparsifyConfig,
  TrainConfig,
  InputSpec,
  Shape,
} from '../../semantic/ir.ts';
import { isNetworkInput } from '../../semantic/registry.ts';
import { buildCostModel, macsPerStructure } from '../macs.ts';

/** Output shape of the parameter-free layers `simple` builds, from the input shape. */
const SIMPLE_SHAPE: Record<'relu' | 'relu6' | 'gap' | 'flatten', (s: number[]) => number[]> = {
  relu: (s) => s,
  relu6: (s) => s,
  gap: (s) => [s[2]!],
  flatten: (s) => [s.reduce((a, b) => a * b, 1)],
};

export function testSparsify(over: Partial<SparsifyConfig> = {}): SparsifyConfig {
  return {
    mode: 'archc',
    lambda: 0.5,
    scheduler: { kind: 'structurewise', gamma: null, betaFinal: 4, p: 1, beta0: 1, betaMax: 100, every: 1 },
    init: 0.25,
    maskOptimizer: { kind: 'sgd', lr: 0.1, momentum: 0.9, nesterov: false },
    gradient: 'ste',
    penalty: 'macs',
    minWidth: 1,
    warmup: 0,
    ...over,
  };
}

export function testTrain(over: Partial<TrainConfig> = {}): TrainConfig {
  return {
    data: { kind: 'synthetic', path: null },
    epochs: null,
    steps: 10,
    batch: 8,
    optimizer: { kind: 'sgd', lr: 0.05, momentum: 0.9, nesterov: false, weightDecay: 1e-4 },
    lrSchedule: { kind: 'constant' },
    augment: { crop: 0, flip: false },
    seed: 1,
    clip: null,
    lossReduction: 'mean',
    checkpointEvery: null,
    ...over,
  };
}

const SPAN = { start: 0, end: 0 };

function outLen(n: number, k: number, s: number, pad: 'same' | 'valid'): number {
  return pad === 'same' ? Math.ceil(n / s) : Math.ceil((n - k + 1) / s);
}

export class IrBuilder {
  readonly nodes: IrNode[] = [];
  readonly groups: MaskGroup[] = [];
  constructor(readonly sparsify: SparsifyConfig = testSparsify()) {}

  private push<N extends IrNode>(node: Omit<N, 'id' | 'span' | 'callSites' | 'maskable' | 'group'> & { maskable?: boolean; group?: number | null }): number {
    const id = this.nodes.length;
    this.nodes.push({ maskable: false, group: null, ...node, id, span: SPAN, callSites: [] } as unknown as IrNode);
    return id;
  }
  private shape(id: number): Shape {
    return this.nodes[id]!.shape;
  }

  group(name: string, width: number, structure: MaskGroup['structure'], opts: { maskable?: boolean; canVanish?: boolean } = {}): number {
    const id = this.groups.length;
    this.groups.push({
      id,
      name,
      width,
      structure,
      members: [],
      maskable: opts.maskable ?? true,
      sparsify: this.sparsify,
      macsPerStructure: 0,
      canVanish: opts.canVanish ?? false,
    });
    return id;
  }
  private member(group: number | null, path: string): void {
    if (group !== null) this.groups[group]!.members.push(path);
  }

  input(spec: InputSpec): number {
    const shape = spec.kind === 'image' ? [spec.height, spec.width, spec.channels] : [spec.seq];
    return this.push({ kind: 'input', path: 'input', inputs: [], shape, params: 0, macs: 0, attrs: spec });
  }

  conv(path: string, x: number, o: { filters?: number; kernel?: number; stride?: number; padding?: 'same' | 'valid'; depthwise?: boolean; bias?: boolean }, group: number | null = null): number {
    const [h, w, c] = this.shape(x) as [number, number, number];
    const k = o.kernel ?? 3;
    const s = o.stride ?? 1;
    const pad = o.padding ?? 'same';
    const dw = o.depthwise ?? false;
    const f = dw ? c : o.filters!;
    const bias = o.bias ?? false;
    const ho = outLen(h, k, s, pad);
    const wo = outLen(w, k, s, pad);
    const macs = ho * wo * k * k * (dw ? 1 : c) * f;
    const params = k * k * (dw ? 1 : c) * f + (bias ? f : 0);
    this.member(group, path);
    return this.push({
      kind: 'conv', path, inputs: [x], shape: [ho, wo, f], params, macs, maskable: group !== null, group,
      attrs: { inChannels: c, filters: f, kernel: [k, k], stride: [s, s], padding: pad, groups: dw ? c : 1, depthwise: dw, bias },
    });
  }

  bn(path: string, x: number, group: number | null = null): number {
    const shape = this.shape(x);
    const c = shape[shape.length - 1]!;
    this.member(group, path);
    return this.push({ kind: 'bn', path, inputs: [x], shape, params: 2 * c, macs: 0, group, attrs: { channels: c, epsilon: 1e-3, momentum: 0.9 } });
  }

  simple(kind: 'relu' | 'relu6' | 'gap' | 'flatten', path: string, x: number): number {
    const s = this.shape(x);
    const shape = SIMPLE_SHAPE[kind](s);
    return this.push({ kind, path, inputs: [x], shape, params: 0, macs: 0, attrs: {} });
  }

  pool(kind: 'maxpool' | 'avgpool', path: string, x: number, size = 2): number {
    const [h, w, c] = this.shape(x) as [number, number, number];
    const shape = [outLen(h, size, size, 'valid'), outLen(w, size, size, 'valid'), c];
    return this.push({ kind, path, inputs: [x], shape, params: 0, macs: 0, attrs: { size: [size, size], stride: [size, size], padding: 'valid' } });
  }

  dense(path: string, x: number, units: number, group: number | null = null, activation: 'none' | 'relu' = 'none'): number {
    const s = this.shape(x);
    const f = s[s.length - 1]!;
    const steps = s.length === 2 ? s[0]! : 1;
    this.member(group, path);
    return this.push({
      kind: 'dense', path, inputs: [x], shape: [...s.slice(0, -1), units], params: f * units + units, macs: steps * f * units,
      maskable: group !== null, group, attrs: { inFeatures: f, units, bias: true, activation },
    });
  }

  dropout(path: string, x: number, rate: number): number {
    return this.push({ kind: 'dropout', path, inputs: [x], shape: this.shape(x), params: 0, macs: 0, attrs: { rate } });
  }

  embedding(path: string, x: number, vocab: number, dim: number): number {
    const t = this.shape(x)[0]!;
    return this.push({ kind: 'embedding', path, inputs: [x], shape: [t, dim], params: vocab * dim, macs: 0, attrs: { vocab, dim } });
  }

  lstm(path: string, x: number, units: number, group: number | null = null): number {
    const [t, f] = this.shape(x) as [number, number];
    this.member(group, path);
    return this.push({
      kind: 'lstm', path, inputs: [x], shape: [t, units], params: 4 * units * (f + units + 1), macs: t * 4 * units * (f + units),
      maskable: group !== null, group, attrs: { inFeatures: f, units },
    });
  }

  add(path: string, xs: number[], group: number | null, shortcut: 'identity' | 'projection' = 'identity'): number {
    this.member(group, path);
    return this.push({ kind: 'add', path, inputs: xs, shape: this.shape(xs[0]!), params: 0, macs: 0, group, attrs: { shortcut } });
  }

  build(name: string, task: IrNetwork['task'], outputs: number, train: TrainConfig = testTrain()): IrNetwork {
    const input = this.nodes[0];
    if (!input || !isNetworkInput(input)) throw new Error('IrBuilder: the first node must be the input');
    const ir: IrNetwork = {
      name,
      file: `${name}.arch`,
      input: input.attrs as InputSpec,
      task,
      outputs,
      nodes: this.nodes,
      output: this.nodes.length - 1,
      groups: this.groups,
      sparsify: this.sparsify,
      train,
      params: this.nodes.reduce((a, n) => a + n.params, 0),
      macs: this.nodes.reduce((a, n) => a + n.macs, 0),
    };
    const mps = macsPerStructure(ir, buildCostModel(ir));
    for (const g of ir.groups) g.macsPerStructure = mps.get(g.id) ?? 0;
    return ir;
  }
}

/** conv(c1)-bn-relu-pool, conv(c2)-bn-relu-pool, flatten, dense(hidden, masked), dense(classes). */
export function plainCnnIr(o: { size?: number; channels?: number; c1?: number; c2?: number; hidden?: number; classes?: number; sparsify?: SparsifyConfig; train?: TrainConfig } = {}): IrNetwork {
  const b = new IrBuilder(o.sparsify);
  const size = o.size ?? 8;
  const c1 = o.c1 ?? 4;
  const c2 = o.c2 ?? 6;
  const g1 = b.group('g0:block1', c1, 'channels');
  const g2 = b.group('g1:block2', c2, 'channels');
  let x = b.input({ kind: 'image', height: size, width: size, channels: o.channels ?? 1 });
  x = b.conv('block1.conv', x, { filters: c1 }, g1);
  x = b.bn('block1.bn', x, g1);
  x = b.simple('relu', 'block1.relu', x);
  x = b.pool('maxpool', 'block1.pool', x);
  x = b.conv('block2.conv', x, { filters: c2 }, g2);
  x = b.bn('block2.bn', x, g2);
  x = b.simple('relu', 'block2.relu', x);
  x = b.pool('maxpool', 'block2.pool', x);
  x = b.simple('flatten', 'flatten', x);
  let head = x;
  if ((o.hidden ?? 5) > 0) {
    const g3 = b.group('g2:fc', o.hidden ?? 5, 'units');
    head = b.dense('fc', x, o.hidden ?? 5, g3, 'relu');
  }
  b.dense('logits', head, o.classes ?? 3);
  return b.build('plain_cnn', 'classification', o.classes ?? 3, o.train);
}

/** Stem conv-bn-relu (group S), one identity block in S, one stride-2 block with a projection shortcut, gap, dense. */
export function residualIr(o: { size?: number; c?: number; sparsify?: SparsifyConfig; train?: TrainConfig; classes?: number } = {}): IrNetwork {
  const b = new IrBuilder(o.sparsify);
  const c = o.c ?? 4;
  const size = o.size ?? 8;
  const gS = b.group('g0:stage1', c, 'channels');
  const gB1 = b.group('g1:stage1.block1.conv1', c, 'channels', { canVanish: true });
  const gB2 = b.group('g2:stage2.block1.conv1', 2 * c, 'channels');
  const gS2 = b.group('g3:stage2', 2 * c, 'channels');
  let x = b.input({ kind: 'image', height: size, width: size, channels: 3 });
  x = b.conv('stem.conv', x, { filters: c }, gS);
  x = b.bn('stem.bn', x, gS);
  const stem = b.simple('relu', 'stem.relu', x);
  // identity block
  let y = b.conv('stage1.block1.conv1', stem, { filters: c }, gB1);
  y = b.bn('stage1.block1.bn1', y, gB1);
  y = b.simple('relu', 'stage1.block1.relu1', y);
  y = b.conv('stage1.block1.conv2', y, { filters: c }, gS);
  y = b.bn('stage1.block1.bn2', y, gS);
  let s = b.add('stage1.block1.add', [y, stem], gS);
  s = b.simple('relu', 'stage1.block1.relu2', s);
  // projection block
  let z = b.conv('stage2.block1.conv1', s, { filters: 2 * c, stride: 2 }, gB2);
  z = b.bn('stage2.block1.bn1', z, gB2);
  z = b.simple('relu', 'stage2.block1.relu1', z);
  z = b.conv('stage2.block1.conv2', z, { filters: 2 * c }, gS2);
  z = b.bn('stage2.block1.bn2', z, gS2);
  let p = b.conv('stage2.block1.proj', s, { filters: 2 * c, kernel: 1, stride: 2 }, gS2);
  p = b.bn('stage2.block1.projbn', p, gS2);
  let t = b.add('stage2.block1.add', [z, p], gS2, 'projection');
  t = b.simple('relu', 'stage2.block1.relu2', t);
  t = b.simple('gap', 'gap', t);
  b.dense('logits', t, o.classes ?? 3);
  return b.build('tiny_resnet', 'classification', o.classes ?? 3, o.train);
}

/** embedding → lstm (masked hidden) → dropout → dense(vocab). */
export function lstmLmIr(o: { vocab?: number; seq?: number; dim?: number; hidden?: number; dropout?: number; sparsify?: SparsifyConfig; train?: TrainConfig } = {}): IrNetwork {
  const b = new IrBuilder(o.sparsify);
  const vocab = o.vocab ?? 11;
  const h = o.hidden ?? 6;
  const g = b.group('g0:lstm1', h, 'hidden');
  let x = b.input({ kind: 'tokens', vocab, seq: o.seq ?? 5 });
  x = b.embedding('embed', x, vocab, o.dim ?? 4);
  x = b.lstm('lstm1', x, h, g);
  x = b.dropout('drop', x, o.dropout ?? 0);
  b.dense('decoder', x, vocab);
  return b.build('tiny_lm', 'language-model', vocab, o.train ?? testTrain({ lossReduction: 'mean' }));
}
