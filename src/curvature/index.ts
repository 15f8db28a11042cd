/**
 * `engine.curvature`: the curvature of a model's loss at a batch, over its flat
 * parameters, built on the exact Hessian-vector product `model.hvp`
 * (Pearlmutter's R-operator, src/nn/hvp.ts).
 *
 * - `hessian(model, x, y, loss)`: the dense P×P Hessian (row-major f64), one
 *   product per unit vector, then symmetrized, (H + Hᵀ)/2 (the products are
 *   f32: H·e_i and H·e_j disagree in the last bits). For models up to a few
 *   thousand parameters (`maxParameters`, default 4096: 128 MiB of f64).
 * - `topEigenvalues(model, x, y, loss, { k, method })`: the k eigenvalues of
 *   largest |λ|, matrix-free (Lanczos or power iteration, eigen.ts). The top
 *   one is the L of gradient descent's stability limit η < 2/L.
 * - `eigh(H)`: all eigenvalues (ascending) and eigenvectors (columns) of a
 *   symmetric matrix (cyclic Jacobi in the core, src/solve/linalg.ts).
 * - `conditionNumber(H)`: κ₂ = max|λ| / min|λ| (the 2-norm condition number
 *   of a symmetric matrix; λ_max/λ_min for a positive definite one), Infinity
 *   when singular.
 * - `classifyStationaryPoint(H, { tol })`: the second-order test. With the
 *   eigenvalues λ and a tolerance τ (default 1e-6·max|λ|, since model Hessians
 *   come from f32 products): all λ > τ → 'minimum', all λ < −τ → 'maximum',
 *   some > τ and some < −τ → 'saddle' (whatever the others), otherwise some
 *   |λ| ≤ τ with one sign elsewhere → 'degenerate' (the test is inconclusive).
 *   (Nocedal & Wright, Numerical Optimization, Thm 2.3-2.4.)
 */
import { ShapeError, ValueError } from '../errors.js';
import type { LossEntry, LossName, Target } from '../loss/index.js';
import type { HvpOperator } from '../nn/hvp.js';
import type { Core } from '../runtime/core.js';
import type { Tensor } from '../runtime/tensor.js';
import { eigh, type EighResult } from '../solve/linalg.js';
import { checkTopOptions, topEigen, type TopEigenOptions, type TopEigenResult } from './eigen.js';

export type { TopEigenOptions, TopEigenResult } from './eigen.js';

/** What curvature needs of a model: `engine.nn` models have it. */
export interface CurvatureModel {
  readonly numParameters: number;
  hvpOperator(x: Tensor, y: Target, loss?: LossName | LossEntry): HvpOperator;
}

export type StationaryPoint = 'minimum' | 'maximum' | 'saddle' | 'degenerate';

export interface Curvature {
  /** The dense Hessian of the loss at (x, y) over the flat parameters (P·P, row-major, symmetric). */
  hessian(model: CurvatureModel, x: Tensor, y: Target, loss?: LossName | LossEntry, options?: { maxParameters?: number }): Float64Array;
  /** The k eigenvalues of largest |λ| of the Hessian at (x, y), matrix-free over hvp. */
  topEigenvalues(model: CurvatureModel, x: Tensor, y: Target, loss?: LossName | LossEntry, options?: TopEigenOptions): TopEigenResult;
  /** All eigenvalues (ascending) and unit eigenvectors (columns) of the symmetric matrix H (n·n row-major). */
  eigh(H: ArrayLike<number>): EighResult;
  /** κ₂ = max|λ| / min|λ| of the symmetric H (or of its eigenvalues `{ values }`); Infinity when singular. */
  conditionNumber(H: ArrayLike<number> | { values: ArrayLike<number> }): number;
  /** The second-order test at a stationary point with Hessian H (or its eigenvalues `{ values }`). */
  classifyStationaryPoint(H: ArrayLike<number> | { values: ArrayLike<number> }, options?: { tol?: number }): StationaryPoint;
}

function checkModel(op: string, model: CurvatureModel): void {
  if (!model || typeof model !== 'object' || typeof model.hvpOperator !== 'function' || !Number.isInteger(model.numParameters)) {
    throw new ValueError(`${op}: model must be an engine.nn model (with hvpOperator), got ${model === null ? 'null' : typeof model}`);
  }
}

/** The operator of `model` at (x, y), run by `body` and disposed afterwards whatever happens. */
function withOperator<T>(model: CurvatureModel, x: Tensor, y: Target, loss: LossName | LossEntry | undefined, body: (op: HvpOperator) => T): T {
  const op = model.hvpOperator(x, y, loss);
  try {
    return body(op);
  } finally {
    op.dispose();
  }
}

function eigenvaluesOf(core: Core, op: string, H: ArrayLike<number> | { values: ArrayLike<number> }): ArrayLike<number> {
  if (H && typeof H === 'object' && 'values' in H && !('length' in H)) {
    const v = H.values;
    if (!v || typeof v.length !== 'number' || v.length === 0) throw new ShapeError(`${op}: values must be a non-empty array of eigenvalues`);
    for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) throw new ValueError(`${op}: eigenvalue ${i} is ${v[i]}`);
    return v;
  }
  const A = H as ArrayLike<number>;
  if (!A || typeof A.length !== 'number' || A.length === 0) throw new ShapeError(`${op}: H must be a non-empty n·n matrix`);
  return eigh(core, A, { symmetryTol: 1e-6 }).values;
}

/** The symmetrized dense Hessian (P·P row-major): one product per unit vector, then (H + Hᵀ)/2. */
export function denseHessian(model: CurvatureModel, x: Tensor, y: Target, loss?: LossName | LossEntry): Float64Array {
  const P = model.numParameters;
  const H = new Float64Array(P * P);
  withOperator(model, x, y, loss, (op) => {
    const e = new Float64Array(P);
    for (let i = 0; i < P; i++) {
      e[i] = 1;
      op.apply(e, H.subarray(i * P, (i + 1) * P));
      e[i] = 0;
    }
  });
  for (let i = 0; i < P; i++) for (let j = 0; j < i; j++) H[i * P + j] = H[j * P + i] = 0.5 * (H[i * P + j] + H[j * P + i]);
  return H;
}

export function createCurvature(core: Core): Curvature {
  return Object.freeze({
    hessian(model, x, y, loss, { maxParameters = 4096 } = {}) {
      checkModel('curvature.hessian', model);
      const P = model.numParameters;
      if (P > maxParameters) {
        throw new ValueError(`curvature.hessian: the model has ${P} parameters, more than maxParameters = ${maxParameters} (the dense Hessian holds P² f64); use topEigenvalues or model.hvp`);
      }
      return denseHessian(model, x, y, loss);
    },
    topEigenvalues(model, x, y, loss, options = {}) {
      checkModel('curvature.topEigenvalues', model);
      const o = checkTopOptions('curvature.topEigenvalues', model.numParameters, options);
      return withOperator(model, x, y, loss, (op) => topEigen(core, (v, out) => void op.apply(v, out), model.numParameters, o));
    },
    eigh: (H) => eigh(core, H, { symmetryTol: 1e-6 }),
    conditionNumber(H) {
      const v = eigenvaluesOf(core, 'curvature.conditionNumber', H);
      let hi = 0, lo = Infinity;
      for (let i = 0; i < v.length; i++) {
        hi = Math.max(hi, Math.abs(v[i]));
        lo = Math.min(lo, Math.abs(v[i]));
      }
      return lo === 0 ? Infinity : hi / lo;
    },
    classifyStationaryPoint(H, options = {}) {
      const v = eigenvaluesOf(core, 'curvature.classifyStationaryPoint', H);
      let scale = 0;
      for (let i = 0; i < v.length; i++) scale = Math.max(scale, Math.abs(v[i]));
      const tol = options.tol ?? 1e-6 * scale;
      if (!(tol >= 0)) throw new ValueError(`curvature.classifyStationaryPoint: tol must be a non-negative number, got ${options.tol}`);
      let pos = 0, neg = 0;
      for (let i = 0; i < v.length; i++) {
        if (v[i] > tol) pos++;
        else if (v[i] < -tol) neg++;
      }
      if (pos > 0 && neg > 0) return 'saddle';
      if (pos === v.length) return 'minimum';
      if (neg === v.length) return 'maximum';
      return 'degenerate';
    },
  } satisfies Curvature);
}
