// The adaptive 2-thread GEMM split (src/runtime/gemm-threads.ts, SplitShare): synthetic
// timings only (no clock), so nothing here depends on the machine's speed.
import { describe, expect, it } from 'vitest';
import { SplitShare } from '../src/runtime/gemm-threads.js';

/** Runs `calls` simulated calls of `units` units: the calling thread at vMine units/ms, the worker at vTheirs. */
function simulate(split: SplitShare, vMine: number, vTheirs: number, calls: number, units = 128, cls = 30): number {
  let t = 0;
  for (let c = 0; c < calls; c++) {
    const mine = split.units(cls, units), theirs = units - mine;
    const tMine = mine / vMine, tAll = Math.max(tMine, theirs / vTheirs);
    split.update(cls, mine, theirs, tMine, tAll);
    t = tAll;
  }
  return t;
}

describe('adaptive 2-thread GEMM split (SplitShare)', () => {
  it('starts at halves and keeps at least one unit on each side', () => {
    const s = new SplitShare();
    expect(s.get(30)).toBe(0.5);
    expect(s.units(30, 128)).toBe(64);
    expect(s.units(30, 2)).toBe(1);
    expect(s.units(30, 3)).toBeGreaterThanOrEqual(1);
    expect(s.units(30, 3)).toBeLessThanOrEqual(2);
  });

  it('moves work to the faster thread until both finish together, either way round', () => {
    for (const [vMine, vTheirs] of [[46, 36], [36, 46]]) {
      const s = new SplitShare();
      const last = simulate(s, vMine, vTheirs, 60);
      const balanced = 128 / (vMine + vTheirs);
      expect(s.get(30)).toBeCloseTo(vMine / (vMine + vTheirs), 1);
      expect(last).toBeLessThan(1.04 * balanced);
      // equal halves would take the slower thread's time on 64 units
      expect(last).toBeLessThan(0.92 * (64 / Math.min(vMine, vTheirs)));
    }
  });

  it('stays near halves on equal threads, within its bounds on very unequal ones, per size class', () => {
    const s = new SplitShare();
    simulate(s, 40, 40, 60);
    expect(Math.abs(s.get(30) - 0.5)).toBeLessThan(0.03);
    simulate(s, 100, 1, 60, 128, 20);
    expect(s.get(20)).toBe(0.7);
    simulate(s, 1, 100, 60, 128, 21);
    expect(s.get(21)).toBe(0.3);
    expect(Math.abs(s.get(30) - 0.5)).toBeLessThan(0.03);
  });

  it('ignores calls it cannot time (a throwing panel, a clock that did not advance)', () => {
    const s = new SplitShare();
    s.update(30, 64, 64, 0, 0);
    s.update(30, 64, 64, -5, 10);
    s.update(30, 64, 64, 10, 5);
    expect(s.get(30)).toBe(0.5);
  });

  it("balance(): with the worker's own time, it converges to the balanced share either way round, and ignores untimed calls", () => {
    // the worker's own time is theirs/vTheirs; the whole call waits for the slower side plus a 0.01 ms wake-up
    for (const [vMine, vTheirs] of [[46, 36], [36, 46], [40, 40]]) {
      const s = new SplitShare();
      for (let c = 0; c < 60; c++) {
        const mine = s.units(30, 128), theirs = 128 - mine;
        const tMine = mine / vMine, tJob = theirs / vTheirs;
        s.balance(30, mine, theirs, tMine, Math.max(tMine, tJob + 0.01), tJob);
      }
      expect(s.get(30)).toBeCloseTo(vMine / (vMine + vTheirs), 1);
    }
    const s = new SplitShare();
    s.balance(30, 64, 64, 0, 1, 1);
    s.balance(30, 64, 64, 1, 1, 0);
    s.balance(30, 0, 128, 1, 1, 1);
    expect(s.get(30)).toBe(0.5);
  });
});
