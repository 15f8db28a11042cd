// f64 BLAS-1 for the solvers' vectors (src/solve/): dot, nrm2, axpy, axpby, scal, copy.
//
// Contract: sizes >= 0 (elements of 8 bytes); pointers need no alignment
// (v128.load/store are unaligned-safe; the arena hands out 16-byte blocks, so
// the solvers' vectors are aligned anyway). Outputs may alias an input exactly
// (y == x), never partially, except f64_copy, which is a memmove.
//
// SIMD body over f64x2 lanes, two vectors per step (4 doubles), scalar tail;
// the scalar build (ASC_FEATURE_SIMD false) runs the scalar twin, the readable
// specification. Elementwise kernels give identical bits in both builds (each
// lane rounds as the scalar op does; no FMA). Reductions keep 4 partial sums
// (lanes 0,1 of two f64x2 accumulators, or 4 scalars) joined in the fixed order
// (s0 + s1) + (s2 + s3): deterministic for a build, and the two builds sum the
// same 4 strided partial sums, so they agree to the bit as well.

/** sum_i x[i] * y[i]: partial sums s_j = sum over i ≡ j (mod 4), joined (s0 + s1) + (s2 + s3). */
export function f64_dot(n: i32, x: usize, y: usize): f64 {
  let i = 0;
  let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
  if (ASC_FEATURE_SIMD) {
    let a = f64x2.splat(0), b = f64x2.splat(0);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 3;
      a = f64x2.add(a, f64x2.mul(v128.load(x + o), v128.load(y + o)));
      b = f64x2.add(b, f64x2.mul(v128.load(x + o, 16), v128.load(y + o, 16)));
    }
    s0 = f64x2.extract_lane(a, 0); s1 = f64x2.extract_lane(a, 1);
    s2 = f64x2.extract_lane(b, 0); s3 = f64x2.extract_lane(b, 1);
  } else {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 3;
      s0 += load<f64>(x + o) * load<f64>(y + o);
      s1 += load<f64>(x + o, 8) * load<f64>(y + o, 8);
      s2 += load<f64>(x + o, 16) * load<f64>(y + o, 16);
      s3 += load<f64>(x + o, 24) * load<f64>(y + o, 24);
    }
  }
  let total = (s0 + s1) + (s2 + s3);
  for (; i < n; i++) total += load<f64>(x + (<usize>i << 3)) * load<f64>(y + (<usize>i << 3));
  return total;
}

/**
 * sqrt(sum_i x[i]^2), overflow- and underflow-safe: the fast path is
 * sqrt(f64_dot(x, x)); when that sum is below 1e-289 (squares may have underflowed) or not finite, a second
 * pass scales by the largest |x[i]| (LAPACK dnrm2's idea: sqrt(sum (x/m)^2) * m).
 * NaN in x gives NaN; an infinity gives Inf.
 */
export function f64_nrm2(n: i32, x: usize): f64 {
  const s = f64_dot(n, x, x);
  if (s > 1e-289 && s < Infinity) return Math.sqrt(s);
  if (isNaN(s)) return s;
  let m: f64 = 0;
  for (let i = 0; i < n; i++) m = max(m, abs(load<f64>(x + (<usize>i << 3))));
  if (m === 0 || m === Infinity || isNaN(m)) return m;
  let t: f64 = 0;
  const r = 1 / m;
  for (let i = 0; i < n; i++) {
    const v = load<f64>(x + (<usize>i << 3)) * r;
    t += v * v;
  }
  return Math.sqrt(t) * m;
}

/** y <- alpha * x + y */
export function f64_axpy(n: i32, x: usize, y: usize, alpha: f64): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const va = f64x2.splat(alpha);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 3;
      v128.store(y + o, f64x2.add(f64x2.mul(va, v128.load(x + o)), v128.load(y + o)));
      v128.store(y + o, f64x2.add(f64x2.mul(va, v128.load(x + o, 16)), v128.load(y + o, 16)), 16);
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 3;
    store<f64>(y + o, alpha * load<f64>(x + o) + load<f64>(y + o));
  }
}

/** y <- alpha * x + beta * y (e.g. the CG direction d <- -g + beta * d) */
export function f64_axpby(n: i32, x: usize, y: usize, alpha: f64, beta: f64): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const va = f64x2.splat(alpha), vb = f64x2.splat(beta);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 3;
      v128.store(y + o, f64x2.add(f64x2.mul(va, v128.load(x + o)), f64x2.mul(vb, v128.load(y + o))));
      v128.store(y + o, f64x2.add(f64x2.mul(va, v128.load(x + o, 16)), f64x2.mul(vb, v128.load(y + o, 16))), 16);
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 3;
    store<f64>(y + o, alpha * load<f64>(x + o) + beta * load<f64>(y + o));
  }
}

/** x <- alpha * x */
export function f64_scal(n: i32, x: usize, alpha: f64): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const va = f64x2.splat(alpha);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 3;
      v128.store(x + o, f64x2.mul(va, v128.load(x + o)));
      v128.store(x + o, f64x2.mul(va, v128.load(x + o, 16)), 16);
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 3;
    store<f64>(x + o, alpha * load<f64>(x + o));
  }
}

/** y <- x (n doubles; overlapping ranges are handled as memmove) */
export function f64_copy(n: i32, x: usize, y: usize): void {
  if (n > 0) memory.copy(y, x, <usize>n << 3);
}
