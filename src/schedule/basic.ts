// Closed-form decay schedules: η(t) for t = optimizer steps taken (0 for the first update).
// Each matches the closed form of a torch.optim.lr_scheduler class (`_get_closed_form_lr`,
// torch 1.13) and, where named, an Optax schedule; test/schedule.test.ts checks them
// against trajectories recorded from torch (test/fixtures/make_schedules.py).
import { ValueError } from '../errors.js';
import { checkOptions, makeSchedule, type Schedule } from './types.js';
import { checkBool, checkNumber, checkOrder, COUNT, describe, NON_NEGATIVE, POSITIVE, POSITIVE_INT, UNIT } from '../runtime/validate.js';

export interface ConstantOptions {
  /** the learning rate */
  lr: number;
  /** multiplier used before `totalIters` (torch ConstantLR; default 1) */
  factor?: number;
  /** steps that use `lr · factor` (default 0) */
  totalIters?: number;
}

/**
 * η(t) = lr · factor for t < totalIters, else lr.
 * With the defaults, a constant `lr` (Optax `constant_schedule`); otherwise torch `ConstantLR`.
 */
export function constant(options: ConstantOptions): Schedule {
  const op = 'constant';
  const o = checkOptions(op, options, ['lr', 'factor', 'totalIters']);
  const lr = checkNumber(op, 'lr', o.lr, POSITIVE);
  const factor = checkNumber(op, 'factor', o.factor ?? 1, NON_NEGATIVE);
  const totalIters = checkNumber(op, 'totalIters', o.totalIters ?? 0, COUNT);
  return makeSchedule(op, lr, (t) => (t < totalIters ? lr * factor : lr));
}

export interface StepOptions {
  lr: number;
  /** steps between two decays (a positive integer) */
  stepSize: number;
  /** multiplier per decay (default 0.1) */
  gamma?: number;
}

/** η(t) = lr · γ^⌊t / stepSize⌋ (torch `StepLR`; Optax `exponential_decay(..., staircase=True)`). */
export function step(options: StepOptions): Schedule {
  const op = 'step';
  const o = checkOptions(op, options, ['lr', 'stepSize', 'gamma']);
  const lr = checkNumber(op, 'lr', o.lr, POSITIVE);
  const stepSize = checkNumber(op, 'stepSize', o.stepSize, POSITIVE_INT);
  const gamma = checkNumber(op, 'gamma', o.gamma ?? 0.1, POSITIVE);
  return makeSchedule(op, lr, (t) => lr * gamma ** Math.floor(t / stepSize));
}

export interface MultistepOptions {
  lr: number;
  /** steps at which the rate is multiplied by γ: non-negative integers, strictly increasing */
  milestones: readonly number[];
  /** default 0.1 */
  gamma?: number;
}

/**
 * η(t) = lr · γ^k, k = number of milestones ≤ t (torch `MultiStepLR`; Optax
 * `piecewise_constant_schedule` with equal scales). torch counts a repeated
 * milestone twice; here milestones must be strictly increasing.
 */
export function multistep(options: MultistepOptions): Schedule {
  const op = 'multistep';
  const o = checkOptions(op, options, ['lr', 'milestones', 'gamma']);
  const lr = checkNumber(op, 'lr', o.lr, POSITIVE);
  const gamma = checkNumber(op, 'gamma', o.gamma ?? 0.1, POSITIVE);
  const milestones = checkMilestones(op, 'milestones', o.milestones, 0);
  return makeSchedule(op, lr, (t) => lr * gamma ** countAtMost(milestones, t));
}

/** Validates a strictly increasing list of integers >= min; returns a copy. */
export function checkMilestones(op: string, name: string, v: unknown, min: number): number[] {
  if (!Array.isArray(v)) throw new ValueError(`${op}: ${name} must be an array of steps, got ${describe(v)}`);
  const m = [...(v as unknown[])] as number[];
  for (let i = 0; i < m.length; i++) {
    checkNumber(op, `${name}[${i}]`, m[i], { min: min, integer: true });
    if (i > 0 && !(m[i] > m[i - 1])) {
      throw new ValueError(`${op}: ${name} must be strictly increasing, got ${name}[${i}] = ${m[i]} after ${name}[${i - 1}] = ${m[i - 1]}`);
    }
  }
  return m;
}

/** Number of entries of the sorted list `a` that are <= x (Python's bisect_right). */
export function countAtMost(a: readonly number[], x: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface ExponentialOptions {
  lr: number;
  /** multiplier per step (> 0) */
  gamma: number;
}

/** η(t) = lr · γ^t (torch `ExponentialLR`; Optax `exponential_decay` with transition_steps 1). */
export function exponential(options: ExponentialOptions): Schedule {
  const op = 'exponential';
  const o = checkOptions(op, options, ['lr', 'gamma']);
  const lr = checkNumber(op, 'lr', o.lr, POSITIVE);
  const gamma = checkNumber(op, 'gamma', o.gamma, POSITIVE);
  return makeSchedule(op, lr, (t) => lr * gamma ** t);
}

export interface PolynomialOptions {
  lr: number;
  /** steps to go from lr to endLr (a positive integer) */
  totalSteps: number;
  /** default 1 (linear) */
  power?: number;
  /** the value from totalSteps on (default 0, as torch) */
  endLr?: number;
}

/**
 * η(t) = (lr − endLr) · (1 − min(t, T)/T)^power + endLr.
 * torch `PolynomialLR(total_iters=T, power)` (endLr = 0); Optax
 * `polynomial_schedule(init_value=lr, end_value=endLr, power, transition_steps=T)`.
 */
export function polynomial(options: PolynomialOptions): Schedule {
  const op = 'polynomial';
  const o = checkOptions(op, options, ['lr', 'totalSteps', 'power', 'endLr']);
  const lr = checkNumber(op, 'lr', o.lr, POSITIVE);
  const total = checkNumber(op, 'totalSteps', o.totalSteps, POSITIVE_INT);
  const power = checkNumber(op, 'power', o.power ?? 1, POSITIVE);
  const endLr = checkNumber(op, 'endLr', o.endLr ?? 0, NON_NEGATIVE);
  checkOrder(op, endLr <= lr, 'endLr', endLr, '<=', 'lr', lr);
  return makeSchedule(op, lr, (t) => (lr - endLr) * (1 - Math.min(t, total) / total) ** power + endLr);
}

export interface LinearOptions {
  lr: number;
  /** factor of lr at step 0 (default 1/3, as torch) */
  startFactor?: number;
  /** factor of lr from totalIters on (default 1) */
  endFactor?: number;
  /** steps of the ramp (default 5, as torch) */
  totalIters?: number;
}

/**
 * η(t) = lr · (s + (e − s) · min(t, T)/T) (torch `LinearLR`; Optax `linear_schedule`).
 * Factors are in [0, 1] as torch requires.
 */
export function linear(options: LinearOptions): Schedule {
  const op = 'linear';
  const o = checkOptions(op, options, ['lr', 'startFactor', 'endFactor', 'totalIters']);
  const lr = checkNumber(op, 'lr', o.lr, POSITIVE);
  const s = checkNumber(op, 'startFactor', o.startFactor ?? 1 / 3, UNIT);
  const e = checkNumber(op, 'endFactor', o.endFactor ?? 1, UNIT);
  const total = checkNumber(op, 'totalIters', o.totalIters ?? 5, POSITIVE_INT);
  return makeSchedule(op, lr, (t) => lr * (s + ((e - s) * Math.min(total, t)) / total));
}

export interface CosineAnnealingOptions {
  lr: number;
  /** half period in steps (> 0; need not be an integer) */
  tMax: number;
  /** minimum (default 0); at most lr */
  etaMin?: number;
  /**
   * false (default, torch): past tMax the cosine goes on (back up to lr at 2·tMax).
   * true (Optax `cosine_decay_schedule`): etaMin from tMax on.
   */
  clamp?: boolean;
}

/**
 * η(t) = η_min + (lr − η_min) · (1 + cos(π t / T_max)) / 2 — the formula torch's
 * `CosineAnnealingLR` documents (SGDR without restarts). torch itself computes
 * it recursively (η_t from η_{t−1}), which drifts from this closed form by a
 * few ulps per step; the fixtures record both.
 */
export function cosineAnnealing(options: CosineAnnealingOptions): Schedule {
  const op = 'cosineAnnealing';
  const o = checkOptions(op, options, ['lr', 'tMax', 'etaMin', 'clamp']);
  const lr = checkNumber(op, 'lr', o.lr, POSITIVE);
  const tMax = checkNumber(op, 'tMax', o.tMax, POSITIVE);
  const etaMin = checkNumber(op, 'etaMin', o.etaMin ?? 0, NON_NEGATIVE);
  checkOrder(op, etaMin <= lr, 'etaMin', etaMin, '<=', 'lr', lr);
  const clamp = checkBool(op, 'clamp', o.clamp ?? false);
  return makeSchedule(op, lr, (t) =>
    clamp && t >= tMax ? etaMin : etaMin + ((lr - etaMin) * (1 + Math.cos((Math.PI * t) / tMax))) / 2,
  );
}

export interface CosineWarmRestartsOptions {
  lr: number;
  /** length of the first period in steps (a positive integer) */
  t0: number;
  /** each period is tMult times the previous (an integer >= 1; default 1) */
  tMult?: number;
  /** default 0 */
  etaMin?: number;
}

/**
 * SGDR (Loshchilov & Hutter 2017; torch `CosineAnnealingWarmRestarts`):
 * η(t) = η_min + (lr − η_min)(1 + cos(π T_cur / T_i))/2, where period i lasts
 * T_i = t0 · tMult^i steps and T_cur counts steps since the last restart.
 */
export function cosineWarmRestarts(options: CosineWarmRestartsOptions): Schedule {
  const op = 'cosineWarmRestarts';
  const o = checkOptions(op, options, ['lr', 't0', 'tMult', 'etaMin']);
  const lr = checkNumber(op, 'lr', o.lr, POSITIVE);
  const t0 = checkNumber(op, 't0', o.t0, POSITIVE_INT);
  const tMult = checkNumber(op, 'tMult', o.tMult ?? 1, POSITIVE_INT);
  const etaMin = checkNumber(op, 'etaMin', o.etaMin ?? 0, NON_NEGATIVE);
  checkOrder(op, etaMin <= lr, 'etaMin', etaMin, '<=', 'lr', lr);
  return makeSchedule(op, lr, (t) => {
    let tCur = t, tI = t0;
    if (tMult === 1) tCur = t % t0;
    else {
      while (tCur >= tI) {
        tCur -= tI;
        tI *= tMult;
      }
    }
    return etaMin + ((lr - etaMin) * (1 + Math.cos((Math.PI * tCur) / tI))) / 2;
  });
}
