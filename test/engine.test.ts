import { describe, expect, it } from 'vitest';
import { init, MemoryError, ShapeError, StateError, ValueError } from '../src/index.js';
import { BUILDS, engineFor } from './helpers.js';

describe('init', () => {
  it('picks SIMD by default when the runtime validates it', async () => {
    const e = await init();
    expect(e.simd).toBe(true);
  });
  it('falls back to scalar when the validator says no', async () => {
    const e = await init({ validate: () => false });
    expect(e.simd).toBe(false);
  });
  it('forces a build', async () => {
    expect((await init({ simd: false })).simd).toBe(false);
    expect((await init({ simd: true })).simd).toBe(true);
  });
  it('accepts a precompiled WebAssembly.Module as is', async () => {
    const { default: bytes } = await import('../build/wasmgrad.scalar.wasm');
    const module = await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
    const e = await init({ wasm: module });
    expect(e.simd).toBe(false);
    expect(e.tensor([2], [1, 2]).toArray()).toEqual(new Float32Array([1, 2]));
  });
  it('rejects bad options with a typed error', async () => {
    await expect(init({ simd: 'yes' as never })).rejects.toThrow(ValueError);
    await expect(init({ maxMemoryMB: -1 })).rejects.toThrow(/maxMemoryMB/);
  });
});

for (const build of BUILDS) {
  describe(`tensors (${build})`, () => {
    it('creates, reads, disposes', async () => {
      const e = await engineFor(build);
      const t = e.tensor([2, 3], [1, 2, 3, 4, 5, 6]);
      expect(t.shape).toEqual([2, 3]);
      expect(t.size).toBe(6);
      expect(Array.from(t.data)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(Array.from(e.tensor([0, 5]).data)).toEqual([]);
      t.dispose();
      expect(() => t.data).toThrow(StateError);
      expect(() => t.toArray()).toThrow(/after dispose/);
    });
    it('views stay valid across memory.grow', async () => {
      const e = await init({ simd: build === 'simd' });
      const t = e.tensor([4], [1, 2, 3, 4]);
      const before = t.data;
      const pages = e.memory.buffer.byteLength;
      const big = e.tensor([4 * 1024 * 1024]); // 16 MiB: forces a grow
      expect(e.memory.buffer.byteLength).toBeGreaterThan(pages);
      expect(before.length).toBe(0); // the old view is detached
      expect(Array.from(t.data)).toEqual([1, 2, 3, 4]);
      big.dispose();
    });
    it('rejects bad shapes and data with typed errors', async () => {
      const e = await engineFor(build);
      expect(() => e.tensor([2, -1])).toThrow(ShapeError);
      expect(() => e.tensor([2.5])).toThrow(/shape\[0\] must be a non-negative integer, got 2.5/);
      expect(() => e.tensor([NaN])).toThrow(ShapeError);
      expect(() => e.tensor([2, 2], [1, 2, 3])).toThrow(/data has length 3 but shape \[2, 2\] needs 4/);
    });
    it('matmul checks shapes, ownership and aliasing and writes nothing on error', async () => {
      const e = await engineFor(build);
      const a = e.tensor([3, 4]);
      const b = e.tensor([5, 2]);
      expect(() => e.matmul(a, b)).toThrow('matmul: a is [3, 4] and b is [5, 2]; inner dimensions 4 and 5 differ');
      const other = await init({ simd: build === 'simd' });
      expect(() => e.matmul(a, other.tensor([4, 2]))).toThrow(StateError);
      const c = e.tensor([4, 4], new Array(16).fill(7));
      expect(() => e.matmul(c, c, { out: c })).toThrow(/out must not share memory with a/);
      expect(() => e.matmul(a, e.tensor([4, 2]), { out: e.tensor([3, 3]) })).toThrow('matmul: out must be [3, 2], got [3, 3]');
      expect(Array.from(c.data)).toEqual(new Array(16).fill(7));
      expect(() => e.matmul(e.tensor([3]), b)).toThrow(/rank 2/);
    });
    it('matmul computes all four forms', async () => {
      const e = await engineFor(build);
      const a = e.tensor([2, 3], [1, 2, 3, 4, 5, 6]);
      const b = e.tensor([3, 2], [7, 8, 9, 10, 11, 12]);
      expect(Array.from(e.matmul(a, b).data)).toEqual([58, 64, 139, 154]);
      expect(Array.from(e.matmul(b, a, { transA: true, transB: true }).data)).toEqual([58, 139, 64, 154]);
      const out = e.tensor([2, 2], [1, 1, 1, 1]);
      e.matmul(a, b, { out, alpha: 2, beta: 1 });
      expect(Array.from(out.data)).toEqual([117, 129, 279, 309]);
    });
  });
}

describe('arena', () => {
  it('aligns to 16, reuses freed blocks, marks and resets', async () => {
    const e = await init();
    const ar = e.arena;
    const p1 = ar.alloc(5);
    const p2 = ar.alloc(100);
    expect(p1 % 16).toBe(0);
    expect(p2 % 16).toBe(0);
    expect(p2 - p1).toBe(16);
    ar.free(p1);
    expect(ar.alloc(16)).toBe(p1);
    const m = ar.mark();
    ar.alloc(1000);
    ar.alloc(1000);
    ar.reset(m);
    expect(ar.mark()).toBe(m);
    expect(() => ar.free(12345)).toThrow(StateError);
  });
  it('throws MemoryError past maxMemoryMB, with requested and available sizes', async () => {
    const e = await init({ maxMemoryMB: 4 });
    let err: unknown;
    try {
      e.tensor([2 * 1024 * 1024]);
    } catch (x) {
      err = x;
    }
    expect(err).toBeInstanceOf(MemoryError);
    expect((err as MemoryError).requested).toBe(8 * 1024 * 1024);
    expect((err as MemoryError).available).toBeLessThan(4 * 1024 * 1024);
    // the engine still works after the refusal
    expect(e.tensor([2], [3, 4]).toArray()).toEqual(new Float32Array([3, 4]));
  });
});

describe('engine.vector', () => {
  it.each(BUILDS)('is a Parameterized that an optimizer minimizes ‖x‖² over (%s)', async (build) => {
    const e = await engineFor(build);
    const x = e.vector(3, [1, -2, 0.5]);
    expect(x.numParameters).toBe(3);
    expect(Array.from(x.grads)).toEqual([0, 0, 0]);
    const opt = e.optim.sgd(x, { lr: 0.25 });
    for (let s = 0; s < 3; s++) {
      const p = x.params;
      x.grads.set([2 * p[0], 2 * p[1], 2 * p[2]]);
      opt.step();
    }
    // x ← x − 0.25 · 2x = x / 2 per step, exact in f32
    expect(Array.from(x.params)).toEqual([0.125, -0.25, 0.0625]);
  });
  it('zero-fills without values and returns both blocks on dispose', async () => {
    const e = await engineFor('scalar');
    const used = e.arena.usedBytes;
    const x = e.vector(5);
    expect(Array.from(x.params)).toEqual([0, 0, 0, 0, 0]);
    x.dispose();
    x.dispose();
    expect(x.disposed).toBe(true);
    expect(e.arena.usedBytes).toBe(used);
    expect(() => x.paramsPtr).toThrow(StateError);
  });
  it('rejects a bad size or values with a ValueError naming them', async () => {
    const e = await engineFor('scalar');
    const used = e.arena.usedBytes;
    expect(() => e.vector(0)).toThrow(/vector: n must be a positive integer, got 0/);
    expect(() => e.vector(2.5)).toThrow(ValueError);
    expect(() => e.vector('3' as never)).toThrow(/got string/);
    expect(() => e.vector(2, [1])).toThrow(/values must be an array-like of 2 numbers, got length 1/);
    expect(e.arena.usedBytes).toBe(used);
  });
});
