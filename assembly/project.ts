// Euclidean projections onto convex sets (and a quantization grid), f32, in place:
// x <- P_C(x) = argmin_{z ∈ C} ‖z − x‖₂.
//
//   box        C = {lo ≤ z ≤ hi} per element     z = min(max(x, lo_i), hi_i)
//              (scalar bounds: f32_project_clamp)
//   l2_ball    C = {‖z‖₂ ≤ r}                   z = x·r/‖x‖ when ‖x‖ > r
//   grid       levels lo + k·step, k = 0..kmax   z = o + step·clamp(nearest((x − o)·(1/step)), klo, khi)
//              (nearest level counted from o = 0 when 0 is a level, else from o = lo; ties to the
//              even index; not convex: quantization by projection)
//   simplex    C = {z ≥ 0, Σz = s}               z = max(x − τ, 0) with Σ max(x − τ, 0) = s
//   l1_ball    C = {‖z‖₁ ≤ r}                    z = sign(x)·max(|x| − τ, 0) when ‖x‖₁ > r
//              (Duchi, Shalev-Shwartz, Singer & Chandra, ICML 2008, §3-4)
//
// simplex and l1_ball live in project_threshold.ts. τ is found without a sort (threshold()): a SIMD pass gives a lower bound, then
// Newton's method from below (Michelot, "A finite algorithm for finding the projection of a
// point onto the canonical simplex of R^n", JOTA 50, 1986) on a candidate list compacted
// branch-free into the host-planned scratch (n f32) at each step. Like Condat's method
// (Math. Program. 158, 2016) and Duchi et al.'s pivoting it is observed linear in n
// (bench/RESULTS.md); its worst case (many steps removing few values) is not.
//
// Non-finite input: simplex and l1_ball return NaN and write nothing to x when an element
// is NaN or ±Inf (found by the first pass, so the Newton steps never start and cannot
// loop); l2_ball returns the non-finite norm and writes nothing. box and grid are
// elementwise: NaN stays NaN (pmin/pmax and their scalar selects keep it).
//
// Memory contract: x needs no alignment; lo/hi may not alias x; scratch (n floats)
// never aliases x. Elementwise SIMD bodies do the same f32 operations as their scalar
// twins (pmax/pmin as selects, sub, mul, nearest, add; the relaxed build's grid fuses the
// last two only where that rounds alike, f32_project_grid); the threshold τ uses the same
// f64 comparisons and the same four f64 sums in both builds except for pass 0's bound
// (lane order), which only decides where the Newton steps start; so both builds give the
// same bits (l2_ball: f32_sumsq_blocked gives the same bits in both builds).

import { f32_sumsq_blocked } from "./norms";
import { f32_scal } from "./vector";
import { clampBits } from "./select";

@inline function at(p: usize, i: i32): usize { return p + (<usize>i << 2); }

/**
 * x <- min(max(x, lo[i]), hi[i]) (per-element bounds; NaN stays NaN). SIMD: 16 floats per
 * step (the 12 loads of a step issued before its 4 stores), then the scalar tail.
 */
export function f32_project_box(n: i32, x: usize, lo: usize, hi: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 16 <= n; i += 16) {
      // pmax(v, l) = v < l ? l : v, pmin(v, h) = h < v ? h : v: one instruction each, NaN stays
      const p = at(x, i), l = at(lo, i), h = at(hi, i);
      const r0 = f32x4.pmin(f32x4.pmax(v128.load(p), v128.load(l)), v128.load(h));
      const r1 = f32x4.pmin(f32x4.pmax(v128.load(p, 16), v128.load(l, 16)), v128.load(h, 16));
      const r2 = f32x4.pmin(f32x4.pmax(v128.load(p, 32), v128.load(l, 32)), v128.load(h, 32));
      const r3 = f32x4.pmin(f32x4.pmax(v128.load(p, 48), v128.load(l, 48)), v128.load(h, 48));
      v128.store(p, r0); v128.store(p, r1, 16); v128.store(p, r2, 32); v128.store(p, r3, 48);
    }
  }
  for (; i < n; i++) {
    store<i32>(at(x, i), clampBits(load<i32>(at(x, i)), load<i32>(at(lo, i)), load<i32>(at(hi, i))));
  }
}

/** x <- min(max(x, lo), hi) with scalar bounds (pmax/pmin: one instruction each; NaN stays NaN). */
export function f32_project_clamp(n: i32, x: usize, lo: f32, hi: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
    for (; i + 16 <= n; i += 16) {
      const p = at(x, i);
      const v0 = v128.load(p), v1 = v128.load(p, 16), v2 = v128.load(p, 32), v3 = v128.load(p, 48);
      v128.store(p, f32x4.pmin(f32x4.pmax(v0, vlo), vhi));
      v128.store(p, f32x4.pmin(f32x4.pmax(v1, vlo), vhi), 16);
      v128.store(p, f32x4.pmin(f32x4.pmax(v2, vlo), vhi), 32);
      v128.store(p, f32x4.pmin(f32x4.pmax(v3, vlo), vhi), 48);
    }
  }
  const lob = reinterpret<i32>(lo), hib = reinterpret<i32>(hi);
  for (; i < n; i++) {
    store<i32>(at(x, i), clampBits(load<i32>(at(x, i)), lob, hib));
  }
}

/**
 * Projection onto the ball ‖z‖₂ ≤ r: x <- x · f32(r/‖x‖) when ‖x‖ > r, ‖x‖ from
 * f32_sumsq_blocked (f32 blocks into f64: within ~1e-6, overflow- and underflow-safe). Returns ‖x‖ before
 * the projection (f64); when it is not finite nothing is written.
 */
export function f32_project_l2_ball(n: i32, x: usize, r: f32): f64 {
  const norm = Math.sqrt(f32_sumsq_blocked(n, x));
  if (norm > <f64>r && norm < Infinity) f32_scal(n, x, <f32>(<f64>r / norm));
  return norm;
}

/**
 * One f32x4 of the grid projection: o + step·clamp(nearest((v − o)·inv), klo, khi); without
 * the subtraction when `fromZero` (o = 0: v − 0 is v, bit for bit); the last two operations
 * as one relaxed_madd when `fused` (see f32_project_grid).
 */
@inline function grid4(v: v128, vo: v128, vs: v128, vi: v128, vklo: v128, vkhi: v128, fromZero: bool, fused: bool): v128 {
  const t = fromZero ? f32x4.mul(v, vi) : f32x4.mul(f32x4.sub(v, vo), vi);
  const k = f32x4.pmin(f32x4.pmax(f32x4.nearest(t), vklo), vkhi);
  if (ASC_FEATURE_RELAXED_SIMD) {
    if (fused) return f32x4.relaxed_madd(vs, k, vo);
  }
  return f32x4.add(vo, f32x4.mul(vs, k));
}

/** grid4 over x[i, n) 16 floats per step; returns where it stopped. */
@inline function grid16(n: i32, x: usize, i: i32, o: f32, step: f32, inv: f32, klo: f32, khi: f32, fromZero: bool, fused: bool): i32 {
  const vo = f32x4.splat(o), vs = f32x4.splat(step), vi = f32x4.splat(inv), vklo = f32x4.splat(klo), vkhi = f32x4.splat(khi);
  for (; i + 16 <= n; i += 16) {
    const p = at(x, i);
    const v0 = v128.load(p), v1 = v128.load(p, 16), v2 = v128.load(p, 32), v3 = v128.load(p, 48);
    v128.store(p, grid4(v0, vo, vs, vi, vklo, vkhi, fromZero, fused));
    v128.store(p, grid4(v1, vo, vs, vi, vklo, vkhi, fromZero, fused), 16);
    v128.store(p, grid4(v2, vo, vs, vi, vklo, vkhi, fromZero, fused), 32);
    v128.store(p, grid4(v3, vo, vs, vi, vklo, vkhi, fromZero, fused), 48);
  }
  return i;
}

/**
 * Whether step·k is exact in f32 for every whole k ≤ kmax: step = m·2^e with m odd (its
 * significand without trailing zeros) and kmax·m < 2^24, and step·kmax finite.
 */
function exactMultiples(step: f32, kmax: f32): bool {
  const b = reinterpret<i32>(step);
  let sig = b & 0x7fffff;
  if ((b >>> 23 & 0xff) != 0) sig |= 0x800000;
  if (sig == 0) return true;
  const m = sig >>> ctz(sig);
  return <f64>kmax * <f64>m < 16777216 && <f64>step * <f64>kmax <= <f64>f32.MAX_VALUE;
}

/**
 * The index m of the grid's zero level (lo + step·m = 0 exactly, m whole in [0, kmax]; the
 * check in f64, where step·m is exact), or −1 when 0 is not a level.
 */
function zeroLevel(lo: f32, step: f32, kmax: f32): f64 {
  const m = Math.round(-<f64>lo / <f64>step);
  return m >= 0 && m <= <f64>kmax && <f64>lo + <f64>step * m == 0 ? m : -1;
}

/**
 * Projection onto the levels lo + step·k, k = 0..kmax (kmax a whole number ≥ 0, step > 0),
 * counted from an origin o: x <- o + step·clamp(nearest((x − o)·inv), klo, khi) with
 * inv = f32(1/step) (a multiply, not a division per element). When 0 is a level (lo = −step·m,
 * zeroLevel) o = 0, klo = −m, khi = kmax − m: the rounding of PyTorch's fake quantization,
 * nearbyint(x·inv) from the zero point (ties to the even multiple of step), and o + step·j is
 * step·j + 0 (+0 for the zero level); otherwise o = lo, klo = 0, khi = kmax. NaN stays NaN.
 * SIMD: 16 floats per step, then the scalar tail. From the zero level the subtraction goes (5
 * FP operations per vector, 1M floats: 0.115 against 0.150 ms) and o + step·j is fused into one
 * relaxed_madd (rounded once fused or not: + 0 is exact). From lo the relaxed build fuses
 * lo + step·k when every step·k is exact (exactMultiples: any step a power of two, ...): then
 * fused and unfused both round once, so the bits are those of the other builds whichever the
 * engine picks, with one FP instruction less per vector.
 */
export function f32_project_grid(n: i32, x: usize, lo: f32, step: f32, kmax: f32): void {
  const inv = <f32>(1 / <f64>step);
  const m = zeroLevel(lo, step, kmax);
  const fromZero = m >= 0;
  const o: f32 = fromZero ? 0 : lo, klo: f32 = fromZero ? <f32>-m : 0, khi: f32 = fromZero ? <f32>(<f64>kmax - m) : kmax;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    // loops one after the other, not the arms of an if: binaryen folded those into one loop
    // computing both and selecting per vector (0.206 against 0.188 ms); each covers x when its
    // case holds (a bound of 0 runs none of it), the last whatever is left (then the tail)
    i = grid16(fromZero ? n : 0, x, 0, o, step, inv, klo, khi, true, true);
    if (ASC_FEATURE_RELAXED_SIMD) i = grid16(exactMultiples(step, kmax) ? n : 0, x, i, o, step, inv, klo, khi, false, true);
    i = grid16(n, x, i, o, step, inv, klo, khi, false, false);
  }
  // the tail clamps o + step·k between the end levels instead of k between klo and khi: the
  // same bits (o + step·k rounds monotonically in k, and the end levels are rounded alike),
  // with the clamp's picks last, so they stay i32 (select.ts)
  const zlo = reinterpret<i32>(o + step * klo), zhi = reinterpret<i32>(o + step * khi);
  for (; i < n; i++) {
    const z = o + step * nearest<f32>((load<f32>(at(x, i)) - o) * inv);
    store<i32>(at(x, i), clampBits(reinterpret<i32>(z), zlo, zhi));
  }
}
