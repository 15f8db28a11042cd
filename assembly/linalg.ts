// Dense f64 linear algebra for small symmetric systems (Newton steps, Hessians,
// curvature): Cholesky, triangular solves, symmetric eigendecomposition.
//
// Matrices are row-major n x n with leading dimension n (element (i, j) at
// 8 * (i * n + j) bytes). The inner loops are row dots and row axpys over
// f64_dot / f64_axpy (linalg_blas.ts), so the SIMD build runs them on f64x2
// lanes and the scalar build on the scalar twin, from this one source.
// Nothing is validated here: the host (src/solve/linalg.ts) checks sizes,
// symmetry and finiteness once and retries the factorization with damping.

import { f64_axpy, f64_dot } from "./linalg_blas";

@inline function at(a: usize, n: i32, i: i32, j: i32): usize {
  return a + ((<usize>i * <usize>n + <usize>j) << 3);
}

/**
 * Cholesky factorization A + shift·I = L·Lᵀ (Cholesky–Banachiewicz, row by row;
 * Golub & Van Loan, Matrix Computations, Alg. 4.2.1):
 *
 *   L[i][j] = (A[i][j] - sum_{k<j} L[i][k] L[j][k]) / L[j][j]      (j < i)
 *   L[i][i] = sqrt(A[i][i] + shift - sum_{k<i} L[i][k]^2)
 *
 * Reads only the lower triangle of `a`; writes L into the lower triangle of
 * `l` and zeros above it. `l` may equal `a` (in place). Returns 0 on success,
 * else k + 1 where k is the first row whose pivot is not > 0 (or not finite):
 * A + shift·I is then not positive definite and `l` holds a partial factor.
 */
export function f64_cholesky(n: i32, a: usize, l: usize, shift: f64): i32 {
  for (let i = 0; i < n; i++) {
    const li = at(l, n, i, 0);
    for (let j = 0; j < i; j++) {
      const s = load<f64>(at(a, n, i, j)) - f64_dot(j, li, at(l, n, j, 0));
      store<f64>(at(l, n, i, j), s / load<f64>(at(l, n, j, j)));
    }
    const d = load<f64>(at(a, n, i, i)) + shift - f64_dot(i, li, li);
    if (!(d > 0) || d === Infinity) return i + 1;
    store<f64>(at(l, n, i, i), Math.sqrt(d));
    for (let j = i + 1; j < n; j++) store<f64>(at(l, n, i, j), 0);
  }
  return 0;
}

/** Solves L·x = b in place (x overwrites b), L lower triangular: x[i] = (b[i] - L[i][:i]·x[:i]) / L[i][i]. */
export function f64_trsv_ln(n: i32, l: usize, b: usize): void {
  for (let i = 0; i < n; i++) {
    const o = b + (<usize>i << 3);
    store<f64>(o, (load<f64>(o) - f64_dot(i, at(l, n, i, 0), b)) / load<f64>(at(l, n, i, i)));
  }
}

/**
 * Solves Lᵀ·x = b in place, L lower triangular, column-oriented so that each
 * step is an axpy over a row of L: for i = n-1 .. 0: x[i] /= L[i][i];
 * x[:i] -= x[i] · L[i][:i].
 */
export function f64_trsv_lt(n: i32, l: usize, b: usize): void {
  for (let i = n - 1; i >= 0; i--) {
    const o = b + (<usize>i << 3);
    const xi = load<f64>(o) / load<f64>(at(l, n, i, i));
    store<f64>(o, xi);
    f64_axpy(i, at(l, n, i, 0), b, -xi);
  }
}

/** rows p and q of the n x n matrix m: (r_p, r_q) <- (c·r_p - s·r_q, s·r_p + c·r_q) */
function rotateRows(n: i32, m: usize, p: i32, q: i32, c: f64, s: f64): void {
  const rp = at(m, n, p, 0), rq = at(m, n, q, 0);
  let k = 0;
  if (ASC_FEATURE_SIMD) {
    const vc = f64x2.splat(c), vs = f64x2.splat(s);
    for (; k + 2 <= n; k += 2) {
      const o = <usize>k << 3;
      const x = v128.load(rp + o), y = v128.load(rq + o);
      v128.store(rp + o, f64x2.sub(f64x2.mul(vc, x), f64x2.mul(vs, y)));
      v128.store(rq + o, f64x2.add(f64x2.mul(vs, x), f64x2.mul(vc, y)));
    }
  }
  for (; k < n; k++) {
    const o = <usize>k << 3;
    const x = load<f64>(rp + o), y = load<f64>(rq + o);
    store<f64>(rp + o, c * x - s * y);
    store<f64>(rq + o, s * x + c * y);
  }
}

/**
 * Symmetric eigendecomposition A = Vᵀ·diag(w)·V by the cyclic Jacobi method
 * (Golub & Van Loan, Alg. 8.5.3; the rotation of Numerical Recipes §11.1):
 * for each pair p < q with A[p][q] != 0, θ = (A[q][q] - A[p][p]) / (2 A[p][q]),
 * t = sign(θ) / (|θ| + sqrt(θ² + 1)), c = 1 / sqrt(t² + 1), s = t·c zeroes A[p][q].
 * Sweeps until the off-diagonal Frobenius norm is <= tol · ||A||_F.
 *
 * `a` (n x n, symmetric, both triangles) is overwritten (its diagonal ends as
 * the eigenvalues). Writes the eigenvalues, ascending, to `w` (n doubles) and
 * the unit eigenvectors as the ROWS of `v` (n x n): row i pairs with w[i].
 * Rotating rows keeps every update a contiguous f64x2 loop. Returns the sweeps
 * made, or -1 when `maxSweeps` were not enough.
 */
export function f64_eigh_jacobi(n: i32, a: usize, w: usize, v: usize, maxSweeps: i32, tol: f64): i32 {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) store<f64>(at(v, n, i, j), i === j ? 1 : 0);
  }
  let total: f64 = 0;
  for (let i = 0; i < n; i++) total += f64_dot(n, at(a, n, i, 0), at(a, n, i, 0));
  const limit = tol * tol * total;
  let sweeps = -1;
  for (let sweep = 0; sweep <= maxSweeps; sweep++) {
    let off: f64 = 0;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const x = load<f64>(at(a, n, p, q));
        off += 2 * x * x;
      }
    }
    if (off <= limit) {
      sweeps = sweep;
      break;
    }
    if (sweep === maxSweeps) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = load<f64>(at(a, n, p, q));
        if (apq === 0) continue;
        const app = load<f64>(at(a, n, p, p)), aqq = load<f64>(at(a, n, q, q));
        const g = 100 * abs(apq);
        if (abs(app) + g === abs(app) && abs(aqq) + g === abs(aqq)) {
          // negligible next to both pivots (Numerical Recipes' test): drop it
          store<f64>(at(a, n, p, q), 0);
          store<f64>(at(a, n, q, p), 0);
          continue;
        }
        const theta = (aqq - app) / (2 * apq);
        const at_ = abs(theta);
        let t = at_ > 1e150 ? 0.5 / theta : 1 / (at_ + Math.sqrt(theta * theta + 1));
        if (theta < 0 && at_ <= 1e150) t = -t;
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        // A' = Jᵀ A J: rotate rows p and q, then mirror them into columns p and q
        rotateRows(n, a, p, q, c, s);
        for (let k = 0; k < n; k++) {
          store<f64>(at(a, n, k, p), load<f64>(at(a, n, p, k)));
          store<f64>(at(a, n, k, q), load<f64>(at(a, n, q, k)));
        }
        store<f64>(at(a, n, p, p), app - t * apq);
        store<f64>(at(a, n, q, q), aqq + t * apq);
        store<f64>(at(a, n, p, q), 0);
        store<f64>(at(a, n, q, p), 0);
        rotateRows(n, v, p, q, c, s);
      }
    }
  }
  for (let i = 0; i < n; i++) store<f64>(w + (<usize>i << 3), load<f64>(at(a, n, i, i)));
  // selection sort, ascending; the eigenvector rows move with their eigenvalues
  for (let i = 0; i < n - 1; i++) {
    let m = i;
    for (let j = i + 1; j < n; j++) if (load<f64>(w + (<usize>j << 3)) < load<f64>(w + (<usize>m << 3))) m = j;
    if (m === i) continue;
    const wi = load<f64>(w + (<usize>i << 3));
    store<f64>(w + (<usize>i << 3), load<f64>(w + (<usize>m << 3)));
    store<f64>(w + (<usize>m << 3), wi);
    rotateRows(n, v, i, m, 0, -1);
  }
  return sweeps;
}
