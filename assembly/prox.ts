// Proximal operators, f32, in place: x <- prox_{t·R}(x) = argmin_z R(z)·t + ½‖z − x‖²
// (Parikh & Boyd, "Proximal Algorithms", 2014, §6; Beck, "First-Order Methods in
// Optimization", 2017, ch. 6). The host passes t = η·λ (step size times weight).
//
//   l1           R = ‖x‖₁          x <- x − clamp(x, −t, t) = sign(x)·max(|x| − t, 0)   (soft threshold)
//   l2           R = ½‖x‖²         x <- x · (1 / (1 + t))                  (ridge shrinkage)
//   elastic_net  R = λ1‖x‖₁ + ½λ2‖x‖²   x <- soft(x, t1) · (1 / (1 + t2))  (Zou & Hastie 2005)
//   (the factor 1/(1 + t) is computed once in f64 and rounded to f32: one multiply per
//   element instead of a division, within 1 ulp of x / (1 + t))
//   group_lasso  R = Σ_g ‖x_g‖₂   x_g <- 0 if ‖x_g‖ ≤ t, else (1 − t/‖x_g‖)·x_g   (Yuan & Lin 2006)
//
// Memory contract: x needs no alignment; scratch/offsets/indices never alias x.
// Elementwise kernels: SIMD body over 16 floats (4 independent vectors), then a scalar tail;
// the scalar build runs the tail over everything. The soft threshold is x − clamp(x, −t, t)
// in SIMD (pmax, an i32 min, sub: 3 instructions, 2 of them on the FP pipes; see soft4) and
// copysign(max(|x| − t, 0), x) + 0 in the scalar tail, its max picked as i32 bits and the
// copysign done on them (select.ts: V8 compiles float selects into data-dependent branches;
// 1M floats, scalar build: clamp selects 7.4 ms, this form with a float select 3.6, with the
// i32 pick 0.85). Both give the
// same bits (up to the sign of a NaN): for |x| > t, x ∓ t and ±(|x| − t) round alike (round
// to nearest is symmetric); for |x| ≤ t both give +0 (x − x = +0; −0 + 0 = +0), as
// PyTorch's softshrink does (Optax's sign·relu keeps −0). A NaN stays NaN. The elastic net
// multiplies that by c > 0 (same bits again).
// Group lasso: the group's sum of squares is summed in f32 over short blocks, each block
// sum added into f64 (f32_sumsq_blocked for rows; per column over blocks of 16 rows for
// columns, in prox_columns.ts: within ~1e-6, as safe as an f64 sum for overflow and
// underflow, the same bits in both builds), in f64 for index sets (a scalar gather: wasm
// SIMD has no gather);
// the scale 1 − t/‖x_g‖ is rounded to f32 and multiplied in. A group holding a NaN has a
// NaN norm and becomes all NaN (propagation, documented in src/structure/prox.ts).

import { f32_sumsq_blocked } from "./norms";
import { f32_fill, f32_scal } from "./vector";
import { pick } from "./select";

@inline function at(p: usize, i: i32): usize { return p + (<usize>i << 2); }

/**
 * One f32x4 of softScale: v − clamp(v, −t, t), times c when `scale`. The clamp is two integer
 * mins on the bit patterns, both the float's:
 * - max(v, −t) = i32x4.min_u(v, −t) (−t ≤ −0: its sign bit is set). As u32 every lane ≥ +0 is
 *   below every negative one, so it wins, as in the float max; among negative lanes (−0
 *   included) the smaller u32 is the smaller magnitude, the float max. Bit for bit what
 *   f32x4.pmax(v, −t) gives (±0 ties included: −0 against −0 is −0 both ways);
 * - min(·, t) = i32x4.min_s(·, t): a lane with the sign bit set is ≤ 0 ≤ t as a float and
 *   negative as an i32; lanes ≥ +0 order as floats do.
 * Integer mins run on the vector integer pipes, not the FP ones, which bound this loop: the
 * FP pipes are left the sub (and the multiply). Measured (1M floats, cache-resident): pmin
 * for the second min 0.118 ms, i32 min_s 0.081 (session 10); pmax → min_u: see
 * docs/structure-speed.md. A NaN lane comes out NaN: a positive NaN is kept by min_u, a
 * negative one gives the clamp −t, and v − anything is v's NaN.
 */
@inline function soft4(v: v128, vt: v128, vnt: v128, vc: v128, scale: bool): v128 {
  let r = f32x4.sub(v, i32x4.min_s(i32x4.min_u(v, vnt), vt));
  if (scale) r = f32x4.mul(r, vc);
  return r;
}

/**
 * Soft threshold by t then a multiply by c over n floats. SIMD: 16 floats per step (four
 * independent vectors, all loaded before any store), then the scalar tail (< 16 floats),
 * which gives the same bits (see the header). Inlined into each caller, so `scale` is a
 * constant there and no branch is left in the loop (V8 does not unswitch loops: a runtime
 * flag cost a test and jump per vector).
 */
@inline function softScale(n: i32, x: usize, t: f32, c: f32, scale: bool): void {
  const nt = -t;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vt = f32x4.splat(t), vnt = f32x4.splat(nt), vc = f32x4.splat(c);
    for (; i + 16 <= n; i += 16) {
      const p = at(x, i);
      const v0 = v128.load(p), v1 = v128.load(p, 16), v2 = v128.load(p, 32), v3 = v128.load(p, 48);
      v128.store(p, soft4(v0, vt, vnt, vc, scale));
      v128.store(p, soft4(v1, vt, vnt, vc, scale), 16);
      v128.store(p, soft4(v2, vt, vnt, vc, scale), 32);
      v128.store(p, soft4(v3, vt, vnt, vc, scale), 48);
    }
  }
  for (; i < n; i++) {
    // copysign(max(|v| − t, 0)·c, v) + 0, with the max picked as i32 bits and the copysign done
    // on them (select.ts); the multiply goes first: max(a, 0)·c and max(a·c, 0) differ at most
    // in the sign of a zero (a·c underflowing to −0), which the copysign replaces
    const v = load<f32>(at(x, i));
    let r = abs<f32>(v) - t;
    if (scale) r = r * c;
    const bits = (pick(r < 0, 0, reinterpret<i32>(r)) & 0x7fffffff) | (reinterpret<i32>(v) & 0x80000000);
    store<f32>(at(x, i), reinterpret<f32>(bits) + 0);
  }
}

/** x <- x − clamp(x, −t, t) = sign(x)·max(|x| − t, 0), zeros +0: prox of t·‖x‖₁ (t ≥ 0). */
export function f32_prox_l1(n: i32, x: usize, t: f32): void {
  softScale(n, x, t, 1, false);
}

/** f32(1 / (1 + t)), computed in f64: the ridge factor, within 1 ulp of dividing by 1 + t. */
@inline function shrink(t: f32): f32 {
  return <f32>(1 / (1 + <f64>t));
}

/**
 * x <- x · c, c = f32(1 / (1 + t)): prox of t·½‖x‖² (t ≥ 0), one multiply per element
 * (f32_scal: 16 floats per step, then the scalar tail).
 */
export function f32_prox_l2(n: i32, x: usize, t: f32): void {
  f32_scal(n, x, shrink(t));
}

/** x <- (x − clamp(x, −t1, t1)) · f32(1 / (1 + t2)), zeros +0: prox of t1·‖x‖₁ + t2·½‖x‖² (t1, t2 ≥ 0). */
export function f32_prox_elastic_net(n: i32, x: usize, t1: f32, t2: f32): void {
  softScale(n, x, t1, shrink(t2), true);
}

/**
 * The group-lasso factor for a group of squared norm ss: 0 when ‖x_g‖ ≤ t, else 1 − t/‖x_g‖
 * (NaN for a NaN norm). Exported for prox_columns.ts (index.ts names this file's exports).
 */
@inline export function groupScale(ss: f64, t: f64): f32 {
  const norm = Math.sqrt(ss);
  return norm <= t ? 0 : <f32>(1 - t / norm);
}

/**
 * Group lasso over the m rows of a row-major m×n matrix (each row one group: a
 * neuron's incoming weights, as PyTorch stores a Linear weight [out, in]).
 */
export function f32_prox_group_lasso_rows(m: i32, n: i32, x: usize, t: f32): void {
  for (let r = 0; r < m; r++) {
    const row = x + (<usize>r * <usize>n << 2);
    const s = groupScale(f32_sumsq_blocked(n, row), <f64>t);
    if (s == 0) f32_fill(n, row, 0);
    else f32_scal(n, row, s);
  }
}

/**
 * Group lasso over g explicit index sets of the flat buffer x: group k holds the
 * elements x[indices[offsets[k]] .. indices[offsets[k+1] − 1]] (offsets: g + 1 i32,
 * indices: i32). The host checks that the sets are disjoint and inside x. Scalar in
 * both builds (a gather).
 */
export function f32_prox_group_lasso_sets(g: i32, offsets: usize, indices: usize, x: usize, t: f32): void {
  const td = <f64>t;
  for (let k = 0; k < g; k++) {
    const a = load<i32>(at(offsets, k)), b = load<i32>(at(offsets, k + 1));
    let ss: f64 = 0;
    for (let i = a; i < b; i++) {
      const v = <f64>load<f32>(at(x, load<i32>(at(indices, i))));
      ss += v * v;
    }
    const s = groupScale(ss, td);
    for (let i = a; i < b; i++) {
      const p = at(x, load<i32>(at(indices, i)));
      store<f32>(p, s == 0 ? 0 : load<f32>(p) * s);
    }
  }
}
