// Argument helpers shared by the kind entries' builders. Each reports on the argument and returns undefined on error.

import type { Span } from '../../diagnostics/index.ts';
import { LIMITS } from '../defaults.ts';
import * as S from '../shapes.ts';
import { argSpanOf, num, pair, word, type BoundArgs, type ParamSpec, type Sink } from '../values.ts';
import type { BuildCtx, TensorInfo } from './entry.ts';

export const padding = { name: 'padding', type: { t: 'enum', words: ['same', 'valid'] } } as const satisfies ParamSpec;
export const biasSpec = { name: 'bias', type: { t: 'enum', words: ['auto', 'true', 'false'] } } as const satisfies ParamSpec;

export function image(ctx: BuildCtx, kind: string): [number, number, number] | undefined {
  const s = ctx.input.shape;
  if (!s) return undefined;
  if (s.length === 3 && !ctx.input.tokens) return s as [number, number, number];
  ctx.sink.report('wrongInputRank', ctx.span, [kind, 'a feature map [H, W, C]', describeInput(ctx.input)]);
  return undefined;
}

/** What a layer got, with the usual way out (`hint` false: the caller gives its own). */
export function describeInput(t: TensorInfo, hint = true): string {
  const s = S.fmtShape(t.shape);
  if (t.tokens) return `token ids ${s}${hint ? ' (add an embedding first)' : ''}`;
  if (t.shape?.length === 1) return `a vector ${s}`;
  if (t.shape?.length === 2) return `a sequence ${s}`;
  if (t.shape?.length === 3) return `a feature map ${s}${hint ? ' (add flatten or gap first)' : ''}`;
  return s;
}

/** A positive integer width no larger than `limit` (filters, units, …). */
export function width(ctx: { args: BoundArgs; span: Span; sink: Sink }, name: string, limit: number, what = name): number | undefined {
  const v = num(ctx.args, name);
  if (v === undefined) return undefined;
  const sp = argSpanOf(ctx.args, name, ctx.span);
  if (!Number.isInteger(v) || v < 1) {
    ctx.sink.report('notPositiveInt', sp, [what, v]);
    return undefined;
  }
  if (v > limit) {
    ctx.sink.report('sizeTooLarge', sp, [what, v, limit]);
    return undefined;
  }
  return v;
}

export function posPair(ctx: BuildCtx, name: string, dflt: [number, number]): [number, number] | undefined {
  const p = pair(ctx.args, name, dflt);
  const sp = argSpanOf(ctx.args, name, ctx.span);
  for (const v of p) {
    if (!Number.isInteger(v) || v < 1) {
      ctx.sink.report('notPositiveInt', sp, [name, v]);
      return undefined;
    }
    if (v > LIMITS.maxKernel) {
      ctx.sink.report('sizeTooLarge', sp, [name, v, LIMITS.maxKernel]);
      return undefined;
    }
  }
  return p;
}

/** "kernel larger than its input" applies to 'valid' windows: 'same' pads any window to fit. */
export function windowFits(ctx: BuildCtx, what: string, argName: string, win: [number, number], pad: 'same' | 'valid', inp: [number, number, number]): boolean {
  if (pad === 'same') return true;
  if (win[0] <= inp[0] && win[1] <= inp[1]) return true;
  ctx.sink.report('kernelTooLarge', argSpanOf(ctx.args, argName, ctx.span), [what, `${win[0]}x${win[1]}`, `${inp[0]}x${inp[1]}`]);
  return false;
}

export function biasOf(args: BoundArgs): { bias: boolean; biasAuto: boolean } {
  const b = word<'auto' | 'true' | 'false'>(args, 'bias', 'auto');
  return { bias: b !== 'false', biasAuto: b === 'auto' };
}

/** For layers that take any features but not token ids. */
export function features(ctx: BuildCtx, kind: string): boolean {
  if (!ctx.input.tokens) return true;
  ctx.sink.report('wrongInputRank', ctx.span, [kind, 'features', describeInput(ctx.input)]);
  return false;
}

export const lastDim = (shape: readonly number[]): number => shape[shape.length - 1] ?? 1;
