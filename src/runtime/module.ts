// The network module API that generated trainers extend: a `NetworkModule` owns named variables (layers created by
// path through factory helpers), the mask logits of every maskable group (`masks`), and a `forward` written as plain
// wiring. `IrModule` is the generic interpreter that walks `ir.nodes`; a generated subclass declares the same layers
// explicitly and must compute the same function for the same weights. `maskPlacement` is the one rule for where a
// group's mask multiplies an output, shared by both.

import type * as tf from '@tensorflow/tfjs';
import type {
  BnAttrs,
  ConvAttrs,
  DenseAttrs,
  EmbeddingAttrs,
  IrNetwork,
  IrNode,
  GruAttrs,
  LstmAttrs,
} from '../semantic/ir.ts';
import { branchGates, maskPlacement, segmentMaskPlacement, type MaskSegment } from '../semantic/placement.ts';
import { fusions } from './fusion.ts';
import { kindEntry } from '../semantic/registry.ts';
import { runtimeKind, type LayerFactories } from './kinds.ts';
import { BatchNorm } from './layers/batchnorm.ts';
import type { ForwardContext, RecurrentCarry } from './layers/context.ts';
import { Conv2d } from './layers/conv.ts';
import { Dense } from './layers/dense.ts';
import { Embedding } from './layers/embedding.ts';
import { Gru } from './layers/gru.ts';
import { Lstm } from './layers/lstm.ts';
import { applyMask, applySegmentMask } from './layers/masking.ts';
import { VariableStore, type NamedVariable } from './layers/store.ts';
import type { Layer } from './layers/index.ts';
import { NarrowExecutor } from './narrow/forward.ts';
import type { NarrowView } from './narrow/view.ts';
import { MaskSet } from './masks.ts';
import { Rng } from './rng.ts';
import { assignData } from './tensor-utils.ts';

export type { ForwardContext } from './layers/context.ts';
export { applyGate, applyMask, applySegmentMask } from './layers/masking.ts';
// The placement rules are pure IR analysis (shared with codegen), so they live in the semantic stage.
export { branchGates, maskPlacement, segmentMaskPlacement };

export type { Layer };

/** Weights by logical name with their shapes (plain data: checkpoints, compaction, export). */
export type WeightMap = Record<string, { shape: number[]; data: Float32Array }>;

export interface ModuleOptions {
  /** The spec seed (ir.train.seed unless overridden); weights are drawn from `Rng(seed).fork('init').fork(path)`. */
  seed: number;
  /** IrModule only: false runs every node on its own, without operator fusion (runtime/fusion.ts); default true. */
  fuse?: boolean;
}

/** A forward context over a fixed set of per-group mask tensors (the caller owns and disposes them). */
export function makeContext(opts: {
  training: boolean;
  masks: ReadonlyMap<number, tf.Tensor>;
  rng: Rng;
  carry?: RecurrentCarry;
}): ForwardContext {
  return {
    training: opts.training,
    mask: (g) => opts.masks.get(g) ?? null,
    rng: opts.rng,
    ...(opts.carry ? { carry: opts.carry } : {}),
  };
}

export abstract class NetworkModule {
  readonly ir: IrNetwork;
  /** Mask logits, β and counters of every maskable group (variables `masks/${group.name}/s`). */
  readonly masks: MaskSet;
  protected readonly store: VariableStore;
  private readonly initRng: Rng;

  constructor(ir: IrNetwork, opts: ModuleOptions) {
    this.ir = ir;
    this.store = new VariableStore();
    this.initRng = new Rng(opts.seed).fork('init');
    this.masks = new MaskSet(ir, this.store.tfPrefix);
    for (const g of this.masks.groups) this.store.adopt(g.name, g.s, true);
  }

  /** The layer's init stream: depends on the seed and the path only, not on declaration order. */
  protected rngFor(path: string): Rng {
    return this.initRng.fork(path);
  }
  /** Every layer with variables, by IR path (narrow execution walks the IR and finds each node's layer here). */
  private readonly layerByPath = new Map<string, Layer>();
  private remember<L extends Layer>(layer: L): L {
    this.layerByPath.set(layer.path, layer);
    return layer;
  }
  /** The layer created for IR path `path`, if any (layers without variables have none). */
  layerAt(path: string): Layer | undefined {
    return this.layerByPath.get(path);
  }
  private narrowExec: NarrowExecutor | null = null;
  /**
   * Training logits of the narrow network `view` (only the sampled structures computed; runtime/narrow): the same
   * function as `forward` with those masks, interpreted from the IR over this module's layers (a generated module
   * computes what the interpreter computes, by contract). Call inside `tf.variableGrads`.
   */
  forwardNarrow(x: tf.Tensor, ctx: ForwardContext, view: NarrowView): tf.Tensor {
    this.narrowExec ??= new NarrowExecutor(this.ir, this);
    return this.narrowExec.forward(x, ctx, view);
  }
  protected conv(path: string, attrs: ConvAttrs): Conv2d {
    return this.remember(new Conv2d(this.store, this.rngFor(path), path, attrs));
  }
  protected bn(path: string, attrs: BnAttrs): BatchNorm {
    const layer = this.remember(new BatchNorm(this.store, path, attrs));
    this.bnLayers.push(layer);
    return layer;
  }
  /** Every BatchNorm created through `bn()` (BN recalibration walks them). */
  readonly bnLayers: BatchNorm[] = [];
  protected dense(path: string, attrs: DenseAttrs): Dense {
    return this.remember(new Dense(this.store, this.rngFor(path), path, attrs));
  }
  protected lstm(path: string, attrs: LstmAttrs): Lstm {
    return this.remember(new Lstm(this.store, this.rngFor(path), path, attrs));
  }
  protected gru(path: string, attrs: GruAttrs): Gru {
    return this.remember(new Gru(this.store, this.rngFor(path), path, attrs));
  }
  protected embedding(path: string, attrs: EmbeddingAttrs): Embedding {
    return this.remember(new Embedding(this.store, this.rngFor(path), path, attrs));
  }

  /**
   * Logits for a batch: image [B, H, W, C] float32 → [B, classes]; tokens [B, T] int32 → [B, T, vocab].
   * Creates intermediate tensors freely: call it inside `tf.tidy` or `tf.variableGrads`.
   */
  abstract forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor;

  /** Every variable: trainable weights, BN moving statistics (trainable: false) and the mask logits. */
  variables(): NamedVariable[] {
    return this.store.all();
  }

  /** Trainable network weights, excluding the mask logits (the weight optimizer's variables). */
  weightVariables(): NamedVariable[] {
    const maskNames = new Set(this.masks.groups.map((g) => g.name));
    return this.store.all().filter((v) => v.trainable && !maskNames.has(v.name));
  }

  getWeights(): WeightMap {
    const out: WeightMap = {};
    for (const v of this.store.all()) {
      out[v.name] = { shape: [...v.variable.shape], data: Float32Array.from(v.variable.dataSync() as Float32Array) };
    }
    return out;
  }

  /**
   * Loads weights by logical name. Every given name must exist with the same shape; unless `allowMissing`, every
   * module variable must be given.
   */
  setWeights(weights: WeightMap, opts: { allowMissing?: boolean } = {}): void {
    const vars = new Map(this.store.all().map((v) => [v.name, v.variable]));
    for (const [name, w] of Object.entries(weights)) {
      const v = vars.get(name);
      if (!v) throw new Error(`setWeights: '${name}' is not a variable of ${this.ir.name}; was the state saved from another spec?`);
      if (v.shape.join(',') !== w.shape.join(',')) {
        throw new Error(`setWeights: '${name}' has shape [${w.shape}] but ${this.ir.name} expects [${v.shape}]`);
      }
      assignData(v, w.data);
    }
    if (!opts.allowMissing) {
      const missing = [...vars.keys()].filter((n) => !(n in weights));
      if (missing.length > 0) throw new Error(`setWeights: no values for ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`);
    }
  }

  dispose(): void {
    this.store.dispose();
  }
}

/** The generic interpreter: builds a layer per IR node and evaluates the DAG in node order. */
export class IrModule extends NetworkModule {
  readonly placement: Map<number, number>;
  /** Vanishing-branch gates (see `branchGates`). */
  readonly gates: Map<number, number[]>;
  /** Masks of nodes whose output spans several groups (see `segmentMaskPlacement`). */
  private readonly segmentMasks: Map<number, MaskSegment[]>;
  private readonly layers = new Map<number, Layer>();
  /** Consumer id → the node that computes it (runtime/fusion.ts); the producers, to tell them. */
  private readonly fused: Map<number, number>;
  private readonly fusing: Set<number>;

  constructor(ir: IrNetwork, opts: ModuleOptions) {
    super(ir, opts);
    this.placement = maskPlacement(ir);
    this.gates = branchGates(ir);
    this.segmentMasks = segmentMaskPlacement(ir);
    this.fused = opts.fuse === false ? new Map() : fusions(ir, new Set(this.segmentMasks.keys()));
    this.fusing = new Set(this.fused.values());
    const factories: LayerFactories = {
      conv: (p, a) => this.conv(p, a),
      bn: (p, a) => this.bn(p, a),
      dense: (p, a) => this.dense(p, a),
      lstm: (p, a) => this.lstm(p, a),
      gru: (p, a) => this.gru(p, a),
      embedding: (p, a) => this.embedding(p, a),
    };
    for (const n of ir.nodes) {
      const layer = runtimeKind(n.kind).create?.(factories, n);
      if (layer) this.layers.set(n.id, layer);
    }
  }

  forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    const values: tf.Tensor[] = [];
    const arg = (n: IrNode, i = 0): tf.Tensor => {
      const v = values[n.inputs[i]!];
      if (!v) throw new Error(`IrModule: node ${n.path} reads a value that was not computed (IR not topological)`);
      return v;
    };
    for (const n of this.ir.nodes) {
      const producer = this.fused.get(n.id);
      if (producer !== undefined) {
        values[n.id] = values[producer]!; // computed by its producer (runtime/fusion.ts)
        continue;
      }
      const args = n.inputs.map((_, i) => arg(n, i));
      const g = this.placement.get(n.id);
      const rk = runtimeKind(n.kind);
      const inCell = kindEntry(n.kind).mask === 'in-cell' || rk.takesOutputMask === true;
      let y = rk.forward(n, this.layers.get(n.id), {
        x,
        args,
        ctx,
        mask: inCell && g !== undefined ? ctx.mask(g) : null,
        gate: this.gates.get(n.id),
        fused: this.fusing.has(n.id),
      });
      if (g !== undefined && !inCell) y = applyMask(y, ctx, g);
      const segments = this.segmentMasks.get(n.id);
      if (segments) y = applySegmentMask(y, ctx, segments);
      values[n.id] = y;
    }
    const out = values[this.ir.output];
    if (!out) throw new Error(`IrModule: output node ${this.ir.output} was not computed`);
    return out;
  }
}
