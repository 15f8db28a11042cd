import { MemoryError, StateError, ValueError } from '../errors.js';
import { describe } from './validate.js';

const PAGE = 65536;
/** Every block starts on a 16-byte boundary and its size is a multiple of 16 bytes (4 floats). */
export const ALIGN = 16;

/**
 * A cache line (x86, Arm). Buffers that threads write on either side of a row or column cut
 * (activations, gradients, parameters) start on one: the first layer's output of a
 * data-parallel step, cut by columns in units of 16 floats, shared one line per row between
 * the two threads when its buffer sat 16 bytes past a line (128 lines written by both cores
 * in every b128 step).
 */
export const LINE = 64;

/** n rounded up to a multiple of a. */
export const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;

/**
 * The host's allocator over the one linear memory: a bump region plus a free
 * list (first fit, address-ordered, coalescing) for long-lived blocks, and
 * marks for scratch.
 *
 * - `alloc(bytes)` reuses the first freed block that fits, else bumps the top.
 * - `free(ptr)` returns a block; free neighbours merge; a free block that ends
 *   at the top lowers the top.
 * - `mark()` returns a token; `reset(token)` releases, at once, every block
 *   allocated after `mark()` returned it, wherever it lies (bump region or a
 *   reused free block), so a scratch scope can never leak. Marks nest. After
 *   `reset(m)`, `m` is again the current mark and can be reset to again.
 * - `allocAll(sizes)` allocates several blocks all or nothing: it places
 *   them first (same first-fit as `alloc`, one after the other), grows the
 *   memory once for the highest end, and only then commits; a `MemoryError`
 *   leaves the arena and the memory as they were (no grow, no detached view).
 * - The memory grows on demand (at least doubling) while the total stays
 *   within `maxBytes`; past it, `MemoryError` with the requested and the
 *   available sizes, and nothing changes.
 *
 * Pointers are byte offsets. Growing detaches typed-array views over the old
 * buffer, so views are derived after every call that may allocate.
 */
export class Arena {
  private top: number;
  private readonly base: number;
  /** live blocks: pointer -> [size in bytes, allocation number] */
  private readonly live = new Map<number, [number, number]>();
  /** free blocks below the top, sorted by pointer, never adjacent: [ptr, size] */
  private freeList: [number, number][] = [];
  /** allocations so far (minus those undone by reset): the mark token */
  private seq = 0;
  /** Grows of the memory since creation (tests and benchmarks read it). */
  growCount = 0;

  constructor(
    private readonly memory: WebAssembly.Memory,
    heapBase: number,
    readonly maxBytes: number,
  ) {
    this.base = alignUp(heapBase, ALIGN);
    this.top = this.base;
  }

  /** Bytes handed out and not freed (block sizes, rounded up to 16). */
  get usedBytes(): number {
    let s = 0;
    for (const [size] of this.live.values()) s += size;
    return s;
  }

  /** The top of the bump region (bytes from 0). */
  get topBytes(): number {
    return this.top;
  }

  /** The first byte the arena may hand out (above the core's static data). */
  get baseBytes(): number {
    return this.base;
  }

  get capacityBytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** Live blocks. */
  get liveBlocks(): number {
    return this.live.size;
  }

  /** Free blocks below the top, as [ptr, bytes] copies (for tests and diagnostics). */
  freeBlocks(): [number, number][] {
    return this.freeList.map(([p, s]) => [p, s]);
  }

  /** Allocates `bytes` (rounded up to 16, at least 16) and returns a 16-byte-aligned pointer. Contents are undefined. */
  alloc(bytes: number): number {
    return this.allocAll([bytes])[0];
  }

  /**
   * Allocates one block per entry of `sizes` (bytes, each as `alloc` takes
   * them) and returns their pointers, in order: all of them or, on
   * `MemoryError` (or a bad size), none, with the memory not grown. Each block
   * starts on a multiple of `align` (a power of two from 16 to 65536): `LINE` for
   * buffers that two threads write on either side of a cut, so that no cache
   * line holds both threads' bytes.
   */
  allocAll(sizes: readonly number[], align: number = ALIGN): number[] {
    if (!Number.isInteger(align) || align < ALIGN || align > PAGE || (align & (align - 1)) !== 0) {
      throw new ValueError(`alloc: align must be a power of two from ${ALIGN} to ${PAGE}, got ${describe(align)}`);
    }
    const rounded = sizes.map((bytes) => {
      if (typeof bytes !== 'number' || !Number.isSafeInteger(bytes) || bytes < 0) {
        throw new ValueError(`alloc: bytes must be a non-negative integer, got ${describe(bytes)}`);
      }
      return Math.max(ALIGN, alignUp(bytes, ALIGN));
    });
    // place every block on copies of the free list and the top, then check and grow once;
    // the bytes skipped to reach `align` stay free (multiples of 16, never adjacent to another free block)
    const free = this.freeList.map(([p, n]): [number, number] => [p, n]);
    let top = this.top;
    const ptrs = rounded.map((size) => {
      for (let i = 0; i < free.length; i++) {
        const [fp, fs] = free[i];
        const start = alignUp(fp, align);
        if (start + size > fp + fs) continue;
        const rest: [number, number][] = [];
        if (start > fp) rest.push([fp, start - fp]);
        if (start + size < fp + fs) rest.push([start + size, fp + fs - start - size]);
        free.splice(i, 1, ...rest);
        return start;
      }
      const start = alignUp(top, align);
      if (start > top) free.push([top, start - top]);
      top = start + size;
      return start;
    });
    if (top > this.top) this.ensure(top, top - this.top);
    this.freeList = free;
    this.top = top;
    ptrs.forEach((p, i) => this.live.set(p, [rounded[i], ++this.seq]));
    return ptrs;
  }

  /** Returns a block from `alloc`. Freeing twice or an unknown pointer throws `StateError`. */
  free(ptr: number): void {
    const block = this.live.get(ptr);
    if (block === undefined) throw new StateError(`free: pointer ${ptr} is not a live block (freed twice, or never allocated)`);
    this.live.delete(ptr);
    this.insertFree(ptr, block[0]);
  }

  /** A token for `reset`: the blocks allocated from now on are the ones `reset` releases. */
  mark(): number {
    return this.seq;
  }

  /** Releases every live block allocated after `mark()` returned `mark`. */
  reset(mark: number): void {
    if (typeof mark !== 'number' || !Number.isInteger(mark) || mark < 0 || mark > this.seq) {
      throw new ValueError(
        `reset: mark must be a token from mark() in [0, ${this.seq}], got ${describe(mark)} (already released by an earlier reset to an outer mark?)`,
      );
    }
    const released: [number, number][] = [];
    for (const [p, [size, n]] of this.live) if (n > mark) released.push([p, size]);
    for (const [p, size] of released) {
      this.live.delete(p);
      this.insertFree(p, size);
    }
    this.seq = mark;
  }

  /** Is `ptr` a live block of at least `bytes`? */
  owns(ptr: number, bytes = 0): boolean {
    const b = this.live.get(ptr);
    return b !== undefined && b[0] >= bytes;
  }

  private insertFree(ptr: number, size: number): void {
    const list = this.freeList;
    let i = 0;
    while (i < list.length && list[i][0] < ptr) i++;
    list.splice(i, 0, [ptr, size]);
    // coalesce with the next and the previous block
    if (i + 1 < list.length && list[i][0] + list[i][1] === list[i + 1][0]) {
      list[i][1] += list[i + 1][1];
      list.splice(i + 1, 1);
    }
    if (i > 0 && list[i - 1][0] + list[i - 1][1] === list[i][0]) {
      list[i - 1][1] += list[i][1];
      list.splice(i, 1);
    }
    this.trimTop();
  }

  /** A free block that ends at the top lowers the top. */
  private trimTop(): void {
    const last = this.freeList[this.freeList.length - 1];
    if (last && last[0] + last[1] === this.top) {
      this.top = last[0];
      this.freeList.pop();
    }
  }

  /** Makes [0, end) addressable, growing the memory; `size` is the request, for the error. */
  private ensure(end: number, size: number): void {
    const available = Math.max(0, this.maxBytes - this.top);
    if (end > this.maxBytes) {
      throw new MemoryError(
        `alloc: requested ${size} bytes but only ${available} of maxMemoryMB=${+(this.maxBytes / 1048576).toFixed(3)} are available (${this.usedBytes} bytes in use)`,
        size,
        available,
      );
    }
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    // grow geometrically (at least double) to keep grows rare, capped at the maximum
    const want = Math.min(this.maxBytes, Math.max(end, have * 2));
    try {
      this.memory.grow(Math.ceil((want - have) / PAGE));
    } catch {
      try {
        this.memory.grow(Math.ceil((end - have) / PAGE));
      } catch {
        throw new MemoryError(
          `alloc: requested ${size} bytes but the runtime refused to grow memory from ${have} to ${end} bytes`,
          size,
          Math.max(0, have - this.top),
        );
      }
    }
    this.growCount++;
  }
}
