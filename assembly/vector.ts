// BLAS-1 and elementwise kernels, f32 (the row/column kernels are in matrix.ts; sums of
// squares, norms and max |x| are in norms.ts).
//
// Contract: sizes >= 0 (elements); pointers need no alignment (v128.load and
// v128.store are unaligned-safe in wasm; the alignment hint is only a hint).
// Outputs may alias an input exactly (z == x or z == y), never partially
// (except f32_copy, which is a memmove).
//
// SIMD body over 4 lanes (16 floats per step where it pays), scalar tail; the
// scalar build (ASC_FEATURE_SIMD false) runs the scalar twin, which is the
// readable specification. Elementwise results are identical in both builds (IEEE add/sub/mul/div round each lane exactly as
// the scalar op does; no FMA is used).
//
// Reductions return f64. dot/sum: SIMD accumulates f32 lanes over blocks of
// BLOCK elements, each block's lanes are reduced in the fixed order
// (l0 + l1) + (l2 + l3) into an f64 total, so the error grows with BLOCK, not
// n, and the result is deterministic for a given build; the scalar twin adds
// exact f64 products into 4 f64 sums joined in a fixed order. The two builds
// may differ in the last bits, never from run to run.

import { hsum } from "./memory";

/** Elements per f32-lane block before the partial sum is flushed to f64. */
const BLOCK: i32 = 1024;

/** Shared body of f32_dot (isDot: sum x[i] * y[i]) and f32_sum (sum x[i]; y unused). */
@inline function dotOrSum(n: i32, x: usize, y: usize, isDot: bool): f64 {
  let total: f64 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const n16 = n & ~15;
    while (i < n16) {
      const end = min(i + BLOCK, n16);
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
      for (; i < end; i += 16) {
        const o = <usize>i << 2;
        if (isDot) {
          a0 = f32x4.add(a0, f32x4.mul(v128.load(x + o), v128.load(y + o)));
          a1 = f32x4.add(a1, f32x4.mul(v128.load(x + o, 16), v128.load(y + o, 16)));
          a2 = f32x4.add(a2, f32x4.mul(v128.load(x + o, 32), v128.load(y + o, 32)));
          a3 = f32x4.add(a3, f32x4.mul(v128.load(x + o, 48), v128.load(y + o, 48)));
        } else {
          a0 = f32x4.add(a0, v128.load(x + o));
          a1 = f32x4.add(a1, v128.load(x + o, 16));
          a2 = f32x4.add(a2, v128.load(x + o, 32));
          a3 = f32x4.add(a3, v128.load(x + o, 48));
        }
      }
      total += hsum(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)));
    }
    if (i + 4 <= n) {
      let a = f32x4.splat(0);
      for (; i + 4 <= n; i += 4) {
        const o = <usize>i << 2;
        a = f32x4.add(a, isDot ? f32x4.mul(v128.load(x + o), v128.load(y + o)) : v128.load(x + o));
      }
      total += hsum(a);
    }
  } else {
    // scalar twin: 4 independent f64 sums (the adds pipeline), joined in a fixed order
    let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      if (isDot) {
        s0 += <f64>load<f32>(x + o) * <f64>load<f32>(y + o);
        s1 += <f64>load<f32>(x + o, 4) * <f64>load<f32>(y + o, 4);
        s2 += <f64>load<f32>(x + o, 8) * <f64>load<f32>(y + o, 8);
        s3 += <f64>load<f32>(x + o, 12) * <f64>load<f32>(y + o, 12);
      } else {
        s0 += <f64>load<f32>(x + o);
        s1 += <f64>load<f32>(x + o, 4);
        s2 += <f64>load<f32>(x + o, 8);
        s3 += <f64>load<f32>(x + o, 12);
      }
    }
    total = (s0 + s1) + (s2 + s3);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    total += isDot ? <f64>load<f32>(x + o) * <f64>load<f32>(y + o) : <f64>load<f32>(x + o);
  }
  return total;
}

/** sum_i x[i] * y[i] */
export function f32_dot(n: i32, x: usize, y: usize): f64 {
  return dotOrSum(n, x, y, true);
}

/** sum_i x[i] */
export function f32_sum(n: i32, x: usize): f64 {
  return dotOrSum(n, x, 0, false);
}

/** y <- alpha * x + y */
export function f32_axpy(n: i32, x: usize, y: usize, alpha: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const va = f32x4.splat(alpha);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(y + o, f32x4.add(f32x4.mul(va, v128.load(x + o)), v128.load(y + o)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, alpha * load<f32>(x + o) + load<f32>(y + o));
  }
}

/** y <- alpha * x + beta * y (exponential averages, interpolation) */
export function f32_axpby(n: i32, x: usize, y: usize, alpha: f32, beta: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const va = f32x4.splat(alpha), vb = f32x4.splat(beta);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(y + o, f32x4.add(f32x4.mul(va, v128.load(x + o)), f32x4.mul(vb, v128.load(y + o))));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, alpha * load<f32>(x + o) + beta * load<f32>(y + o));
  }
}

/** x <- alpha * x (IEEE: alpha = 0 keeps NaN and turns Inf into NaN) */
export function f32_scal(n: i32, x: usize, alpha: f32): void {
  f32_mul_scalar(n, x, x, alpha);
}

/**
 * y <- x, memmove semantics (any overlap). Both builds use the bulk-memory
 * `memory.copy`, which the engine runs as a native memmove: already at the
 * copy bandwidth, so a v128 loop would add nothing.
 */
export function f32_copy(n: i32, x: usize, y: usize): void {
  memory.copy(y, x, <usize>n << 2);
}

/** y <- value */
export function f32_fill(n: i32, y: usize, value: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const v = f32x4.splat(value);
    for (; i + 4 <= n; i += 4) v128.store(y + (<usize>i << 2), v);
  }
  for (; i < n; i++) store<f32>(y + (<usize>i << 2), value);
}

// Elementwise z <- x op y and z <- x op s. One line per lane group and per tail element.

/** z <- x + y */
export function f32_add(n: i32, x: usize, y: usize, z: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(z + o, f32x4.add(v128.load(x + o), v128.load(y + o))); }
  for (; i < n; i++) { const o = <usize>i << 2; store<f32>(z + o, load<f32>(x + o) + load<f32>(y + o)); }
}
/** z <- x - y */
export function f32_sub(n: i32, x: usize, y: usize, z: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(z + o, f32x4.sub(v128.load(x + o), v128.load(y + o))); }
  for (; i < n; i++) { const o = <usize>i << 2; store<f32>(z + o, load<f32>(x + o) - load<f32>(y + o)); }
}
/**
 * z <- x * y. SIMD: 16 floats per step (the eight loads issued before the four stores; z may
 * alias x or y exactly), then 4, then the scalar tail (group lasso calls it per row of 1000:
 * the 8 left over take two f32x4); the same bits as 4 floats per step.
 */
export function f32_mul(n: i32, x: usize, y: usize, z: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 16 <= n; i += 16) {
      const o = <usize>i << 2, p = x + o, q = y + o, r = z + o;
      const a0 = v128.load(p), a1 = v128.load(p, 16), a2 = v128.load(p, 32), a3 = v128.load(p, 48);
      const b0 = v128.load(q), b1 = v128.load(q, 16), b2 = v128.load(q, 32), b3 = v128.load(q, 48);
      v128.store(r, f32x4.mul(a0, b0)); v128.store(r, f32x4.mul(a1, b1), 16);
      v128.store(r, f32x4.mul(a2, b2), 32); v128.store(r, f32x4.mul(a3, b3), 48);
    }
    for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(z + o, f32x4.mul(v128.load(x + o), v128.load(y + o))); }
  }
  for (; i < n; i++) { const o = <usize>i << 2; store<f32>(z + o, load<f32>(x + o) * load<f32>(y + o)); }
}
/** z <- x / y */
export function f32_div(n: i32, x: usize, y: usize, z: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(z + o, f32x4.div(v128.load(x + o), v128.load(y + o))); }
  for (; i < n; i++) { const o = <usize>i << 2; store<f32>(z + o, load<f32>(x + o) / load<f32>(y + o)); }
}
/** z <- x + s */
export function f32_add_scalar(n: i32, x: usize, z: usize, s: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) { const v = f32x4.splat(s); for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(z + o, f32x4.add(v128.load(x + o), v)); } }
  for (; i < n; i++) { const o = <usize>i << 2; store<f32>(z + o, load<f32>(x + o) + s); }
}
/** z <- x - s */
export function f32_sub_scalar(n: i32, x: usize, z: usize, s: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) { const v = f32x4.splat(s); for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(z + o, f32x4.sub(v128.load(x + o), v)); } }
  for (; i < n; i++) { const o = <usize>i << 2; store<f32>(z + o, load<f32>(x + o) - s); }
}
/** z <- x * s */
export function f32_mul_scalar(n: i32, x: usize, z: usize, s: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    // 16 floats per step, the four loads before the stores (z may alias x exactly): on
    // cache-resident data V8's code for a 4-float loop ran ~1.4x longer (f32_scal, 1M floats:
    // 0.115 against 0.080 ms); the same bits either way
    const v = f32x4.splat(s);
    for (; i + 16 <= n; i += 16) {
      const o = <usize>i << 2, p = x + o, r = z + o;
      const a0 = v128.load(p), a1 = v128.load(p, 16), a2 = v128.load(p, 32), a3 = v128.load(p, 48);
      v128.store(r, f32x4.mul(a0, v)); v128.store(r, f32x4.mul(a1, v), 16);
      v128.store(r, f32x4.mul(a2, v), 32); v128.store(r, f32x4.mul(a3, v), 48);
    }
    for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(z + o, f32x4.mul(v128.load(x + o), v)); }
  }
  for (; i < n; i++) { const o = <usize>i << 2; store<f32>(z + o, load<f32>(x + o) * s); }
}
/** z <- x / s (a true division, not a multiplication by 1/s: results match x[i] / s exactly) */
export function f32_div_scalar(n: i32, x: usize, z: usize, s: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) { const v = f32x4.splat(s); for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(z + o, f32x4.div(v128.load(x + o), v)); } }
  for (; i < n; i++) { const o = <usize>i << 2; store<f32>(z + o, load<f32>(x + o) / s); }
}
