/**
 * `engine.nn`: model builders over the layers of ./layers.ts. Every model is a
 * `Sequential` (a list of layers over one flat parameter buffer), so its
 * parameter names are those of the equivalent torch `nn.Sequential`:
 *
 * - `linear(in, out)`                 ≙ Sequential(Linear)                          → `0.weight`, `0.bias`
 * - `mlp([d0, …, dL], {activation})`  ≙ Sequential(Linear, Act, [Dropout], Linear, …, Linear)
 *                                        → `0.weight`, `0.bias`, `2.weight`, … (`3.weight` with dropout)
 * - `deepLinear([d0, …, dL])`         ≙ Sequential(Linear, Linear, …) without bias  → `0.weight`, `1.weight`, …
 * - `sequential(layers)`              any list of `engine.nn.layers.*`
 */
import { ValueError } from '../errors.js';
import { describe } from '../runtime/validate.js';
import { initializers, type Initializer, type InitName, type LinearInit } from '../init/index.js';
import type { Core } from '../runtime/core.js';
import { checkKnown, checkOptions } from '../runtime/validate.js';
import { layers, type ActivationName, type LayerSpec } from './layers.js';
import { Sequential, type ModelOptions } from './model.js';

export type InitOption = InitName | Initializer | Partial<LinearInit>;

export interface MlpOptions {
  /** between hidden layers (not after the last); default 'relu' */
  activation?: ActivationName;
  /** leakyRelu slope / softplus beta and threshold */
  activationOptions?: { slope?: number; beta?: number; threshold?: number };
  /** weight initialization; default PyTorch's nn.Linear default */
  init?: InitOption;
  /** dropout probability after each hidden activation; default 0 (none) */
  dropout?: number;
  /** default true */
  bias?: boolean;
  /** RNG seed (initialization, then dropout); default 0 */
  seed?: number;
}

export interface NN {
  linear(inFeatures: number, outFeatures: number, options?: { bias?: boolean; init?: InitOption; seed?: number }): Sequential;
  mlp(sizes: readonly number[], options?: MlpOptions): Sequential;
  deepLinear(sizes: readonly number[], options?: { init?: InitOption; seed?: number; bias?: boolean }): Sequential;
  sequential(specs: readonly LayerSpec[], options?: ModelOptions): Sequential;
  readonly layers: typeof layers;
  readonly init: typeof initializers;
}

function checkSizes(op: string, sizes: unknown, min: number): number[] {
  if (!Array.isArray(sizes) || sizes.length < min) {
    throw new ValueError(`${op}: sizes must be an array of at least ${min} widths [d0, …, dL], got ${Array.isArray(sizes) ? `[${sizes.join(', ')}]` : describe(sizes)}`);
  }
  sizes.forEach((d, i) => {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 1) throw new ValueError(`${op}: sizes[${i}] must be a positive integer, got ${describe(d)}`);
  });
  return sizes as number[];
}

const LINEAR_KEYS = ['bias', 'init', 'seed'] as const;
const MLP_KEYS = ['activation', 'activationOptions', 'init', 'dropout', 'bias', 'seed'] as const;
const MODEL_KEYS = ['seed', 'inputSize'] as const;

/** An options object of `op` with only the `names` keys (the optimizers' rule: a typo is an error, not ignored). */
function opts<T extends object>(op: string, o: T | undefined, names: readonly string[]): T {
  const v = checkOptions(op, o);
  checkKnown(op, v, names);
  return v;
}

export function createNN(engine: Core): NN {
  return Object.freeze({
    layers,
    init: initializers,
    linear(inFeatures, outFeatures, options?: { bias?: boolean; init?: InitOption; seed?: number }) {
      const { bias = true, init, seed } = opts('linear', options, LINEAR_KEYS);
      return new Sequential(engine, 'linear', [layers.linear(inFeatures, outFeatures, { bias, init })], { seed });
    },
    mlp(sizes, options?: MlpOptions) {
      const { activation = 'relu', activationOptions = {}, init, dropout = 0, bias = true, seed } = opts('mlp', options, MLP_KEYS);
      const d = checkSizes('mlp', sizes, 2);
      if (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1)) throw new ValueError(`mlp: dropout must be in [0, 1), got ${describe(dropout)}`);
      const act = layers.activation(activation, activationOptions);
      const specs: LayerSpec[] = [];
      for (let i = 0; i + 1 < d.length; i++) {
        specs.push(layers.linear(d[i], d[i + 1], { bias, init }));
        if (i + 2 < d.length) {
          specs.push(act);
          if (dropout > 0) specs.push(layers.dropout(dropout));
        }
      }
      return new Sequential(engine, 'mlp', specs, { seed });
    },
    deepLinear(sizes, options?: { init?: InitOption; seed?: number; bias?: boolean }) {
      const { init, seed, bias = false } = opts('deepLinear', options, LINEAR_KEYS);
      const d = checkSizes('deepLinear', sizes, 2);
      const specs: LayerSpec[] = [];
      for (let i = 0; i + 1 < d.length; i++) specs.push(layers.linear(d[i], d[i + 1], { bias, init }));
      return new Sequential(engine, 'deepLinear', specs, { seed });
    },
    sequential(specs, options?: ModelOptions) {
      return new Sequential(engine, 'sequential', specs, opts('sequential', options, MODEL_KEYS));
    },
  } satisfies NN);
}

export { layers, Sequential };
export type { ActivationName, LayerSpec, ModelOptions };
