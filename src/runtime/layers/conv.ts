// 2-D convolution layer (normal, grouped and depthwise), NHWC. Variables: `${path}/kernel` [kh, kw, in/groups, out]
// (depthwise: [kh, kw, in, 1]) and `${path}/bias` [out] when the spec asks for one. He-normal init from our RNG. A
// grouped conv (1 < groups, not depthwise) convolves each block of in/groups input channels with its block of
// out/groups filters and concatenates the results: the full conv with a block-diagonal kernel.
// Gradients come from tfjs's registry, where the backend layer installs fast ones (see backend/).

import * as tf from '@tensorflow/tfjs';
import type { ConvAttrs } from '../../semantic/ir.ts';
import type { Rng } from '../rng.ts';
import { heNormal, constant } from './init.ts';
import type { VariableStore } from './store.ts';

export class Conv2d {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable | null;

  constructor(
    store: VariableStore,
    rng: Rng,
    readonly path: string,
    readonly attrs: ConvAttrs,
  ) {
    const [kh, kw] = attrs.kernel;
    if (attrs.depthwise) {
      const shape = [kh, kw, attrs.inChannels, 1];
      this.kernel = store.create(`${path}/kernel`, shape, heNormal(rng, kh * kw * attrs.inChannels, kh * kw));
    } else {
      const perGroup = attrs.inChannels / attrs.groups;
      const shape = [kh, kw, perGroup, attrs.filters];
      const fanIn = kh * kw * perGroup;
      this.kernel = store.create(`${path}/kernel`, shape, heNormal(rng, fanIn * attrs.filters, fanIn));
    }
    this.bias = attrs.bias ? store.create(`${path}/bias`, [attrs.filters], constant(attrs.filters, 0)) : null;
  }

  apply(x: tf.Tensor): tf.Tensor {
    return this.applyWith(x, this.kernel, this.bias);
  }

  /** The layer's function with given weights: its own, or a narrow slice of them (runtime/narrow). */
  applyWith(x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor | null): tf.Tensor {
    return tf.tidy(() => {
      const x4 = x as tf.Tensor4D;
      const { depthwise, groups, stride, padding } = this.attrs;
      let y: tf.Tensor;
      if (depthwise) y = tf.depthwiseConv2d(x4, kernel as tf.Tensor4D, stride, padding);
      else if (groups > 1) {
        const xs = tf.split(x4, groups, 3);
        const ks = tf.split(kernel as tf.Tensor4D, groups, 3);
        y = tf.concat(xs.map((xi, i) => tf.conv2d(xi as tf.Tensor4D, ks[i] as tf.Tensor4D, stride, padding)), 3);
      } else y = tf.conv2d(x4, kernel as tf.Tensor4D, stride, padding);
      return bias ? tf.add(y, bias) : y;
    });
  }
}
