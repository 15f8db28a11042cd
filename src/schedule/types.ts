import { ValueError } from '../errors.js';
import { checkKnown, checkOptions as checkObject, describe } from '../runtime/validate.js';

// Option checks: the one vocabulary of runtime/validate.ts (checkNumber & co).

/**
 * A learning-rate schedule: a pure function of the number of optimizer steps
 * taken so far (0 for the first update). An optimizer given `lr: schedule`
 * uses `schedule(stepCount)` for each update.
 *
 * Builders in this module also record the base learning rate (`baseLr`,
 * PyTorch's `initial_lr`); `chained` needs it. A plain `(step) => number` is a
 * valid schedule everywhere else.
 */
export interface Schedule {
  (step: number): number;
  /** the base learning rate the builder was given (set by the builders here) */
  readonly baseLr?: number;
}

/** A schedule that also cycles a momentum (SGD momentum or Adam's beta1), as torch's CyclicLR / OneCycleLR do. */
export interface CycleSchedule extends Schedule {
  /** momentum (or beta1) to use at the same step */
  readonly momentum: (step: number) => number;
}

/** Wraps `f` with the step check and records the base learning rate. */
export function makeSchedule(op: string, baseLr: number | undefined, f: (step: number) => number): Schedule {
  const s = (step: number): number => f(checkStep(op, step));
  if (baseLr !== undefined) Object.defineProperty(s, 'baseLr', { value: baseLr, enumerable: true });
  return s as Schedule;
}

/** `step` must be a non-negative integer (a count of optimizer steps). */
export function checkStep(op: string, step: number): number {
  if (typeof step !== 'number' || !Number.isSafeInteger(step) || step < 0) {
    throw new ValueError(`${op}: step must be a non-negative integer, got ${describe(step)}`);
  }
  return step;
}

/** The options argument of builder `op`: an object (undefined reads as {}) with only the `names` keys (a typo is an error, as for the optimizers). */
export function checkOptions<T extends object>(op: string, options: T | undefined, names: readonly string[]): T {
  const o = checkObject(op, options);
  checkKnown(op, o, names);
  // null is a value, not "use the default" (leave the key out for that), as for the optimizers
  for (const [k, v] of Object.entries(o)) if (v === null) throw new ValueError(`${op}: ${k} must be given a value or left out, got null`);
  return o;
}
