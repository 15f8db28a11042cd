// Validation of the state a checkpoint carries, before anything is written:
// the optimizer state's values (decode time) and its structure against the
// optimizer it is loaded into (apply time). Every failure is a FormatError
// naming the file and the path inside the state (e.g. `groups[0].buffers.v[3]`).
import { FormatError } from '../errors.js';
import { describe } from '../runtime/validate.js';
import { stateValueProblem, wordsProblem } from '../optim/state-values.js';

/**
 * Checks the values of a decoded optimizer state, whatever the optimizer
 * (`stateValueProblem`: finite buffers, second moments ≥ 0, counts, scalars,
 * RNG words): a FormatError naming `where` and the path inside the state.
 */
export function checkStateValues(state: unknown, where: string): void {
  const p = stateValueProblem(state, 'optimizer');
  if (p) throw new FormatError(`${where}: ${p}`);
}

/** 4 integers in [0, 2^32), not all zero (a xoshiro128** state). */
export function checkWords(v: unknown, path: string, where: string): Uint32Array {
  const p = wordsProblem(v, path);
  if (p) throw new FormatError(`${where}: ${p}`);
  return Uint32Array.from(v as ArrayLike<number>);
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

