import { ValueError } from '../errors.js';

/** A learning-rate schedule: a pure function of the optimizer steps taken so far (0 on the first step). */
export type Schedule = (step: number) => number;
/** A learning rate: a number, or a schedule evaluated at every step. */
export type LearningRate = number | Schedule;

const show = (v: unknown): string => (Array.isArray(v) ? `[${v.join(', ')}]` : String(v));

/** A momentum coefficient: a number, or a schedule (step) => number read at every step (e.g. oneCycle(...).momentum). */
export type Momentum = number | Schedule;

/** Validation helpers: each throws a ValueError naming `op`, the option, the rule and the value. */
export const check = {
  /** lr > 0 and finite, or a schedule function */
  lr(op: string, v: unknown, name = 'lr'): LearningRate {
    if (typeof v === 'function') return v as Schedule;
    if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) {
      throw new ValueError(`${op}: ${name} must be a finite number > 0 or a schedule (step) => number, got ${show(v)}`);
    }
    return v;
  },
  /** value of a schedule at a step: > 0 and finite */
  lrValue(op: string, v: number, step: number): number {
    // 0 is allowed here (polynomial decay and cosine annealing to etaMin = 0 end there,
    // as torch's schedulers do); a constant lr must still be > 0.
    if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) {
      throw new ValueError(`${op}: the lr schedule returned ${show(v)} at step ${step}; expected a finite number >= 0`);
    }
    return v;
  },
  /** value of a momentum schedule at a step: a finite number in [0, 1) */
  momentumValue(op: string, name: string, v: number, step: number): number {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v >= 1) {
      throw new ValueError(`${op}: the ${name} schedule returned ${show(v)} at step ${step}; expected a number in [0, 1)`);
    }
    return v;
  },
  /** a finite number in [lo, hi) (or [lo, hi] when closed) */
  range(op: string, name: string, v: unknown, lo: number, hi: number, closed = false): number {
    const ok = typeof v === 'number' && Number.isFinite(v) && v >= lo && (closed ? v <= hi : v < hi);
    if (!ok) throw new ValueError(`${op}: ${name} must be in [${lo}, ${hi}${closed ? ']' : ')'}, got ${show(v)}`);
    return v as number;
  },
  /** a finite number > 0 */
  positive(op: string, name: string, v: unknown): number {
    if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) throw new ValueError(`${op}: ${name} must be a finite number > 0, got ${show(v)}`);
    return v;
  },
  /** a finite number >= 0 */
  nonNegative(op: string, name: string, v: unknown): number {
    if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) throw new ValueError(`${op}: ${name} must be a finite number >= 0, got ${show(v)}`);
    return v;
  },
  bool(op: string, name: string, v: unknown): boolean {
    if (typeof v !== 'boolean') throw new ValueError(`${op}: ${name} must be true or false, got ${show(v)}`);
    return v;
  },
  int(op: string, name: string, v: unknown, lo: number): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo) throw new ValueError(`${op}: ${name} must be an integer >= ${lo}, got ${show(v)}`);
    return v;
  },
  /** betas = [beta1, beta2], each in [0, 1) */
  betas(op: string, v: unknown): [number, number] {
    if (!Array.isArray(v) || v.length !== 2) throw new ValueError(`${op}: betas must be [beta1, beta2], got ${show(v)}`);
    for (let i = 0; i < 2; i++) {
      const b = v[i];
      if (typeof b !== 'number' || !Number.isFinite(b) || b < 0 || b >= 1) {
        throw new ValueError(`${op}: betas[${i}] must be in [0, 1), got ${show(b)}`);
      }
    }
    return [v[0], v[1]];
  },
  /** betas = [beta1, beta2] with beta1 a number in [0, 1) or a schedule (values checked per step), beta2 in [0, 1) */
  betasScheduled(op: string, v: unknown): [Momentum, number] {
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'function') {
      const b2 = check.betas(op, [0, v[1]])[1];
      return [v[0] as Schedule, b2];
    }
    return check.betas(op, v);
  },
  /** rejects option names that the optimizer does not know (a typo would otherwise be silently ignored) */
  known(op: string, options: object, names: readonly string[]): void {
    for (const k of Object.keys(options)) {
      if (!names.includes(k)) throw new ValueError(`${op}: unknown option '${k}'; expected one of ${names.join(', ')}`);
    }
  },
};

/** Splits a 53-bit seed into the two u32 words rng_seed takes. */
export function seedWords(op: string, seed: unknown): [number, number] {
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > Number.MAX_SAFE_INTEGER) {
    throw new ValueError(`${op}: seed must be an integer in [0, 2^53), got ${show(seed)}`);
  }
  return [seed >>> 0, Math.floor(seed / 4294967296) >>> 0];
}
