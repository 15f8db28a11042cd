/**
 * The largest-magnitude eigenvalues of a symmetric operator given only as
 * v ↦ A·v (a model's Hessian through `hvp`): the L of the step-size limit
 * η < 2/L, matrix-free.
 *
 * - 'lanczos' (default): the Lanczos process with full reorthogonalization
 *   (Golub & Van Loan, Matrix Computations, 4th ed., §10.1): q_{j+1}β_j =
 *   A q_j − α_j q_j − β_{j−1} q_{j−1}, then Gram-Schmidt against every earlier
 *   q twice. The Ritz values of the tridiagonal T_m (eigh in the core) converge
 *   to the extreme eigenvalues; a Ritz pair (θ, s) is accepted when its residual
 *   ‖A y − θ y‖ = β_m |s_m| ≤ tol·max|θ|. One product per step.
 * - 'power': orthogonal (subspace) iteration on k vectors, Q ← orth(A Q), with
 *   a Rayleigh-Ritz step (eigh of QᵀAQ) at the end: the k largest |λ| at the
 *   rate |λ_{k+1}/λ_k| per step, k products per step.
 *
 * Both return eigenvalues ordered by decreasing |λ| (scipy eigsh's which='LM')
 * and unit eigenvectors. Vectors live on the host in f64 (plain loops of length
 * n per product: small next to one product, which runs the model twice).
 */
import { ValueError } from '../errors.js';
import type { Core } from '../runtime/core.js';
import { mulberry32 } from '../runtime/mulberry32.js';
import { eigh } from '../solve/linalg.js';

export type Operator = (v: Float64Array, out: Float64Array) => void;

export interface TopEigenOptions {
  /** how many eigenvalues (default 1) */
  k?: number;
  method?: 'lanczos' | 'power';
  /** products at most (default: lanczos min(n, max(4k + 40, 80)) steps; power 1000 iterations) */
  maxIter?: number;
  /** relative residual ‖Av − λv‖ ≤ tol·max|λ| that accepts a pair (default 1e-6) */
  tol?: number;
  /** seed of the start vector(s) (default 0) */
  seed?: number;
}

export interface TopEigenResult {
  /** k eigenvalues, by decreasing |λ| */
  values: Float64Array;
  /** unit eigenvectors, one per value */
  vectors: Float64Array[];
  /** relative residuals ‖Av − λv‖ / max|λ| */
  residuals: Float64Array;
  /** operator products made */
  products: number;
  converged: boolean;
}

/** mulberry32 in [-1, 1): a deterministic start vector. */
function startVector(n: number, seed: number): Float64Array {
  const u = mulberry32(seed ^ 0x9e3779b9);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = u() * 2 - 1;
  return v;
}

const dot = (a: Float64Array, b: Float64Array): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};
const axpy = (alpha: number, x: Float64Array, y: Float64Array): void => {
  for (let i = 0; i < y.length; i++) y[i] += alpha * x[i];
};
function normalize(v: Float64Array): number {
  const nrm = Math.sqrt(dot(v, v));
  if (nrm > 0) for (let i = 0; i < v.length; i++) v[i] /= nrm;
  return nrm;
}
/** v ⟂ every basis vector, twice (classical Gram-Schmidt, reorthogonalized). */
function orthogonalize(v: Float64Array, basis: readonly Float64Array[]): void {
  for (let pass = 0; pass < 2; pass++) for (const q of basis) axpy(-dot(q, v), q, v);
}

export function checkTopOptions(op: string, n: number, o: TopEigenOptions): Required<TopEigenOptions> {
  const { k = 1, method = 'lanczos', tol = 1e-6, seed = 0 } = o;
  if (!Number.isInteger(k) || k < 1 || k > n) throw new ValueError(`${op}: k must be an integer in [1, ${n}] (the number of parameters), got ${k}`);
  if (method !== 'lanczos' && method !== 'power') throw new ValueError(`${op}: method must be 'lanczos' | 'power', got ${String(method)}`);
  if (!(tol > 0 && tol < 1)) throw new ValueError(`${op}: tol must be in (0, 1), got ${tol}`);
  const maxIter = o.maxIter ?? (method === 'lanczos' ? Math.min(n, Math.max(4 * k + 40, 80)) : 1000);
  if (!Number.isInteger(maxIter) || maxIter < 1) throw new ValueError(`${op}: maxIter must be a positive integer, got ${maxIter}`);
  return { k, method, tol, seed, maxIter };
}

/** The k largest-|λ| eigenpairs of the symmetric n×n operator A. */
export function topEigen(core: Core, A: Operator, n: number, options: Required<TopEigenOptions>): TopEigenResult {
  return options.method === 'power' ? power(core, A, n, options) : lanczos(core, A, n, options);
}

/** Ritz pairs of the m×m symmetric matrix T in the basis Q: the k of largest |θ|. */
function ritz(core: Core, T: Float64Array, m: number, Q: readonly Float64Array[], k: number) {
  const { values, vectors } = eigh(core, T, { symmetryTol: 1e-8 });
  const order = Array.from(values.keys()).sort((a, b) => Math.abs(values[b]) - Math.abs(values[a])).slice(0, k);
  const n = Q[0].length;
  return order.map((c) => {
    const y = new Float64Array(n);
    for (let j = 0; j < m; j++) axpy(vectors[j * m + c], Q[j], y);
    return { theta: values[c], s: Array.from({ length: m }, (_, j) => vectors[j * m + c]), y };
  });
}

function lanczos(core: Core, A: Operator, n: number, o: Required<TopEigenOptions>): TopEigenResult {
  const Q: Float64Array[] = [];
  const alpha: number[] = [], beta: number[] = [];
  let q = startVector(n, o.seed);
  normalize(q);
  const w = new Float64Array(n);
  let products = 0, last: ReturnType<typeof ritz> = [], bm = 0, converged = false;
  const T = (m: number): Float64Array => {
    const t = new Float64Array(m * m);
    for (let j = 0; j < m; j++) {
      t[j * m + j] = alpha[j];
      if (j + 1 < m) t[j * m + j + 1] = t[(j + 1) * m + j] = beta[j];
    }
    return t;
  };
  for (let j = 0; j < o.maxIter; j++) {
    Q.push(q);
    A(q, w);
    products++;
    const a = dot(q, w);
    alpha.push(a);
    const next = Float64Array.from(w);
    orthogonalize(next, Q);
    bm = normalize(next);
    const m = j + 1;
    const invariant = bm <= 1e-12 * Math.max(...alpha.map(Math.abs), 1e-300) || m === n;
    if (m >= o.k && (invariant || m % 5 === 0 || j + 1 === o.maxIter)) {
      last = ritz(core, T(m), m, Q, o.k);
      const scale = Math.max(...last.map((r) => Math.abs(r.theta)), 1e-300);
      converged = invariant || last.every((r) => Math.abs(bm * r.s[m - 1]) <= o.tol * scale);
      if (converged) break;
    }
    beta.push(bm);
    q = next;
  }
  return finish(A, last.map((r) => r.theta), last.map((r) => r.y), products, converged);
}

function power(core: Core, A: Operator, n: number, o: Required<TopEigenOptions>): TopEigenResult {
  const k = o.k;
  let Q = Array.from({ length: k }, (_, i) => startVector(n, o.seed + 7919 * i));
  const orth = (V: Float64Array[]): Float64Array[] => {
    const B: Float64Array[] = [];
    for (const v of V) {
      orthogonalize(v, B);
      if (normalize(v) === 0) v.set(startVector(n, o.seed + 104729 + B.length)), orthogonalize(v, B), normalize(v);
      B.push(v);
    }
    return B;
  };
  Q = orth(Q);
  let products = 0, prev = new Float64Array(k).fill(NaN), values = new Float64Array(k), vectors = Q, converged = false;
  for (let it = 0; it < o.maxIter; it++) {
    const AQ = Q.map((q) => {
      const out = new Float64Array(n);
      A(q, out);
      return out;
    });
    products += k;
    // Rayleigh-Ritz on span(Q): the k×k projection QᵀAQ
    const H = new Float64Array(k * k);
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) H[i * k + j] = 0.5 * (dot(Q[i], AQ[j]) + dot(Q[j], AQ[i]));
    const r = ritz(core, H, k, Q, k);
    values = Float64Array.from(r, (p) => p.theta);
    vectors = r.map((p) => p.y);
    const scale = Math.max(...values.map(Math.abs), 1e-300);
    // the Ritz values' error is about the square of the vectors': settle them to tol²-ish
    converged = values.every((v, i) => Math.abs(v - prev[i]) <= 0.01 * o.tol * scale);
    if (converged) break;
    prev = values;
    Q = orth(AQ);
  }
  return finish(A, Array.from(values), vectors, products, converged);
}

/** Residuals ‖Av − λv‖ / max|λ| of the final pairs (k more products). */
function finish(A: Operator, values: number[], vectors: Float64Array[], products: number, converged: boolean): TopEigenResult {
  const scale = Math.max(...values.map(Math.abs), 1e-300);
  const residuals = Float64Array.from(values, (lam, i) => {
    const v = vectors[i];
    normalize(v);
    const av = new Float64Array(v.length);
    A(v, av);
    axpy(-lam, v, av);
    return Math.sqrt(dot(av, av)) / scale;
  });
  return { values: Float64Array.from(values), vectors, residuals, products: products + values.length, converged };
}
