/**
 * The optimizer-specific option checks (learning rates, scheduled momenta,
 * betas), written with the one vocabulary of runtime/validate.ts.
 */
import { ValueError } from '../errors.js';
import { checkNumber, describe, expectation, passes, POSITIVE, UNIT_OPEN } from '../runtime/validate.js';
import type { Schedule } from '../schedule/types.js';

export type { Schedule };
/** A learning rate: a number, or a schedule evaluated at every step. */
export type LearningRate = number | Schedule;
/** A momentum coefficient: a number, or a schedule (step) => number read at every step (e.g. oneCycle(...).momentum). */
export type Momentum = number | Schedule;

/** lr > 0 and finite, or a schedule function. */
export function checkLr(op: string, v: unknown, name = 'lr'): LearningRate {
  if (typeof v === 'function') return v as Schedule;
  if (!passes(v, POSITIVE)) throw new ValueError(`${op}: ${name} must be a finite number > 0 or a schedule (step) => number, got ${describe(v)}`);
  return v;
}

/**
 * The value a lr schedule returned at `step`: finite and >= 0. 0 is allowed here
 * (polynomial decay and cosine annealing to etaMin = 0 end there, as torch's
 * schedulers do); a constant lr must still be > 0.
 */
export function lrValue(op: string, v: number, step: number): number {
  if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) {
    throw new ValueError(`${op}: the lr schedule returned ${describe(v)} at step ${step}; expected a finite number >= 0`);
  }
  return v;
}

/** The lr at `step`: the number itself, or the schedule's checked value. */
export function lrAt(op: string, lr: LearningRate, step: number): number {
  return typeof lr === 'number' ? lr : lrValue(op, lr(step), step);
}

/** A momentum-like coefficient at `step`: the number itself, or the schedule's value checked to be in [0, 1). */
export function momentumAt(op: string, name: string, m: Momentum, step: number): number {
  if (typeof m === 'number') return m;
  const v = m(step);
  if (!passes(v, UNIT_OPEN)) throw new ValueError(`${op}: the ${name} schedule returned ${describe(v)} at step ${step}; expected a number ${expectation(UNIT_OPEN)}`);
  return v;
}

/**
 * betas = [beta1, beta2], each in [0, 1); with `scheduledBeta1`, beta1 may also be
 * a schedule (its values are checked per step by momentumAt).
 */
export function checkBetas(op: string, v: unknown, scheduledBeta1: true): [Momentum, number];
export function checkBetas(op: string, v: unknown, scheduledBeta1?: false): [number, number];
export function checkBetas(op: string, v: unknown, scheduledBeta1 = false): [Momentum, number] {
  if (!Array.isArray(v) || v.length !== 2) throw new ValueError(`${op}: betas must be [beta1, beta2], got ${describe(v)}`);
  const b1 = scheduledBeta1 && typeof v[0] === 'function' ? (v[0] as Schedule) : checkNumber(op, 'betas[0]', v[0], UNIT_OPEN);
  return [b1, checkNumber(op, 'betas[1]', v[1], UNIT_OPEN)];
}

/**
 * Refuses a function given to an option that takes only numbers, naming the
 * options that do take a schedule: `<op>: weightDecay must be a number, got a
 * function; <op> takes a schedule (step) => number only for lr and momentum`.
 * Looks one level into arrays (betas[0]).
 */
export function checkNoSchedule(op: string, options: object, schedulable: readonly string[]): void {
  const refuse = (name: string): never => {
    throw new ValueError(`${op}: ${name} must be a number, got a function; ${op} takes a schedule (step) => number only for ${schedulable.join(' and ')}`);
  };
  for (const [k, v] of Object.entries(options)) {
    if (typeof v === 'function' && !schedulable.includes(k)) refuse(k);
    if (Array.isArray(v)) v.forEach((x, i) => typeof x === 'function' && !schedulable.includes(`${k}[${i}]`) && refuse(`${k}[${i}]`));
  }
}
