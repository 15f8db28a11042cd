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
//   jc: columns of C in blocks of NC = 1024
//     pc: depth in blocks of KC = 256 (fewer when nc > 784, see B_FLOATS);
//         pack op(B)[pc.., jc..] into NR-wide panels
//       ic: rows of C in blocks of MC;  pack op(A)[ic.., pc..] into MR-tall panels
//         jr, ir: the MR x 8 micro-kernel (gemm_kernels.ts) on one A panel and one B panel
// Transposes are absorbed by the packing (nn, nt, tn, tt then run the same
// micro-kernel). Edge panels are zero-padded; partial tiles go through an
// MR x 8 temporary (SIMD) or guarded stores (scalar).
//
// Scalar build: the same nest and packing with a scalar micro-kernel that
// walks the 4x8 tile as four 4x2 column pairs, 8 f32 accumulators each (32
// would spill: V8 gives wasm 15 float registers); the A panel (kc x 4 floats,
// 4 KiB) is re-read from L1 per pair. It exists so that the SIMD/scalar ratio
// measures SIMD alone: plain triple loops reached a quarter of the scalar
// peak, and the strided nt form 3 % (issue 19).
//
// Plain SIMD micro-kernel: 4x8, 8 f32x4 accumulators, loads B as two v128 per
// k and needs each A value broadcast to an f32x4; its k loop is not unrolled
// (V8 has 15 vector registers and spills an unrolled body).
//
// The relaxed-SIMD build replaces mul+add by f32x4.relaxed_madd (fused) and,
// since a fused madd needs no temporary register, can run a 6x8 tile (12
// accumulators; MC = 30). Measured on Zen 5, Node 24, CPU time, same run
// (2026-12-03, machine under load): 6x8 over 4x8 +1 % to +11 % (n = 256-1024
// all forms, MLP shapes); the 6x8 k loop unrolled twice ran 26-32 % slower
// (spills). But its 15 live registers spill in V8 12.4 (Node 22) and JSC
// (Bun), where it runs at about half the 4x8 tile's speed, so the relaxed
// build carries both and the host picks (gemm_set_tile_rows). With the 6x8
// tile, a block's last m mod 6 rows run on 4x8 panels (edgeRows).
//
// Two ways to feed A to the micro-kernel, bit-identical results:
// - broadcast: A packed plainly (4 bytes per element), each value broadcast in
//   the kernel with v128.load32_splat; MC = 128.
// - pre-splatted: packA writes each A value as 4 copies (one f32x4, 64 bytes
//   per k step of a panel) in the same single pass that packs it, so the kernel
//   reads it with a plain v128.load at a folded offset, where v128.load32_splat
//   costs V8 an address computation (leaq) per broadcast and is slow in JSC and
//   Deno. The A block is 4x larger per element, so MC = 32 (32 x 256 x 16 B =
//   128 KiB, in L2 as before; 30 rows in the relaxed build's 6-row panels).
// The relaxed build always pre-splats. The plain SIMD build broadcasts unless
// the host turns pre-splatting on (gemm_set_splat_a), which init() does where
// the engine validates relaxed SIMD: engines from before relaxed SIMD shipped
// (Node 20's V8 11.3) run the broadcast kernel faster, newer ones the
// pre-splatted one. Measured on the MLP shapes (2-core Zen 3, best of
// interleaved runs, broadcast -> pre-splatted): plain SIMD Node 20 -7 %,
// Node 24 equal, Chromium +9 %, Deno +6 % (training step); relaxed build
// Node 20 (flag) +6 %, Node 24 and Chromium equal (within 2 %), Deno +30 %,
// Bun +40 %.

import { kernel6, kernelBroadcast, kernelScalar, kernelSplat, MR, NR } from "./gemm_kernels";
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

/**
 * Cache blocks: the packed A block (MC x KC x bytes per element = 128 KiB either
 * way) sits in L2 (1 MiB per core on Zen 5), a B panel (KC x NR x 4 B = 8 KiB) in L1.
 * NC = 1024 so that A, the costlier operand to pack (16 bytes per element
 * pre-splatted), is packed once for n <= 1024 (it is packed once per column
 * block). The packed B block holds at most B_FLOATS = KC x 784 floats (784 KiB:
 * the MLP's 784-wide layer at full depth), so wider blocks take a shallower
 * depth (n = 1024: kc <= 196, k = 1024 in 6 blocks of 171), and the static
 * scratch stays below 1 MiB. Measured (Zen 5, Node 24, same run, session 9,
 * bench/RESULTS.md): n = 1024 2-4 % faster than NC = 512, within 1-2 % of a
 * 1 MiB B block at full depth.
 */
const KC: i32 = 256;
const MC_BROADCAST: i32 = 128;
const MC_SPLAT: i32 = 32;
const MC_SPLAT6: i32 = 30;
const NC: i32 = 1024;
const B_FLOATS: i32 = KC * 784;

/** Plain SIMD build: pre-splat A (set by the host, see the header); the relaxed build always does. */
let splatA: bool = false;

/** Turns pre-splatted A packing on (1) or off (0) in the plain SIMD build; no effect in the others. */
export function gemm_set_splat_a(on: i32): void {
  splatA = on != 0;
}

/** The relaxed build's tile height, 6 (kernel6) or 4 (kernelSplat with fused madd); set by the host. */
let tileRows: i32 = 6;

/**
 * Relaxed build: runs the 6x8 tile (rows = 6, the default) or the 4x8 tile (rows = 4)
 * with fused madd; no effect in the other builds (4x8). Each element's sum is the
 * same chain of fused madds in k order either way; with beta != 0, tiles cut at
 * the edge apply beta unfused (tileToC), so the last bits can differ between the two.
 * The 6x8 tile needs 15 live vector registers and spills in V8 12.4 and JSC: the host
 * picks (src/runtime/gemm-tile.ts).
 */
export function gemm_set_tile_rows(rows: i32): void {
  tileRows = rows == 4 ? 4 : 6;
}

/** The GEMM tile height this build runs: 6 or 4 in the relaxed build, 4 in the others. */
export function gemm_tile_rows(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? tileRows : 4;
}

/** 1 when this build's GEMM packs A pre-splatted. */
export function gemm_splat_a(): i32 {
  return ASC_FEATURE_SIMD && (ASC_FEATURE_RELAXED_SIMD || splatA) ? 1 : 0;
}

// Static scratch (912 KiB below the heap base, in every build). memory.data
// is zero-initialised and emits no data-segment bytes: the .wasm stays small.
// Each is a plain (not @inline) function so that it reserves once.
// In the threads build every worker's instance shares the memory, so each
// worker gets its own scratch from the host arena (gemm_set_scratch): globals
// are per instance, memory is not. 0 (the default) = the static buffers.
const A_BYTES: usize = MC_BROADCAST * KC * 4;
const B_BYTES: usize = B_FLOATS * 4;
let scratch: usize = 0;
function aPack(): usize { return scratch != 0 ? scratch : memory.data(MC_BROADCAST * KC * 4, 16); }
function bPack(): usize { return scratch != 0 ? scratch + A_BYTES : memory.data(B_FLOATS * 4, 16); }
function tile(): usize { return scratch != 0 ? scratch + A_BYTES + B_BYTES : memory.data(MR * NR * 4, 16); }

/** Bytes of GEMM scratch one instance needs (packed A block, packed B panel, a tile). */
export function gemm_scratch_bytes(): i32 {
  return <i32>(A_BYTES + B_BYTES) + MR * NR * 4;
}

/** Points this instance's GEMM scratch at `ptr` (gemm_scratch_bytes() bytes, 16-aligned); 0 = the static buffers. */
export function gemm_set_scratch(ptr: usize): void {
  scratch = ptr;
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
  const mr = ASC_FEATURE_RELAXED_SIMD ? tileRows : 4;
  const mcs = blockSize(m, splat ? (mr == 6 ? MC_SPLAT6 : MC_SPLAT) : MC_BROADCAST, mr);
  const ncs = blockSize(n, NC, NR);
  const kcs = blockSize(k, min(KC, B_FLOATS / ncs), 1);
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
        // rows [0, full) in panels of mr, the rest in panels of mt (see edgeRows)
        const full = mr == 6 ? mc - edgeRows(mc) : mc;
        const mt = mr == 6 && full < mc && mc - full != 5 ? 4 : mr;
        const ablock = a + ((<usize>ic * <usize>ai + <usize>pc * <usize>ap) << 2);
        if (splat) packA(mc, kc, ablock, ai, ap, mr, full / mr * mr, mt, apack);
        else pack(mc, kc, ablock, ai, ap, 4, apack);
        for (let jr = 0; jr < nc; jr += NR) {
          const pb = bpack + (<usize>jr * <usize>kc << 2);
          const nr = min(NR, nc - jr);
          const cc = c + ((<usize>ic * <usize>ldc + <usize>(jc + jr)) << 2);
          for (let ir = 0; ir < mc; ) {
            const h = ir < full ? mr : mt;
            const pa = apack + <usize>ir * <usize>kc * ae;
            const ct = cc + (<usize>ir * <usize>ldc << 2);
            const rows = min(h, mc - ir);
            if (!ASC_FEATURE_SIMD) kernelScalar(kc, pa, pb, ct, ldc, rows, nr, alpha, betaBlock);
            else if (ASC_FEATURE_RELAXED_SIMD && h == 6) kernel6(kc, pa, pb, ct, ldc, rows, nr, alpha, betaBlock, tile());
            else if (splat) kernelSplat(kc, pa, pb, ct, ldc, rows, nr, alpha, betaBlock, tile());
            else kernelBroadcast(kc, pa, pb, ct, ldc, rows, nr, alpha, betaBlock, tile());
            ir += h;
          }
        }
      }
    }
  }
}

/**
 * The 6-row tile's edge: how many of a block's last rows go to 4x8 panels
 * instead of a partial 6x8 one (r = mc mod 6): r = 1, 3, 4 -> one 4x8 panel;
 * r = 2 -> two 4x8 panels (the last 8 rows, e.g. m = 128 = 20 x 6 + 2 x 4),
 * or one when mc = 2; r = 5 -> none (a 6x8 panel with one padded row). A 4x8
 * pass costs about 4/6 of a 6x8 pass, so this beats a padded 6x8 panel
 * whenever the padding would be 2 rows or more.
 */
@inline function edgeRows(mc: i32): i32 {
  const r = mc % 6;
  if (r == 5) return 5;
  if (r == 2 && mc >= 8) return 8;
  return r;
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
