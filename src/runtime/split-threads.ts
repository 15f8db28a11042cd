/**
 * Elementwise kernels across threads: the optimizer update `f32_adam` (Adam and AdamW,
 * one fused pass over the flat parameters) cut into one range of elements per thread,
 * the calling thread taking the first, the pool's workers the others (one call each,
 * posted through their slot: runtime/pool-worker.ts). Each element's update reads and
 * writes only that element (g, p, m, v at index i), so a range is the same kernel call
 * on offset pointers with a shorter n. Ranges start at multiples of RANGE_UNIT elements:
 * every element then goes through the same SIMD lane code (4-wide body, scalar tail
 * for the last n mod 4) as in the unsplit call, so the result is bit-identical to one
 * thread, wherever the ranges are cut: with 2 threads the calling thread's share adapts
 * to the threads' measured speeds (SplitShare, runtime/gemm-threads.ts). Below `minElems` a call stays on the calling thread, and so does a call while
 * the workers are asleep (`pool.warm()`: no wait returned within half their polling
 * budget, e.g. after a step 'auto' ran on the calling thread alone): waking them costs a
 * futex wake-up, and on a busy machine a time slice of milliseconds (measured at load 8-13:
 * Adam after a one-thread b32 step took 2.2 ms split against 0.3 ms unsplit).
 *
 * Why: Adam streams 28 bytes per parameter (read g, p, m, v; write p, m, v), ~0.2-0.3 ms
 * for the MLP 784-256-128-10 (235,146 parameters), which on one thread is serial time
 * between two threaded training steps; two cores bring twice the L1/L2 bandwidth.
 */
import { SplitShare } from './gemm-threads.js';
import type { Kernels } from './kernels.js';
import type { ThreadPool } from './pool.js';

const now: () => number = () => performance.now();

/** Elements per range boundary: a multiple of the 4 lanes, and of 16 floats = one 64-byte cache line. */
const RANGE_UNIT = 16;

/**
 * Default: arrays of at least this many elements are split. At ~1.4 ns per element on
 * one thread (28 bytes at ~20 GB/s) this is ~90 µs of work, against a few µs to hand a
 * range to a polling worker (bench/threads.bench.mjs).
 */
export const DEFAULT_MIN_ELEMS = 65536;

export type SplitKernels = Pick<Kernels, 'f32_adam'>;

/**
 * @internal Where a 2-thread split should cut instead of its adapted share: the byte address
 * (in the parameters) where the worker's part starts; 0 for none. A data-parallel step whose
 * first layer is cut by columns sets it to the first row of W₁ the worker computes
 * (nn/first-columns.ts), so each thread updates the weights only it has read: a call whose
 * range holds that address at a multiple of RANGE_UNIT elements is cut there.
 */
export class SplitHint {
  cut = 0;
}

/** The calling thread's elements of an n-element call at `p` when `hint` falls inside it on a range boundary; else -1. */
function hinted(hint: SplitHint, p: number, n: number): number {
  const off = hint.cut - p;
  return hint.cut !== 0 && off > 0 && off < 4 * n && off % (4 * RANGE_UNIT) === 0 ? off / 4 : -1;
}

/** `base`'s f32_adam, splitting across `pool`'s workers from `minElems` elements (2 threads: at `hint` when it applies). */
export function threadedElementwise(base: Kernels, pool: ThreadPool, minElems: number, hint: SplitHint): SplitKernels {
  const fn = base.f32_adam;
  const index = Object.keys(base).indexOf('f32_adam');
  // f32_adam(n, g, p, m, v, lrt, b1, b2, omb1, omb2, eps, ibc2, wd, decay, sign): 4 pointers after n
  // with 2 threads the calling thread's share adapts to the threads' speeds (as a split GEMM's: gemm-threads.ts)
  const share = new SplitShare();
  const f32_adam: Kernels['f32_adam'] = (n, g, p, m, v, lrt, b1, b2, omb1, omb2, eps, ibc2, wd, decay, sign) => {
    const threads = pool.size + 1;
    if (threads < 2 || n < minElems || !pool.warm()) return fn(n, g, p, m, v, lrt, b1, b2, omb1, omb2, eps, ibc2, wd, decay, sign);
    const units = Math.ceil(n / RANGE_UNIT), step = Math.ceil(units / threads) * RANGE_UNIT;
    // thread t's range starts at cut(t): with 2 threads the adapted share, else equal ranges
    const at = threads === 2 ? hinted(hint, p, n) : -1;
    const first = at >= 0 ? at : threads === 2 ? share.units(0, units) * RANGE_UNIT : step;
    const t0 = now();
    let posted = 0;
    for (let t = 1; t < threads; t++) {
      const s = Math.min(n, t === 1 ? first : first + (t - 1) * step), e = t + 1 === threads ? n : Math.min(n, first + t * step);
      if (e <= s) break;
      const c = pool.calls[posted], o = 4 * s;
      c[0] = index; c[1] = e - s;
      c[2] = g + o; c[3] = p + o; c[4] = m + o; c[5] = v + o;
      c[6] = lrt; c[7] = b1; c[8] = b2; c[9] = omb1; c[10] = omb2; c[11] = eps; c[12] = ibc2; c[13] = wd; c[14] = decay; c[15] = sign;
      pool.postCall(posted++);
    }
    let t1 = 0;
    try {
      fn(Math.min(first, n), g, p, m, v, lrt, b1, b2, omb1, omb2, eps, ibc2, wd, decay, sign);
      t1 = now();
    } finally {
      pool.wait(posted);
    }
    if (threads === 2 && at < 0) share.balance(0, first, n - first, t1 - t0, now() - t0, pool.jobMs(0));
  };
  return { f32_adam };
}
