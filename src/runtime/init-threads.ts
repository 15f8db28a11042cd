/**
 * Instantiating the threads build (runtime/threads.ts decides when): one shared
 * `WebAssembly.Memory` made here and imported by every instance (`env.memory`), the
 * calling thread's instance, and the pool's workers (runtime/pool.ts).
 *
 * Above the core's static data (`mem_heap_base`) the host reserves, before its arena:
 *   the pool's control block (SLOT_INTS i32 per worker), then each worker's GEMM scratch
 *   (`gemm_scratch_bytes`: its packed A block, B panel and edge tile; the calling
 *   thread's instance keeps the static buffers below the heap base).
 * The returned `heapBase` is where the arena starts.
 */
import { MemoryError } from '../errors.js';
import { ctlBytes, ThreadPool } from './pool.js';
import { THREADS_INITIAL_PAGES as INITIAL_PAGES } from './shared-module.js';
import { alignUp, LINE } from './arena.js';

const PAGE = 65536;
/** Each worker's GEMM scratch starts on its own cache line (runtime/arena.ts, LINE). */
const alignLine = (n: number): number => alignUp(n, LINE);

export interface ThreadedCore {
  instance: WebAssembly.Instance;
  heapBase: number;
  pool: ThreadPool;
}

/**
 * Instantiates `module` (the threads build) on a new shared memory of at most
 * `maxBytes` and starts `threads - 1` workers on it; `splat` and `tile` are
 * gemm_set_splat_a and gemm_set_tile_rows for every instance (the tile matters in the
 * relaxed threads build only).
 */
export async function instantiateThreaded(
  module: WebAssembly.Module,
  bytes: BufferSource | undefined,
  threads: number,
  maxBytes: number,
  splat: number,
  tile: number,
): Promise<ThreadedCore> {
  const maximum = Math.min(65536, Math.max(INITIAL_PAGES, Math.ceil(maxBytes / PAGE)));
  const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum, shared: true } as WebAssembly.MemoryDescriptor);
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  const ex = instance.exports as unknown as {
    mem_heap_base(): number;
    gemm_scratch_bytes(): number;
    gemm_set_splat_a(on: number): void;
    gemm_set_tile_rows(rows: number): void;
  };
  ex.gemm_set_splat_a(splat);
  ex.gemm_set_tile_rows(tile);
  const workers = threads - 1;
  const ctl = alignLine(ex.mem_heap_base());
  const each = alignLine(ex.gemm_scratch_bytes());
  const first = alignLine(ctl + ctlBytes(workers));
  const scratch = Array.from({ length: workers }, (_, w) => first + w * each);
  const heapBase = first + workers * each;
  if (heapBase > maximum * PAGE) {
    throw new MemoryError(`init: ${threads} threads need ${heapBase} bytes of scratch and control below the arena, more than maxMemoryMB allows`, heapBase, maximum * PAGE);
  }
  const have = memory.buffer.byteLength;
  if (heapBase > have) memory.grow(Math.ceil((heapBase - have) / PAGE));
  const pool = await ThreadPool.start({ module, bytes, memory, ctl, scratch, splat, tile });
  return { instance, heapBase, pool };
}
