// Pure shape rules and parameter/MAC counts, one function per layer family (after tfjs-layers'
// conv_utils.convOutputLength). No diagnostics here: callers validate inputs and report; these functions
// only compute. Shapes exclude the batch axis (see ir.ts).
//
// Counting convention (README "Counting"):
//   params  = trainable parameters: conv kh·kw·(Cin/groups)·Cout (+ Cout bias), dense in·out (+ out),
//             BN γ and β (2·C; moving statistics are not trainable), LSTM 4·(in·h + h·h + h) (W, U and ONE
//             bias per gate), embedding V·d.
//   MACs    = multiply-accumulates of one forward pass of ONE example: conv Hout·Wout·Cout·kh·kw·Cin/groups,
//             dense in·out (× T when applied per time step), LSTM 4·(in·h + h·h) per step × T, a projection
//             shortcut like any conv. Elementwise work (BN, ReLU, add, pooling, gate nonlinearities) and the
//             embedding lookup are excluded.

/** Output length of a conv or pooling window along one axis (tfjs-layers convOutputLength, dilation 1). */
export function convOutputLength(inputLength: number, kernel: number, stride: number, padding: 'same' | 'valid'): number {
  if (padding === 'same') return Math.ceil(inputLength / stride);
  return Math.floor((inputLength - kernel) / stride) + 1;
}

export function conv2dShape(input: [number, number, number], filters: number, kernel: [number, number], stride: [number, number], padding: 'same' | 'valid'): [number, number, number] {
  return [convOutputLength(input[0], kernel[0], stride[0], padding), convOutputLength(input[1], kernel[1], stride[1], padding), filters];
}

export function poolShape(input: [number, number, number], size: [number, number], stride: [number, number], padding: 'same' | 'valid'): [number, number, number] {
  return [convOutputLength(input[0], size[0], stride[0], padding), convOutputLength(input[1], size[1], stride[1], padding), input[2]];
}

export function convParams(inChannels: number, filters: number, kernel: [number, number], groups: number, bias: boolean): number {
  return kernel[0] * kernel[1] * (inChannels / groups) * filters + (bias ? filters : 0);
}

export function convMacs(out: [number, number, number], inChannels: number, kernel: [number, number], groups: number): number {
  return out[0] * out[1] * out[2] * kernel[0] * kernel[1] * (inChannels / groups);
}

export function bnParams(channels: number): number {
  return 2 * channels;
}

export function denseParams(inFeatures: number, units: number, bias: boolean): number {
  return inFeatures * units + (bias ? units : 0);
}

/** `steps` = 1 for a vector input, T when the dense layer is applied at every step of a [T, F] sequence. */
export function denseMacs(inFeatures: number, units: number, steps = 1): number {
  return inFeatures * units * steps;
}

export function lstmParams(inFeatures: number, units: number): number {
  return 4 * (inFeatures * units + units * units + units);
}

export function lstmMacsPerStep(inFeatures: number, units: number): number {
  return 4 * (inFeatures * units + units * units);
}

export function embeddingParams(vocab: number, dim: number): number {
  return vocab * dim;
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function fmtShape(shape: readonly number[] | undefined): string {
  return shape ? `[${shape.join(',')}]` : '[?]';
}
