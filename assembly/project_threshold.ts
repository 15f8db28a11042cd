// The simplex and l1-ball projections (see project.ts for the family):
//
//   simplex    C = {z ≥ 0, Σz = s}               z = max(x − τ, 0) with Σ max(x − τ, 0) = s
//   l1_ball    C = {‖z‖₁ ≤ r}                    z = sign(x)·max(|x| − τ, 0) when ‖x‖₁ > r
//              (Duchi, Shalev-Shwartz, Singer & Chandra, ICML 2008, §3-4)
//
// τ is found without a sort (threshold() below): for large n a strided sample proposes a
// bracket lo ≤ τ ≤ hi, and one pass over x sums the values above hi, collects those inside
// and checks the bracket; otherwise a SIMD pass gives a lower bound. Then Newton's method
// from below (Michelot, JOTA 50, 1986) on a candidate list compacted branch-free into the
// host-planned scratch (n f32). Non-finite input: NaN returned, nothing written.
// Memory contract: x needs no alignment; scratch (n floats) never aliases x. Both builds
// give the same bits (the same f64 comparisons and sums; see project.ts).

import { f32_prox_l1 } from "./prox";
import { stPick } from "./select";
import { compact, compactBracket, compactSparse, hiCount, hiSum, keptSum, listSum, nonFinite } from "./compact";

@inline function at(p: usize, i: i32): usize { return p + (<usize>i << 2); }

/** The largest f32 ≤ t (t finite): <f32>t, one step down when it rounded up. */
@inline function below(t: f64): f32 {
  const f = <f32>t;
  if (<f64>f <= t) return f;
  const b = reinterpret<i32>(f);
  return f > 0 ? reinterpret<f32>(b - 1) : f == 0 ? reinterpret<f32>(0x80000001) : reinterpret<f32>(b + 1);
}

/**
 * n at and above which threshold() tries a bracket from a sample; the sample's size (1024
 * values, then n/128 up to 16384 when τ is dense: a bigger sample narrows the bracket, so
 * fewer values are collected for the Newton steps); the bracket's width in standard errors.
 */
const SAMPLE_MIN = 32768;
const SAMPLE_LO = 1024;
const SAMPLE_HI = 16384;
const WIDTH: f64 = 5;
/** How many values lie above the threshold the last sampleThreshold() returned. */
let sampleKept = 0;

/**
 * The threshold of the m sample values at `keep` (their sum and max given) for the budget b:
 * Newton from the bound max((sum − b)/m, max − b), on a copy compacted into work, as
 * threshold() does on x.
 */
function sampleThreshold(m: i32, keep: usize, work: usize, sum: f64, mx: f64, b: f64): f64 {
  let t = max((sum - b) / <f64>m, mx - b);
  let count = compact(m, keep, work, t, false);
  let total = keptSum;
  while (count > 0) {
    const next = (total - b) / <f64>count;
    const kept = compact(count, work, work, next, false);
    if (kept == 0) break;
    t = next;
    if (kept == count) break;
    count = kept;
    total = keptSum;
  }
  sampleKept = count;
  return t;
}

/** Whether the last fromSample() call settled τ (else threshold() starts over from its bound pass). */
let sampleDone = false;

/**
 * τ from a bracket a strided sample of m values proposes (n ≥ SAMPLE_MIN, a > 0). The
 * sample's own threshold for its share b = a·m/n has c values above it; its relative error is about
 * 1.4/√c (the sum over c values and their count), so lo and hi are the sample thresholds for
 * the budgets b·(1 + ε) and b·(1 − ε), ε = WIDTH/√(c + 1) (hi = +∞ when ε ≥ 1). One pass over
 * x then sums and counts the values above hi and collects those in (lo, hi] (compactBracket;
 * compactSparse when hi = +∞ and the sample says few values pass lo), and finds non-finite
 * input. The bracket is checked over all of x, f(lo) ≥ 0 ≥ f(hi) with
 * f(τ) = Σ max(v − τ, 0) − a, so lo ≤ τ* ≤ hi for every input; Newton's steps from lo then
 * run on the collected values only (the values above hi are a fixed sum and count). A
 * sample that misses gives sampleDone = false and costs the pass.
 */
/** Σ and max of the values the last gather() took. */
let sampleSum: f64 = 0;
let sampleMax: f32 = 0;

/** Copies m values of x at the stride n/m to keep (|x| when `useAbs`); false when one is not finite. */
function gather(n: i32, x: usize, keep: usize, m: i32, useAbs: bool): bool {
  const stride = n / m;
  let sum: f64 = 0, mx: f32 = -Infinity;
  for (let j = 0; j < m; j++) {
    let v = load<f32>(at(x, j * stride));
    if (useAbs) v = abs<f32>(v);
    if (!(abs<f32>(v) < Infinity)) return false; // the bound pass reports it
    store<f32>(at(keep, j), v);
    sum += <f64>v;
    mx = max(mx, v);
  }
  sampleSum = sum;
  sampleMax = mx;
  return true;
}

function fromSample(n: i32, x: usize, scratch: usize, a: f64, useAbs: bool): f64 {
  sampleDone = false;
  // SAMPLE_LO values first; when many lie above their threshold (a dense τ: ε < 1) a bigger
  // sample narrows the bracket (fewer values collected for the Newton steps); a sparse τ keeps
  // the small one (its bracket is [lo, +∞), the pass over x a cheap filter either way)
  let m = SAMPLE_LO;
  let keep = scratch + (<usize>m << 2);
  if (!gather(n, x, keep, m, useAbs)) return 0;
  let b = a * <f64>m / <f64>n;
  sampleThreshold(m, keep, scratch, sampleSum, sampleMax, b);
  let eps = WIDTH / Math.sqrt(<f64>sampleKept + 1);
  const big = min(SAMPLE_HI, max(SAMPLE_LO, n >> 7));
  if (eps < 1 && big > m) {
    m = big;
    keep = scratch + (<usize>m << 2);
    if (!gather(n, x, keep, m, useAbs)) return 0;
    b = a * <f64>m / <f64>n;
    sampleThreshold(m, keep, scratch, sampleSum, sampleMax, b);
    eps = WIDTH / Math.sqrt(<f64>sampleKept + 1);
  }
  const sum = sampleSum, mx: f64 = sampleMax;
  // with few sample values above the threshold (ε ≥ 1, hi = +∞) the error is not ~1/√c any
  // more (the sample's top values can crowd together): lo uses the budget b·(1 + ε)², wider
  // (at n = 1M, m = 1024, the sample threshold for b·(1 + ε) lay above τ*, the bracket
  // check failed and the fallback ran Newton from the weak bound τ0 over half of x)
  const lo = <f32>sampleThreshold(m, keep, scratch, sum, mx, b * (eps < 1 ? 1 + eps : (1 + eps) * (1 + eps)));
  const above = sampleKept;
  const hi: f32 = eps < 1 ? <f32>sampleThreshold(m, keep, scratch, sum, mx, b * (1 - eps)) : Infinity;
  if (!(lo <= hi) || (useAbs && !(lo > 0))) return 0; // l1: lo > 0 also proves ‖x‖₁ > a below
  let count: i32, sHi: f64 = 0, cHi = 0, total: f64;
  if (hi == Infinity && above * 32 <= m) {
    count = compactSparse(n, x, scratch, <f64>lo, useAbs);
    total = keptSum;
  } else {
    count = compactBracket(n, x, scratch, lo, hi, useAbs);
    sHi = hiSum; cHi = hiCount;
    total = nonFinite ? 0 : listSum(count, scratch); // all > lo: compact()'s keptSum of them
  }
  if (nonFinite) { sampleDone = true; return NaN; }
  // the bracket, over all of x: f(lo) ≥ 0 (lo ≤ τ*) and f(hi) ≤ 0 (τ* ≤ hi)
  if (sHi + total - <f64>(cHi + count) * <f64>lo - a < 0) return 0;
  if (cHi > 0 && sHi - <f64>cHi * <f64>hi - a > 0) return 0;
  let tau: f64 = lo;
  // A dense τ collects many values (~5% of n at r = n/8): narrow [lo, hi] first, so the Newton
  // steps run on a few hundred values, not the whole list. f is convex and decreasing, so the
  // Newton step from lo, t1 = (Σ_{v>lo} v − a)/#{v > lo}, is ≤ τ*, and the chord's root
  // u = lo + f(lo)(hi − lo)/(f(lo) − f(hi)) is ≥ τ* (plus 1e-3 of the width against rounding).
  // One compactBracket pass over the list (into scratch after it: 2·count + 16 ≤ n) moves the
  // values above u to the fixed sum; f(u) ≤ 0 ≤ f(lf) is checked before the list is replaced.
  if (hi < Infinity && cHi > 0 && count >= 1024 && 2 * count + 16 <= n) {
    const fLo = sHi + total - <f64>(cHi + count) * <f64>lo - a, fHi = sHi - <f64>cHi * <f64>hi - a;
    const w = <f64>hi - <f64>lo;
    const u = <f64>lo + fLo * w / (fLo - fHi) + w * 1e-3;
    const t1 = (sHi + total - a) / <f64>(cHi + count);
    const lf = below(t1);
    if (u < <f64>hi && lf > lo) {
      const uf = <f32>u;
      const dst = scratch + (<usize>count << 2);
      const k0 = compactBracket(count, scratch, dst, lf, uf, false);
      const s2 = sHi + hiSum, c2 = cHi + hiCount;
      const k = k0;
      const t2 = listSum(k0, dst); // all > lf
      if (s2 - <f64>c2 * <f64>uf - a <= 0 && s2 + t2 - <f64>(c2 + k) * <f64>lf - a >= 0) {
        memory.copy(scratch, dst, <usize>k << 2);
        count = k; total = t2; sHi = s2; cHi = c2; tau = lf;
      }
    }
  }
  while (cHi + count > 0) {
    const next = (sHi + total - a) / <f64>(cHi + count);
    const kept = compact(count, scratch, scratch, next, false);
    if (kept == 0 && cHi == 0) break; // rounding when a ≪ max v: keep the last τ
    tau = next;
    if (kept == count) break; // nothing left the list: τ is the root
    count = kept;
    total = keptSum;
  }
  sampleDone = true;
  return tau;
}

/**
 * The threshold τ with Σ_i max(v_i − τ, 0) = a (a ≥ 0, n ≥ 1), v_i = x_i or |x_i| when
 * `useAbs`; NaN when some v_i is not finite (found before anything is written).
 *
 * From n = SAMPLE_MIN (and a > 0) a sampled bracket usually settles τ in one pass over x
 * (fromSample). Otherwise, pass 0 (SIMD): Σv and max v give the lower bound
 * τ0 = max((Σv − a)/n, max v − a) ≤ τ. Then Newton's method from below on the
 * piecewise-linear f(τ) = Σ max(v − τ, 0) − a (Michelot 1986): with I the values above the
 * current τ, τ <- (Σ_I v − a)/|I|, which never passes the root, and I shrinks to the values
 * above the new τ, until it stops shrinking. Each pass compacts I into scratch without a
 * branch (the write always happens, the cursor moves by the comparison), so a pass costs
 * ~1 cycle per value and the passes shrink: a few times n values touched in all (quadratic
 * convergence when many values stay active, halving sizes when few do).
 */
function threshold(n: i32, x: usize, scratch: usize, a: f64, useAbs: bool): f64 {
  if (n >= SAMPLE_MIN && a > 0) {
    const t = fromSample(n, x, scratch, a, useAbs);
    if (sampleDone) return t;
  }
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
  // I0 = {v > τ0}, copied from x into scratch; then Newton steps on scratch[0, count) in place
  let count = compact(n, x, scratch, tau, useAbs);
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
  // like f32.max): i32x4.max_s(r, 0) on the bit patterns (a lane with the sign bit set, −0
  // included, is a negative i32 and becomes +0; lanes ≥ +0 keep their bits), one integer
  // instruction, so only the sub uses the FP pipes (f32x4.max needs several for NaN and ±0)
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vt = f32x4.splat(t), zero = f32x4.splat(0);
    for (; i + 16 <= n; i += 16) {
      const p = at(x, i);
      const v0 = v128.load(p), v1 = v128.load(p, 16), v2 = v128.load(p, 32), v3 = v128.load(p, 48);
      v128.store(p, i32x4.max_s(zero, f32x4.sub(v0, vt)));
      v128.store(p, i32x4.max_s(zero, f32x4.sub(v1, vt)), 16);
      v128.store(p, i32x4.max_s(zero, f32x4.sub(v2, vt)), 32);
      v128.store(p, i32x4.max_s(zero, f32x4.sub(v3, vt)), 48);
    }
  }
  for (; i < n; i++) {
    const r = load<f32>(at(x, i)) - t;
    stPick(x, i, 0 < r, r, 0);
  }
  return tau;
}

/**
 * Projection onto the ball ‖z‖₁ ≤ r (r ≥ 0): x unchanged when ‖x‖₁ ≤ r (returns 0), else
 * x <- sign(x)·max(|x| − τ, 0), zeros +0 (f32_prox_l1; returns τ > 0). NaN (x unchanged) when x holds a NaN or
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
