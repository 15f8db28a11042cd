/**
 * Search spaces for `search()`: an object of named dimensions, each one of
 * `space.uniform(lo, hi)`, `space.logUniform(lo, hi)`, `space.int(lo, hi)`
 * (inclusive) or `space.choice([...])`.
 *
 * Every method works in the unit cube: a point u ∈ [0, 1]^d decodes to a
 * config by
 *   uniform     x = lo + u (hi - lo)
 *   logUniform  x = exp(log lo + u (log hi - log lo))
 *   int         x = lo + min(floor(u (hi - lo + 1)), hi - lo)
 *   choice      x = options[min(floor(u n), n - 1)]
 * so sampling, Gaussian mutation (reflected at the faces) and grids are the
 * same code for every kind of dimension.
 */
import { ValueError } from '../errors.js';
import type { Random } from '../data/random.js';

export interface UniformDim { readonly kind: 'uniform'; readonly lo: number; readonly hi: number }
export interface LogUniformDim { readonly kind: 'logUniform'; readonly lo: number; readonly hi: number }
export interface IntDim { readonly kind: 'int'; readonly lo: number; readonly hi: number }
export interface ChoiceDim<T = unknown> { readonly kind: 'choice'; readonly options: readonly T[] }
export type Dim = UniformDim | LogUniformDim | IntDim | ChoiceDim;
/** A search space: dimension name -> dimension. */
export type Space = Readonly<Record<string, Dim>>;
/** A point of a space: dimension name -> value. */
export type Config = Record<string, unknown>;

const num = (v: unknown): string => (typeof v === 'number' ? String(v) : typeof v);

function bounds(op: string, lo: unknown, hi: unknown, integer: boolean): void {
  for (const [name, v] of [['lo', lo], ['hi', hi]] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) {
      throw new ValueError(`${op}: ${name} must be a finite ${integer ? 'integer' : 'number'}, got ${num(v)}`);
    }
  }
  if (integer ? (hi as number) < (lo as number) : !((lo as number) < (hi as number))) {
    throw new ValueError(`${op}: lo must be ${integer ? '<=' : '<'} hi, got lo = ${lo} and hi = ${hi}`);
  }
}

/** The dimension constructors. */
export const space = {
  /** Uniform on [lo, hi] (lo < hi, both finite). */
  uniform(lo: number, hi: number): UniformDim {
    bounds('space.uniform', lo, hi, false);
    return Object.freeze({ kind: 'uniform', lo, hi });
  },
  /** Log-uniform on [lo, hi] (0 < lo < hi): uniform in log x. */
  logUniform(lo: number, hi: number): LogUniformDim {
    bounds('space.logUniform', lo, hi, false);
    if (!(lo > 0)) throw new ValueError(`space.logUniform: lo must be > 0, got ${lo}`);
    return Object.freeze({ kind: 'logUniform', lo, hi });
  },
  /** An integer in [lo, hi], both ends included (lo <= hi). */
  int(lo: number, hi: number): IntDim {
    bounds('space.int', lo, hi, true);
    return Object.freeze({ kind: 'int', lo, hi });
  },
  /** One of `options` (a non-empty array). */
  choice<T>(options: readonly T[]): ChoiceDim<T> {
    if (!Array.isArray(options)) throw new ValueError(`space.choice: options must be an array, got ${typeof options}`);
    if (options.length === 0) throw new ValueError('space.choice: options must not be empty, got []');
    return Object.freeze({ kind: 'choice', options: Object.freeze([...options]) });
  },
};

/** Checks a space given to `op` (non-empty object of dimensions); returns its names in order. */
export function checkSpace(op: string, s: unknown): string[] {
  if (s === null || typeof s !== 'object' || Array.isArray(s)) {
    throw new ValueError(`${op}: space must be an object of space.uniform/logUniform/int/choice dimensions, got ${s === null ? 'null' : Array.isArray(s) ? 'an array' : typeof s}`);
  }
  const names = Object.keys(s);
  if (names.length === 0) throw new ValueError(`${op}: space must have at least one dimension, got {}`);
  for (const name of names) {
    const d = (s as Record<string, unknown>)[name] as Partial<Dim> | null;
    const kind = d !== null && typeof d === 'object' ? d.kind : undefined;
    if (kind === 'uniform' || kind === 'logUniform' || kind === 'int') {
      const { lo, hi } = d as UniformDim;
      bounds(`${op}: space.${name}`, lo, hi, kind === 'int');
      if (kind === 'logUniform' && !(lo > 0)) throw new ValueError(`${op}: space.${name}: logUniform lo must be > 0, got ${lo}`);
    } else if (kind === 'choice') {
      const o = (d as ChoiceDim).options;
      if (!Array.isArray(o) || o.length === 0) throw new ValueError(`${op}: space.${name}: choice needs a non-empty options array`);
    } else {
      throw new ValueError(`${op}: space.${name} must be made by space.uniform/logUniform/int/choice, got ${d === null ? 'null' : typeof d === 'object' ? `kind ${String(kind)}` : typeof d}`);
    }
  }
  return names;
}

/** Number of distinct values of a dimension (Infinity for continuous ones). */
export function cardinality(d: Dim): number {
  return d.kind === 'int' ? d.hi - d.lo + 1 : d.kind === 'choice' ? d.options.length : Infinity;
}

/** The value of dimension `d` at unit coordinate u ∈ [0, 1]. */
export function decodeDim(d: Dim, u: number): unknown {
  switch (d.kind) {
    case 'uniform':
      return d.lo + u * (d.hi - d.lo);
    case 'logUniform':
      return Math.exp(Math.log(d.lo) + u * (Math.log(d.hi) - Math.log(d.lo)));
    case 'int':
      return d.lo + Math.min(Math.floor(u * (d.hi - d.lo + 1)), d.hi - d.lo);
    case 'choice':
      return d.options[Math.min(Math.floor(u * d.options.length), d.options.length - 1)];
  }
}

/** The config at unit point `u` (one coordinate per name, in `names` order). */
export function decode(s: Space, names: readonly string[], u: ArrayLike<number>): Config {
  const c: Config = {};
  for (let i = 0; i < names.length; i++) c[names[i]] = decodeDim(s[names[i]], u[i]);
  return c;
}

/** A uniform point of the unit cube. */
export function samplePoint(rng: Random, d: number): Float64Array {
  const u = new Float64Array(d);
  for (let i = 0; i < d; i++) u[i] = rng.uniform();
  return u;
}

/**
 * A Gaussian step u' = reflect(u + σ z), z ~ N(0, I), folded back into [0, 1]
 * at the faces (a symmetric proposal, so Metropolis needs no Hastings factor).
 * A discrete dimension moves at least to a neighbouring value with probability
 * given by the same step, so small σ still explores ints and choices.
 */
export function perturb(rng: Random, u: ArrayLike<number>, sigma: number): Float64Array {
  const out = new Float64Array(u.length);
  for (let i = 0; i < u.length; i++) out[i] = reflect(u[i] + sigma * rng.normal());
  return out;
}

function reflect(x: number): number {
  let y = x - 2 * Math.floor(x / 2); // period 2
  if (y > 1) y = 2 - y;
  return Math.min(Math.max(y, 0), 1);
}

/**
 * Grid levels per dimension for at most `budget` points: k levels on each
 * continuous dimension with k^d <= budget (discrete dimensions take at most
 * their cardinality and leave the rest to the others). Level j of k sits at
 * the cell centre (j + 1/2) / k.
 */
export function gridLevels(s: Space, names: readonly string[], budget: number): number[] {
  const levels = names.map(() => 1);
  // greedy: raise the dimension with fewest levels while the product fits
  for (;;) {
    let best = -1;
    for (let i = 0; i < names.length; i++) {
      if (levels[i] >= cardinality(s[names[i]])) continue;
      if (best < 0 || levels[i] < levels[best]) best = i;
    }
    if (best < 0) break;
    const prod = levels.reduce((a, b) => a * b, 1);
    if ((prod / levels[best]) * (levels[best] + 1) > budget) break;
    levels[best]++;
  }
  return levels;
}
