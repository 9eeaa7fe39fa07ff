// `conv(filters, kernel, stride, padding, groups, bias)` and `dwconv(kernel, stride, padding, bias)`: one IR kind.
// Depthwise convolution (channel multiplier 1) is lowered to an IR `conv` with `depthwise: true` and
// `groups = filters = inChannels`: it produces no structures of its own, it joins its input's group.

import { LAYER_DEFAULTS, LIMITS } from '../defaults.ts';
import type { ConvAttrs, NodeOf } from '../ir.ts';
import * as S from '../shapes.ts';
import { argSpanOf, num, word } from '../values.ts';
import { biasOf, biasSpec, image, padding, posPair, width, windowFits } from './args.ts';
import type { KindEntry, LayerKindDef, WeightSpec } from './entry.ts';

const conv: LayerKindDef = {
  name: 'conv',
  irKind: 'conv',
  maskable: 'channels',
  widthArg: { arg: 'filters', limit: LIMITS.maxWidth },
  schema: [
    { name: 'filters', type: { t: 'number' }, positional: true, required: true },
    { name: 'kernel', type: { t: 'pair' }, positional: true, required: true },
    { name: 'stride', type: { t: 'pair' } },
    padding,
    { name: 'groups', type: { t: 'number' } },
    biasSpec,
  ],
  build(ctx) {
    const filters = width(ctx, 'filters', LIMITS.maxWidth);
    const kernel = posPair(ctx, 'kernel', [1, 1]);
    const stride = posPair(ctx, 'stride', [1, 1]);
    const groups = num(ctx.args, 'groups', 1);
    const pad = word(ctx.args, 'padding', LAYER_DEFAULTS.convPadding);
    const inp = image(ctx, 'conv');
    if (groups < 1 || !Number.isInteger(groups)) {
      ctx.sink.report('notPositiveInt', argSpanOf(ctx.args, 'groups', ctx.span), ['groups', groups]);
      return undefined;
    }
    if (filters === undefined || !kernel || !stride) return undefined;
    const { bias, biasAuto } = biasOf(ctx.args);
    if (!inp) {
      if (ctx.maskSpan && groups > 1) ctx.sink.report('maskableGroupedConv', ctx.maskSpan, [groups]);
      return { attrs: { inChannels: 0, filters, kernel, stride, padding: pad, groups, depthwise: false, bias }, shape: undefined, biasAuto };
    }
    if (inp[2] % groups !== 0 || filters % groups !== 0) {
      ctx.sink.report('badGroups', argSpanOf(ctx.args, 'groups', ctx.span), [groups, inp[2], filters]);
      return undefined;
    }
    const fits = windowFits(ctx, 'kernel', 'kernel', kernel, pad, inp);
    const depthwise = groups > 1 && groups === inp[2] && groups === filters;
    if (ctx.maskSpan && groups > 1 && !depthwise) ctx.sink.report('maskableGroupedConv', ctx.maskSpan, [groups]);
    return {
      attrs: { inChannels: inp[2], filters, kernel, stride, padding: pad, groups, depthwise, bias },
      shape: fits ? S.conv2dShape(inp, filters, kernel, stride, pad) : undefined,
      biasAuto,
    };
  },
};

const dwconv: LayerKindDef = {
  name: 'dwconv',
  irKind: 'conv',
  maskable: 'channels',
  schema: [{ name: 'kernel', type: { t: 'pair' }, positional: true, required: true }, { name: 'stride', type: { t: 'pair' } }, padding, biasSpec],
  build(ctx) {
    const kernel = posPair(ctx, 'kernel', [1, 1]);
    const stride = posPair(ctx, 'stride', [1, 1]);
    const pad = word(ctx.args, 'padding', LAYER_DEFAULTS.convPadding);
    const inp = image(ctx, 'dwconv');
    if (!kernel || !stride || !inp) return undefined;
    const { bias, biasAuto } = biasOf(ctx.args);
    const c = inp[2];
    const fits = windowFits(ctx, 'kernel', 'kernel', kernel, pad, inp);
    return {
      attrs: { inChannels: c, filters: c, kernel, stride, padding: pad, groups: c, depthwise: true, bias },
      shape: fits ? S.conv2dShape(inp, c, kernel, stride, pad) : undefined,
      biasAuto,
    };
  },
};

const attrsOf = (a: Record<string, unknown>): ConvAttrs => a as unknown as ConvAttrs;

/** A grouped conv's input and output channels are tied to its groups: the checker refuses a maskable group on
 * either side (`groupedConvMasked`), so they are only ever selected whole. */
function whole(sel: number[] | null, width: number, path: string, side: string): null {
  if (sel === null || (sel.length === width && sel.every((v, i) => v === i))) return null;
  throw new Error(`${path}: the ${side} channels of a grouped conv cannot be sliced (the checker refuses a maskable group there)`);
}

/**
 * A grouped conv's kernel [kh, kw, in/g, f]: filter o (block b = ⌊o·g/f⌋) reads input channels b·in/g … (b+1)·in/g − 1.
 * tfjs-layers' conv2d has no groups, so it is exported as the full [kh, kw, in, f] kernel, zero off the blocks.
 */
function groupedKernel(path: string, a: ConvAttrs): WeightSpec {
  const [kh, kw] = a.kernel;
  const g = a.groups;
  const cin = a.inChannels / g;
  const f = a.filters;
  const fg = f / g;
  const positions = kh * kw;
  return {
    leaf: 'kernel',
    tfjs: 'kernel',
    shape: [kh, kw, cin, f],
    axes: (s) => [null, null, whole(s.in, a.inChannels, path, 'input'), whole(s.out, f, path, 'output')],
    tfjsLayout: {
      shape: [kh, kw, a.inChannels, f],
      to(data) {
        const full = new Float32Array(positions * a.inChannels * f);
        for (let p = 0; p < positions; p++)
          for (let c = 0; c < cin; c++)
            for (let o = 0; o < f; o++) full[(p * a.inChannels + Math.floor(o / fg) * cin + c) * f + o] = data[(p * cin + c) * f + o]!;
        return full;
      },
      from(full) {
        const data = new Float32Array(positions * cin * f);
        for (let p = 0; p < positions; p++)
          for (let c = 0; c < cin; c++)
            for (let o = 0; o < f; o++) data[(p * cin + c) * f + o] = full[(p * a.inChannels + Math.floor(o / fg) * cin + c) * f + o]!;
        return data;
      },
    },
  };
}

export const convEntry: KindEntry = {
  kind: 'conv',
  surfaces: [conv, dwconv],
  group: (a) => (attrsOf(a).depthwise ? { role: 'joins' } : { role: 'produces', structure: 'channels', width: attrsOf(a).filters ?? 0 }),
  count(node) {
    const a = (node as NodeOf<'conv'>).attrs;
    return {
      params: S.convParams(a.inChannels, a.filters, a.kernel, a.groups, a.bias),
      macs: S.convMacs(node.shape as [number, number, number], a.inChannels, a.kernel, a.groups),
    };
  },
  // A depthwise conv's MACs are counted once, as its own group's member.
  structureMacs: (a, macs, w, total) => ({ own: macs / w, perInput: attrsOf(a).depthwise ? 0 : macs / total }),
  costTerms(node, input, sink) {
    const a = (node as NodeOf<'conv'>).attrs;
    const out = node.group;
    if (a.depthwise) {
      sink.perSegment(input, node.macs, [], 'macs');
      sink.perSegment(input, a.kernel[0] * a.kernel[1] * a.inChannels, [], 'params');
    } else {
      sink.perSegment(input, node.macs, [out], 'macs');
      sink.perSegment(input, a.kernel[0] * a.kernel[1] * (a.inChannels / a.groups) * a.filters, [out], 'params');
    }
    if (a.bias) sink.term(a.filters, [out], 'params');
  },
  mask: 'output-unless-normalised',
  affine: true,
  weights(node) {
    const a = (node as NodeOf<'conv'>).attrs;
    const [kh, kw] = a.kernel;
    const out: WeightSpec[] = [
      a.depthwise
        ? { leaf: 'kernel', tfjs: 'depthwise_kernel', shape: [kh, kw, a.inChannels, 1], axes: (s) => [null, null, s.in, null] }
        : a.groups > 1
          ? groupedKernel(node.path, a)
          : { leaf: 'kernel', tfjs: 'kernel', shape: [kh, kw, a.inChannels, a.filters], axes: (s) => [null, null, s.in, s.out] },
    ];
    if (a.bias) out.push({ leaf: 'bias', tfjs: 'bias', shape: [a.filters], axes: (s) => [s.out] });
    return out;
  },
  // [kh, kw, in, out]: structure j is output column j; depthwise [kh, kw, in, 1]: input channel j.
  structureWeights: (a) => [{ leaf: 'kernel', axis: attrsOf(a).depthwise ? 2 : 3, blocks: 1 }],
  tiesChannels: (a) => (attrsOf(a).groups > 1 && !attrsOf(a).depthwise ? `a grouped conv (groups ${attrsOf(a).groups})` : undefined),
  ownWidth: (a) => (attrsOf(a).depthwise ? null : attrsOf(a).filters),
  widthFollows: (a, surface) => (attrsOf(a).depthwise ? `a depthwise '${surface}' (its width follows its input)` : undefined),
  surfaceName: (a) => (attrsOf(a).depthwise ? 'dwconv' : 'conv'),
  compactAttrs(attrs, width, inW) {
    const a = { ...attrsOf(attrs) };
    a.inChannels = inW;
    if (a.depthwise) {
      a.filters = inW;
      a.groups = inW;
    } else a.filters = width;
    return a as unknown as Record<string, unknown>;
  },
};
