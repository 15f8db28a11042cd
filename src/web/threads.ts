// The worker's threaded engine (docs/threads.md; docs/playground.md, Threads): where
// the page is cross-origin isolated the build switch offers "SIMD, 2 threads", an
// engine made on first use with init({ threads: 2 }) (the threads build of the core:
// plain SIMD on a shared memory, the GEMMs above ~4 MFLOP split by panels of C
// between this worker and one pool worker). Off by default: the playground's usual
// networks have GEMMs far below the split threshold. Where the page is not
// isolated, the library's own fallback (threads: 'auto' → 1) gives the note the
// page shows. The pool blocks in Atomics.wait in this worker, never on the page's
// main thread.
import { init, type Engine } from '../index.js';
import type { ThreadsNote } from './protocol.js';

/** Threads of the threaded build (the calling worker included). */
export const THREADS = 2;

/** Whether this worker may make a threaded engine, and the sentence the page shows. */
export async function probeThreads(): Promise<ThreadsNote> {
  if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true) {
    return { available: true, note: `cross-origin isolated: "${THREADS} threads" runs the large matrix products on this worker and ${THREADS - 1} more` };
  }
  try {
    const probe = await init({ threads: 'auto', simd: true, relaxedSimd: false, maxMemoryMB: 16 });
    const { count, reason } = probe.threads;
    probe.dispose();
    if (count > 1) return { available: true, note: `${THREADS} threads available` };
    return { available: false, note: `one thread: ${reason ?? 'this browser reports one core'}` };
  } catch (e) {
    return { available: false, note: `one thread: ${(e as Error).message}` };
  }
}

/** The threaded engine (SIMD build, THREADS threads); throws the library's ValueError where it cannot run. */
export function threadedEngine(): Promise<Engine> {
  return init({ threads: THREADS, simd: true, relaxedSimd: false, maxMemoryMB: 256 });
}
