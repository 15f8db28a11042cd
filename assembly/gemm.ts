// GEMM, f32, row-major: C = alpha * op(A) * op(B) + beta * C.
//
// op(A) is m x k, op(B) is k x n, C is m x n. lda, ldb, ldc are row strides in
// elements (>= the row length of the stored matrix), so sub-matrices need no
// copy. When beta == 0, C is overwritten and not read (NaN in C does not leak),
// as in BLAS. C must not alias A or B. Any m, n, k >= 0; k == 0 scales C.
//
// Names: f32_gemm_<opA><opB>, 'n' = as stored, 't' = transposed.
// This is the plain-loop specification (and the scalar build); the SIMD build
// replaces the body with a blocked, packed kernel of the same contract.

@inline function scaleC(m: i32, n: i32, c: usize, ldc: i32, beta: f32): void {
  for (let i = 0; i < m; i++) {
    const row = c + (<usize>i * <usize>ldc << 2);
    if (beta == 0) {
      for (let j = 0; j < n; j++) store<f32>(row + (<usize>j << 2), 0);
    } else if (beta != 1) {
      for (let j = 0; j < n; j++) {
        const p = row + (<usize>j << 2);
        store<f32>(p, beta * load<f32>(p));
      }
    }
  }
}

/** Generic plain loops; sa_* are the element strides of op(A)[i, p] and op(B)[p, j]. */
@inline function gemmLoops(
  m: i32, n: i32, k: i32,
  a: usize, ai: i32, ap: i32,
  b: usize, bp: i32, bj: i32,
  c: usize, ldc: i32, alpha: f32, beta: f32,
): void {
  scaleC(m, n, c, ldc, beta);
  if (k == 0 || alpha == 0) return;
  for (let i = 0; i < m; i++) {
    const crow = c + (<usize>i * <usize>ldc << 2);
    for (let p = 0; p < k; p++) {
      const av = alpha * load<f32>(a + ((<usize>i * <usize>ai + <usize>p * <usize>ap) << 2));
      const bbase = b + (<usize>p * <usize>bp << 2);
      for (let j = 0; j < n; j++) {
        const cp = crow + (<usize>j << 2);
        store<f32>(cp, load<f32>(cp) + av * load<f32>(bbase + (<usize>j * <usize>bj << 2)));
      }
    }
  }
}

export function f32_gemm_nn(m: i32, n: i32, k: i32, a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, alpha: f32, beta: f32): void {
  gemmLoops(m, n, k, a, lda, 1, b, ldb, 1, c, ldc, alpha, beta);
}

export function f32_gemm_nt(m: i32, n: i32, k: i32, a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, alpha: f32, beta: f32): void {
  gemmLoops(m, n, k, a, lda, 1, b, 1, ldb, c, ldc, alpha, beta);
}

export function f32_gemm_tn(m: i32, n: i32, k: i32, a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, alpha: f32, beta: f32): void {
  gemmLoops(m, n, k, a, 1, lda, b, ldb, 1, c, ldc, alpha, beta);
}

export function f32_gemm_tt(m: i32, n: i32, k: i32, a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, alpha: f32, beta: f32): void {
  gemmLoops(m, n, k, a, 1, lda, b, 1, ldb, c, ldc, alpha, beta);
}
