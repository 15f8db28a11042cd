// Validation of the state a checkpoint carries, before anything is written:
// the optimizer state's values (decode time) and its structure against the
// optimizer it is loaded into (apply time). Every failure is a FormatError
// naming the file and the path inside the state (e.g. `groups[0].buffers.v[3]`).
import { FormatError } from '../errors.js';
import { describe } from '../runtime/validate.js';

/**
 * State buffers that hold running sums of squares or maxima of magnitudes,
 * so every element must be ≥ 0: `v`, `vmax` (Adam, AMSGrad, NAdam, RAdam),
 * `s` (Adagrad, RMSprop, Adadelta), `acc` (Adadelta), `u` / `r` (Adamax's
 * infinity norm, fused and chain). A negative value there would make the
 * next step take the square root of a negative number.
 */
export const NON_NEGATIVE_BUFFERS: readonly string[] = ['v', 'vmax', 's', 'acc', 'u', 'r'];

/** Keys that count steps: non-negative integers. */
const COUNTS = ['stepCount', 'skippedSteps', 'count'];

/**
 * Checks the values of a decoded optimizer state, whatever the optimizer:
 * every f32 buffer finite (no NaN or ±Infinity), every second-moment buffer
 * (`NON_NEGATIVE_BUFFERS`, inside a `buffers` object) ≥ 0, every step
 * counter a non-negative integer, `skippedSteps` ≤ `stepCount`, every
 * number in `scalars` finite, every `rng` 4 u32 words not all zero.
 */
export function checkStateValues(state: unknown, where: string): void {
  walk(state, 'optimizer', '', where);
  const s = state as { stepCount?: unknown; skippedSteps?: unknown } | null;
  if (s && typeof s === 'object' && typeof s.stepCount === 'number' && typeof s.skippedSteps === 'number' && s.skippedSteps > s.stepCount) {
    throw new FormatError(`${where}: optimizer.skippedSteps (${s.skippedSteps}) exceeds optimizer.stepCount (${s.stepCount})`);
  }
}

function walk(v: unknown, path: string, key: string, where: string): void {
  if (v instanceof Float32Array || v instanceof Float64Array) {
    const nonNeg = NON_NEGATIVE_BUFFERS.includes(key) && /\.buffers\.[a-z]+$/.test(path);
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (!Number.isFinite(x)) throw new FormatError(`${where}: ${path}[${i}] is ${x}; optimizer state must be finite`);
      if (nonNeg && x < 0) throw new FormatError(`${where}: ${path}[${i}] is ${x}; a second-moment buffer must be ≥ 0`);
    }
    return;
  }
  if (typeof v === 'number') {
    if (COUNTS.includes(key) && !(Number.isInteger(v) && v >= 0)) throw new FormatError(`${where}: ${path} is ${v}; a step count must be a non-negative integer`);
    if (/\.scalars\.[^.]+$/.test(path) && !Number.isFinite(v)) throw new FormatError(`${where}: ${path} is ${v}; must be finite`);
    return;
  }
  if (Array.isArray(v)) {
    if (key === 'rng') checkWords(v, path, where);
    else v.forEach((x, i) => walk(x, `${path}[${i}]`, '', where));
    return;
  }
  if (v !== null && typeof v === 'object' && !ArrayBuffer.isView(v)) {
    for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`, k, where);
  }
}

/** 4 integers in [0, 2^32), not all zero (a xoshiro128** state). */
export function checkWords(v: unknown, path: string, where: string): Uint32Array {
  const a = v as ArrayLike<unknown> | null;
  const ok = a !== null && typeof a === 'object' && a.length === 4 && Array.from(a).every((w) => typeof w === 'number' && Number.isInteger(w) && w >= 0 && w < 4294967296);
  if (!ok) throw new FormatError(`${where}: ${path} must be 4 u32 words, got ${describe(v)}`);
  const w = Uint32Array.from(a as ArrayLike<number>);
  if ((w[0] | w[1] | w[2] | w[3]) === 0) throw new FormatError(`${where}: ${path} is the all-zero state, which xoshiro128** never leaves`);
  return w;
}

/**
 * Checks that a decoded state has exactly the structure of `expected` (the
 * live optimizer's own `state()`): the same keys at every level (no missing
 * or extra scalar, buffer or group), typed arrays of the same type and
 * length, arrays of the same length, numbers where numbers are. A number
 * may stand where `expected` has null and the reverse (a numeric lr saved
 * while the target runs a schedule, decided by the optimizer's loadState).
 */
export function checkStateShape(expected: unknown, actual: unknown, path: string, where: string): void {
  if (ArrayBuffer.isView(expected)) {
    const e = expected as unknown as ArrayLike<number>;
    if (!(actual instanceof (expected as object).constructor) || (actual as ArrayLike<number>).length !== e.length) {
      throw new FormatError(`${where}: ${path} must be a ${(expected as object).constructor.name} of ${e.length}, got ${describe(actual)}`);
    }
    return;
  }
  if (expected === null || typeof expected === 'number') {
    if (!(actual === null || typeof actual === 'number')) throw new FormatError(`${where}: ${path} must be a number, got ${describe(actual)}`);
    return;
  }
  if (typeof expected !== 'object') {
    if (typeof actual !== typeof expected) throw new FormatError(`${where}: ${path} must be a ${typeof expected}, got ${describe(actual)}`);
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      throw new FormatError(`${where}: ${path} must be an array of ${expected.length}, got ${describe(actual)}`);
    }
    expected.forEach((x, i) => checkStateShape(x, actual[i], `${path}[${i}]`, where));
    return;
  }
  if (actual === null || typeof actual !== 'object' || Array.isArray(actual) || ArrayBuffer.isView(actual)) {
    throw new FormatError(`${where}: ${path} must be an object, got ${describe(actual)}`);
  }
  const ek = Object.keys(expected).sort(), ak = Object.keys(actual).sort();
  const missing = ek.filter((k) => !(k in actual)), extra = ak.filter((k) => !(k in expected));
  if (missing.length > 0 || extra.length > 0) {
    throw new FormatError(
      `${where}: ${path} has keys {${ak.join(', ')}}, this optimizer's has {${ek.join(', ')}}` +
        `${missing.length ? `; missing ${missing.join(', ')}` : ''}${extra.length ? `; unexpected ${extra.join(', ')}` : ''}`,
    );
  }
  for (const k of ek) checkStateShape((expected as Record<string, unknown>)[k], (actual as Record<string, unknown>)[k], `${path}.${k}`, where);
}

