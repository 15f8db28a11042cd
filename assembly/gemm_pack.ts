// GEMM packing, f32 (gemm.ts, every build): copies a block of op(A) or
// op(B) into the panel layout the 4x8 micro-kernel reads, transposes absorbed.
//
//   pack(w, d, src, sr, sq, W, dst)    X[r, q] = src[r*sr + q*sq], w x d, into panels
//       of W rows (W = 4 for A, 8 for B): X[r0 + i, q] at dst[r0*d + q*W + i]
//   packA(w, d, src, sr, sq, mr, full, mt, dst)  the same for A, pre-splatted, in panels
//       of mr rows up to row `full`, then of mt rows: X[r0 + i, q] of a panel of h rows
//       as one f32x4 of 4 copies at byte dst + ((r0*d + q*h + i) << 4)
//
// Memory contract: dst holds ceil(w/W)*W*d floats (x4 for packA), 16-byte
// aligned (static scratch of gemm.ts), and does not overlap src; src needs no
// alignment. Tails: rows past w are zero-padded up to a whole panel, so the
// micro-kernel never reads past it; contiguous rows (sr == 1) go by groups of
// 4 (one v128, or two u64 in the scalar build), depth-contiguous rows (sq == 1)
// through 4x4 SIMD transposes (element by element in the scalar build), and
// the last w % 4 rows (or any other stride) element by element. packA is SIMD only.

/**
 * Packs the w x d block X[r, q] = src[r * sr + q * sq] into panels of W rows
 * (W = 4 or 8): the panel starting at row r0 holds X[r0 + i, q] at
 * dst[r0 * d + q * W + i]; rows past w are zeros. Rows contiguous in memory
 * (sr == 1) are copied in groups of 4 (copy4), depth-contiguous rows (sq == 1) go through
 * 4x4 transposes (SIMD builds), anything else element by element.
 */
export function pack(w: i32, d: i32, src: usize, sr: i32, sq: i32, W: i32, dst: usize): void {
  if (sr == 1) packRows(w, d, src, sq, W, dst);
  else if (ASC_FEATURE_SIMD && sq == 1) packTransposed(w, d, src, sr, W, dst);
  else packElements(0, w, d, src, sr, sq, W, dst);
}

/** Copies 4 floats (16 bytes, any alignment), bit for bit. */
@inline function copy4(dst: usize, src: usize): void {
  if (ASC_FEATURE_SIMD) {
    v128.store(dst, v128.load(src));
  } else {
    store<u64>(dst, load<u64>(src));
    store<u64>(dst, load<u64>(src, 8), 8);
  }
}

/** The groups of 4 rows starting at `from` (< 4 left, or past w: zero-padded), element by element. */
function packElements(from: i32, w: i32, d: i32, src: usize, sr: i32, sq: i32, W: i32, dst: usize): void {
  const wPad = (w + W - 1) / W * W;
  for (let first = from; first < wPad; first += 4) {
    const r0 = first / W * W;
    let out = dst + ((<usize>r0 * <usize>d + <usize>(first - r0)) << 2);
    for (let q = 0; q < d; q++) {
      for (let r = 0; r < 4; r++) {
        let v: f32 = 0;
        if (first + r < w) v = load<f32>(src + ((<usize>(first + r) * <usize>sr + <usize>q * <usize>sq) << 2));
        store<f32>(out + (<usize>r << 2), v);
      }
      out += <usize>W << 2;
    }
  }
}

/**
 * sr == 1: X row q is src[q * sq ..]. Walks 4 depth rows at a time across the
 * whole width, so each source cache line is used fully while it is in L1 (a
 * power-of-two sq would otherwise evict it between panels), and each panel
 * gets 4 depth rows (W x 16 contiguous bytes) per visit: with one depth row
 * per visit, panels d x W x 4 bytes apart (8 KiB for B with d = 256) would
 * all fall in one L1 set. W is a constant in each copy (packRowsW).
 */
function packRows(w: i32, d: i32, src: usize, sq: i32, W: i32, dst: usize): void {
  if (W == 8) packRowsW(8, w, d, src, sq, dst);
  else packRowsW(4, w, d, src, sq, dst);
}

/** packRows with W a compile-time constant: pointer steps only, no multiply in the loops. */
@inline function packRowsW(W: i32, w: i32, d: i32, src: usize, sq: i32, dst: usize): void {
  const full = w & ~3;
  const whole = full / W * W; // rows in whole panels; full - whole is 0 or 4 (W = 8)
  const rs = <usize>sq << 2;
  const ps = <usize>d * <usize>W << 2; // bytes per panel
  for (let q0 = 0; q0 < d; q0 += 4) {
    const rows = min(4, d - q0);
    let s = src + <usize>q0 * rs;
    let o = dst + (<usize>q0 * <usize>W << 2);
    for (let r0 = 0; r0 < whole; r0 += W) {
      let sq0 = s, oq = o;
      for (let q = 0; q < rows; q++) {
        copy4(oq, sq0);
        if (W == 8) copy4(oq + 16, sq0 + 16);
        sq0 += rs;
        oq += <usize>W << 2;
      }
      s += <usize>W << 2;
      o += ps;
    }
    if (whole < full) {
      for (let q = 0; q < rows; q++) copy4(o + (<usize>q * <usize>W << 2), s + <usize>q * rs);
    }
  }
  packElements(full, w, d, src, 1, sq, W, dst);
}

/** sq == 1: X row r is src[r * sr ..], contiguous in depth; 4x4 transposes. */
function packTransposed(w: i32, d: i32, src: usize, sr: i32, W: i32, dst: usize): void {
  const full = w & ~3;
  const step = <usize>W << 2;
  const rs = <usize>sr << 2;
  for (let first = 0; first < full; first += 4) {
    const r0 = first / W * W;
    let out = dst + ((<usize>r0 * <usize>d + <usize>(first - r0)) << 2);
    let s = src + (<usize>first * <usize>sr << 2);
    let q = 0;
    for (; q + 4 <= d; q += 4) {
      const x0 = v128.load(s);
      const x1 = v128.load(s + rs);
      const x2 = v128.load(s + rs * 2);
      const x3 = v128.load(s + rs * 3);
      const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5);
      const t1 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7);
      const t2 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
      const t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
      v128.store(out, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
      v128.store(out + step, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
      v128.store(out + step * 2, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
      v128.store(out + step * 3, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
      s += 16;
      out += step * 4;
    }
    for (; q < d; q++) {
      for (let r = 0; r < 4; r++) store<f32>(out + (<usize>r << 2), load<f32>(s + rs * r));
      s += 4;
      out += step;
    }
  }
  packElements(full, w, d, src, sr, 1, W, dst);
}

/**
 * Pre-splatted A: packs the w x d block X[r, q] = src[r * sr + q * sq]
 * (op(A) for one ic, pc block) into pre-splatted panels: rows [0, full) in
 * panels of `mr` rows (4 in the plain SIMD build, 6 or 4 in the relaxed one;
 * full a multiple of mr), rows [full, w) in panels of `mt` rows (mr, or 4 for
 * the relaxed build's 4x8 edge kernel), the last one zero-padded. X[r0 + i, q]
 * of the panel starting at row r0 (h rows) is stored as 4 copies (one f32x4) at
 * byte dst + ((r0 * d + q * h + i) << 4), so the micro-kernel reads each
 * broadcast A value with a plain v128.load. Rows contiguous in memory (sr == 1)
 * are walked 4 depth rows at a time across the whole width (as in packRows),
 * each group of 4 rows loaded by one v128 and splatted by shuffles; otherwise
 * each element is read with v128.load32_splat.
 */
export function packA(w: i32, d: i32, src: usize, sr: i32, sq: i32, mr: i32, full: i32, mt: i32, dst: usize): void {
  packWhole(0, full, d, src, sr, sq, mr, dst);
  const whole = full + (w - full) / mt * mt;
  packWhole(full, whole, d, src, sr, sq, mt, dst);
  const left = w - whole;
  if (left == 0) return;
  const rs = <usize>sr << 2;
  const qs = <usize>sq << 2;
  let out = dst + (<usize>whole * <usize>d << 4);
  const s = src + <usize>whole * rs;
  for (let q = 0; q < d; q++) {
    for (let i = 0; i < mt; i++) {
      let v = f32x4.splat(0);
      if (i < left) v = v128.load32_splat(s + <usize>q * qs + <usize>i * rs);
      v128.store(out + (<usize>i << 4), v);
    }
    out += <usize>mt << 4;
  }
}

/** packA's whole panels: rows [from, to) ((to - from) a multiple of mr, mr = 6 or 4) in panels of mr rows. */
function packWhole(from: i32, to: i32, d: i32, src: usize, sr: i32, sq: i32, mr: i32, dst: usize): void {
  if (mr == 6) packWholeR(6, from, to, d, src, sr, sq, dst);
  else packWholeR(4, from, to, d, src, sr, sq, dst);
}

/** One pre-splatted value: src[0] as 4 copies at dst + off. */
@inline function splat1(dst: usize, src: usize, off: usize): void {
  v128.store(dst + off, v128.load32_splat(src));
}

/**
 * packWhole with MR a compile-time constant. sr == 1: 4 depth rows at a time
 * across the width (each panel gets 4 x MR x 16 contiguous bytes per visit, as
 * in packRows), each group of 4 rows loaded by one v128 and splatted by
 * shuffles. Otherwise one panel at a time down the depth, MR row pointers
 * stepped by sq, each value read with v128.load32_splat.
 */
@inline function packWholeR(MR: i32, from: i32, to: i32, d: i32, src: usize, sr: i32, sq: i32, dst: usize): void {
  const rs = <usize>sr << 2;
  const qs = <usize>sq << 2;
  const step = <usize>MR << 4;
  const ps = <usize>d * step; // bytes per panel
  if (sr == 1) {
    for (let q0 = 0; q0 < d; q0 += 4) {
      const rows = min(4, d - q0);
      let s = src + <usize>q0 * qs + (<usize>from << 2);
      let o = dst + <usize>from * <usize>d * 16 + <usize>q0 * step;
      for (let r0 = from; r0 < to; r0 += MR) {
        let sq0 = s, oq = o;
        for (let q = 0; q < rows; q++) {
          const x = v128.load(sq0);
          v128.store(oq, v128.shuffle<f32>(x, x, 0, 0, 0, 0));
          v128.store(oq, v128.shuffle<f32>(x, x, 1, 1, 1, 1), 16);
          v128.store(oq, v128.shuffle<f32>(x, x, 2, 2, 2, 2), 32);
          v128.store(oq, v128.shuffle<f32>(x, x, 3, 3, 3, 3), 48);
          if (MR == 6) {
            splat1(oq, sq0 + 16, 64);
            splat1(oq, sq0 + 20, 80);
          }
          sq0 += qs;
          oq += step;
        }
        s += <usize>MR << 2;
        o += ps;
      }
    }
  } else {
    const r2 = rs * 2, r3 = rs * 3, r4 = rs * 4, r5 = rs * 5;
    for (let r0 = from; r0 < to; r0 += MR) {
      let o = dst + <usize>r0 * <usize>d * 16;
      let s = src + <usize>r0 * rs;
      const end = o + ps;
      while (o < end) {
        splat1(o, s, 0);
        splat1(o, s + rs, 16);
        splat1(o, s + r2, 32);
        splat1(o, s + r3, 48);
        if (MR == 6) {
          splat1(o, s + r4, 64);
          splat1(o, s + r5, 80);
        }
        s += qs;
        o += step;
      }
    }
  }
}
