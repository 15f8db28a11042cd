// Linear conjugate gradient for A·x = b, A symmetric positive definite
// (Hestenes & Stiefel 1952; Nocedal & Wright Alg. 5.2), i.e. minimizing
// f(x) = ½xᵀAx − bᵀx whose gradient is the residual r = A·x − b:
//
//   r₀ = A·x₀ − b, d₀ = −r₀
//   α_k = r_kᵀr_k / d_kᵀA·d_k,  x_{k+1} = x_k + α_k·d_k,  r_{k+1} = r_k + α_k·A·d_k
//   β_k = r_{k+1}ᵀr_{k+1} / r_kᵀr_k,  d_{k+1} = −r_{k+1} + β_k·d_k
//
// It is heavy-ball momentum with per-step coefficients: with the buffer
// u_k = −d_k = ∇f(x_k) + β_{k−1}·u_{k−1} (u₀ = ∇f(x₀)), x_{k+1} = x_k − α_k·u_k,
// which is PyTorch's SGD momentum form (buf = μ·buf + g; x −= lr·buf) with
// lr = α_k and μ = β_{k−1}. `record: true` keeps (α_k, β_k) and the iterates so
// this can be checked step for step (test/solve-cg.test.ts).
import { ShapeError, ValueError } from '../errors.js';

export type MatVec = (v: Float64Array, out: Float64Array) => void;

export interface CgOptions {
  /** start point (default 0) */
  x0?: ArrayLike<number>;
  /** stop when ‖r‖₂ <= tol·‖b‖₂ (default 1e-10) */
  tol?: number;
  /** absolute floor on ‖r‖₂ (default 0) */
  atol?: number;
  /** default 10·n */
  maxIter?: number;
  /** keep α_k, β_k and every iterate x_k */
  record?: boolean;
}

export interface CgResult {
  x: Float64Array;
  /** iterations made */
  iterations: number;
  /** ‖A·x − b‖₂ at the end (the recurrence's residual) */
  residualNorm: number;
  /** true when the tolerance was met */
  success: boolean;
  /** with record: α_0 … α_{k−1} */
  alphas?: number[];
  /** with record: β_0 … β_{k−1} */
  betas?: number[];
  /** with record: x_0 … x_k */
  iterates?: Float64Array[];
}

/** Solves A·x = b by linear CG; A is a dense n·n row-major array or a function (v, out) => out = A·v. */
export function cg(A: ArrayLike<number> | MatVec, b: ArrayLike<number>, options: CgOptions = {}): CgResult {
  const op = 'linalg.cg';
  const n = b?.length;
  if (typeof n !== 'number' || n < 1) throw new ShapeError(`${op}: b must be an array of at least 1 number, got ${typeof b}`);
  let matvec: MatVec;
  if (typeof A === 'function') matvec = A;
  else {
    if (!A || A.length !== n * n) throw new ShapeError(`${op}: A must hold n·n = ${n * n} numbers for b of length ${n}, got ${A?.length}`);
    const M = Float64Array.from(A);
    matvec = (v, out) => {
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += M[i * n + j] * v[j];
        out[i] = s;
      }
    };
  }
  const tol = options.tol ?? 1e-10, atol = options.atol ?? 0, maxIter = options.maxIter ?? 10 * n;
  if (!(tol >= 0) || !(atol >= 0)) throw new ValueError(`${op}: tol and atol must be numbers >= 0, got ${tol} and ${atol}`);
  if (!Number.isInteger(maxIter) || maxIter < 0) throw new ValueError(`${op}: maxIter must be an integer >= 0, got ${maxIter}`);
  const x = new Float64Array(n);
  if (options.x0 !== undefined) {
    if (options.x0.length !== n) throw new ShapeError(`${op}: x0 has length ${options.x0.length}, b has ${n}`);
    x.set(options.x0);
  }
  const bv = Float64Array.from(b);
  for (let i = 0; i < n; i++) if (!Number.isFinite(bv[i]) || !Number.isFinite(x[i])) throw new ValueError(`${op}: b and x0 must be finite (index ${i})`);
  const r = new Float64Array(n), d = new Float64Array(n), Ad = new Float64Array(n);
  matvec(x, r);
  for (let i = 0; i < n; i++) {
    r[i] -= bv[i];
    d[i] = -r[i];
  }
  const dot = (u: Float64Array, v: Float64Array) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += u[i] * v[i];
    return s;
  };
  const stop = Math.max(tol * Math.sqrt(dot(bv, bv)), atol);
  const rec = options.record ? { alphas: [] as number[], betas: [] as number[], iterates: [x.slice()] } : undefined;
  let rr = dot(r, r), k = 0;
  while (Math.sqrt(rr) > stop && k < maxIter) {
    matvec(d, Ad);
    const dAd = dot(d, Ad);
    if (!(dAd > 0)) throw new ValueError(`${op}: A is not positive definite: dᵀA·d = ${dAd} at iteration ${k}`);
    const alpha = rr / dAd;
    for (let i = 0; i < n; i++) {
      x[i] += alpha * d[i];
      r[i] += alpha * Ad[i];
    }
    const rrNew = dot(r, r);
    const beta = rrNew / rr;
    for (let i = 0; i < n; i++) d[i] = -r[i] + beta * d[i];
    rr = rrNew;
    k++;
    if (rec) {
      rec.alphas.push(alpha);
      rec.betas.push(beta);
      rec.iterates.push(x.slice());
    }
  }
  return { x, iterations: k, residualNorm: Math.sqrt(rr), success: Math.sqrt(rr) <= stop, ...rec };
}
