// Group lasso over the columns of a row-major m×n matrix (each column one group: an input
// feature's outgoing weights), f32, in place: x_j <- 0 if ‖x_j‖ ≤ t, else (1 − t/‖x_j‖)·x_j
// (the operator and the factor, groupScale, are in prox.ts). Each column's sum of squares is
// summed in f32 over blocks of COL_ROWS rows and each block sum added into f64: within ~1e-6,
// as safe as an f64 sum for overflow and underflow, the same bits in the scalar, SIMD and
// relaxed builds (the same f32 and f64 operations, per column in row order; no fused
// multiply-add). Memory contract: x needs no alignment; scratch (12n bytes) does not alias x.

import { at } from "./memory";
import { groupScale } from "./prox";
import { f32_fill, f32_mul } from "./vector";

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

/** Σ x[r, j]² over rows [r0, r1), one after another in f64 (the fallback for a column block). */
function columnSq(n: i32, x: usize, j: i32, r0: i32, r1: i32): f64 {
  let s: f64 = 0;
  for (let r = r0; r < r1; r++) {
    const v = <f64>load<f32>(at(x, r * n + j));
    s += v * v;
  }
  return s;
}

/** sums[j..j+1] += f64(lanes 0, 1 of p), sums[j+2..j+3] += f64(lanes 2, 3): flushColumns' vector step. */
@inline function addPromoted(s: usize, p: v128): void {
  v128.store(s, f64x2.add(v128.load(s), f64x2.promote_low_f32x4(p)));
  v128.store(s, f64x2.add(v128.load(s, 16), f64x2.promote_low_f32x4(f32x4.shuffle(p, p, 2, 3, 2, 3))), 16);
}

/**
 * sums[j] += part[j] for columns [j0, n) of a block of rows [r0, r1) (f32 promoted to f64,
 * exact), except that a column whose block sum is not in [f32.MIN_NORMAL_VALUE, +Inf) (a
 * square or the sum overflowed, a NaN, or squares small enough to underflow, a zero column)
 * is summed again in f64 (columnSq). A sum ≥ 2^-126 lost ≤ 16·2^-150 = 2^-146 to underflow:
 * ≤ 2^-20 of it, the size of its rounding error. Both builds decide per column alike.
 */
function flushColumns(n: i32, x: usize, part: usize, sums: usize, r0: i32, r1: i32, j0: i32): void {
  let j = j0;
  if (ASC_FEATURE_SIMD) {
    const vmin = f32x4.splat(f32.MIN_NORMAL_VALUE), vinf = f32x4.splat(Infinity);
    for (; j + 4 <= n; j += 4) {
      const p = v128.load(at(part, j));
      if (i32x4.all_true(v128.and(f32x4.ge(p, vmin), f32x4.lt(p, vinf)))) {
        addPromoted(sums + (<usize>j << 3), p);
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
 * The last four rows of a full block of COL_ROWS rows (SIMD only): squareRows(k = 4, not
 * first) with flushColumns fused in, 16 columns per step, so the block sums go from registers
 * into the f64 sums instead of through part (1M floats: 0.076 against 0.083 ms for pass 1).
 * The range test is on the bit patterns: p in [2^-126, +Inf) as a float is bits in
 * [0x00800000, 0x7F800000) as unsigned (−0, negatives and NaN of either sign fall outside),
 * i.e. bits + 0x7F800000 < 0xFF000000 as signed i32 (an add and a compare on the integer
 * pipes, and one compare for 16 columns after an i32 max; the float ge/lt pair ran 0.111
 * against 0.104 ms). A step with a column outside takes flushColumn per column, the rest
 * (n mod 16) squareRows then flushColumns: per column the same decision and operations.
 */
function squareRowsFlush(n: i32, x: usize, row: usize, stride: usize, part: usize, sums: usize, r0: i32, r1: i32): void {
  if (!ASC_FEATURE_SIMD) return;
  let j = 0;
  const off = i32x4.splat(0x7F800000), lim = i32x4.splat(<i32>0xFF000000);
  for (; j + 16 <= n; j += 16) {
    const p = at(row, j), q = at(part, j);
    let u0 = v128.load(p), u1 = v128.load(p, 16), u2 = v128.load(p, 32), u3 = v128.load(p, 48);
    let a0 = f32x4.add(v128.load(q), f32x4.mul(u0, u0)), a1 = f32x4.add(v128.load(q, 16), f32x4.mul(u1, u1));
    let a2 = f32x4.add(v128.load(q, 32), f32x4.mul(u2, u2)), a3 = f32x4.add(v128.load(q, 48), f32x4.mul(u3, u3));
    for (let r = 1; r < 4; r++) {
      const pr = p + <usize>r * stride;
      u0 = v128.load(pr); u1 = v128.load(pr, 16); u2 = v128.load(pr, 32); u3 = v128.load(pr, 48);
      a0 = f32x4.add(a0, f32x4.mul(u0, u0)); a1 = f32x4.add(a1, f32x4.mul(u1, u1));
      a2 = f32x4.add(a2, f32x4.mul(u2, u2)); a3 = f32x4.add(a3, f32x4.mul(u3, u3));
    }
    const w = i32x4.max_s(i32x4.max_s(i32x4.add(a0, off), i32x4.add(a1, off)), i32x4.max_s(i32x4.add(a2, off), i32x4.add(a3, off)));
    if (i32x4.all_true(i32x4.lt_s(w, lim))) {
      const s = sums + (<usize>j << 3);
      addPromoted(s, a0); addPromoted(s + 32, a1); addPromoted(s + 64, a2); addPromoted(s + 96, a3);
    } else {
      v128.store(q, a0); v128.store(q, a1, 16); v128.store(q, a2, 32); v128.store(q, a3, 48);
      for (let c = j; c < j + 16; c++) flushColumn(n, x, part, sums, r0, r1, c);
    }
  }
  if (j < n) {
    squareRows(n - j, at(row, j), stride, at(part, j), false, 4);
    flushColumns(n, x, part, sums, r0, r1, j);
  }
}

/**
 * row r <- row r · f (f32_mul's operations) for four rows `stride` bytes apart, each f[j]
 * loaded once for the four. SIMD: 8 columns per step, then the scalar tail. Pass 3 at 1M
 * floats: 0.071 against 0.083 ms two rows per sweep, 0.104 one row at a time (f32_mul);
 * 8 rows per sweep or 16 columns per step ran slower (0.114, 0.105 against 0.096). 10M (four
 * streams from DRAM) ran slower than one row at a time, so only up to MULTI_ROW_MAX.
 */
function mulRows4(n: i32, row: usize, stride: usize, f: usize): void {
  const row2 = row + stride, row3 = row2 + stride, row4 = row3 + stride;
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    for (; j + 8 <= n; j += 8) {
      const o = <usize>j << 2;
      const f0 = v128.load(f + o), f1 = v128.load(f + o, 16);
      const a0 = v128.load(row + o), a1 = v128.load(row + o, 16), b0 = v128.load(row2 + o), b1 = v128.load(row2 + o, 16);
      const c0 = v128.load(row3 + o), c1 = v128.load(row3 + o, 16), d0 = v128.load(row4 + o), d1 = v128.load(row4 + o, 16);
      v128.store(row + o, f32x4.mul(a0, f0)); v128.store(row + o, f32x4.mul(a1, f1), 16);
      v128.store(row2 + o, f32x4.mul(b0, f0)); v128.store(row2 + o, f32x4.mul(b1, f1), 16);
      v128.store(row3 + o, f32x4.mul(c0, f0)); v128.store(row3 + o, f32x4.mul(c1, f1), 16);
      v128.store(row4 + o, f32x4.mul(d0, f0)); v128.store(row4 + o, f32x4.mul(d1, f1), 16);
    }
  }
  for (; j < n; j++) {
    const o = <usize>j << 2, c = load<f32>(f + o);
    store<f32>(row + o, load<f32>(row + o) * c); store<f32>(row2 + o, load<f32>(row2 + o) * c);
    store<f32>(row3 + o, load<f32>(row3 + o) * c); store<f32>(row4 + o, load<f32>(row4 + o) * c);
  }
}

/**
 * Up to this many floats (8 MB) f32_prox_group_lasso_cols reads and scales 4 rows at once
 * (squareRows k = 4, squareRowsFlush, mulRows4): 1M floats, 1000 columns: 0.201 against
 * 0.234 ms one row at a time (squares); 2M: 0.399 against 0.469. Beyond it, from DRAM, four
 * streams 4 kB apart ran slower (4M: 1.33 against 1.07 ms; 10M: 4.0 against 2.9 ms), so
 * larger matrices go one row at a time.
 */
const MULTI_ROW_MAX: i32 = 1 << 21;

/**
 * Group lasso over the n columns of a row-major m×n matrix. scratch: 12n bytes (n f64, then
 * n f32; not aliasing x). Pass 1 streams the rows: each column's squares are summed in f32
 * over blocks of COL_ROWS rows (squareRows, part = the n f32; 4 rows at once up to
 * MULTI_ROW_MAX floats, a full block's last 4 fused with the flush in the SIMD builds:
 * squareRowsFlush), and each block sum is added into the column's f64 sum (flushColumns);
 * relative error ≤ ~17·2^-24 ≈ 1e-6 (typically ~2e-7). Pass 2 turns the sums into f32
 * factors in place (f32 j at byte 4j is written after f64 j at byte 8j ≥ 4j was read); pass
 * 3 scales each row (up to MULTI_ROW_MAX four rows per sweep, last rows first: pass 1 left
 * them in L2, 1M floats 0.086 against 0.096 ms forwards; beyond it f32_mul row by row).
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
    if (ASC_FEATURE_SIMD) if (k == 4 && r1 - r0 == COL_ROWS) { // COL_ROWS = 16: 4 sweeps of 4 rows
      squareRows(n, row0, stride, part, true, 4);
      squareRows(n, row0 + 4 * stride, stride, part, false, 4);
      squareRows(n, row0 + 8 * stride, stride, part, false, 4);
      squareRowsFlush(n, x, row0 + 12 * stride, stride, part, scratch, r0, r1);
      continue;
    }
    if (k == 4 && r + 4 <= r1) { squareRows(n, row0, stride, part, true, 4); r += 4; }
    else { squareRows(n, row0, stride, part, true, 1); r++; }
    if (k == 4) for (; r + 4 <= r1; r += 4) squareRows(n, x + <usize>r * stride, stride, part, false, 4);
    for (; r < r1; r++) squareRows(n, x + <usize>r * stride, stride, part, false, 1);
    flushColumns(n, x, part, scratch, r0, r1, 0);
  }
  const td = <f64>t;
  for (let j = 0; j < n; j++) store<f32>(at(scratch, j), groupScale(load<f64>(scratch + (<usize>j << 3)), td));
  if (k == 4) {
    let r = m;
    for (; r >= 4; r -= 4) mulRows4(n, x + <usize>(r - 4) * stride, stride, scratch);
    for (; r > 0; r--) { const row = x + <usize>(r - 1) * stride; f32_mul(n, row, scratch, row); }
  } else {
    for (let r = 0; r < m; r++) { const row = x + <usize>r * stride; f32_mul(n, row, scratch, row); }
  }
}
