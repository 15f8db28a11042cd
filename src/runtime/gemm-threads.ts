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
 *
 * With 2 threads the split is not fixed at halves: the cores need not be equally fast (a
 * core shared with another job, or a vCPU whose host core is busy: on the 2-vCPU Zen 5 of
 * bench/RESULTS.md one vCPU ran the plain SIMD GEMM at 36 GFLOP/s while the other ran it at
 * 46, for tens of seconds at a time), and then equal halves finish at the slower core's pace. Each call times
 * the calling thread's part, the whole and the worker's own part, and the calling thread's
 * share moves toward the one where both finish together ({@link SplitShare}); shares are
 * kept per size class (log2 of the flops), so a small GEMM's wake-up latency does not skew
 * a large one's split.
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
  const split = new SplitShare();
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
      const cls = Math.min(SIZE_CLASSES - 1, Math.max(0, Math.round(Math.log2(2 * m * n * k))));
      // units of the calling thread: its adaptive share of 2, else an equal part
      const mine = parts === 2 ? split.units(cls, units) : Math.floor(units / parts);
      const t0 = now();
      for (let p = 1; p < parts; p++) {
        const s = (parts === 2 ? mine : Math.floor((p * units) / parts)) * unit;
        const e = Math.min(total, Math.floor(((p + 1) * units) / parts) * unit);
        if (rows) pool.post(p - 1, op, e - s, n, k, a + 4 * (ta ? s : s * lda), lda, b, ldb, c + 4 * s * ldc, ldc, alpha, beta);
        else pool.post(p - 1, op, m, e - s, k, a, lda, b + 4 * (tb ? s * ldb : s), ldb, c + 4 * s, ldc, alpha, beta);
      }
      const first = mine * unit;
      let t1 = 0;
      try {
        if (rows) fn(first, n, k, a, lda, b, ldb, c, ldc, alpha, beta);
        else fn(m, first, k, a, lda, b, ldb, c, ldc, alpha, beta);
        t1 = now();
      } finally {
        pool.wait(parts - 1);
      }
      if (parts === 2) split.balance(cls, mine, units - mine, t1 - t0, now() - t0, pool.jobMs(0));
    };
  };
  return {
    f32_gemm_nn: make(0, base.f32_gemm_nn),
    f32_gemm_nt: make(1, base.f32_gemm_nt),
    f32_gemm_tn: make(2, base.f32_gemm_tn),
    f32_gemm_tt: make(3, base.f32_gemm_tt),
  };
}

/** Size classes of the adaptive split: round(log2(2·m·n·k)), capped. */
const SIZE_CLASSES = 48;
/** Bounds of the calling thread's share, and how far one timed call moves it toward the balanced share. */
const SHARE_MIN = 0.3, SHARE_MAX = 0.7, GAIN = 0.3;
/** The calling thread waited for the worker when the wait took more than this fraction of the call. */
const LATE = 0.01;

const now: () => number = () => performance.now();

/**
 * The calling thread's share of a 2-thread split, per size class (or per phase of a
 * data-parallel step), adapted call by call. After a call where the calling thread ran
 * `mine` units in `tMine` ms, the whole call took `tAll` ms and the worker timed its own
 * part `tJob` (runtime/pool-worker.ts, from its start): the worker's time is `tAll` when
 * the calling thread waited for it (tAll - tMine > LATE·tAll: its wake-up counts, since
 * the call waited for it), else `tJob`; the share moves GAIN of the way to the balanced
 * share mine/tMine ÷ (mine/tMine + theirs/tTheirs), clamped to [SHARE_MIN, SHARE_MAX]
 * (speed ratios up to 7:3). Simulated (test/gemm-split.test.ts): within 4 % of the
 * balanced time after 60 calls at speed ratios 46:36 and 36:46, at halves on equal threads.
 * Speed only: every split gives the same bits. (Until 2026-12-03 the split GEMMs used a
 * rule with only the calling thread's times, which had to probe the worker's speed by
 * stepping its share down whenever the worker finished first.)
 */
export class SplitShare {
  private readonly share = new Float64Array(SIZE_CLASSES).fill(0.5);

  /** The calling thread's units of `units` (at least 1, at most units - 1; units >= 2). */
  units(cls: number, units: number): number {
    return Math.min(units - 1, Math.max(1, Math.round(this.share[cls] * units)));
  }

  /** Learns from one call: `mine` and `theirs` units, the calling thread's time, the whole call's and the worker's own (ms). */
  balance(cls: number, mine: number, theirs: number, tMine: number, tAll: number, tJob: number): void {
    const tTheirs = tAll - tMine > LATE * tAll ? tAll : tJob;
    if (!(tMine > 0 && tTheirs > 0 && mine > 0 && theirs > 0)) return;
    const vMine = mine / tMine, vTheirs = theirs / tTheirs, s = this.share[cls];
    this.share[cls] = Math.min(SHARE_MAX, Math.max(SHARE_MIN, s + GAIN * (vMine / (vMine + vTheirs) - s)));
  }

  /** The current share of size class `cls` (for tests and benchmarks). */
  get(cls: number): number {
    return this.share[cls];
  }
}
