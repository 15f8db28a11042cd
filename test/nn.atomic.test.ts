// A model call that throws changes nothing (issue 12, items 7 and 9): the
// arena's counters and free list, the memory's size (no grow, so no view is
// detached) and every byte of the memory are the same before and after.
import { describe, expect, it } from 'vitest';
import { init, MemoryError, ValueError, type Engine } from '../src/index.js';
import { randArray } from './helpers.js';

const MB = 1048576;

function arenaState(e: Engine): unknown[] {
  const a = e.arena;
  return [a.topBytes, a.usedBytes, a.liveBlocks, a.capacityBytes, a.growCount, JSON.stringify(a.freeBlocks()), a.mark()];
}

function memory(e: Engine): Buffer {
  return Buffer.from(new Uint8Array(e.memory.buffer).slice());
}

/** Byte-identical memory (Buffer.equals: a vitest diff of megabytes would be slow). */
function sameMemory(e: Engine, before: Buffer): boolean {
  return Buffer.from(e.memory.buffer).equals(before);
}

describe('nn: a call that throws changes nothing', () => {
  it('lossAndGrad with an out-of-range label, at the planned and at a new larger batch size', async () => {
    const e = await init();
    const m = e.nn.mlp([4, 8, 3], { seed: 2 });
    const x2 = e.tensor([2, 4], randArray(8, 1));
    const x10 = e.tensor([10, 4], randArray(40, 2));
    m.lossAndGrad(x2, new Int32Array([0, 2]), 'softmaxCrossEntropy'); // plans for 2 rows
    for (const [x, y] of [
      [x2, new Int32Array([1, 3])],
      [x10, Int32Array.from({ length: 10 }, (_, i) => (i === 7 ? -1 : i % 3))],
      [x10, Int32Array.from({ length: 10 }, (_, i) => (i === 9 ? 3 : 0))],
    ] as const) {
      const before = arenaState(e), bytes = memory(e);
      expect(() => m.lossAndGrad(x, y, 'softmaxCrossEntropy')).toThrow(ValueError);
      expect(arenaState(e)).toEqual(before);
      expect(sameMemory(e, bytes), 'memory byte-identical').toBe(true);
    }
    expect(() => m.lossAndGrad(x10, new Int32Array(10).fill(5), 'softmaxCrossEntropy')).toThrow('mlp: label 5 at index 0 is out of range [0, 3)');
    // and the model still works at the new size
    expect(Number.isFinite(m.lossAndGrad(x10, new Int32Array(10), 'softmaxCrossEntropy'))).toBe(true);
    m.dispose();
  });

  it('a MemoryError in the model constructor leaves the arena and the memory as they were', async () => {
    const e = await init({ maxMemoryMB: 6 });
    const t = e.tensor([4], [1, 2, 3, 4]);
    const view = t.data;
    const before = arenaState(e), bytes = memory(e);
    // the parameters alone (3.4 MiB) would fit, parameters and gradients do not
    const sizes = [1000, 880];
    expect(1000 * 880 * 4 + 880 * 4).toBeLessThan(6 * MB - e.arena.topBytes);
    expect(() => e.nn.mlp(sizes)).toThrow(MemoryError);
    expect(arenaState(e)).toEqual(before);
    expect(sameMemory(e, bytes), 'memory byte-identical').toBe(true);
    expect(view.length, 'a view taken before the failed call is not detached').toBe(4);
    expect(Array.from(view)).toEqual([1, 2, 3, 4]);
  });

  it('a MemoryError while planning a larger batch keeps the old plan and grows nothing', async () => {
    const e = await init({ maxMemoryMB: 4 });
    const m = e.nn.mlp([8, 64, 2], { seed: 1 });
    const x = e.tensor([4, 8], randArray(32, 3));
    const y = new Int32Array([0, 1, 1, 0]);
    const l0 = m.lossAndGrad(x, y, 'softmaxCrossEntropy');
    const xb = e.tensor([20000, 8]); // 625 KiB, but its plan (20000 rows × 64 floats, twice) cannot fit
    const before = arenaState(e), bytes = memory(e);
    expect(() => m.forward(xb)).toThrow(MemoryError);
    expect(arenaState(e)).toEqual(before);
    expect(sameMemory(e, bytes), 'memory byte-identical').toBe(true);
    expect(m.lossAndGrad(x, y, 'softmaxCrossEntropy')).toBe(l0);
  });
});
