// The simplex and l1-ball projections (see project.ts for the family):
//
//   simplex    C = {z ≥ 0, Σz = s}               z = max(x − τ, 0) with Σ max(x − τ, 0) = s
//   l1_ball    C = {‖z‖₁ ≤ r}                    z = sign(x)·max(|x| − τ, 0) when ‖x‖₁ > r
//              (Duchi, Shalev-Shwartz, Singer & Chandra, ICML 2008, §3-4)
//
// τ is found without a sort (threshold() below): a SIMD pass gives a lower bound (for
// large n, a strided sample proposes a higher one, checked over all of x), then Newton's
// method from below (Michelot, JOTA 50, 1986) on a candidate list compacted branch-free
// into the host-planned scratch (n f32). Non-finite input: NaN returned, nothing written.
// Memory contract: x needs no alignment; scratch (n floats) never aliases x. Both builds
// give the same bits (the same f64 comparisons and sums; see project.ts).

import { f32_prox_l1 } from "./prox";

@inline function at(p: usize, i: i32): usize { return p + (<usize>i << 2); }

/** Σ of the values the last compact() kept (f64; four sums joined in a fixed order, both builds). */
let keptSum: f64 = 0;

/**
 * Copies the values v_i > thr of src[0, n) (v = |src| when `useAbs`) to dst[0, kept) in
 * order and returns kept (dst may be src: the write index never passes the read index).
 * Branch-free: every value is written, the cursor advances by the comparison, and the kept
 * sum adds v·[v > thr] (a float select may become a branch in V8). Unrolled by 4 with four
 * sums so the f64 adds do not chain.
 */
@inline function compact(n: i32, src: usize, dst: usize, thr: f64, useAbs: bool): i32 {
  let kept = 0;
  let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    // the same comparisons (in f64) and the same four sums as the scalar loop below:
    // lane 0 of a = s0, lane 1 of a = s1, lane 0 of b = s2, lane 1 of b = s3
    const t2 = f64x2.splat(thr), mask = i32x4.splat(0x7fffffff);
    let a = f64x2.splat(0), b = f64x2.splat(0);
    for (; i + 4 <= n; i += 4) {
      let v = v128.load(at(src, i));
      if (useAbs) v = v128.and(v, mask);
      const lo = f64x2.promote_low_f32x4(v), hi = f64x2.promote_low_f32x4(f32x4.shuffle(v, v, 2, 3, 2, 3));
      const klo = f64x2.gt(lo, t2), khi = f64x2.gt(hi, t2);
      a = f64x2.add(a, v128.and(lo, klo));
      b = f64x2.add(b, v128.and(hi, khi));
      const bits = i64x2.bitmask(klo) | (i64x2.bitmask(khi) << 2);
      store<f32>(at(dst, kept), f32x4.extract_lane(v, 0)); kept += bits & 1;
      store<f32>(at(dst, kept), f32x4.extract_lane(v, 1)); kept += (bits >> 1) & 1;
      store<f32>(at(dst, kept), f32x4.extract_lane(v, 2)); kept += (bits >> 2) & 1;
      store<f32>(at(dst, kept), f32x4.extract_lane(v, 3)); kept += bits >> 3;
    }
    s0 = f64x2.extract_lane(a, 0); s1 = f64x2.extract_lane(a, 1);
    s2 = f64x2.extract_lane(b, 0); s3 = f64x2.extract_lane(b, 1);
  }
  for (; i + 4 <= n; i += 4) {
    const o = at(src, i);
    let v0 = load<f32>(o), v1 = load<f32>(o, 4), v2 = load<f32>(o, 8), v3 = load<f32>(o, 12);
    if (useAbs) { v0 = abs<f32>(v0); v1 = abs<f32>(v1); v2 = abs<f32>(v2); v3 = abs<f32>(v3); }
    const k0 = <i32>(<f64>v0 > thr), k1 = <i32>(<f64>v1 > thr), k2 = <i32>(<f64>v2 > thr), k3 = <i32>(<f64>v3 > thr);
    store<f32>(at(dst, kept), v0); kept += k0;
    store<f32>(at(dst, kept), v1); kept += k1;
    store<f32>(at(dst, kept), v2); kept += k2;
    store<f32>(at(dst, kept), v3); kept += k3;
    s0 += <f64>v0 * <f64>k0; s1 += <f64>v1 * <f64>k1; s2 += <f64>v2 * <f64>k2; s3 += <f64>v3 * <f64>k3;
  }
  for (; i < n; i++) {
    let v = load<f32>(at(src, i));
    if (useAbs) v = abs<f32>(v);
    const k = <i32>(<f64>v > thr);
    store<f32>(at(dst, kept), v);
    kept += k;
    s0 += <f64>v * <f64>k;
  }
  keptSum = (s0 + s1) + (s2 + s3);
  return kept;
}

/** n at and above which threshold() tries a start from a sample; the sample size. */
const SAMPLE_MIN = 32768;
const SAMPLE = 1024;
/** How many sample values lie above the start the last sampleStart() returned. */
let sampleKept = 0;

/**
 * A start for the Newton steps from SAMPLE values v at a fixed stride: the sample's own
 * threshold for the budget 4·a·SAMPLE/n (4× the share the sample would carry at τ*, so the
 * start lies below τ* unless the sample is unrepresentative; threshold() checks f(g) ≥ 0
 * over all of x before it uses g). Uses scratch[0, SAMPLE).
 */
function sampleStart(n: i32, x: usize, scratch: usize, a: f64, useAbs: bool): f64 {
  const stride = n / SAMPLE;
  let sum: f64 = 0, mx: f32 = -Infinity;
  for (let j = 0; j < SAMPLE; j++) {
    let v = load<f32>(at(x, j * stride));
    if (useAbs) v = abs<f32>(v);
    store<f32>(at(scratch, j), v);
    sum += <f64>v;
    mx = max(mx, v);
  }
  const b = (4 * a * <f64>SAMPLE) / <f64>n;
  let t = max((sum - b) / <f64>SAMPLE, <f64>mx - b);
  let count = compact(SAMPLE, scratch, scratch, t, false);
  let total = keptSum;
  while (count > 0) {
    const next = (total - b) / <f64>count;
    const kept = compact(count, scratch, scratch, next, false);
    if (kept == 0) break;
    t = next;
    if (kept == count) break;
    count = kept;
    total = keptSum;
  }
  sampleKept = count;
  return t;
}

/**
 * compact() for a threshold few values pass: copies the values v_i > thr of x (v = |x|
 * when `useAbs`) to dst in order, returns their count and leaves their sum (f64, in index
 * order, both builds) in keptSum. SIMD: 8 values per step are tested against an f32
 * threshold just below thr (a filter: v > thr implies v > that), and only a step with a
 * value above it looks at its lanes one by one with the exact f64 test.
 */
function compactSparse(n: i32, x: usize, dst: usize, thr: f64, useAbs: bool): i32 {
  let kept = 0;
  let s: f64 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const t4 = f32x4.splat(<f32>(thr - abs(thr) * 1e-6 - 1e-30)), mask = i32x4.splat(0x7fffffff);
    for (; i + 8 <= n; i += 8) {
      let v0 = v128.load(at(x, i)), v1 = v128.load(at(x, i), 16);
      if (useAbs) { v0 = v128.and(v0, mask); v1 = v128.and(v1, mask); }
      if (v128.any_true(v128.or(f32x4.gt(v0, t4), f32x4.gt(v1, t4)))) {
        for (let l = i; l < i + 8; l++) {
          let v = load<f32>(at(x, l));
          if (useAbs) v = abs<f32>(v);
          if (<f64>v > thr) { store<f32>(at(dst, kept), v); kept++; s += <f64>v; }
        }
      }
    }
  }
  for (; i < n; i++) {
    let v = load<f32>(at(x, i));
    if (useAbs) v = abs<f32>(v);
    if (<f64>v > thr) { store<f32>(at(dst, kept), v); kept++; s += <f64>v; }
  }
  keptSum = s;
  return kept;
}

/**
 * The threshold τ with Σ_i max(v_i − τ, 0) = a (a ≥ 0, n ≥ 1), v_i = x_i or |x_i| when
 * `useAbs`; NaN when some v_i is not finite (found by pass 0, before anything is written).
 *
 * Pass 0 (SIMD): Σv and max v give the lower bound τ0 = max((Σv − a)/n, max v − a) ≤ τ.
 * Then Newton's method from below on the piecewise-linear f(τ) = Σ max(v − τ, 0) − a
 * (Michelot 1986): with I the values above the current τ, τ <- (Σ_I v − a)/|I|, which
 * never passes the root, and I shrinks to the values above the new τ, until it stops
 * shrinking. Each pass compacts I into scratch without a branch (the write always
 * happens, the cursor moves by the comparison), so a pass costs ~1 cycle per value and
 * the passes shrink: a few times n values touched in all (quadratic convergence when many
 * values stay active, halving sizes when few do). From n = SAMPLE_MIN a strided sample
 * proposes a higher start g (sampleStart); one pass over x collects {v > g} (compactSparse
 * when the sample says few values pass: a test per 8 values) and checks f(g) ≥ 0, so g is
 * a lower bound like τ0; if not, the pass is repeated from τ0.
 */
function threshold(n: i32, x: usize, scratch: usize, a: f64, useAbs: bool): f64 {
  let sum: f64 = 0;
  let mx: f32 = -Infinity;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const mask = i32x4.splat(0x7fffffff);
    let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
    let m = f32x4.splat(-Infinity);
    for (; i + 4 <= n; i += 4) {
      let v = v128.load(at(x, i));
      if (useAbs) v = v128.and(v, mask);
      m = f32x4.pmax(m, v);
      s0 = f64x2.add(s0, f64x2.promote_low_f32x4(v));
      s1 = f64x2.add(s1, f64x2.promote_low_f32x4(f32x4.shuffle(v, v, 2, 3, 2, 3)));
    }
    const s = f64x2.add(s0, s1);
    sum = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
    mx = max(max(f32x4.extract_lane(m, 0), f32x4.extract_lane(m, 1)), max(f32x4.extract_lane(m, 2), f32x4.extract_lane(m, 3)));
  }
  for (; i < n; i++) {
    let v = load<f32>(at(x, i));
    if (useAbs) v = abs<f32>(v);
    mx = max(mx, v);
    sum += <f64>v;
  }
  if (!(abs(sum) < Infinity)) return NaN; // a NaN or ±Inf among the values
  if (useAbs && sum <= a) return 0; // inside the l1 ball
  let tau = max((sum - a) / <f64>n, <f64>mx - a);
  // I0 = {v > τ0}, copied from x into scratch; then Newton steps on scratch[0, count) in place.
  // For large n a sample may give a higher start g: used when f(g) ≥ 0 (then g ≤ τ*).
  let count = -1;
  if (n >= SAMPLE_MIN) {
    const g = sampleStart(n, x, scratch, a, useAbs);
    if (g > tau) {
      count = sampleKept * 32 > SAMPLE ? compact(n, x, scratch, g, useAbs) : compactSparse(n, x, scratch, g, useAbs);
      if (keptSum - <f64>count * g - a >= 0) tau = g;
      else count = -1; // the sample overshot τ*: start from τ0
    }
  }
  if (count < 0) count = compact(n, x, scratch, tau, useAbs);
  let total = keptSum;
  while (count > 0) {
    const next = (total - a) / <f64>count;
    const kept = compact(count, scratch, scratch, next, false);
    if (kept == 0) break; // rounding when a ≪ max v: keep the last τ
    tau = next;
    if (kept == count) break; // nothing left I: τ is the root
    count = kept;
    total = keptSum;
  }
  return tau;
}

/**
 * Projection onto the simplex {z ≥ 0, Σz = s} (s > 0): x <- max(x − τ, 0). Returns τ;
 * NaN (x unchanged) when x holds a NaN or ±Inf. n = 0 writes nothing and returns 0.
 * scratch: n floats.
 */
export function f32_project_simplex(n: i32, x: usize, scratch: usize, s: f32): f64 {
  if (n <= 0) return 0;
  const tau = threshold(n, x, scratch, <f64>s, false);
  if (isNaN(tau)) return tau;
  const t = <f32>tau;
  // x − t is never NaN here (x finite), so max(x − t, 0) is the select 0 < r ? r : 0 (−0 → +0
  // like f32.max): pmax(zero, r), one instruction (f32x4.max needs several for NaN and ±0)
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vt = f32x4.splat(t), zero = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) v128.store(at(x, i), f32x4.pmax(zero, f32x4.sub(v128.load(at(x, i)), vt)));
  }
  for (; i < n; i++) {
    const r = load<f32>(at(x, i)) - t;
    store<f32>(at(x, i), 0 < r ? r : 0);
  }
  return tau;
}

/**
 * Projection onto the ball ‖z‖₁ ≤ r (r ≥ 0): x unchanged when ‖x‖₁ ≤ r (returns 0), else
 * x <- sign(x)·max(|x| − τ, 0) (returns τ > 0). NaN (x unchanged) when x holds a NaN or
 * ±Inf. scratch: n floats.
 */
export function f32_project_l1_ball(n: i32, x: usize, scratch: usize, r: f32): f64 {
  if (n <= 0) return 0;
  const tau = threshold(n, x, scratch, <f64>r, true);
  if (isNaN(tau)) return tau;
  if (tau <= 0) return 0; // ‖x‖₁ ≤ r: inside, x unchanged
  f32_prox_l1(n, x, <f32>tau);
  return tau;
}
