// The tfjs-export half of every layer kind's entry (README "Adding a layer kind"): the tf.layers layer a node
// becomes in the exported functional model. Its weights' tfjs names and shapes are the semantic entry's weight
// layout (semantic/kinds/, `weights`), so export and loading agree by construction. A missing kind is a type error.

import * as tf from '@tensorflow/tfjs';
import type { BnAttrs, ConvAttrs, DenseAttrs, DropoutAttrs, EmbeddingAttrs, GruAttrs, IrNode, LayerKind, LstmAttrs, PoolAttrs } from '../semantic/ir.ts';

export interface ExportKind {
  /** The tf.layers layer named `name` (null for the network input, which is a `tf.input`). */
  layer(n: IrNode, name: string): tf.layers.Layer | null;
}

export const EXPORT_KINDS: Readonly<Record<LayerKind, ExportKind>> = {
  input: { layer: () => null },
  conv: {
    layer(n, name) {
      const a = n.attrs as ConvAttrs;
      return a.depthwise
        ? tf.layers.depthwiseConv2d({ name, kernelSize: a.kernel, strides: a.stride, padding: a.padding, depthMultiplier: 1, useBias: a.bias })
        : tf.layers.conv2d({ name, filters: a.filters, kernelSize: a.kernel, strides: a.stride, padding: a.padding, useBias: a.bias });
    },
  },
  bn: { layer: (n, name) => tf.layers.batchNormalization({ name, axis: -1, momentum: (n.attrs as BnAttrs).momentum, epsilon: (n.attrs as BnAttrs).epsilon }) },
  relu: { layer: (_n, name) => tf.layers.activation({ name, activation: 'relu' }) },
  relu6: { layer: (_n, name) => tf.layers.activation({ name, activation: 'relu6' }) },
  maxpool: {
    layer(n, name) {
      const a = n.attrs as PoolAttrs;
      return tf.layers.maxPooling2d({ name, poolSize: a.size, strides: a.stride, padding: a.padding });
    },
  },
  avgpool: {
    layer(n, name) {
      const a = n.attrs as PoolAttrs;
      return tf.layers.averagePooling2d({ name, poolSize: a.size, strides: a.stride, padding: a.padding });
    },
  },
  gap: { layer: (_n, name) => tf.layers.globalAveragePooling2d({ name }) },
  flatten: { layer: (_n, name) => tf.layers.flatten({ name }) },
  dense: {
    layer(n, name) {
      const a = n.attrs as DenseAttrs;
      return tf.layers.dense({ name, units: a.units, useBias: a.bias, activation: a.activation === 'relu' ? 'relu' : 'linear' });
    },
  },
  dropout: { layer: (n, name) => tf.layers.dropout({ name, rate: (n.attrs as DropoutAttrs).rate }) },
  embedding: { layer: (n, name) => tf.layers.embedding({ name, inputDim: (n.attrs as EmbeddingAttrs).vocab, outputDim: (n.attrs as EmbeddingAttrs).dim }) },
  lstm: {
    layer(n, name) {
      // Our cell: sigmoid gates (tfjs defaults to hardSigmoid), tanh candidate and output, one bias vector. The
      // initializers are archc's own U(±1/√H) (runtime/layers/lstm.ts): tfjs's default orthogonal one warns on every
      // matrix over 2000 elements ("Slowness may result"), and its values are overwritten by setWeights anyway.
      const units = (n.attrs as LstmAttrs).units;
      const lim = 1 / Math.sqrt(units);
      const init = () => tf.initializers.randomUniform({ minval: -lim, maxval: lim });
      return tf.layers.lstm({ name, units, returnSequences: true, activation: 'tanh', recurrentActivation: 'sigmoid', useBias: true, kernelInitializer: init(), recurrentInitializer: init() });
    },
  },
  gru: {
    layer(n, name) {
      // tfjs's GRU is archc's (runtime/layers/gru.ts): reset gate before the recurrent product, one bias vector;
      // sigmoid gates (tfjs defaults to hardSigmoid). The initializers are overwritten by setWeights.
      const units = (n.attrs as GruAttrs).units;
      const lim = 1 / Math.sqrt(units);
      const init = () => tf.initializers.randomUniform({ minval: -lim, maxval: lim });
      return tf.layers.gru({ name, units, returnSequences: true, activation: 'tanh', recurrentActivation: 'sigmoid', useBias: true, kernelInitializer: init(), recurrentInitializer: init() });
    },
  },
  add: { layer: (_n, name) => tf.layers.add({ name }) },
  concat: { layer: (_n, name) => tf.layers.concatenate({ name, axis: -1 }) },
};
