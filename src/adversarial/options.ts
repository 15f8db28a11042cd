/**
 * The options of an attack, checked once with every default filled in
 * (typed errors naming the option, the expectation and the value; nothing is
 * allocated before they pass).
 */
import { ValueError } from '../errors.js';
import { resolveLoss, type LossEntry, type LossName } from '../loss/index.js';
import type { Core } from '../runtime/core.js';
import { seedWords } from '../runtime/rng.js';
import type { Tensor } from '../runtime/tensor.js';
import { checkBool, checkKnown, checkNumber, checkOneOf, checkOptions, describe, NON_NEGATIVE, POSITIVE } from '../runtime/validate.js';

export type AttackMethod = 'fgsm' | 'pgd' | 'ascent' | 'adam' | 'rmsprop';
export type AttackNorm = 'linf' | 'l2';

/** What an attack needs from a model: every `engine.nn` model has it. */
export interface AttackModel {
  readonly engine: Core;
  readonly inputSize: number;
  readonly outputSize: number;
  /** true when `lossAndGrad` accepts `{ inputGrad }` */
  readonly inputGradients?: boolean;
  training: boolean;
  train(): unknown;
  eval(): unknown;
  lossAndGrad(x: Tensor, y: Int32Array | Tensor, loss: LossName | LossEntry, options?: { inputGrad?: Tensor }): number;
}

export interface AttackOptions {
  /** the radius of the ball around each example (≥ 0; 0 returns the clean batch) */
  eps: number;
  /** the loss the attacker ascends; default softmax cross-entropy for class ids, 'mse' for targets */
  loss?: LossName | LossEntry;
  /** the ball: per-coordinate (`'linf'`, default) or per-example Euclidean (`'l2'`) */
  norm?: AttackNorm;
  /** 'pgd' (default), 'fgsm', 'ascent', 'adam', 'rmsprop' (see attacker.ts) */
  method?: AttackMethod;
  /** ascent steps (an integer ≥ 1; default 10, and 1 for 'fgsm', which takes exactly one) */
  steps?: number;
  /** α: default eps for 'fgsm', 2.5·eps/steps otherwise (Madry et al. 2018) */
  stepSize?: number;
  /** start from a random point of the ball (linf: uniform; l2: Gaussian projected onto the ball); default false */
  randomStart?: boolean;
  /** seed of the random start; default 0 */
  seed?: number;
  /** the valid input box [min, max] every perturbed example is clipped to; default unbounded */
  box?: readonly [number, number];
}

export interface CheckedAttack {
  eps: number;
  norm: AttackNorm;
  method: AttackMethod;
  steps: number;
  stepSize: number;
  randomStart: boolean;
  seed: [number, number];
  lo: number;
  hi: number;
  /** null: chosen per batch (softmax cross-entropy for class ids, else 'mse') */
  loss: LossEntry | null;
}

const KEYS = ['eps', 'loss', 'norm', 'method', 'steps', 'stepSize', 'randomStart', 'seed', 'box'] as const;
const METHODS: readonly AttackMethod[] = ['fgsm', 'pgd', 'ascent', 'adam', 'rmsprop'];
const NORMS: readonly AttackNorm[] = ['linf', 'l2'];

/** Checks `model` (it must give input gradients) and `options`; returns the options with defaults. */
export function checkAttack(op: string, model: unknown, options: AttackOptions): CheckedAttack {
  checkAttackModel(op, model);
  const o = checkOptions(op, options);
  checkKnown(op, o, KEYS);
  const eps = checkNumber(op, 'eps', o.eps, NON_NEGATIVE);
  const norm = checkOneOf(op, 'norm', o.norm ?? 'linf', NORMS);
  const method = checkOneOf(op, 'method', o.method ?? 'pgd', METHODS);
  const steps = checkNumber(op, 'steps', o.steps ?? (method === 'fgsm' ? 1 : 10), { min: 1, integer: true });
  if (method === 'fgsm' && steps !== 1) throw new ValueError(`${op}: steps must be 1 for method 'fgsm' (one signed step), got ${steps}`);
  const stepSize = o.stepSize === undefined ? (method === 'fgsm' ? eps : (2.5 * eps) / steps) : checkNumber(op, 'stepSize', o.stepSize, POSITIVE);
  const randomStart = checkBool(op, 'randomStart', o.randomStart ?? false);
  const seed = seedWords(op, o.seed ?? 0);
  let lo = -Infinity, hi = Infinity;
  if (o.box !== undefined) {
    const b = o.box as unknown;
    if (!Array.isArray(b) || b.length !== 2) throw new ValueError(`${op}: box must be [min, max], got ${describe(b)}`);
    lo = checkNumber(op, 'box[0]', b[0]);
    hi = checkNumber(op, 'box[1]', b[1]);
    if (!(lo < hi)) throw new ValueError(`${op}: box must have min < max, got [${lo}, ${hi}]`);
  }
  const loss = o.loss === undefined ? null : resolveLoss(op, o.loss);
  return { eps, norm, method, steps, stepSize, randomStart, seed, lo, hi, loss };
}

/** Throws unless `model` is a model whose lossAndGrad writes input gradients. */
export function checkAttackModel(op: string, model: unknown): asserts model is AttackModel {
  const m = model as Partial<AttackModel> | null;
  if (m === null || typeof m !== 'object' || typeof m.lossAndGrad !== 'function') {
    throw new ValueError(`${op}: model must be an engine.nn model, got ${describe(model)}`);
  }
  if (m.inputGradients !== true) {
    throw new ValueError(`${op}: the model gives no input gradients (it needs lossAndGrad(x, y, loss, { inputGrad }); every engine.nn model has it)`);
  }
}
