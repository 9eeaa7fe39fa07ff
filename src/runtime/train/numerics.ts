// Guards against NaN and Inf: a non-finite loss, or a non-finite value in any variable after a step, stops the
// run with a NumericsError that names the step, the first variable (in layer order) that went bad, and the last
// good checkpoint. The weight check is one fused reduction (Σ v·0 is NaN iff some v is NaN or ±Inf) and one
// scalar read per check, O(params) against a step's O(MACs × batch); only a failed check looks per variable.

import * as tf from '@tensorflow/tfjs';
import type { NetworkModule } from '../module.ts';
import type { StepInfo } from './trainer.ts';

export class NumericsError extends Error {
  constructor(
    readonly step: number,
    /** What went non-finite first: 'loss' or a variable's logical name (`${layerPath}/kernel`, `masks/…/s`). */
    readonly where: string | null,
    /** Layer path of `where` when it is a variable, else null. */
    readonly layer: string | null,
    readonly lastCheckpoint: string | null,
    detail: string,
  ) {
    super(
      `non-finite values at step ${step}: ${detail}` +
        (layer !== null ? `; first in layer '${layer}' (variable ${where})` : '') +
        `. Last good checkpoint: ${lastCheckpoint ?? 'none written yet'}` +
        '. Lower the learning rate, enable clipping (train { clip 1 }), or check the data.',
    );
    this.name = 'NumericsError';
  }
}

/**
 * The logical name of the first variable holding NaN or ±Inf, or null: layer weights in layer order first, then
 * mask logits (a NaN in the weights poisons every mask gradient, so the weights are the likelier origin).
 */
export function firstNonFiniteVariable(module: NetworkModule): string | null {
  const all = module.variables().filter((v) => v.variable.dtype === 'float32');
  const vars = [...all.filter((v) => !v.name.startsWith('masks/')), ...all.filter((v) => v.name.startsWith('masks/'))];
  if (vars.length === 0) return null;
  const bad = tf.tidy(() => tf.addN(vars.map((v) => tf.sum(tf.mul(v.variable, 0)))).dataSync()[0]!);
  if (Number.isFinite(bad)) return null;
  for (const v of vars) {
    const x = tf.tidy(() => tf.sum(tf.mul(v.variable, 0)).dataSync()[0]!);
    if (!Number.isFinite(x)) return v.name;
  }
  return null;
}

/** `block1.conv/kernel` → `block1.conv`; `masks/g0:block1/s` → `masks/g0:block1`. */
export function layerOfVariable(name: string): string {
  const i = name.lastIndexOf('/');
  return i > 0 ? name.slice(0, i) : name;
}

export interface NumericsGuardOptions {
  /** Check every variable every K steps (and always when the loss is non-finite); default 1. 0 = loss only. */
  weightsEvery?: number;
}

/** Checks one step; throws NumericsError when it produced NaN/Inf. `lastCheckpoint` is named in the error. */
export function checkStep(info: StepInfo, module: NetworkModule, lastCheckpoint: string | null, opts: NumericsGuardOptions = {}): void {
  const every = opts.weightsEvery ?? 1;
  const lossBad = !Number.isFinite(info.loss);
  if (!lossBad && !(every > 0 && info.step % every === 0)) return;
  const variable = firstNonFiniteVariable(module);
  if (!lossBad && variable === null) return;
  const detail = lossBad ? `the loss is ${String(info.loss)}` : 'the loss was finite but the weights are not';
  throw new NumericsError(info.step, variable ?? (lossBad ? 'loss' : null), variable !== null ? layerOfVariable(variable) : null, lastCheckpoint, detail);
}
