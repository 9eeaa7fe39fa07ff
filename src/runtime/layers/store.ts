// The registry of a module's named variables. Logical names (`${path}/kernel`, `masks/${group}/s`, …) are the
// contract with compaction, checkpoints and export; the tfjs-internal names get a per-module prefix because tfjs
// refuses two live variables with one name (tests and `archc eval` hold several modules at once).

import type * as tf from '@tensorflow/tfjs';
import { makeVariable } from '../tensor-utils.ts';

let nextModuleId = 0;

export interface NamedVariable {
  name: string;
  variable: tf.Variable;
  trainable: boolean;
}

export class VariableStore {
  /** Prefix of tfjs variable names, e.g. "archc7/". */
  readonly tfPrefix: string;
  private readonly vars = new Map<string, NamedVariable>();

  constructor() {
    this.tfPrefix = `archc${nextModuleId++}/`;
  }

  /** Creates and registers `name` from host data. A duplicate name is a broken invariant (two layers, one path). */
  create(name: string, shape: number[], data: Float32Array, trainable = true): tf.Variable {
    if (this.vars.has(name)) throw new Error(`variable '${name}' is declared twice: layer paths must be unique`);
    const variable = makeVariable(data, shape, this.tfPrefix + name, trainable);
    this.vars.set(name, { name, variable, trainable });
    return variable;
  }

  /** Registers a variable made elsewhere (the mask logits). */
  adopt(name: string, variable: tf.Variable, trainable: boolean): void {
    if (this.vars.has(name)) throw new Error(`variable '${name}' is declared twice`);
    this.vars.set(name, { name, variable, trainable });
  }

  get(name: string): tf.Variable | undefined {
    return this.vars.get(name)?.variable;
  }

  all(): NamedVariable[] {
    return [...this.vars.values()];
  }

  dispose(): void {
    for (const v of this.vars.values()) v.variable.dispose();
    this.vars.clear();
  }
}
