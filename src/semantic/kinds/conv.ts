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
        : { leaf: 'kernel', tfjs: 'kernel', shape: [kh, kw, a.inChannels, a.filters], axes: (s) => [null, null, s.in, s.out] },
    ];
    if (a.bias) out.push({ leaf: 'bias', tfjs: 'bias', shape: [a.filters], axes: (s) => [s.out] });
    return out;
  },
  // [kh, kw, in, out]: structure j is output column j; depthwise [kh, kw, in, 1]: input channel j.
  structureWeights: (a) => [{ leaf: 'kernel', axis: attrsOf(a).depthwise ? 2 : 3, blocks: 1 }],
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
