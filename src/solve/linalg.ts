// Host wrappers of the core's dense f64 linear algebra (assembly/linalg.ts):
// Cholesky with damping retry, triangular and Cholesky solves, symmetric
// eigendecomposition. Inputs and outputs are host Float64Arrays (row-major);
// each call copies into one arena block, runs the kernels, copies out and frees
// the block, also when it throws, so the arena is left as it was found.
import { LinAlgError, ShapeError, ValueError } from '../errors.js';
import type { Core } from '../runtime/core.js';

export interface CholeskyOptions {
  /**
   * false (default): a matrix that is not positive definite is a LinAlgError.
   * true: retry with A + τ·I, τ = max(2τ, β) from τ₀ = β − min_i A_ii (or 0 when
   * every A_ii > 0), β = 1e-3·max(1e-8, max_i |A_ii|) (Nocedal & Wright Alg. 3.3).
   */
  damping?: boolean;
  /** first shift to try (default 0) */
  shift?: number;
  /** relative asymmetry |A_ij − A_ji| / max|A| above which A is refused (default 1e-10) */
  symmetryTol?: number;
}

export interface CholeskyResult {
  /** lower-triangular L (n·n, row-major, zeros above the diagonal) with L·Lᵀ = A + shift·I */
  L: Float64Array;
  /** the shift τ that made A + τ·I positive definite (0 when A itself is) */
  shift: number;
  /** factorizations tried */
  tries: number;
}

function square(op: string, A: ArrayLike<number>, n?: number): number {
  if (!A || typeof A.length !== 'number') throw new ValueError(`${op}: A must be an array of n·n numbers, got ${typeof A}`);
  const size = n ?? Math.round(Math.sqrt(A.length));
  if (!Number.isInteger(size) || size < 0 || size * size !== A.length) {
    throw new ShapeError(`${op}: A must hold n·n numbers for a square matrix, got ${A.length}${n === undefined ? '' : ` for n = ${n}`}`);
  }
  return size;
}

function checkSymmetric(op: string, A: ArrayLike<number>, n: number, tol: number): void {
  let scale = 0;
  for (let i = 0; i < n * n; i++) {
    if (!Number.isFinite(A[i])) throw new LinAlgError(`${op}: A[${Math.floor(i / n)}][${i % n}] is ${A[i]}; the matrix must be finite`);
    scale = Math.max(scale, Math.abs(A[i]));
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) {
    const d = Math.abs(A[i * n + j] - A[j * n + i]);
    if (d > tol * scale) throw new LinAlgError(`${op}: A is not symmetric: A[${i}][${j}] = ${A[i * n + j]} but A[${j}][${i}] = ${A[j * n + i]}`);
  }
}

/** Runs `body` with `bytes` of arena scratch, freeing it afterwards whatever happens. */
function withScratch<T>(core: Core, bytes: number, body: (p: number) => T): T {
  const p = core.arena.alloc(bytes);
  try {
    return body(p);
  } finally {
    core.arena.free(p);
  }
}

const view = (core: Core, p: number, n: number) => new Float64Array(core.memory.buffer, p, n);

/** Cholesky factor of the symmetric matrix A (n·n row-major), with the damping retry when allowed. */
export function cholesky(core: Core, A: ArrayLike<number>, options: CholeskyOptions = {}): CholeskyResult {
  const op = 'linalg.cholesky';
  const n = square(op, A);
  checkSymmetric(op, A, n, options.symmetryTol ?? 1e-10);
  let shift = options.shift ?? 0;
  if (!Number.isFinite(shift) || shift < 0) throw new ValueError(`${op}: shift must be a finite number >= 0, got ${shift}`);
  let dmin = Infinity, dmax = 0;
  for (let i = 0; i < n; i++) {
    dmin = Math.min(dmin, A[i * n + i]);
    dmax = Math.max(dmax, Math.abs(A[i * n + i]));
  }
  const beta = 1e-3 * Math.max(1e-8, dmax);
  return withScratch(core, n * n * 16 + 16, (pa) => {
    const pl = pa + n * n * 8;
    view(core, pa, n * n).set(A);
    for (let tries = 1; ; tries++) {
      const bad = core.kernels.f64_cholesky(n, pa, pl, shift);
      if (bad === 0) return { L: view(core, pl, n * n).slice(), shift, tries };
      if (!options.damping) {
        throw new LinAlgError(`${op}: the matrix is not positive definite (pivot ${bad - 1} of ${n} is not > 0${shift ? ` with shift ${shift}` : ''}); pass damping: true to add a multiple of I`);
      }
      if (tries > 200) throw new LinAlgError(`${op}: no shift up to ${shift} made the matrix positive definite`);
      shift = shift === 0 && dmin > 0 ? beta : Math.max(2 * shift, beta, shift === 0 ? beta - dmin : 0);
    }
  });
}

/** Solves (L·Lᵀ)·x = b for x given the Cholesky factor L (n·n); returns x (or writes `out`). */
export function choleskySolve(core: Core, L: ArrayLike<number>, b: ArrayLike<number>, out?: Float64Array): Float64Array {
  const op = 'linalg.choleskySolve';
  const n = square(op, L);
  if (b.length !== n) throw new ShapeError(`${op}: b has length ${b.length}, L is ${n}x${n}`);
  const x = out ?? new Float64Array(n);
  if (x.length !== n) throw new ShapeError(`${op}: out has length ${x.length}, L is ${n}x${n}`);
  return withScratch(core, n * n * 8 + n * 8 + 16, (pl) => {
    const pb = pl + n * n * 8;
    view(core, pl, n * n).set(L);
    view(core, pb, n).set(b);
    core.kernels.f64_trsv_ln(n, pl, pb);
    core.kernels.f64_trsv_lt(n, pl, pb);
    x.set(view(core, pb, n));
    return x;
  });
}

/** Solves L·x = b (lower: true, default) or Lᵀ·x = b (lower: false) with the lower-triangular L. */
export function solveTriangular(core: Core, L: ArrayLike<number>, b: ArrayLike<number>, options: { transpose?: boolean } = {}): Float64Array {
  const op = 'linalg.solveTriangular';
  const n = square(op, L);
  if (b.length !== n) throw new ShapeError(`${op}: b has length ${b.length}, L is ${n}x${n}`);
  for (let i = 0; i < n; i++) if (!(L[i * n + i] !== 0)) throw new LinAlgError(`${op}: L is singular (L[${i}][${i}] = ${L[i * n + i]})`);
  return withScratch(core, n * n * 8 + n * 8 + 16, (pl) => {
    const pb = pl + n * n * 8;
    view(core, pl, n * n).set(L);
    view(core, pb, n).set(b);
    if (options.transpose) core.kernels.f64_trsv_lt(n, pl, pb);
    else core.kernels.f64_trsv_ln(n, pl, pb);
    return view(core, pb, n).slice();
  });
}

export interface EighResult {
  /** eigenvalues, ascending */
  values: Float64Array;
  /** eigenvectors as COLUMNS (numpy's convention): vectors[i·n + k] is component i of eigenvector k */
  vectors: Float64Array;
  /** Jacobi sweeps made */
  sweeps: number;
}

/** All eigenvalues and unit eigenvectors of the symmetric A (cyclic Jacobi in the core). */
export function eigh(core: Core, A: ArrayLike<number>, options: { tol?: number; maxSweeps?: number; symmetryTol?: number } = {}): EighResult {
  const op = 'linalg.eigh';
  const n = square(op, A);
  checkSymmetric(op, A, n, options.symmetryTol ?? 1e-10);
  const tol = options.tol ?? 1e-15, maxSweeps = options.maxSweeps ?? 60;
  return withScratch(core, n * n * 16 + n * 8 + 16, (pa) => {
    const pv = pa + n * n * 8, pw = pv + n * n * 8;
    view(core, pa, n * n).set(A);
    const sweeps = core.kernels.f64_eigh_jacobi(n, pa, pw, pv, maxSweeps, tol);
    if (sweeps < 0) throw new LinAlgError(`${op}: Jacobi did not converge in ${maxSweeps} sweeps (tol ${tol})`);
    const rows = view(core, pv, n * n);
    const vectors = new Float64Array(n * n);
    for (let k = 0; k < n; k++) for (let i = 0; i < n; i++) vectors[i * n + k] = rows[k * n + i];
    return { values: view(core, pw, n).slice(), vectors, sweeps };
  });
}
