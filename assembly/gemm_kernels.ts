// GEMM micro-kernels, f32 (gemm.ts runs them on packed panels; gemm_pack.ts
// packs): C[0..mr, 0..nr] = alpha * Apanel * Bpanel + beta * C over depth kc.
// Partial tiles (mr < MR or nr < NR) are formed in `t`, a scratch of MR x NR
// floats, and copied into C (tileToC). Kernels by build:
//   kernelScalar                 scalar build, 4x8 as four 4x2 column pairs
//   kernelBroadcast / kernelSplat  plain SIMD, 4x8, A broadcast or pre-splatted
//   kernel6                      relaxed SIMD, 6x8 with fused madd
//   kernelSplat in the relaxed build: 4x8 with fused madd (the relaxed build's
//                                other tile, and its edge kernel; see gemm.ts)

/**
 * Micro-tile: at most MR rows of C by NR columns. 4x8 (8 accumulators) in the
 * plain SIMD and scalar builds; in the relaxed build 6x8 (12 accumulators;
 * fused madd needs no temporary register, so 12 accumulators + 2 B + 1 A fit
 * the 15 vector registers V8 gives wasm, see kernel6) or 4x8 (gemm.ts).
 */
export const MR: i32 = ASC_FEATURE_RELAXED_SIMD ? 6 : 4;
export const NR: i32 = 8;

/** Stores alpha * v0 (+ beta * C) at p and, when `both`, alpha * v1 (+ beta * C) at p + 4. */
@inline function putPair(p: usize, v0: f32, v1: f32, both: bool, alpha: f32, beta: f32): void {
  let r = alpha * v0;
  if (beta != 0) r += beta * load<f32>(p);
  store<f32>(p, r);
  if (!both) return;
  r = alpha * v1;
  if (beta != 0) r += beta * load<f32>(p, 4);
  store<f32>(p, r, 4);
}

/**
 * The scalar build's micro-kernel, same contract as kernelBody (pa: kc columns
 * of 4 floats; pb: kc rows of 8 floats): C[0..mr, 0..nr] = alpha * Apanel *
 * Bpanel + beta * C, as four 4x2 column pairs with 8 scalar accumulators.
 * Padded rows and columns are computed (they are zeros) and not stored.
 */
export function kernelScalar(kc: i32, pa: usize, pb: usize, c: usize, ldc: i32, mr: i32, nr: i32, alpha: f32, beta: f32): void {
  const rs = <usize>ldc << 2;
  const end = pa + (<usize>kc << 4);
  for (let j = 0; j < nr; j += 2) {
    let c00: f32 = 0, c01: f32 = 0, c10: f32 = 0, c11: f32 = 0;
    let c20: f32 = 0, c21: f32 = 0, c30: f32 = 0, c31: f32 = 0;
    let a = pa;
    let b = pb + (<usize>j << 2);
    while (a < end) {
      const b0 = load<f32>(b);
      const b1 = load<f32>(b, 4);
      let x = load<f32>(a);
      c00 += x * b0; c01 += x * b1;
      x = load<f32>(a, 4);
      c10 += x * b0; c11 += x * b1;
      x = load<f32>(a, 8);
      c20 += x * b0; c21 += x * b1;
      x = load<f32>(a, 12);
      c30 += x * b0; c31 += x * b1;
      a += 16;
      b += 32;
    }
    const both = j + 1 < nr;
    const p = c + (<usize>j << 2);
    putPair(p, c00, c01, both, alpha, beta);
    if (mr > 1) putPair(p + rs, c10, c11, both, alpha, beta);
    if (mr > 2) putPair(p + rs * 2, c20, c21, both, alpha, beta);
    if (mr > 3) putPair(p + rs * 3, c30, c31, both, alpha, beta);
  }
}

/** a * b + c, fused in the relaxed-SIMD build. */
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    return f32x4.relaxed_madd(a, b, c);
  } else {
    return f32x4.add(c, f32x4.mul(a, b));
  }
}

/** Stores alpha * acc + beta * C[p..p+3] (C not read when beta == 0). */
@inline function put(p: usize, acc: v128, va: v128, beta: f32): void {
  let v = f32x4.mul(acc, va);
  if (beta != 0) v = madd(v128.load(p), f32x4.splat(beta), v);
  v128.store(p, v);
}

/** Partial tiles: C[i, j] = t[i, j] + beta * C[i, j] (C not read when beta == 0) for i < mr, j < nr; t rows are NR floats. */
function tileToC(t: usize, c: usize, rs: usize, mr: i32, nr: i32, beta: f32): void {
  for (let i = 0; i < mr; i++) {
    const row = c + <usize>i * rs;
    const ti = t + (<usize>i << 5);
    for (let j = 0; j < nr; j++) {
      const p = row + (<usize>j << 2);
      let v = load<f32>(ti + (<usize>j << 2));
      if (beta != 0) v += beta * load<f32>(p);
      store<f32>(p, v);
    }
  }
}

/**
 * The 4x8 micro-kernel (mr <= 4): C[0..mr, 0..nr] = alpha * Apanel * Bpanel + beta * C over
 * depth kc. pa: kc columns of the A panel, 4 floats each (pack), or 4 f32x4
 * splats each when `splat` (packA); pb: kc rows of the B panel, 8 floats each.
 * Inlined into the two kernels below with `splat` a constant.
 */
@inline function kernelBody(splat: bool, kc: i32, pa: usize, pb: usize, c: usize, ldc: i32, mr: i32, nr: i32, alpha: f32, beta: f32, t: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const end = pa + <usize>kc * <usize>(splat ? 64 : 16);
  while (pa < end) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = splat ? v128.load(pa) : v128.load32_splat(pa);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = splat ? v128.load(pa, 16) : v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = splat ? v128.load(pa, 32) : v128.load32_splat(pa, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = splat ? v128.load(pa, 48) : v128.load32_splat(pa, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    pa += splat ? 64 : 16;
    pb += 32;
  }
  const va = f32x4.splat(alpha);
  const rs = <usize>ldc << 2;
  if (mr == 4 && nr == NR) {
    put(c, c00, va, beta); put(c + 16, c01, va, beta); c += rs;
    put(c, c10, va, beta); put(c + 16, c11, va, beta); c += rs;
    put(c, c20, va, beta); put(c + 16, c21, va, beta); c += rs;
    put(c, c30, va, beta); put(c + 16, c31, va, beta);
    return;
  }
    v128.store(t, f32x4.mul(c00, va)); v128.store(t, f32x4.mul(c01, va), 16);
  v128.store(t, f32x4.mul(c10, va), 32); v128.store(t, f32x4.mul(c11, va), 48);
  v128.store(t, f32x4.mul(c20, va), 64); v128.store(t, f32x4.mul(c21, va), 80);
  v128.store(t, f32x4.mul(c30, va), 96); v128.store(t, f32x4.mul(c31, va), 112);
  tileToC(t, c, rs, mr, nr, beta);
}

export function kernelBroadcast(kc: i32, pa: usize, pb: usize, c: usize, ldc: i32, mr: i32, nr: i32, alpha: f32, beta: f32, t: usize): void {
  kernelBody(false, kc, pa, pb, c, ldc, mr, nr, alpha, beta, t);
}

export function kernelSplat(kc: i32, pa: usize, pb: usize, c: usize, ldc: i32, mr: i32, nr: i32, alpha: f32, beta: f32, t: usize): void {
  kernelBody(true, kc, pa, pb, c, ldc, mr, nr, alpha, beta, t);
}

/** Row i of a tile: alpha * (acc0, acc1) + beta * C[i, 0..8] stored at c (full tile) or into the tile buffer t. */
@inline function putRow(c: usize, acc0: v128, acc1: v128, va: v128, beta: f32): void {
  put(c, acc0, va, beta);
  put(c + 16, acc1, va, beta);
}

/**
 * The relaxed build's 6x8 micro-kernel: C[0..mr, 0..nr] = alpha * Apanel *
 * Bpanel + beta * C over depth kc, with 12 f32x4 accumulators. pa: kc columns
 * of the A panel, 6 pre-splatted f32x4 each (packA with mr = 6); pb: kc rows
 * of the B panel, 8 floats each. Twelve independent fused madds per k step
 * keep more in flight than the 4x8 tile's eight (two FMA pipes of 4-cycle
 * latency need eight), and each B load feeds six rows instead of four.
 */
export function kernel6(kc: i32, pa: usize, pb: usize, c: usize, ldc: i32, mr: i32, nr: i32, alpha: f32, beta: f32, t: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0), c50 = f32x4.splat(0), c51 = f32x4.splat(0);
  const end = pa + <usize>kc * 96;
  while (pa < end) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load(pa);
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
    a = v128.load(pa, 16);
    c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
    a = v128.load(pa, 32);
    c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
    a = v128.load(pa, 48);
    c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
    a = v128.load(pa, 64);
    c40 = madd(a, b0, c40); c41 = madd(a, b1, c41);
    a = v128.load(pa, 80);
    c50 = madd(a, b0, c50); c51 = madd(a, b1, c51);
    pa += 96;
    pb += 32;
  }
  const va = f32x4.splat(alpha);
  const rs = <usize>ldc << 2;
  if (mr == 6 && nr == NR) {
    putRow(c, c00, c01, va, beta); putRow(c + rs, c10, c11, va, beta);
    putRow(c + rs * 2, c20, c21, va, beta); putRow(c + rs * 3, c30, c31, va, beta);
    putRow(c + rs * 4, c40, c41, va, beta); putRow(c + rs * 5, c50, c51, va, beta);
    return;
  }
    putRow(t, c00, c01, va, 0); putRow(t + 32, c10, c11, va, 0); putRow(t + 64, c20, c21, va, 0);
  putRow(t + 96, c30, c31, va, 0); putRow(t + 128, c40, c41, va, 0); putRow(t + 160, c50, c51, va, 0);
  tileToC(t, c, rs, mr, nr, beta);
}
