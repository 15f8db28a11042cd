import { ValueError } from '../errors.js';

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
  if (typeof step !== 'number' || !Number.isInteger(step) || step < 0) {
    throw new ValueError(`${op}: step must be a non-negative integer, got ${String(step)}`);
  }
  return step;
}

/** Reads options as an object (undefined → {}); anything else is a ValueError. */
export function opts<T>(op: string, o: T | undefined): T {
  if (o === undefined) return {} as T;
  if (o === null || typeof o !== 'object' || Array.isArray(o)) {
    throw new ValueError(`${op}: options must be an object, got ${o === null ? 'null' : Array.isArray(o) ? 'an array' : typeof o}`);
  }
  return o;
}

function num(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || Number.isNaN(v)) throw new ValueError(`${op}: ${name} must be a number, got ${String(v)}`);
  return v;
}

/** A finite number > 0 (learning rates, gammas, periods). */
export function positive(op: string, name: string, v: unknown): number {
  const x = num(op, name, v);
  if (!(x > 0) || !Number.isFinite(x)) throw new ValueError(`${op}: ${name} must be a finite number > 0, got ${x}`);
  return x;
}

/** A finite number >= 0. */
export function nonNegative(op: string, name: string, v: unknown): number {
  const x = num(op, name, v);
  if (!(x >= 0) || !Number.isFinite(x)) throw new ValueError(`${op}: ${name} must be a finite number >= 0, got ${x}`);
  return x;
}

/** Any finite number. */
export function finite(op: string, name: string, v: unknown): number {
  const x = num(op, name, v);
  if (!Number.isFinite(x)) throw new ValueError(`${op}: ${name} must be finite, got ${x}`);
  return x;
}

/** An integer >= min. */
export function integer(op: string, name: string, v: unknown, min: number): number {
  const x = num(op, name, v);
  if (!Number.isInteger(x) || x < min) throw new ValueError(`${op}: ${name} must be an integer >= ${min}, got ${x}`);
  return x;
}

/** A number in [lo, hi] (or [lo, hi) when `openHi`). */
export function inRange(op: string, name: string, v: unknown, lo: number, hi: number, openHi = false): number {
  const x = num(op, name, v);
  if (!(x >= lo) || (openHi ? !(x < hi) : !(x <= hi))) {
    throw new ValueError(`${op}: ${name} must be in [${lo}, ${hi}${openHi ? ')' : ']'}, got ${x}`);
  }
  return x;
}

/** One of the listed strings. */
export function oneOf<T extends string>(op: string, name: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !allowed.includes(v as T)) {
    throw new ValueError(`${op}: ${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${typeof v === 'string' ? `'${v}'` : String(v)}`);
  }
  return v as T;
}

/** Throws `op: a (va) must be <rel> b (vb)` unless `ok`. */
export function order(op: string, ok: boolean, a: string, va: number, rel: string, b: string, vb: number): void {
  if (!ok) throw new ValueError(`${op}: ${a} (${va}) must be ${rel} ${b} (${vb})`);
}
