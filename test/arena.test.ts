// src/runtime/arena.ts: alignment, free-list reuse and coalescing, marks and
// reset, double free, growth up to maxMemoryMB and MemoryError, and a
// randomized stress against a simple model.
import { describe, expect, it } from 'vitest';
import { init, MemoryError, StateError, ValueError, type Arena, type Engine } from '../src/index.js';
import { rng } from './helpers.js';

const MB = 1048576;

/**
 * Invariants: every live block is 16-aligned, a multiple of 16 long, inside
 * [base, top); free blocks are sorted, not adjacent, inside [base, top); no two
 * blocks (live or free) overlap; and live + free bytes cover [base, top) exactly.
 */
function checkInvariants(ar: Arena, live: Map<number, number>): void {
  const blocks: [number, number, string][] = [];
  for (const [p, bytes] of live) {
    expect(ar.owns(p, bytes), `block ${p} of ${bytes} bytes is live`).toBe(true);
    blocks.push([p, Math.max(16, Math.ceil(bytes / 16) * 16), 'live']);
  }
  expect(ar.liveBlocks).toBe(live.size);
  const free = ar.freeBlocks();
  for (let i = 1; i < free.length; i++) {
    expect(free[i - 1][0] + free[i - 1][1], `free blocks ${i - 1} and ${i} sorted and not adjacent`).toBeLessThan(free[i][0]);
  }
  for (const [p, s] of free) blocks.push([p, s, 'free']);
  blocks.sort((a, b) => a[0] - b[0]);
  let covered = 0;
  for (let i = 0; i < blocks.length; i++) {
    const [p, s, kind] = blocks[i];
    expect(p % 16, `${kind} block ${p} aligned`).toBe(0);
    expect(s % 16, `${kind} block ${p} size ${s}`).toBe(0);
    expect(p >= ar.baseBytes && p + s <= ar.topBytes, `${kind} block [${p}, ${p + s}) inside [${ar.baseBytes}, ${ar.topBytes})`).toBe(true);
    if (i > 0) {
      const [q, t, k2] = blocks[i - 1];
      expect(q + t, `${k2} block [${q}, ${q + t}) overlaps ${kind} block at ${p}`).toBeLessThanOrEqual(p);
    }
    covered += s;
  }
  expect(covered, 'live + free bytes cover [base, top)').toBe(ar.topBytes - ar.baseBytes);
}

async function fresh(maxMemoryMB?: number): Promise<Engine> {
  return init({ simd: false, maxMemoryMB });
}

describe('arena', () => {
  it('aligns every block to 16 bytes and pads sizes to 16', async () => {
    const ar = (await fresh()).arena;
    expect(ar.baseBytes % 16).toBe(0);
    const live = new Map<number, number>();
    for (const bytes of [0, 1, 3, 4, 15, 16, 17, 31, 33, 100, 1000, 4097]) {
      const p = ar.alloc(bytes);
      expect(p % 16, `alloc(${bytes})`).toBe(0);
      live.set(p, bytes);
    }
    checkInvariants(ar, live);
    expect(ar.usedBytes).toBe([...live.values()].reduce((a, b) => a + Math.max(16, Math.ceil(b / 16) * 16), 0));
    expect(() => ar.alloc(-1)).toThrow(ValueError);
    expect(() => ar.alloc(1.5)).toThrow('alloc: bytes must be a non-negative integer, got 1.5');
    expect(() => ar.alloc(NaN)).toThrow(ValueError);
  });

  it('reuses freed blocks first fit, splits them, and coalesces neighbours', async () => {
    const ar = (await fresh()).arena;
    const a = ar.alloc(64), b = ar.alloc(64), c = ar.alloc(64), d = ar.alloc(16);
    expect([b - a, c - b, d - c]).toEqual([64, 64, 64]);
    ar.free(a);
    expect(ar.freeBlocks()).toEqual([[a, 64]]);
    expect(ar.alloc(32)).toBe(a); // split
    expect(ar.freeBlocks()).toEqual([[a + 32, 32]]);
    expect(ar.alloc(32)).toBe(a + 32);
    expect(ar.freeBlocks()).toEqual([]);
    ar.free(a);
    ar.free(a + 32); // merges with a
    expect(ar.freeBlocks()).toEqual([[a, 64]]);
    ar.free(c); // not adjacent to [a, a + 64)
    expect(ar.freeBlocks()).toEqual([[a, 64], [c, 64]]);
    ar.free(b); // joins both sides
    expect(ar.freeBlocks()).toEqual([[a, 192]]);
    expect(ar.alloc(192)).toBe(a);
    expect(ar.alloc(16)).toBe(d + 16); // no room below: bumps
    checkInvariants(ar, new Map([[a, 192], [d, 16], [d + 16, 16]]));
  });

  it('freeing the topmost block lowers the top, together with a free block below it', async () => {
    const ar = (await fresh()).arena;
    const top0 = ar.topBytes;
    const a = ar.alloc(100), b = ar.alloc(100), c = ar.alloc(100);
    ar.free(b);
    expect(ar.topBytes).toBe(c + 112);
    ar.free(c);
    expect(ar.topBytes).toBe(b);
    expect(ar.freeBlocks()).toEqual([]);
    ar.free(a);
    expect(ar.topBytes).toBe(top0);
    expect(ar.usedBytes).toBe(0);
  });

  it('double free, unknown pointers and interior pointers throw StateError and change nothing', async () => {
    const ar = (await fresh()).arena;
    const a = ar.alloc(64);
    const b = ar.alloc(64);
    ar.free(a);
    const before = ar.freeBlocks();
    expect(() => ar.free(a)).toThrow(`free: pointer ${a} is not a live block (freed twice, or never allocated)`);
    expect(() => ar.free(b + 16)).toThrow(StateError);
    expect(() => ar.free(123456789)).toThrow(StateError);
    expect(ar.freeBlocks()).toEqual(before);
    expect(ar.owns(b, 64)).toBe(true);
    expect(ar.owns(b, 65)).toBe(false);
  });

  it('reset releases everything allocated after the mark: bump blocks, reused free blocks, and frees above it', async () => {
    const ar = (await fresh()).arena;
    const keep = ar.alloc(48);
    const hole = ar.alloc(64);
    const keep2 = ar.alloc(16);
    ar.free(hole);
    const top = ar.topBytes, free = ar.freeBlocks();
    const m = ar.mark();
    const inHole = ar.alloc(32); // taken from the free list below the top
    expect(inHole).toBe(hole);
    const x = ar.alloc(1000), y = ar.alloc(1000);
    ar.free(x); // a free block above the mark's top
    ar.reset(m);
    expect(ar.owns(inHole)).toBe(false);
    expect(ar.owns(y)).toBe(false);
    expect(ar.topBytes).toBe(top);
    expect(ar.freeBlocks()).toEqual(free);
    expect(ar.owns(keep, 48) && ar.owns(keep2, 16)).toBe(true);
    checkInvariants(ar, new Map([[keep, 48], [keep2, 16]]));
    // the mark stays current: reset to it again and again, memory stays put
    expect(ar.mark()).toBe(m);
    let cap = 0;
    for (let step = 0; step < 200; step++) {
      if (step === 1) cap = ar.capacityBytes; // after the first step's grow
      for (let i = 0; i < 5; i++) ar.alloc(4096 * (i + 1));
      ar.reset(m);
    }
    expect(ar.topBytes).toBe(top);
    expect(ar.capacityBytes).toBe(cap);
  });

  it('marks nest; a mark released by an outer reset is refused', async () => {
    const ar = (await fresh()).arena;
    const outer = ar.mark();
    const a = ar.alloc(16);
    const inner = ar.mark();
    const b = ar.alloc(16);
    ar.reset(inner);
    expect(ar.owns(a)).toBe(true);
    expect(ar.owns(b)).toBe(false);
    const c = ar.alloc(16);
    ar.reset(outer);
    expect(ar.owns(a) || ar.owns(c)).toBe(false);
    expect(() => ar.reset(inner)).toThrow(/already released by an earlier reset/);
    expect(() => ar.reset(-1)).toThrow(ValueError);
    expect(() => ar.reset(0.5)).toThrow(ValueError);
    expect(ar.usedBytes).toBe(0);
  });

  it('grows memory on demand, up to maxMemoryMB, then throws MemoryError and changes nothing', async () => {
    const e = await fresh(4);
    const ar = e.arena;
    const cap0 = ar.capacityBytes;
    const t = e.tensor([4], [1, 2, 3, 4]);
    const a = ar.alloc(2 * MB);
    expect(ar.capacityBytes).toBeGreaterThan(cap0);
    expect(ar.growCount).toBeGreaterThan(0);
    const state = [ar.topBytes, ar.usedBytes, ar.capacityBytes, JSON.stringify(ar.freeBlocks()), ar.mark()];
    let err: unknown;
    try {
      ar.alloc(3 * MB);
    } catch (x) {
      err = x;
    }
    expect(err).toBeInstanceOf(MemoryError);
    const me = err as MemoryError;
    expect(me.requested).toBe(3 * MB);
    expect(me.available).toBe(4 * MB - ar.topBytes);
    expect(me.message).toMatch(new RegExp(`^alloc: requested ${3 * MB} bytes but only ${me.available} of maxMemoryMB=4 are available`));
    expect([ar.topBytes, ar.usedBytes, ar.capacityBytes, JSON.stringify(ar.freeBlocks()), ar.mark()]).toEqual(state);
    // a tensor too big for the limit: the same error through engine.tensor
    expect(() => e.tensor([1024, 1024])).toThrow(MemoryError);
    // still usable: the old tensor, new allocations within the limit, kernels
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4]);
    const u = e.tensor([4], [1, 1, 1, 1]);
    e.kernels.f32_add(4, t.ptr, u.ptr, u.ptr);
    expect(Array.from(u.data)).toEqual([2, 3, 4, 5]);
    ar.free(a);
    u.dispose();
    const big = ar.alloc(3 * MB); // fits once the 2 MiB block is back
    expect(ar.capacityBytes).toBeLessThanOrEqual(4 * MB + 65536);
    ar.free(big);
  });

  it('allocAll: several blocks all or nothing; a MemoryError neither allocates nor grows (no detached view)', async () => {
    const e = await fresh(4);
    const ar = e.arena;
    const a = ar.alloc(1000), b = ar.alloc(64);
    ar.free(a); // a free block of 1008 bytes below b
    const live = new Map<number, number>([[b, 64]]);
    const ptrs = ar.allocAll([500, 0, 300, 4000]);
    // first fit, in order: 500 and 16 and 304 reuse the free block, 4000 bumps the top
    expect(ptrs.slice(0, 3)).toEqual([a, a + 512, a + 528]);
    expect(ptrs[3]).toBeGreaterThan(b);
    [500, 0, 300, 4000].forEach((n, i) => live.set(ptrs[i], n));
    checkInvariants(ar, live);
    const view = e.f32(b, 4);
    const state = [ar.topBytes, ar.usedBytes, ar.capacityBytes, ar.growCount, JSON.stringify(ar.freeBlocks()), ar.mark()];
    // each block would fit alone, together they do not: nothing happens
    let err: unknown;
    try {
      ar.allocAll([MB, MB, MB, 2 * MB]);
    } catch (x) {
      err = x;
    }
    expect(err).toBeInstanceOf(MemoryError);
    expect((err as MemoryError).requested).toBe(5 * MB);
    expect([ar.topBytes, ar.usedBytes, ar.capacityBytes, ar.growCount, JSON.stringify(ar.freeBlocks()), ar.mark()]).toEqual(state);
    expect(view.length, 'a view taken before the failed call is not detached').toBe(4);
    expect(() => ar.allocAll([16, -1])).toThrow(ValueError);
    expect([ar.topBytes, ar.usedBytes, ar.mark()]).toEqual([state[0], state[1], state[5]]);
    expect(ar.allocAll([])).toEqual([]);
    // and a reset releases allocAll's blocks like alloc's
    const m = ar.mark();
    ar.allocAll([MB, MB]);
    ar.reset(m);
    checkInvariants(ar, live);
  });

  it('allocAll(sizes, align): blocks on multiples of align; the bytes skipped stay free and are reused', async () => {
    const e = await fresh(4);
    const ar = e.arena;
    const live = new Map<number, number>();
    live.set(ar.alloc(16), 16);
    if (ar.topBytes % 64 === 0) live.set(ar.alloc(16), 16); // so that the top is off a line
    const [p, q] = ar.allocAll([100, 3136], 64);
    expect([p % 64, q % 64]).toEqual([0, 0]);
    live.set(p, 100).set(q, 3136);
    checkInvariants(ar, live);
    // the gaps below p and q are free: 16-byte blocks fill them before the top moves
    const gap = ar.freeBlocks().reduce((a, [, s]) => a + s, 0);
    expect(gap).toBeGreaterThan(0);
    const top = ar.topBytes;
    for (let i = 0; i < gap / 16; i++) live.set(ar.alloc(16), 16);
    expect(ar.topBytes, 'the skipped bytes were reused').toBe(top);
    expect(ar.freeBlocks()).toEqual([]);
    checkInvariants(ar, live);
    // from a freed block: the aligned start inside it, the rest on both sides free
    live.set(ar.alloc(16), 16); // q is not the topmost block
    ar.free(q);
    live.delete(q);
    const [r] = ar.allocAll([1000], 256);
    expect(r % 256).toBe(0);
    expect(r >= q && r + 1008 <= q + 3136).toBe(true);
    expect(ar.freeBlocks().reduce((a, [, s]) => a + s, 0), 'both sides of the block stay free').toBe(3136 - 1008);
    live.set(r, 1000);
    checkInvariants(ar, live);
    for (const bad of [0, 8, 48, 100, -64, 1.5, NaN, 131072, 2 ** 32]) {
      expect(() => ar.allocAll([16], bad), `align ${bad}`).toThrow(ValueError);
    }
    expect(() => ar.allocAll([16], 48)).toThrow('alloc: align must be a power of two from 16 to 65536, got 48');
    checkInvariants(ar, live);
  });

  it('refuses everything past a limit below the current memory size', async () => {
    const e = await fresh(0.001);
    expect(() => e.arena.alloc(16)).toThrow(MemoryError);
  });

  it('survives a randomized alloc/free/mark/reset stress (model: live set, no overlap, contents intact)', async () => {
    const e = await fresh(64);
    const ar = e.arena;
    const r = rng(12345);
    // model: live blocks with the allocation number that the token counts
    const live = new Map<number, { bytes: number; n: number; tag: number }>();
    let count = 0;
    const marks: number[] = [];
    const fill = (p: number, bytes: number, tag: number) => e.i32(p, bytes >> 2).fill(tag);
    const check = (p: number, bytes: number, tag: number) => {
      const v = e.i32(p, bytes >> 2);
      for (let i = 0; i < v.length; i++) if (v[i] !== tag) throw new Error(`block ${p} (tag ${tag}) overwritten at word ${i}: ${v[i]}`);
    };
    for (let step = 0; step < 4000; step++) {
      const u = r();
      if (u < 0.45) {
        const bytes = r() < 0.1 ? Math.floor(r() * 200_000) : Math.floor(r() * 600);
        const p = ar.alloc(bytes);
        live.set(p, { bytes, n: ++count, tag: step + 1 });
        fill(p, bytes, step + 1);
      } else if (u < 0.8 && live.size > 0) {
        const ps = [...live.keys()];
        const p = ps[Math.floor(r() * ps.length)];
        const b = live.get(p)!;
        check(p, b.bytes, b.tag);
        ar.free(p);
        live.delete(p);
      } else if (u < 0.9) {
        const m = ar.mark();
        expect(m).toBe(count);
        marks.push(m);
      } else if (marks.length > 0) {
        const i = Math.floor(r() * marks.length);
        const m = marks[i];
        marks.length = i + 1; // inner marks are gone; m stays current
        ar.reset(m);
        for (const [p, b] of [...live]) if (b.n > m) live.delete(p);
        count = m;
      }
      if (step % 200 === 0 || step === 3999) {
        checkInvariants(ar, new Map([...live].map(([p, b]) => [p, b.bytes])));
        for (const [p, b] of live) check(p, b.bytes, b.tag);
      }
    }
    expect(ar.capacityBytes).toBeLessThanOrEqual(64 * MB + 65536);
    ar.reset(0);
    checkInvariants(ar, new Map());
    expect(ar.topBytes).toBe(ar.baseBytes);
  });
});
