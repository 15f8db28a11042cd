/**
 * The one validation vocabulary of wasmgrad: every option check in optim/,
 * schedule/ (and any layer above runtime/) goes through these, so the same
 * rule reads the same way everywhere and every message has the same shape:
 *
 *   `<op>: <name> must be <expectation>, got <what was given>`
 *
 * Ranges are CLOSED unless a side is marked open (`minOpen` / `maxOpen`), as in
 * mathematical notation: `{ min: 0, max: 1, maxOpen: true }` is [0, 1).
 * NaN and ±Infinity never pass a number check. What was given is described by
 * `describe()`: a number as itself, a string quoted with its type, a function
 * as "a function" (never its source), an object or array by its kind.
 */
import { ValueError } from '../errors.js';

/** A value as an error message shows it: `3`, `NaN`, `the string "0.9"`, `a function`, `null`, `an array of 3`, `an object`. */
export function describe(v: unknown): string {
  switch (typeof v) {
    case 'number':
      return Object.is(v, -0) ? '-0' : String(v);
    case 'string':
      return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
    case 'function':
      return 'a function';
    case 'boolean':
      return `the boolean ${v}`;
    case 'bigint':
      return `the bigint ${v}n`;
    case 'undefined':
      return 'undefined';
    case 'symbol':
      return 'a symbol';
    default:
      if (v === null) return 'null';
      if (Array.isArray(v)) return v.length <= 8 && v.every((x) => typeof x === 'number') ? `[${v.join(', ')}]` : `an array of ${v.length}`;
      if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of ${(v as unknown as ArrayLike<unknown>).length ?? v.byteLength}`;
      return 'an object';
  }
}

/** What `checkNumber` accepts. Bounds are inclusive unless marked open. */
export interface NumberRule {
  min?: number;
  max?: number;
  /** exclude `min` (default false: min itself passes) */
  minOpen?: boolean;
  /** exclude `max` (default false: max itself passes) */
  maxOpen?: boolean;
  /** only safe integers pass (|v| ≤ 2^53 − 1) */
  integer?: boolean;
}

/** The expectation of a rule in words: `a finite number > 0`, `in [0, 1)`, `an integer >= 1`, `an integer in [0, 7)`. */
export function expectation(rule: NumberRule): string {
  const { min, max, minOpen = false, maxOpen = false, integer = false } = rule;
  if (min !== undefined && max !== undefined) return `${integer ? 'an integer ' : ''}in ${minOpen ? '(' : '['}${min}, ${max}${maxOpen ? ')' : ']'}`;
  const kind = integer ? 'an integer' : 'a finite number';
  if (min !== undefined) return `${kind} ${minOpen ? '>' : '>='} ${min}`;
  if (max !== undefined) return `${kind} ${maxOpen ? '<' : '<='} ${max}`;
  return kind;
}

/** True when `v` is a finite number that satisfies `rule`. */
export function passes(v: unknown, rule: NumberRule): v is number {
  if (typeof v !== 'number' || !Number.isFinite(v)) return false;
  // an integer option is a count or a size: exact, so at most 2^53 − 1 (1e300 is an integer double, not a count)
  if (rule.integer && !Number.isSafeInteger(v)) return false;
  if (rule.min !== undefined && (rule.minOpen ? !(v > rule.min) : !(v >= rule.min))) return false;
  if (rule.max !== undefined && (rule.maxOpen ? !(v < rule.max) : !(v <= rule.max))) return false;
  return true;
}

/**
 * Returns `v` if it is a finite number satisfying `rule`, else throws
 * `ValueError("<op>: <name> must be <expectation>, got <describe(v)><hint>")`.
 * `hint` is appended as is (e.g. `; sgd takes a schedule only for lr, momentum`).
 */
export function checkNumber(op: string, name: string, v: unknown, rule: NumberRule = {}, hint = ''): number {
  if (!passes(v, rule)) throw new ValueError(`${op}: ${name} must be ${expectation(rule)}, got ${describe(v)}${hint}`);
  return v;
}

/** `true` or `false`. */
export function checkBool(op: string, name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new ValueError(`${op}: ${name} must be true or false, got ${describe(v)}`);
  return v;
}

/** One of the listed strings. */
export function checkOneOf<T extends string>(op: string, name: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !allowed.includes(v as T)) {
    throw new ValueError(`${op}: ${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${typeof v === 'string' ? `'${v}'` : describe(v)}`);
  }
  return v as T;
}

/** An options argument: an object (undefined reads as {}); null, arrays and other values are refused. */
export function checkOptions<T>(op: string, o: T | undefined): T {
  if (o === undefined) return {} as T;
  if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new ValueError(`${op}: options must be an object, got ${describe(o)}`);
  return o;
}

/** Refuses option names not in `names` (a typo would otherwise be ignored silently). */
export function checkKnown(op: string, options: object, names: readonly string[]): void {
  for (const k of Object.keys(options)) {
    if (!names.includes(k)) throw new ValueError(`${op}: unknown option '${k}'; expected one of ${names.join(', ')}`);
  }
}

/** Throws `<op>: <a> (<va>) must be <rel> <b> (<vb>)` unless `ok` (a relation between two checked options). */
export function checkOrder(op: string, ok: boolean, a: string, va: number, rel: string, b: string, vb: number): void {
  if (!ok) throw new ValueError(`${op}: ${a} (${va}) must be ${rel} ${b} (${vb})`);
}

/** x > 0 */
export const POSITIVE: NumberRule = Object.freeze({ min: 0, minOpen: true });
/** x >= 0 */
export const NON_NEGATIVE: NumberRule = Object.freeze({ min: 0 });
/** x in [0, 1) (EMA coefficients: betas, momentum values) */
export const UNIT_OPEN: NumberRule = Object.freeze({ min: 0, max: 1, maxOpen: true });
/** x in [0, 1] (dampening, alpha, rho) */
export const UNIT: NumberRule = Object.freeze({ min: 0, max: 1 });
/** an integer >= 0 */
export const COUNT: NumberRule = Object.freeze({ min: 0, integer: true });
/** an integer >= 1 */
export const POSITIVE_INT: NumberRule = Object.freeze({ min: 1, integer: true });
