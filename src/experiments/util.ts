/**
 * Small helpers the experiments share: a seeded host RNG, plain f64 vector helpers for
 * the toy objectives, and number formatting for tables.
 */
import { Random } from '../data/random.js';

export { Random };

/** A seeded stream for an experiment: the run's seed mixed with a per-use salt. */
export const stream = (seed: number, salt: number): Random => new Random((seed * 7919 + salt) % 2 ** 31, 'experiment');

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export const norm = (a: ArrayLike<number>): number => Math.sqrt(dot(a, a));

/** max_i |a_i - b_i| */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** A loss as a number for checks: NaN (a diverged run) becomes +Infinity. */
export const finiteOrInf = (v: number): number => (Number.isNaN(v) ? Infinity : v);

/** Mean of an array. */
export const mean = (a: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return a.length === 0 ? NaN : s / a.length;
};

/** Formats a number for a table cell. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(3);
  return Number(v.toPrecision(4)).toString();
}

/** y values of a series with non-finite entries dropped to keep the plot readable (log scale). */
export const clampSeries = (y: number[], hi = 1e30): number[] => y.map((v) => (Number.isFinite(v) ? Math.min(v, hi) : hi));

/** A random m·n row-major matrix of N(0, 1) entries. */
export function gaussian(r: Random, m: number, n: number, scale = 1): Float64Array {
  const a = new Float64Array(m * n);
  for (let i = 0; i < a.length; i++) a[i] = scale * r.normal();
  return a;
}

/** Aᵀ·A / m for row-major A (m·n): the n·n Gram matrix. */
export function gram(A: ArrayLike<number>, m: number, n: number): Float64Array {
  const G = new Float64Array(n * n);
  for (let i = 0; i < m; i++) for (let a = 0; a < n; a++) {
    const x = A[i * n + a] / m;
    for (let b = 0; b < n; b++) G[a * n + b] += x * A[i * n + b];
  }
  return G;
}

/** A random orthogonal n·n matrix (Gram-Schmidt on Gaussian columns), row-major. */
export function orthogonal(r: Random, n: number): Float64Array {
  const Q = gaussian(r, n, n);
  for (let j = 0; j < n; j++) {
    for (let k = 0; k < j; k++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += Q[i * n + j] * Q[i * n + k];
      for (let i = 0; i < n; i++) Q[i * n + j] -= s * Q[i * n + k];
    }
    let s = 0;
    for (let i = 0; i < n; i++) s += Q[i * n + j] ** 2;
    s = Math.sqrt(s);
    for (let i = 0; i < n; i++) Q[i * n + j] /= s;
  }
  return Q;
}

/** H = Q·diag(λ)·Qᵀ, row-major. */
export function spd(Q: Float64Array, lambda: ArrayLike<number>): Float64Array {
  const n = lambda.length;
  const H = new Float64Array(n * n);
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += Q[a * n + k] * lambda[k] * Q[b * n + k];
    H[a * n + b] = s;
  }
  return H;
}

/** out = A·x for row-major A (m·n). */
export function matvec(A: ArrayLike<number>, x: ArrayLike<number>, m: number, n: number, out: Float64Array | Float32Array = new Float64Array(m)): Float64Array | Float32Array {
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += A[i * n + j] * x[j];
    out[i] = s;
  }
  return out;
}

/** Geometric (log-spaced) points from a to b, count of them. */
export const logspace = (a: number, b: number, count: number): number[] =>
  Array.from({ length: count }, (_, i) => a * (b / a) ** (count === 1 ? 0 : i / (count - 1)));

/** Least-squares slope of y on x. */
export function slope(x: number[], y: number[]): number {
  const mx = mean(x), my = mean(y);
  let sxy = 0, sxx = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
  }
  return sxy / sxx;
}
