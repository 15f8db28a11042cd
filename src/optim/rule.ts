/**
 * What an optimizer is made of (Optax's `alias.py` seam): a `Rule` names the
 * options with PyTorch's names and defaults, validates them, lists the state
 * buffers, and gives the step twice: one fused kernel call, and the same
 * method as a named chain of transforms. The maths of each rule lives in its
 * family file (sgd.ts, adagrad.ts, adam.ts, adam-variants.ts), beside the
 * `scaleBy*` transform it shares its factors, checks and doc with.
 *
 * Notation in the family files: g gradient, p parameters, t the 1-based step,
 * d = (maximize ? -g : g) + weightDecay * p.
 */
import type { Kernels } from '../runtime/kernels.js';
import type { LearningRate } from './options.js';
import { addDecayedWeights, scale } from './scale.js';
import type { GradientTransformation } from './transform.js';

/** What a fused step gets (pointers are byte offsets of this group's span). */
export interface FusedStep<O> {
  k: Kernels;
  n: number;
  g: number;
  p: number;
  buf: Record<string, number>;
  o: O;
  /** learning rate at this step */
  lr: number;
  /** 1-based step number */
  t: number;
  scalars: Record<string, number>;
  /** 16-byte RNG state (rules with `rng`) */
  rng: number;
  /** n-float scratch (rules with `scratch`) */
  scratch: number;
  /** i32 row indices and their count (sparse rules) */
  rows: number;
  nrows: number;
}

export interface Rule<O extends { lr?: LearningRate }> {
  readonly name: string;
  /** every option with its default (PyTorch's); `lr: undefined` means required */
  readonly defaults: O;
  /** the options that may be a schedule (step) => number (always 'lr'; e.g. 'momentum', 'betas[0]') */
  readonly schedulable: readonly string[];
  /** throws a ValueError naming the option */
  validate(o: O): void;
  /** state buffers per group: name -> initial value */
  buffers(o: O): Record<string, number>;
  /** per-group scalar state and its initial values */
  scalars?: Record<string, number>;
  rng?: boolean;
  scratch?: boolean;
  sparse?: boolean;
  fused(s: FusedStep<O>): void;
  /** validates the scheduled hyperparameters (other than lr) at optimizer step `step` (0-based); runs before anything is written */
  prepare?(o: O, step: number): void;
  /** the same method as a chain (reads lr from the step context); absent when only the fused path exists */
  chain?(o: O, group: number): GradientTransformation;
}

/** the sign the fused kernels take: -1 ascends (maximize), 1 descends */
export const sgn = (maximize: boolean): number => (maximize ? -1 : 1);

/** 1 - b^t: the bias correction of an EMA with coefficient b after t steps (Kingma & Ba 2015, sec. 3) */
export const debias = (b: number, t: number): number => 1 - b ** t;

/** The optional leading transforms of a rule's chain: maximize (scale -1), then L2 weight decay. */
export function prefix(maximize: boolean, weightDecay: number): GradientTransformation[] {
  const out: GradientTransformation[] = [];
  if (maximize) out.push(scale(-1));
  if (weightDecay !== 0) out.push(addDecayedWeights(weightDecay));
  return out;
}
