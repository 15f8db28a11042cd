import { MemoryError } from '../errors.js';
import { Arena } from './arena.js';
import { threadedGemm } from './gemm-threads.js';
import type { Kernels } from './kernels.js';
import type { ThreadPool } from './pool.js';
import { ProgramRunner } from './programs.js';
import { DEFAULT_MIN_ELEMS, SplitHint, threadedElementwise } from './split-threads.js';
import type { ThreadsInfo } from './threads.js';

/** What instantiating the core yields (runtime/init.ts), and what a `Core` is made from. */
export interface CoreSetup {
  instance: WebAssembly.Instance;
  /** true when the SIMD build runs */
  simd: boolean;
  /** upper bound of the memory in bytes */
  maxMemoryBytes: number;
  /** where the arena starts (default: the core's mem_heap_base) */
  heapBase?: number;
  /** `engine.threads` (default: one thread) */
  threads?: ThreadsInfo;
  /** the workers of a threaded engine (runtime/init-threads.ts) */
  pool?: ThreadPool;
  /** GEMMs below this many flops stay on the calling thread */
  threadsMinFlops?: number;
}

/**
 * The low layer: one instance of the core with its memory, its arena and its kernels.
 *
 * Every handle and every layer above (tensors, RNG streams, models, losses, optimizers,
 * loaders) types against `Core` and reaches memory only through it; the public facade
 * `Engine` (src/engine.ts) extends it with the user-facing namespaces. Nothing in
 * `runtime/` names a higher layer, so the house has no import cycle.
 *
 * Views are never cached across calls that may allocate: `memory.grow` detaches every
 * typed array over the old buffer, so `f32`/`i32` make a fresh view each time.
 */
export class Core {
  /** The core's exports, one frozen table filled once. */
  readonly kernels: Readonly<Kernels>;
  readonly memory: WebAssembly.Memory;
  readonly arena: Arena;
  /** true when the SIMD build runs */
  readonly simd: boolean;
  /** true when the relaxed-SIMD build runs (fused multiply-add in GEMM; `init({ relaxedSimd })`) */
  readonly relaxedSimd: boolean;

  /**
   * The threads the GEMMs run on (`init({ threads })`, docs/threads.md): `count` (1 = the
   * calling thread only), what was `requested`, and the `reason` when 'auto' fell back to 1.
   */
  readonly threads: ThreadsInfo;
  private readonly pool: ThreadPool | undefined;
  /**
   * @internal A threaded engine's runner of recorded programs (runtime/programs.ts: the
   * shards of a data-parallel step, nn/data-parallel.ts); null on one thread.
   */
  readonly programs: ProgramRunner | null;
  /** @internal where the next 2-thread optimizer split cuts (runtime/split-threads.ts; set by nn/first-columns.ts) */
  readonly splitHint = new SplitHint();

  /** @internal use `init()` */
  constructor(setup: CoreSetup) {
    const exports = setup.instance.exports as unknown as Kernels;
    this.pool = setup.pool;
    const gemm = this.pool === undefined ? {} : threadedGemm(exports, this.pool, setup.threadsMinFlops ?? 0);
    const split = this.pool === undefined ? {} : threadedElementwise(exports, this.pool, DEFAULT_MIN_ELEMS, this.splitHint);
    this.kernels = Object.freeze({ ...exports, ...gemm, ...split });
    this.programs = this.pool === undefined ? null : new ProgramRunner(setup.instance.exports, this.pool);
    this.threads = Object.freeze({ ...(setup.threads ?? { count: 1, requested: 1 }) });
    this.simd = setup.simd;
    this.relaxedSimd = this.kernels.build_relaxed_simd() === 1;
    this.memory = this.kernels.memory;
    this.arena = new Arena(this.memory, setup.heapBase ?? this.kernels.mem_heap_base(), setup.maxMemoryBytes);
  }

  /**
   * Ends the engine's worker threads (a threaded engine; nothing to do otherwise). The
   * engine stays usable: its GEMMs then run on the calling thread, with the same bits.
   */
  dispose(): void {
    this.pool?.dispose();
  }

  /** A fresh `Float32Array` view of `length` floats at byte offset `ptr`. */
  f32(ptr: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, length);
  }

  /** A fresh `Int32Array` view of `length` ints at byte offset `ptr`. */
  i32(ptr: number, length: number): Int32Array {
    return new Int32Array(this.memory.buffer, ptr, length);
  }

  /** Allocates `count` floats (padded to a multiple of 4) and returns the pointer. */
  allocF32(count: number): number {
    return this.arena.alloc(count * 4);
  }
}

/** Allocates `count` floats; a refusal names what asked for them (`what`), e.g. `tensor: shape [2, 3]`. */
export function allocNamed(core: Core, count: number, what: string): number {
  const bytes = count * 4;
  if (!Number.isSafeInteger(bytes)) throw new MemoryError(`${what} needs ${count} floats, more than any memory holds`, bytes, core.arena.maxBytes - core.arena.usedBytes);
  try {
    return core.allocF32(count);
  } catch (e) {
    if (e instanceof MemoryError) throw new MemoryError(`${what} needs ${bytes} bytes: ${e.message}`, e.requested, e.available);
    throw e;
  }
}
