// Small matrix kernels, f32: bias broadcast over rows, row and column sums,
// transpose. Row strides ld* are in elements, >= the row length. Same contract
// as vector.ts: sizes >= 0, pointers need no alignment; outputs may alias an
// input exactly where a doc comment says so (f32_transpose forbids it). SIMD
// body with a scalar twin; col_sums and transpose give the same bits in both
// builds (each column is summed in the same order; a transpose only moves).

import { f32_add, f32_sum } from "./vector";

/** Y[i, j] <- X[i, j] + b[j] for an m x n matrix (bias broadcast over rows); Y may be X. */
export function f32_add_rowvec(m: i32, n: i32, x: usize, ldx: i32, b: usize, y: usize, ldy: i32): void {
  for (let i = 0; i < m; i++) {
    f32_add(n, x + (<usize>i * <usize>ldx << 2), b, y + (<usize>i * <usize>ldy << 2));
  }
}

/**
 * out[j] <- beta * out[j] + sum_i X[i, j] (column sums; beta = 1 accumulates a
 * bias gradient; beta = 0 ignores out, NaN included). Each column is summed in
 * f32 in row order starting from beta * out[j], in both builds, so both builds
 * give the same bits. SIMD: 16 columns at a time, down the rows.
 */
export function f32_col_sums(m: i32, n: i32, x: usize, ldx: i32, out: usize, beta: f32): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    const vb = f32x4.splat(beta);
    const zero = f32x4.splat(0);
    for (; j + 16 <= n; j += 16) {
      const po = out + (<usize>j << 2);
      let a0 = zero, a1 = zero, a2 = zero, a3 = zero;
      if (beta != 0) {
        a0 = f32x4.mul(vb, v128.load(po)); a1 = f32x4.mul(vb, v128.load(po, 16));
        a2 = f32x4.mul(vb, v128.load(po, 32)); a3 = f32x4.mul(vb, v128.load(po, 48));
      }
      let p = x + (<usize>j << 2);
      for (let i = 0; i < m; i++) {
        a0 = f32x4.add(a0, v128.load(p)); a1 = f32x4.add(a1, v128.load(p, 16));
        a2 = f32x4.add(a2, v128.load(p, 32)); a3 = f32x4.add(a3, v128.load(p, 48));
        p += <usize>ldx << 2;
      }
      v128.store(po, a0); v128.store(po, a1, 16); v128.store(po, a2, 32); v128.store(po, a3, 48);
    }
    for (; j + 4 <= n; j += 4) {
      const po = out + (<usize>j << 2);
      let a = beta != 0 ? f32x4.mul(vb, v128.load(po)) : zero;
      let p = x + (<usize>j << 2);
      for (let i = 0; i < m; i++) { a = f32x4.add(a, v128.load(p)); p += <usize>ldx << 2; }
      v128.store(po, a);
    }
  }
  // remaining columns (all of them in the scalar build): rows outer, so X is read
  // in memory order; each column still adds in row order from beta * out[j]
  for (let c = j; c < n; c++) {
    const po = out + (<usize>c << 2);
    store<f32>(po, beta != 0 ? beta * load<f32>(po) : <f32>0);
  }
  for (let i = 0; i < m; i++) {
    const row = x + (<usize>i * <usize>ldx << 2);
    for (let c = j; c < n; c++) {
      const po = out + (<usize>c << 2);
      store<f32>(po, load<f32>(po) + load<f32>(row + (<usize>c << 2)));
    }
  }
}

/** out[i] <- sum_j X[i, j] (row sums, each as f32_sum, rounded to f32) */
export function f32_row_sums(m: i32, n: i32, x: usize, ldx: i32, out: usize): void {
  for (let i = 0; i < m; i++) {
    store<f32>(out + (<usize>i << 2), <f32>f32_sum(n, x + (<usize>i * <usize>ldx << 2)));
  }
}

/** Tile edge of the blocked transpose: a 32 x 32 source tile and its image (8 KiB) stay in L1. */
const TILE: i32 = 32;

/** Moves the 4 x 4 block at p (row stride sp bytes) transposed to q (row stride sq bytes): 8 shuffles. */
@inline function move4x4T(p: usize, sp: usize, q: usize, sq: usize): void {
  const r0 = v128.load(p), r1 = v128.load(p + sp), r2 = v128.load(p + 2 * sp), r3 = v128.load(p + 3 * sp);
  const t0 = f32x4.shuffle(r0, r1, 0, 4, 1, 5), t1 = f32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const t2 = f32x4.shuffle(r2, r3, 0, 4, 1, 5), t3 = f32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(q, f32x4.shuffle(t0, t2, 0, 1, 4, 5));
  v128.store(q + sq, f32x4.shuffle(t0, t2, 2, 3, 6, 7));
  v128.store(q + 2 * sq, f32x4.shuffle(t1, t3, 0, 1, 4, 5));
  v128.store(q + 3 * sq, f32x4.shuffle(t1, t3, 2, 3, 6, 7));
}

/**
 * Y (n x m) <- X (m x n) transposed, any m, n; Y must not alias X. Blocked in
 * TILE x TILE tiles for the cache; SIMD moves 4 x 4 blocks with 8 shuffles,
 * the tile's ragged edge (and the scalar build) moves single elements.
 * (Power-of-two row strides, e.g. 512 x 512, run 2-3x slower than other shapes:
 * a tile's 32 rows share a few L1 sets. Transposing through a contiguous
 * scratch tile fixed that only partly and cost ~30% elsewhere, so it is not used.)
 */
export function f32_transpose(m: i32, n: i32, x: usize, ldx: i32, y: usize, ldy: i32): void {
  const sx = <usize>ldx << 2, sy = <usize>ldy << 2;
  for (let i0 = 0; i0 < m; i0 += TILE) {
    const i1 = min(i0 + TILE, m);
    for (let j0 = 0; j0 < n; j0 += TILE) {
      const j1 = min(j0 + TILE, n);
      let i = i0;
      if (ASC_FEATURE_SIMD) {
        for (; i + 4 <= i1; i += 4) {
          let j = j0;
          for (; j + 4 <= j1; j += 4) move4x4T(x + <usize>i * sx + (<usize>j << 2), sx, y + <usize>j * sy + (<usize>i << 2), sy);
          // ragged columns of these 4 rows
          for (; j < j1; j++) {
            for (let r = i; r < i + 4; r++) {
              store<f32>(y + <usize>j * sy + (<usize>r << 2), load<f32>(x + <usize>r * sx + (<usize>j << 2)));
            }
          }
        }
      }
      for (; i < i1; i++) {
        for (let j = j0; j < j1; j++) {
          store<f32>(y + <usize>j * sy + (<usize>i << 2), load<f32>(x + <usize>i * sx + (<usize>j << 2)));
        }
      }
    }
  }
}
