// Sum-of-squares and norm kernels, f32 (split from vector.ts, same contract):
// f32_sumsq (f64 accumulation, no scaling needed), f32_nrm2, f32_sumsq_blocked (f32 blocks
// into f64, the same bits in both builds) and f32_amax (max |x|, integer compare of bits).
// Sizes >= 0 (elements); pointers need no alignment. Re-exported by index.ts.

import { hsum } from "./memory";

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
