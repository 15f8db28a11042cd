// GEMM, f32, row-major: C = alpha * op(A) * op(B) + beta * C.
//
// op(A) is m x k, op(B) is k x n, C is m x n. lda, ldb, ldc are row strides in
// elements (>= the row length of the stored matrix), so sub-matrices need no
// copy. When beta == 0, C is overwritten and not read (NaN in C does not leak),
// as in BLAS; when alpha == 0 or k == 0, A and B are not read and C = beta * C.
// C must not alias A or B. Any m, n, k >= 0. Pointers need no alignment.
//
// Names: f32_gemm_<opA><opB>, 'n' = as stored, 't' = transposed.
//
// Every build runs the Goto/BLIS loop nest (Goto & van de Geijn, "Anatomy of
// high-performance matrix multiplication", TOMS 2008; Van Zee & van de Geijn,
// "BLIS", TOMS 2015):
//   jc: columns of C in blocks of NC = 512
//     pc: depth in blocks of KC = 256;  pack op(B)[pc.., jc..] into NR-wide panels
//       ic: rows of C in blocks of MC;  pack op(A)[ic.., pc..] into MR-tall panels
//         jr, ir: the 4x8 micro-kernel on one A panel and one B panel
// Transposes are absorbed by the packing (nn, nt, tn, tt then run the same
// micro-kernel). Edge panels are zero-padded; partial 4x8 tiles go through a
// 32-float temporary (SIMD) or guarded stores (scalar).
//
// Scalar build: the same nest and packing with a scalar micro-kernel that
// walks the 4x8 tile as four 4x2 column pairs, 8 f32 accumulators each (32
// would spill: V8 gives wasm 15 float registers); the A panel (kc x 4 floats,
// 4 KiB) is re-read from L1 per pair. It exists so that the SIMD/scalar ratio
// measures SIMD alone: plain triple loops reached a quarter of the scalar
// peak, and the strided nt form 3 % (issue 19).
//
// SIMD micro-kernel: 8 f32x4 accumulators, loads B as
// two v128 per k and needs each A value broadcast to an f32x4; its k loop is
// not unrolled (V8 has 15 vector registers and spills an unrolled body).
//
// The relaxed-SIMD build replaces mul+add by f32x4.relaxed_madd (fused).
//
// Two ways to feed A to the micro-kernel, bit-identical results:
// - broadcast: A packed plainly (4 bytes per element), each value broadcast in
//   the kernel with v128.load32_splat; MC = 128.
// - pre-splatted: packA writes each A value as 4 copies (one f32x4, 64 bytes
//   per k step of a panel) in the same single pass that packs it, so the kernel
//   reads it with a plain v128.load at a folded offset, where v128.load32_splat
//   costs V8 an address computation (leaq) per broadcast and is slow in JSC and
//   Deno. The A block is 4x larger per element, so MC = 32 (32 x 256 x 16 B =
//   128 KiB, in L2 as before).
// The relaxed build always pre-splats. The plain SIMD build broadcasts unless
// the host turns pre-splatting on (gemm_set_splat_a), which init() does where
// the engine validates relaxed SIMD: engines from before relaxed SIMD shipped
// (Node 20's V8 11.3) run the broadcast kernel faster, newer ones the
// pre-splatted one. Measured on the MLP shapes (2-core Zen 3, best of
// interleaved runs, broadcast -> pre-splatted): plain SIMD Node 20 -7 %,
// Node 24 equal, Chromium +9 %, Deno +6 % (training step); relaxed build
// Node 20 (flag) +6 %, Node 24 and Chromium equal (within 2 %), Deno +30 %,
// Bun +40 %.

import { pack, packA } from "./gemm_pack";

// ---------------------------------------------------------------- shared

@inline function scaleC(m: i32, n: i32, c: usize, ldc: i32, beta: f32): void {
  for (let i = 0; i < m; i++) {
    const row = c + (<usize>i * <usize>ldc << 2);
    if (beta == 0) {
      for (let j = 0; j < n; j++) store<f32>(row + (<usize>j << 2), 0);
    } else if (beta != 1) {
      for (let j = 0; j < n; j++) {
        const p = row + (<usize>j << 2);
        store<f32>(p, beta * load<f32>(p));
      }
    }
  }
}

// ---------------------------------------------------------------- blocked nest

/** Micro-tile: MR rows of C by NR columns. */
const MR: i32 = 4;
const NR: i32 = 8;
/**
 * Cache blocks: the packed A block (MC x KC x bytes per element = 128 KiB either
 * way) sits in L2 (512 KiB per core on Zen 3), a B panel (KC x NR x 4 B = 8 KiB) in L1.
 */
const KC: i32 = 256;
const MC_BROADCAST: i32 = 128;
const MC_SPLAT: i32 = 32;
const NC: i32 = 512;

/** Plain SIMD build: pre-splat A (set by the host, see the header); the relaxed build always does. */
let splatA: bool = false;

/** Turns pre-splatted A packing on (1) or off (0) in the plain SIMD build; no effect in the others. */
export function gemm_set_splat_a(on: i32): void {
  splatA = on != 0;
}

/** 1 when this build's GEMM packs A pre-splatted. */
export function gemm_splat_a(): i32 {
  return ASC_FEATURE_SIMD && (ASC_FEATURE_RELAXED_SIMD || splatA) ? 1 : 0;
}

// Static scratch (640 KiB below the heap base, in every build). memory.data
// is zero-initialised and emits no data-segment bytes: the .wasm stays small.
// Each is a plain (not @inline) function so that it reserves once.
function aPack(): usize { return memory.data(MC_BROADCAST * KC * 4, 16); }
function bPack(): usize { return memory.data(KC * NC * 4, 16); }
function tile(): usize { return memory.data(MR * NR * 4, 16); }

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
function kernelScalar(kc: i32, pa: usize, pb: usize, c: usize, ldc: i32, mr: i32, nr: i32, alpha: f32, beta: f32): void {
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

/**
 * The 4x8 micro-kernel: C[0..mr, 0..nr] = alpha * Apanel * Bpanel + beta * C over
 * depth kc. pa: kc columns of the A panel, 4 floats each (pack), or 4 f32x4
 * splats each when `splat` (packA); pb: kc rows of the B panel, 8 floats each.
 * Inlined into the two kernels below with `splat` a constant.
 */
@inline function kernelBody(splat: bool, kc: i32, pa: usize, pb: usize, c: usize, ldc: i32, mr: i32, nr: i32, alpha: f32, beta: f32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const end = pa + <usize>kc * <usize>(splat ? MR * 16 : MR * 4);
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
    pa += splat ? MR * 16 : MR * 4;
    pb += 32;
  }
  const va = f32x4.splat(alpha);
  const rs = <usize>ldc << 2;
  if (mr == MR && nr == NR) {
    put(c, c00, va, beta); put(c + 16, c01, va, beta); c += rs;
    put(c, c10, va, beta); put(c + 16, c11, va, beta); c += rs;
    put(c, c20, va, beta); put(c + 16, c21, va, beta); c += rs;
    put(c, c30, va, beta); put(c + 16, c31, va, beta);
    return;
  }
  const t = tile();
  v128.store(t, f32x4.mul(c00, va)); v128.store(t, f32x4.mul(c01, va), 16);
  v128.store(t, f32x4.mul(c10, va), 32); v128.store(t, f32x4.mul(c11, va), 48);
  v128.store(t, f32x4.mul(c20, va), 64); v128.store(t, f32x4.mul(c21, va), 80);
  v128.store(t, f32x4.mul(c30, va), 96); v128.store(t, f32x4.mul(c31, va), 112);
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

function kernelBroadcast(kc: i32, pa: usize, pb: usize, c: usize, ldc: i32, mr: i32, nr: i32, alpha: f32, beta: f32): void {
  kernelBody(false, kc, pa, pb, c, ldc, mr, nr, alpha, beta);
}

function kernelSplat(kc: i32, pa: usize, pb: usize, c: usize, ldc: i32, mr: i32, nr: i32, alpha: f32, beta: f32): void {
  kernelBody(true, kc, pa, pb, c, ldc, mr, nr, alpha, beta);
}

/** Splits `total` into the fewest blocks of at most `max`, of even size rounded up to `mult`. */
@inline function blockSize(total: i32, max: i32, mult: i32): i32 {
  const blocks = (total + max - 1) / max;
  const even = (total + blocks - 1) / blocks;
  return (even + mult - 1) / mult * mult;
}

/**
 * The blocked, packed GEMM. (ai, ap) are the element strides of op(A)[i, p],
 * (bp, bj) those of op(B)[p, j].
 */
function gemmBlocked(
  m: i32, n: i32, k: i32,
  a: usize, ai: i32, ap: i32,
  b: usize, bp: i32, bj: i32,
  c: usize, ldc: i32, alpha: f32, beta: f32,
): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0 || alpha == 0) {
    scaleC(m, n, c, ldc, beta);
    return;
  }
  const splat = ASC_FEATURE_SIMD && (ASC_FEATURE_RELAXED_SIMD || splatA);
  const ae: usize = splat ? 16 : 4;
  const kcs = blockSize(k, KC, 1);
  const mcs = blockSize(m, splat ? MC_SPLAT : MC_BROADCAST, MR);
  const ncs = blockSize(n, NC, NR);
  const apack = aPack();
  const bpack = bPack();
  for (let jc = 0; jc < n; jc += ncs) {
    const nc = min(ncs, n - jc);
    for (let pc = 0; pc < k; pc += kcs) {
      const kc = min(kcs, k - pc);
      const betaBlock: f32 = pc == 0 ? beta : 1;
      pack(nc, kc, b + ((<usize>pc * <usize>bp + <usize>jc * <usize>bj) << 2), bj, bp, NR, bpack);
      for (let ic = 0; ic < m; ic += mcs) {
        const mc = min(mcs, m - ic);
        const ablock = a + ((<usize>ic * <usize>ai + <usize>pc * <usize>ap) << 2);
        if (splat) packA(mc, kc, ablock, ai, ap, apack);
        else pack(mc, kc, ablock, ai, ap, MR, apack);
        for (let jr = 0; jr < nc; jr += NR) {
          const pb = bpack + (<usize>jr * <usize>kc << 2);
          const nr = min(NR, nc - jr);
          const cc = c + ((<usize>ic * <usize>ldc + <usize>(jc + jr)) << 2);
          for (let ir = 0; ir < mc; ir += MR) {
            const pa = apack + <usize>ir * <usize>kc * ae;
            const ct = cc + (<usize>ir * <usize>ldc << 2);
            const mr = min(MR, mc - ir);
            if (!ASC_FEATURE_SIMD) kernelScalar(kc, pa, pb, ct, ldc, mr, nr, alpha, betaBlock);
            else if (splat) kernelSplat(kc, pa, pb, ct, ldc, mr, nr, alpha, betaBlock);
            else kernelBroadcast(kc, pa, pb, ct, ldc, mr, nr, alpha, betaBlock);
          }
        }
      }
    }
  }
}

// ---------------------------------------------------------------- exports

@inline function gemm(
  m: i32, n: i32, k: i32,
  a: usize, ai: i32, ap: i32,
  b: usize, bp: i32, bj: i32,
  c: usize, ldc: i32, alpha: f32, beta: f32,
): void {
  gemmBlocked(m, n, k, a, ai, ap, b, bp, bj, c, ldc, alpha, beta);
}

export function f32_gemm_nn(m: i32, n: i32, k: i32, a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, alpha: f32, beta: f32): void {
  gemm(m, n, k, a, lda, 1, b, ldb, 1, c, ldc, alpha, beta);
}

export function f32_gemm_nt(m: i32, n: i32, k: i32, a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, alpha: f32, beta: f32): void {
  gemm(m, n, k, a, lda, 1, b, 1, ldb, c, ldc, alpha, beta);
}

export function f32_gemm_tn(m: i32, n: i32, k: i32, a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, alpha: f32, beta: f32): void {
  gemm(m, n, k, a, 1, lda, b, ldb, 1, c, ldc, alpha, beta);
}

export function f32_gemm_tt(m: i32, n: i32, k: i32, a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, alpha: f32, beta: f32): void {
  gemm(m, n, k, a, 1, lda, b, 1, ldb, c, ldc, alpha, beta);
}
