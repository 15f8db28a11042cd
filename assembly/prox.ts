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
// copysign(max(|x| − t, 0), x) + 0 in the scalar tail (V8 turns the scalar selects of the
// clamp into data-dependent branches: 7.4 ms against 3.4 ms at 1M floats). Both give the
// same bits (up to the sign of a NaN): for |x| > t, x ∓ t and ±(|x| − t) round alike (round
// to nearest is symmetric); for |x| ≤ t both give +0 (x − x = +0; −0 + 0 = +0), as
// PyTorch's softshrink does (Optax's sign·relu keeps −0). A NaN stays NaN. The elastic net
// multiplies that by c > 0 (same bits again).
// Group lasso: the group's sum of squares is summed in f32 over short blocks, each block
// sum added into f64 (f32_sumsq_blocked for rows; per column over blocks of 16 rows for
// columns: within ~1e-6, as safe as an f64 sum for overflow and underflow, the same bits in
// both builds), in f64 for index sets (a scalar gather: wasm SIMD has no gather);
// the scale 1 − t/‖x_g‖ is rounded to f32 and multiplied in. A group holding a NaN has a
// NaN norm and becomes all NaN (propagation, documented in src/structure/prox.ts).

import { f32_sumsq_blocked } from "./norms";
import { f32_fill, f32_mul, f32_scal } from "./vector";

@inline function at(p: usize, i: i32): usize { return p + (<usize>i << 2); }

/**
 * One f32x4 of softScale: v − clamp(v, −t, t), times c when `scale`. The clamp is
 * i32x4.min_s(pmax(v, −t), t): after pmax a lane is ≥ −t, and min(·, t) on the bit patterns
 * as i32 is the float min (a lane with the sign bit set is ≤ 0 ≤ t as a float and negative as
 * an i32; lanes ≥ +0 order as floats do), so the clamp is the float pmin's bits. The integer
 * min runs on the vector integer pipes, not the FP ones, which bound this loop (1M floats,
 * cache-resident: 0.081 against 0.118 ms with pmin). A NaN lane stays NaN (pmax keeps it,
 * and v − anything is that NaN).
 */
@inline function soft4(v: v128, vt: v128, vnt: v128, vc: v128, scale: bool): v128 {
  let r = f32x4.sub(v, i32x4.min_s(f32x4.pmax(v, vnt), vt));
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
    const v = load<f32>(at(x, i));
    let r = abs<f32>(v) - t;
    r = r < 0 ? 0 : r;
    if (scale) r = r * c;
    store<f32>(at(x, i), copysign<f32>(r, v) + 0);
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

/** The group-lasso factor for a group of squared norm ss: 0 when ‖x_g‖ ≤ t, else 1 − t/‖x_g‖ (NaN for a NaN norm). */
@inline function groupScale(ss: f64, t: f64): f32 {
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

/** Rows per block of f32_prox_group_lasso_cols: each column's f32 block sum takes ≤ 16 squares. */
const COL_ROWS: i32 = 16;

/**
 * part[j] <- ((part[j] + x[r, j]²) + x[r+1, j]²) + … over k consecutive rows (`first`: the
 * chain starts from x[r, j]² instead), rows `stride` bytes apart: per column the same f32
 * operations in the same order as k single rows (the sum stays in a register between rows
 * instead of going through part), so the same bits for every k and in both builds. SIMD: 16
 * columns per step (8 per step ran ~8% slower one row at a time at 10M), then 4, then the
 * scalar tail.
 */
@inline function squareRows(n: i32, row: usize, stride: usize, part: usize, first: bool, k: i32): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    for (; j + 16 <= n; j += 16) {
      const p = at(row, j), q = at(part, j);
      let u0 = v128.load(p), u1 = v128.load(p, 16), u2 = v128.load(p, 32), u3 = v128.load(p, 48);
      let a0 = f32x4.mul(u0, u0), a1 = f32x4.mul(u1, u1), a2 = f32x4.mul(u2, u2), a3 = f32x4.mul(u3, u3);
      if (!first) {
        a0 = f32x4.add(v128.load(q), a0); a1 = f32x4.add(v128.load(q, 16), a1);
        a2 = f32x4.add(v128.load(q, 32), a2); a3 = f32x4.add(v128.load(q, 48), a3);
      }
      for (let r = 1; r < k; r++) {
        const pr = p + <usize>r * stride;
        u0 = v128.load(pr); u1 = v128.load(pr, 16); u2 = v128.load(pr, 32); u3 = v128.load(pr, 48);
        a0 = f32x4.add(a0, f32x4.mul(u0, u0)); a1 = f32x4.add(a1, f32x4.mul(u1, u1));
        a2 = f32x4.add(a2, f32x4.mul(u2, u2)); a3 = f32x4.add(a3, f32x4.mul(u3, u3));
      }
      v128.store(q, a0); v128.store(q, a1, 16); v128.store(q, a2, 32); v128.store(q, a3, 48);
    }
    for (; j + 4 <= n; j += 4) {
      const p = at(row, j), q = at(part, j);
      let u = v128.load(p);
      let a = f32x4.mul(u, u);
      if (!first) a = f32x4.add(v128.load(q), a);
      for (let r = 1; r < k; r++) { u = v128.load(p + <usize>r * stride); a = f32x4.add(a, f32x4.mul(u, u)); }
      v128.store(q, a);
    }
  }
  for (; j < n; j++) {
    let v = load<f32>(at(row, j));
    let a: f32 = first ? v * v : load<f32>(at(part, j)) + v * v;
    for (let r = 1; r < k; r++) { v = load<f32>(at(row + <usize>r * stride, j)); a = a + v * v; }
    store<f32>(at(part, j), a);
  }
}

/**
 * row[j] <- row[j] · f[j] and the same for the next row (`stride` bytes on), each f[j] loaded
 * once for both: f32_mul's operations on two rows. SIMD: 8 columns per step, then the scalar
 * tail. 1M floats: 0.093 against 0.107 ms for f32_mul per row; 10M (two streams from DRAM):
 * 2.57 against 1.35 ms, so only up to MULTI_ROW_MAX.
 */
function mulRows2(n: i32, row: usize, stride: usize, f: usize): void {
  const row2 = row + stride;
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    for (; j + 8 <= n; j += 8) {
      const o = <usize>j << 2;
      const f0 = v128.load(f + o), f1 = v128.load(f + o, 16);
      const a0 = v128.load(row + o), a1 = v128.load(row + o, 16), b0 = v128.load(row2 + o), b1 = v128.load(row2 + o, 16);
      v128.store(row + o, f32x4.mul(a0, f0)); v128.store(row + o, f32x4.mul(a1, f1), 16);
      v128.store(row2 + o, f32x4.mul(b0, f0)); v128.store(row2 + o, f32x4.mul(b1, f1), 16);
    }
  }
  for (; j < n; j++) {
    const o = <usize>j << 2, c = load<f32>(f + o);
    store<f32>(row + o, load<f32>(row + o) * c);
    store<f32>(row2 + o, load<f32>(row2 + o) * c);
  }
}

/**
 * Up to this many floats (8 MB) f32_prox_group_lasso_cols reads 4 rows at once (squareRows,
 * k = 4): 1M floats, 1000 columns: 0.201 against 0.234 ms one row at a time; 2M: 0.399
 * against 0.469. Beyond it, from DRAM, four streams 4 kB apart ran slower (4M: 1.33 against
 * 1.07 ms; 10M: 4.0 against 2.9 ms), so larger matrices go one row at a time.
 */
const MULTI_ROW_MAX: i32 = 1 << 21;

/** Σ x[r, j]² over rows [r0, r1), one after another in f64 (the fallback for a column block). */
function columnSq(n: i32, x: usize, j: i32, r0: i32, r1: i32): f64 {
  let s: f64 = 0;
  for (let r = r0; r < r1; r++) {
    const v = <f64>load<f32>(at(x, r * n + j));
    s += v * v;
  }
  return s;
}

/**
 * sums[j] += part[j] for a block of rows [r0, r1) (f32 promoted to f64, exact), except that a
 * column whose block sum is not in [f32.MIN_NORMAL_VALUE, +Inf) (a square or the sum
 * overflowed, a NaN, or squares small enough to underflow, a zero column) is summed again in
 * f64 (columnSq). A sum ≥ 2^-126 lost ≤ 16·2^-150 = 2^-146 to underflow: ≤ 2^-20 of it, the
 * size of its rounding error. Both builds decide per column alike.
 */
function flushColumns(n: i32, x: usize, part: usize, sums: usize, r0: i32, r1: i32): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    const vmin = f32x4.splat(f32.MIN_NORMAL_VALUE), vinf = f32x4.splat(Infinity);
    for (; j + 4 <= n; j += 4) {
      const p = v128.load(at(part, j));
      if (i32x4.all_true(v128.and(f32x4.ge(p, vmin), f32x4.lt(p, vinf)))) {
        const s = sums + (<usize>j << 3);
        v128.store(s, f64x2.add(v128.load(s), f64x2.promote_low_f32x4(p)));
        v128.store(s, f64x2.add(v128.load(s, 16), f64x2.promote_low_f32x4(f32x4.shuffle(p, p, 2, 3, 2, 3))), 16);
      } else {
        for (let k = j; k < j + 4; k++) flushColumn(n, x, part, sums, r0, r1, k);
      }
    }
  }
  for (; j < n; j++) flushColumn(n, x, part, sums, r0, r1, j);
}

/** flushColumns for column j alone (the scalar twin). */
@inline function flushColumn(n: i32, x: usize, part: usize, sums: usize, r0: i32, r1: i32, j: i32): void {
  const p = load<f32>(at(part, j)), s = sums + (<usize>j << 3);
  store<f64>(s, load<f64>(s) + (p >= f32.MIN_NORMAL_VALUE && p < Infinity ? <f64>p : columnSq(n, x, j, r0, r1)));
}

/**
 * Group lasso over the n columns of a row-major m×n matrix (each column one group:
 * an input feature's outgoing weights). scratch: 12n bytes (n f64, then n f32; not aliasing
 * x). Pass 1 streams the rows: each column's squares are summed in f32 over blocks of
 * COL_ROWS rows (squareRows, part = the n f32; 4 rows at once up to MULTI_ROW_MAX floats),
 * and each block sum is added into the
 * column's f64 sum (flushColumns); relative error ≤ ~17·2^-24 ≈ 1e-6 (typically ~2e-7),
 * the same bits in both builds (the same f32 and f64 operations, per column in row order).
 * Pass 2 turns the sums into f32 factors in place (f32 j at byte 4j is written after f64 j
 * at byte 8j ≥ 4j was read); pass 3 scales each row (f32_mul; two rows per sweep up to MULTI_ROW_MAX).
 */
export function f32_prox_group_lasso_cols(m: i32, n: i32, x: usize, scratch: usize, t: f32): void {
  const part = scratch + (<usize>n << 3);
  f32_fill(2 * n, scratch, 0); // the n f64 sums: +0.0 is all zero bits
  const stride = <usize>n << 2;
  const k = <i64>m * <i64>n <= <i64>MULTI_ROW_MAX ? 4 : 1;
  for (let r0 = 0; r0 < m; r0 += COL_ROWS) {
    const r1 = min(r0 + COL_ROWS, m);
    let r = r0;
    const row0 = x + <usize>r0 * stride;
    if (k == 4 && r + 4 <= r1) { squareRows(n, row0, stride, part, true, 4); r += 4; }
    else { squareRows(n, row0, stride, part, true, 1); r++; }
    if (k == 4) for (; r + 4 <= r1; r += 4) squareRows(n, x + <usize>r * stride, stride, part, false, 4);
    for (; r < r1; r++) squareRows(n, x + <usize>r * stride, stride, part, false, 1);
    flushColumns(n, x, part, scratch, r0, r1);
  }
  const td = <f64>t;
  for (let j = 0; j < n; j++) store<f32>(at(scratch, j), groupScale(load<f64>(scratch + (<usize>j << 3)), td));
  let r = 0;
  if (k == 4) for (; r + 2 <= m; r += 2) mulRows2(n, x + <usize>r * stride, stride, scratch);
  for (; r < m; r++) { const row = x + <usize>r * stride; f32_mul(n, row, scratch, row); }
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
