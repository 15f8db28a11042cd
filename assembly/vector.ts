// BLAS-1 and elementwise kernels, f32 (the row/column kernels are in matrix.ts).
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

/** Elements per f32-lane block before the partial sum is flushed to f64. */
const BLOCK: i32 = 1024;

/** Fixed-order lane reduction of an f32x4 into f64: (l0 + l1) + (l2 + l3). */
@inline function hsum(v: v128): f64 {
  return (<f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1)) +
    (<f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3));
}

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

/**
 * sum_i x[i]^2, accumulated in f64 (the square of any finite f32 is finite and
 * normal in f64: max 1.2e77, min 2e-90), so no scaling is needed: no overflow
 * for 1e30-sized values, no underflow for 1e-30. Used for norms and global
 * gradient-norm clipping. Lanes reduced in a fixed order.
 */
export function f32_sumsq(n: i32, x: usize): f64 {
  let total: f64 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
    for (; i + 8 <= n; i += 8) {
      const o = <usize>i << 2;
      const u = v128.load(x + o), v = v128.load(x + o, 16);
      const u0 = f64x2.promote_low_f32x4(u), u1 = f64x2.promote_low_f32x4(f32x4.shuffle(u, u, 2, 3, 2, 3));
      const v0 = f64x2.promote_low_f32x4(v), v1 = f64x2.promote_low_f32x4(f32x4.shuffle(v, v, 2, 3, 2, 3));
      s0 = f64x2.add(s0, f64x2.mul(u0, u0));
      s1 = f64x2.add(s1, f64x2.mul(u1, u1));
      s2 = f64x2.add(s2, f64x2.mul(v0, v0));
      s3 = f64x2.add(s3, f64x2.mul(v1, v1));
    }
    const s = f64x2.add(f64x2.add(s0, s1), f64x2.add(s2, s3));
    total = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  } else {
    let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
    for (; i + 4 <= n; i += 4) {
      const o = x + (<usize>i << 2);
      const v0 = <f64>load<f32>(o), v1 = <f64>load<f32>(o, 4), v2 = <f64>load<f32>(o, 8), v3 = <f64>load<f32>(o, 12);
      s0 += v0 * v0; s1 += v1 * v1; s2 += v2 * v2; s3 += v3 * v3;
    }
    total = (s0 + s1) + (s2 + s3);
  }
  for (; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    total += v * v;
  }
  return total;
}

/** sqrt(sum_i x[i]^2): overflow- and underflow-safe for every f32 input (see f32_sumsq). */
export function f32_nrm2(n: i32, x: usize): f64 {
  return Math.sqrt(f32_sumsq(n, x));
}

/** Floats per block of f32_sumsq_blocked (4 f32x4 × 16 steps: each f32 lane sums 16 squares). */
const SQ_BLOCK: i32 = 256;
/** 2^-90: an f32-lane total at least this large lost ≤ n·2^-150 to underflowed squares, < 2^-29 of it. */
const SQ_TINY: f64 = 8.077935669463161e-28;

/** Lane l of one f32_sumsq_blocked block [b, end) (the scalar twin): ((a0 + a1) + (a2 + a3)) of its f32x4 sums. */
@inline function laneSq(x: usize, b: i32, end: i32, l: i32): f64 {
  let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
  for (let i = b + l; i < end; i += 16) {
    const p = x + (<usize>i << 2);
    const v0 = load<f32>(p), v1 = load<f32>(p, 16), v2 = load<f32>(p, 32), v3 = load<f32>(p, 48);
    s0 += v0 * v0; s1 += v1 * v1; s2 += v2 * v2; s3 += v3 * v3;
  }
  return <f64>((s0 + s1) + (s2 + s3));
}

/** Whether every x[i] is ±0 (SIMD: 16 floats per step, stops at the first non-zero). */
function allZero(n: i32, x: usize): bool {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const mag = i32x4.splat(0x7fffffff);
    for (; i + 16 <= n; i += 16) {
      const p = x + (<usize>i << 2);
      const o = v128.or(v128.or(v128.load(p), v128.load(p, 16)), v128.or(v128.load(p, 32), v128.load(p, 48)));
      if (v128.any_true(v128.and(o, mag))) return false;
    }
  }
  for (; i < n; i++) if (load<u32>(x + (<usize>i << 2)) << 1) return false;
  return true;
}

/**
 * sum_i x[i]^2 at f32 speed, as safe as f32_sumsq: f32 squares summed in 16 f32 lanes
 * (four f32x4) over blocks of SQ_BLOCK floats, each block's lanes reduced in a fixed order,
 * (a0 + a1) + (a2 + a3) then (l0 + l1) + (l2 + l3) in f64, into an f64 total; the last
 * n mod 16 squares are added in f64. A lane sums 16 rounded squares, so a block is within
 * ~18·2^-24 ≈ 1.1e-6 of its exact sum (typically ~2e-7; Higham, "Accuracy and Stability
 * of Numerical Algorithms", 2002, §4.2) and the total too, whatever n. When the total is
 * not in [SQ_TINY, +Inf) (an f32 square or block sum overflowed, a NaN, or squares small
 * enough to underflow) it is summed again exactly in f64, one element after another,
 * unless x is all ±0 (then 0). The scalar twin sums the same lanes in the same order
 * (lane j of a block takes its elements j, j + 16, ...), so both builds give the same bits.
 */
export function f32_sumsq_blocked(n: i32, x: usize): f64 {
  const n16 = n & ~15;
  let total: f64 = 0;
  for (let b = 0; b < n16; b += SQ_BLOCK) {
    const end = min(b + SQ_BLOCK, n16);
    if (ASC_FEATURE_SIMD) {
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
      for (let i = b; i < end; i += 16) {
        const p = x + (<usize>i << 2);
        const v0 = v128.load(p), v1 = v128.load(p, 16), v2 = v128.load(p, 32), v3 = v128.load(p, 48);
        a0 = f32x4.add(a0, f32x4.mul(v0, v0));
        a1 = f32x4.add(a1, f32x4.mul(v1, v1));
        a2 = f32x4.add(a2, f32x4.mul(v2, v2));
        a3 = f32x4.add(a3, f32x4.mul(v3, v3));
      }
      total += hsum(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)));
    } else {
      total += (laneSq(x, b, end, 0) + laneSq(x, b, end, 1)) + (laneSq(x, b, end, 2) + laneSq(x, b, end, 3));
    }
  }
  for (let i = n16; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    total += v * v;
  }
  if (total >= SQ_TINY && total < Infinity) return total;
  if (allZero(n, x)) return 0;
  total = 0;
  for (let i = 0; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    total += v * v;
  }
  return total;
}

/**
 * max_i |x[i]| (0 for n == 0; NaN if any element is NaN). SIMD compares the
 * bits of |x| as integers: for non-negative floats the integer order is the
 * float order, and every NaN (exponent all ones, mantissa non-zero) is above
 * Inf, so one i32x4.max_s per 4 lanes both finds the maximum and propagates
 * NaN (f32x4.max needs several instructions for its NaN and -0 rules).
 * The scalar twin uses f32.max, which propagates NaN too.
 */
export function f32_amax(n: i32, x: usize): f32 {
  let m: f32 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    if (n >= 4) {
      const mask = i32x4.splat(0x7fffffff);
      let a = i32x4.splat(0), b = i32x4.splat(0);
      for (; i + 8 <= n; i += 8) {
        const o = <usize>i << 2;
        a = i32x4.max_s(a, v128.and(v128.load(x + o), mask));
        b = i32x4.max_s(b, v128.and(v128.load(x + o, 16), mask));
      }
      for (; i + 4 <= n; i += 4) a = i32x4.max_s(a, v128.and(v128.load(x + (<usize>i << 2)), mask));
      a = i32x4.max_s(a, b);
      const bits = max(max(i32x4.extract_lane(a, 0), i32x4.extract_lane(a, 1)), max(i32x4.extract_lane(a, 2), i32x4.extract_lane(a, 3)));
      m = reinterpret<f32>(bits);
    }
  }
  for (; i < n; i++) m = max(m, abs(load<f32>(x + (<usize>i << 2))));
  return m;
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
 * x <- alpha * x, the same bits as f32_scal, 16 floats per step (four vectors loaded
 * before any store), then the scalar tail: on cache-resident data V8's code for the 4-float
 * loop runs ~1.4x longer (1M floats: 0.115 against 0.080 ms).
 */
export function f32_scal_x16(n: i32, x: usize, alpha: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const va = f32x4.splat(alpha);
    for (; i + 16 <= n; i += 16) {
      const p = x + (<usize>i << 2);
      const v0 = v128.load(p), v1 = v128.load(p, 16), v2 = v128.load(p, 32), v3 = v128.load(p, 48);
      v128.store(p, f32x4.mul(v0, va));
      v128.store(p, f32x4.mul(v1, va), 16);
      v128.store(p, f32x4.mul(v2, va), 32);
      v128.store(p, f32x4.mul(v3, va), 48);
    }
  }
  for (; i < n; i++) { const p = x + (<usize>i << 2); store<f32>(p, load<f32>(p) * alpha); }
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
/** z <- x * y */
export function f32_mul(n: i32, x: usize, y: usize, z: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(z + o, f32x4.mul(v128.load(x + o), v128.load(y + o))); }
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
  if (ASC_FEATURE_SIMD) { const v = f32x4.splat(s); for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(z + o, f32x4.mul(v128.load(x + o), v)); } }
  for (; i < n; i++) { const o = <usize>i << 2; store<f32>(z + o, load<f32>(x + o) * s); }
}
/** z <- x / s (a true division, not a multiplication by 1/s: results match x[i] / s exactly) */
export function f32_div_scalar(n: i32, x: usize, z: usize, s: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) { const v = f32x4.splat(s); for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(z + o, f32x4.div(v128.load(x + o), v)); } }
  for (; i < n; i++) { const o = <usize>i << 2; store<f32>(z + o, load<f32>(x + o) / s); }
}
