// `embedding(dim)`: looks up integer token ids; its `dim` features are in no mask group.

import { LIMITS } from '../defaults.ts';
import type { NodeOf } from '../ir.ts';
import * as S from '../shapes.ts';
import { describeInput, width } from './args.ts';
import type { KindEntry, LayerKindDef } from './entry.ts';

const embedding: LayerKindDef = {
  name: 'embedding',
  irKind: 'embedding',
  maskable: null,
  schema: [{ name: 'dim', type: { t: 'number' }, positional: true, required: true }],
  build(ctx) {
    const dim = width(ctx, 'dim', LIMITS.maxWidth);
    const s = ctx.input.shape;
    if (dim === undefined || !s) return undefined;
    if (!ctx.input.tokens) {
      // No reshaping makes an image (or features) into token ids: point at the input, not at flatten or gap.
      const why = 'an embedding looks up integer token ids, so it comes right after `input tokens(vocab V, seq T)`; for images or features use conv or dense layers';
      ctx.sink.report('wrongInputRank', ctx.span, ['embedding', 'token ids from a tokens(...) input', `${describeInput(ctx.input, false)}: ${why}`]);
      return undefined;
    }
    return { attrs: { vocab: ctx.vocab ?? 0, dim }, shape: [s[0]!, dim] };
  },
};

export const embeddingEntry: KindEntry = {
  kind: 'embedding',
  surfaces: [embedding],
  group: () => ({ role: 'source' }),
  count: (node) => ({ params: S.embeddingParams((node as NodeOf<'embedding'>).attrs.vocab, (node as NodeOf<'embedding'>).attrs.dim), macs: 0 }),
  costTerms(node, _input, sink) {
    const a = (node as NodeOf<'embedding'>).attrs;
    sink.term(a.vocab * a.dim, [], 'params');
  },
  mask: 'never',
  weights(node) {
    const a = (node as NodeOf<'embedding'>).attrs;
    // The dim has no mask group and is never sliced.
    return [{ leaf: 'embeddings', tfjs: 'embeddings', shape: [a.vocab, a.dim], axes: () => [null, null] }];
  },
};
