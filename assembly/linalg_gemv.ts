// f64 matrix-vector products (BLAS-2 dgemv) on a row-major A of m rows and n
// columns with leading dimension lda >= n (element (i, j) at 8 * (i * lda + j)):
//
//   f64_gemv_n:  y <- alpha * A x + beta * y     (x: n, y: m)
//   f64_gemv_t:  y <- alpha * Aᵀ x + beta * y    (x: m, y: n)
//
// Contract: sizes >= 0; pointers need no alignment (v128 loads are unaligned-safe);
// y must not overlap A or x. beta == 0 does not read y (NaN there is overwritten,
// as in BLAS). Nothing is validated: the host (src/solve/glm.ts) plans the sizes.
//
// Orders (the same in the SIMD build and the scalar twin, so both builds give the
// same bits, and a plain-TS reference can reproduce them):
// - gemv_n: row i's dot A_i·x sums as f64_dot does (4 strided partial sums over
//   j ≡ 0..3 mod 4 joined (s0 + s1) + (s2 + s3), then the tail), then
//   y_i = alpha * dot (+ beta * y_i when beta != 0). One row at a time: in the
//   GLM objective (glm.ts) this pass streams X from memory and is bound by it.
// - gemv_t: y_j = beta * y_j (0 when beta == 0), then for i = 0, 1, ..., m - 1 in
//   order: y_j = y_j + (alpha * x_i) * A_ij. Elementwise in j, so f64x2 lanes round
//   as the scalar op does; the body takes four rows per pass with y_j held in a
//   register across them (the same sequence of roundings, a quarter of the stores).
// No FMA anywhere (the relaxed build compiles this file as the SIMD build does).

@inline function row(a: usize, lda: i32, i: i32): usize {
  return a + ((<usize>i * <usize>lda) << 3);
}

/** A_i·x in f64_dot's order (4 strided partial sums, then the tail). */
@inline function rowDot(n: i32, r: usize, x: usize): f64 {
  let j = 0;
  let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
  if (ASC_FEATURE_SIMD) {
    let a = f64x2.splat(0), b = f64x2.splat(0);
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 3;
      a = f64x2.add(a, f64x2.mul(v128.load(r + o), v128.load(x + o)));
      b = f64x2.add(b, f64x2.mul(v128.load(r + o, 16), v128.load(x + o, 16)));
    }
    s0 = f64x2.extract_lane(a, 0); s1 = f64x2.extract_lane(a, 1);
    s2 = f64x2.extract_lane(b, 0); s3 = f64x2.extract_lane(b, 1);
  } else {
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 3;
      s0 += load<f64>(r + o) * load<f64>(x + o);
      s1 += load<f64>(r + o, 8) * load<f64>(x + o, 8);
      s2 += load<f64>(r + o, 16) * load<f64>(x + o, 16);
      s3 += load<f64>(r + o, 24) * load<f64>(x + o, 24);
    }
  }
  let t = (s0 + s1) + (s2 + s3);
  for (; j < n; j++) t += load<f64>(r + (<usize>j << 3)) * load<f64>(x + (<usize>j << 3));
  return t;
}

@inline function putY(y: usize, i: i32, dot: f64, alpha: f64, beta: f64): void {
  const p = y + (<usize>i << 3);
  store<f64>(p, beta == 0 ? alpha * dot : alpha * dot + beta * load<f64>(p));
}

/** y <- alpha * A x + beta * y (A row-major m x n, leading dimension lda). */
export function f64_gemv_n(m: i32, n: i32, a: usize, lda: i32, x: usize, y: usize, alpha: f64, beta: f64): void {
  let i = 0;
  for (; i < m; i++) putY(y, i, rowDot(n, row(a, lda, i), x), alpha, beta);
}

/** y <- alpha * Aᵀ x + beta * y (A row-major m x n, leading dimension lda; y has n entries). */
export function f64_gemv_t(m: i32, n: i32, a: usize, lda: i32, x: usize, y: usize, alpha: f64, beta: f64): void {
  // y <- beta * y
  if (beta == 0) {
    memory.fill(y, 0, <usize>n << 3);
  } else if (beta != 1) {
    for (let j = 0; j < n; j++) {
      const p = y + (<usize>j << 3);
      store<f64>(p, beta * load<f64>(p));
    }
  }
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const r0 = row(a, lda, i), r1 = row(a, lda, i + 1), r2 = row(a, lda, i + 2), r3 = row(a, lda, i + 3);
    const c0 = alpha * load<f64>(x + (<usize>i << 3)), c1 = alpha * load<f64>(x + (<usize>(i + 1) << 3));
    const c2 = alpha * load<f64>(x + (<usize>(i + 2) << 3)), c3 = alpha * load<f64>(x + (<usize>(i + 3) << 3));
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      const v0 = f64x2.splat(c0), v1 = f64x2.splat(c1), v2 = f64x2.splat(c2), v3 = f64x2.splat(c3);
      for (; j + 2 <= n; j += 2) {
        const o = <usize>j << 3;
        let acc = v128.load(y + o);
        acc = f64x2.add(acc, f64x2.mul(v0, v128.load(r0 + o)));
        acc = f64x2.add(acc, f64x2.mul(v1, v128.load(r1 + o)));
        acc = f64x2.add(acc, f64x2.mul(v2, v128.load(r2 + o)));
        acc = f64x2.add(acc, f64x2.mul(v3, v128.load(r3 + o)));
        v128.store(y + o, acc);
      }
    }
    for (; j < n; j++) {
      const o = <usize>j << 3;
      let acc = load<f64>(y + o);
      acc += c0 * load<f64>(r0 + o);
      acc += c1 * load<f64>(r1 + o);
      acc += c2 * load<f64>(r2 + o);
      acc += c3 * load<f64>(r3 + o);
      store<f64>(y + o, acc);
    }
  }
  for (; i < m; i++) {
    const r = row(a, lda, i);
    const c = alpha * load<f64>(x + (<usize>i << 3));
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      const v = f64x2.splat(c);
      for (; j + 2 <= n; j += 2) {
        const o = <usize>j << 3;
        v128.store(y + o, f64x2.add(v128.load(y + o), f64x2.mul(v, v128.load(r + o))));
      }
    }
    for (; j < n; j++) {
      const o = <usize>j << 3;
      store<f64>(y + o, load<f64>(y + o) + c * load<f64>(r + o));
    }
  }
}
