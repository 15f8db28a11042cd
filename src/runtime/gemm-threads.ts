/**
 * GEMM across threads: `C = alpha·op(A)·op(B) + beta·C` split into panels of C, one per
 * thread (the calling thread takes the first, the pool's workers the others), every
 * form. The kernels take leading dimensions, so a panel is one ordinary f32_gemm_* call
 * on offset pointers:
 *   rows i0..i1 of C:    A at row i0 of op(A) (a + 4·i0·lda for 'n', a + 4·i0 for 't'),
 *                        C at c + 4·i0·ldc, m = i1 - i0;
 *   columns j0..j1 of C: B at column j0 of op(B) (b + 4·j0 for 'n', b + 4·j0·ldb for 't'),
 *                        C at c + 4·j0, n = j1 - j0.
 * The split runs along the longer side in units of 8 rows or 16 columns (multiples of
 * the 4x8 micro-tile, so every element of C lands in the same kind of tile, full or
 * edge, as in the unsplit call). Each element of C is then computed by the same kernel
 * over the same KC blocks of k (the blocking of k depends on k alone) in the same order:
 * the result is bit-identical to one thread. Below `minFlops` (2·m·n·k) a call stays
 * on the calling thread: waking a worker costs more than it saves on small shapes.
 */
import type { Kernels } from './kernels.js';
import type { ThreadPool } from './pool.js';

type GemmFn = Kernels['f32_gemm_nn'];
export type GemmKernels = Pick<Kernels, 'f32_gemm_nn' | 'f32_gemm_nt' | 'f32_gemm_tn' | 'f32_gemm_tt'>;

/** Split units: rows of C in blocks of 8, columns in blocks of 16. */
const ROW_UNIT = 8;
const COL_UNIT = 16;

/**
 * Default threshold: 2·m·n·k below which a GEMM stays on one thread. An estimate, not
 * yet a measurement: on an idle core a futex wake-up costs some 10-50 µs, the time of
 * 1-2 MFLOP at 30 GFLOP/s, so a split pays from a few MFLOP. The only measurement so far
 * (2-vCPU Zen 5 oversubscribed at load 25-33, bench/RESULTS.md "Threads") found 2
 * threads slower than 1 at every size up to 51 MFLOP: there a wake-up waits for a time
 * slice. Re-measure on a quiet machine (bench/gemm.bench.mjs) before trusting it.
 */
export const DEFAULT_MIN_FLOPS = 4_000_000;

/** The four GEMM kernels of `base`, each splitting across `pool`'s workers above `minFlops`. */
export function threadedGemm(base: GemmKernels, pool: ThreadPool, minFlops: number): GemmKernels {
  const make = (op: number, fn: GemmFn): GemmFn => {
    const ta = op >= 2, tb = (op & 1) === 1;
    return (m, n, k, a, lda, b, ldb, c, ldc, alpha, beta) => {
      const threads = pool.size + 1;
      if (threads < 2 || 2 * m * n * k < minFlops) return fn(m, n, k, a, lda, b, ldb, c, ldc, alpha, beta);
      const um = Math.ceil(m / ROW_UNIT), un = Math.ceil(n / COL_UNIT);
      const rows = um >= un;
      const units = rows ? um : un;
      const parts = Math.min(threads, units);
      if (parts < 2) return fn(m, n, k, a, lda, b, ldb, c, ldc, alpha, beta);
      const unit = rows ? ROW_UNIT : COL_UNIT, total = rows ? m : n;
      for (let p = 1; p < parts; p++) {
        const s = Math.floor((p * units) / parts) * unit;
        const e = Math.min(total, Math.floor(((p + 1) * units) / parts) * unit);
        if (rows) pool.post(p - 1, op, e - s, n, k, a + 4 * (ta ? s : s * lda), lda, b, ldb, c + 4 * s * ldc, ldc, alpha, beta);
        else pool.post(p - 1, op, m, e - s, k, a, lda, b + 4 * (tb ? s * ldb : s), ldb, c + 4 * s, ldc, alpha, beta);
      }
      const first = Math.floor(units / parts) * unit;
      try {
        if (rows) fn(first, n, k, a, lda, b, ldb, c, ldc, alpha, beta);
        else fn(m, first, k, a, lda, b, ldb, c, ldc, alpha, beta);
      } finally {
        pool.wait(parts - 1);
      }
    };
  };
  return {
    f32_gemm_nn: make(0, base.f32_gemm_nn),
    f32_gemm_nt: make(1, base.f32_gemm_nt),
    f32_gemm_tn: make(2, base.f32_gemm_tn),
    f32_gemm_tt: make(3, base.f32_gemm_tt),
  };
}
