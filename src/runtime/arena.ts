import { MemoryError, StateError, ValueError } from '../errors.js';

const PAGE = 65536;
/** Every block starts on a 16-byte boundary and its size is a multiple of 16 bytes (4 floats). */
export const ALIGN = 16;

const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;

/**
 * The host's allocator over the one linear memory: a bump region with marks
 * for scratch, plus a free list (first fit, coalescing) for long-lived blocks.
 *
 * - `alloc(bytes)` reuses a freed block when one fits, else bumps the top.
 * - `free(ptr)` returns a block; a block at the top lowers the top.
 * - `mark()` / `reset(mark)` release, at once, every block allocated above the mark.
 * - The memory grows on demand up to `maxBytes`; past it, `MemoryError`.
 *
 * Pointers are byte offsets. Growing detaches typed-array views over the old
 * buffer, so views are derived after every call that may allocate.
 */
export class Arena {
  private top: number;
  private readonly base: number;
  /** live blocks: pointer -> size in bytes */
  private readonly live = new Map<number, number>();
  /** free blocks below the top, sorted by pointer: [ptr, size] */
  private freeList: [number, number][] = [];
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

  /** Bytes handed out and not freed. */
  get usedBytes(): number {
    let s = 0;
    for (const size of this.live.values()) s += size;
    return s;
  }

  /** The top of the bump region (bytes from 0). */
  get topBytes(): number {
    return this.top;
  }

  get capacityBytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** Allocates `bytes` (rounded up to 16) and returns a 16-byte-aligned pointer. Contents are undefined. */
  alloc(bytes: number): number {
    if (!Number.isInteger(bytes) || bytes < 0) {
      throw new ValueError(`alloc: bytes must be a non-negative integer, got ${bytes}`);
    }
    const size = Math.max(ALIGN, alignUp(bytes, ALIGN));
    for (let i = 0; i < this.freeList.length; i++) {
      const [p, s] = this.freeList[i];
      if (s >= size) {
        if (s === size) this.freeList.splice(i, 1);
        else this.freeList[i] = [p + size, s - size];
        this.live.set(p, size);
        return p;
      }
    }
    const p = this.top;
    this.ensure(p + size);
    this.top = p + size;
    this.live.set(p, size);
    return p;
  }

  /** Returns a block from `alloc`. Freeing twice or an unknown pointer throws. */
  free(ptr: number): void {
    const size = this.live.get(ptr);
    if (size === undefined) throw new StateError(`free: pointer ${ptr} is not a live block (freed twice, or never allocated)`);
    this.live.delete(ptr);
    this.insertFree(ptr, size);
  }

  /** A mark to `reset` to: everything allocated after it from the top is released by `reset`. */
  mark(): number {
    return this.top;
  }

  /** Releases every block that lies at or above `mark`. */
  reset(mark: number): void {
    if (!Number.isInteger(mark) || mark < this.base || mark > this.top) {
      throw new ValueError(`reset: mark must be in [${this.base}, ${this.top}], got ${mark}`);
    }
    for (const p of [...this.live.keys()]) if (p >= mark) this.live.delete(p);
    this.freeList = this.freeList.filter(([p]) => p < mark);
    this.top = mark;
    this.trimTop();
  }

  /** Is `ptr` a live block of at least `bytes`? */
  owns(ptr: number, bytes = 0): boolean {
    const s = this.live.get(ptr);
    return s !== undefined && s >= bytes;
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

  private ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    if (end > this.maxBytes) {
      throw new MemoryError(
        `alloc: requested ${end - this.top} bytes but only ${Math.max(0, this.maxBytes - this.top)} of maxMemoryMB=${this.maxBytes / 1048576} are available`,
        end - this.top,
        Math.max(0, this.maxBytes - this.top),
      );
    }
    // grow geometrically (at least double) to keep grows rare, capped at the maximum
    const want = Math.min(this.maxBytes, Math.max(end, have * 2));
    const pages = Math.ceil((want - have) / PAGE);
    try {
      this.memory.grow(pages);
    } catch {
      const pagesMin = Math.ceil((end - have) / PAGE);
      try {
        this.memory.grow(pagesMin);
      } catch {
        throw new MemoryError(
          `alloc: the runtime refused to grow memory to ${end} bytes`,
          end - this.top,
          have - this.top,
        );
      }
    }
    this.growCount++;
  }
}
