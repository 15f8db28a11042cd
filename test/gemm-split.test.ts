// The adaptive 2-thread GEMM split (src/runtime/gemm-threads.ts, SplitShare): synthetic
// timings only (no clock), so nothing here depends on the machine's speed.
import { describe, expect, it } from 'vitest';
import { SplitShare } from '../src/runtime/gemm-threads.js';

/**
 * Runs `calls` simulated calls of `units` units: the calling thread at vMine units/ms, the
 * worker at vTheirs after a `wake` ms wake-up (its own time, tJob, leaves the wake-up out).
 */
function simulate(split: SplitShare, vMine: number, vTheirs: number, calls: number, units = 128, cls = 30, wake = 0.01): number {
  let t = 0;
  for (let c = 0; c < calls; c++) {
    const mine = split.units(cls, units), theirs = units - mine;
    const tMine = mine / vMine, tJob = theirs / vTheirs, tAll = Math.max(tMine, wake + tJob);
    split.balance(cls, mine, theirs, tMine, tAll, tJob);
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

  it('counts a slow wake-up against the worker when the calling thread waited for it', () => {
    // equal speeds (40 units/ms), but every call waits 0.5 ms for the worker to start: both finish
    // together at mine/40 = 0.5 + (128 - mine)/40, mine = 74 (0.58); halves would take 2.1 ms
    const s = new SplitShare();
    const last = simulate(s, 40, 40, 60, 128, 30, 0.5);
    expect(s.get(30)).toBeGreaterThan(0.54);
    expect(last).toBeLessThan(1.04 * (74 / 40));
  });

  it('ignores calls it cannot time (a throwing panel, a clock that did not advance, no units on a side)', () => {
    const s = new SplitShare();
    s.balance(30, 64, 64, 0, 0, 0);
    s.balance(30, 64, 64, -5, 10, 1);
    s.balance(30, 64, 64, 1, 1, 0);
    s.balance(30, 0, 128, 1, 1, 1);
    expect(s.get(30)).toBe(0.5);
  });
});
