// search() and space: validation, budget accounting, determinism, failures, grid, abort (src/meta/).
import { describe, expect, it } from 'vitest';
import { search, space, METHODS, type SearchMethod } from '../src/meta/index.js';
import { SearchError, ValueError } from '../src/errors.js';
import { BENCHMARKS, noisy } from '../src/meta/benchmarks.js';
import { decodeDim, gridLevels } from '../src/meta/space.js';

const quad = { x: space.uniform(-1, 1), y: space.logUniform(1e-3, 1), n: space.int(1, 4), act: space.choice(['relu', 'tanh']) };
const f = (c: Record<string, unknown>): number => (c.x as number) ** 2 + Math.log10(c.y as number) ** 2 + (c.n as number) + (c.act === 'relu' ? 0 : 1);

describe('space', () => {
  it('decodes the unit cube into each kind of dimension', () => {
    expect(decodeDim(space.uniform(2, 4), 0.25)).toBe(2.5);
    expect(decodeDim(space.logUniform(1e-4, 1), 0.5)).toBeCloseTo(1e-2, 12);
    expect([0, 0.2, 0.5, 0.99, 1].map((u) => decodeDim(space.int(1, 4), u))).toEqual([1, 1, 3, 4, 4]);
    expect([0, 0.49, 0.5, 1].map((u) => decodeDim(space.choice(['a', 'b']), u))).toEqual(['a', 'a', 'b', 'b']);
  });

  it('rejects empty or inconsistent dimensions with a ValueError naming the argument', () => {
    expect(() => space.uniform(1, 1)).toThrow(/space.uniform: lo must be < hi, got lo = 1 and hi = 1/);
    expect(() => space.uniform(2, 1)).toThrow(ValueError);
    expect(() => space.uniform(0, Infinity)).toThrow(/hi must be a finite number, got Infinity/);
    expect(() => space.logUniform(0, 1)).toThrow(/space.logUniform: lo must be > 0, got 0/);
    expect(() => space.logUniform(-1, 1)).toThrow(ValueError);
    expect(() => space.int(1.5, 3)).toThrow(/lo must be a finite integer, got 1.5/);
    expect(() => space.int(3, 2)).toThrow(/lo must be <= hi/);
    expect(() => space.choice([])).toThrow(/options must not be empty/);
  });

  it('grids fit the budget and stop at the number of values of a discrete dimension', () => {
    expect(gridLevels({ a: space.uniform(0, 1), b: space.uniform(0, 1) }, ['a', 'b'], 20)).toEqual([5, 4]);
    expect(gridLevels({ a: space.choice([1, 2]), b: space.uniform(0, 1) }, ['a', 'b'], 20)).toEqual([2, 10]);
  });
});

describe('search: bad input', () => {
  const ok = { space: quad, objective: f, budget: 5 };
  it('names the option, the expected and the actual value', async () => {
    await expect(search({ ...ok, space: {} })).rejects.toThrow(/space must have at least one dimension/);
    await expect(search({ ...ok, space: { x: { kind: 'uniform', lo: 2, hi: 1 } } as never })).rejects.toThrow(/space.x: lo must be < hi/);
    await expect(search({ ...ok, space: { x: { kind: 'logUniform', lo: 0, hi: 1 } } as never })).rejects.toThrow(/logUniform lo must be > 0, got 0/);
    await expect(search({ ...ok, space: { x: 3 } as never })).rejects.toThrow(/space.x must be made by space.uniform/);
    await expect(search({ ...ok, budget: 0.5 })).rejects.toThrow(/budget must be a finite number >= 1 .* got 0.5/);
    await expect(search({ ...ok, budget: NaN })).rejects.toThrow(ValueError);
    await expect(search({ ...ok, method: 'bayes' as SearchMethod })).rejects.toThrow(/method must be one of random, grid/);
    await expect(search({ ...ok, objective: 3 as never })).rejects.toThrow(/objective must be a function/);
    await expect(search({ ...ok, seed: -1 })).rejects.toThrow(/seed must be a non-negative safe integer/);
    await expect(search({ ...ok, parallel: 0 })).rejects.toThrow(/parallel must be an integer in \[1, 256\], got 0/);
    await expect(search({ ...ok, method: 'tournament', options: { population: 1 } })).rejects.toThrow(/population must be an integer/);
    await expect(search({ ...ok, method: 'replica-exchange', options: { temperatures: [2, 1] } })).rejects.toThrow(/temperatures must be a non-empty increasing array/);
  });

  it('records a throwing or NaN trial as failed and goes on; all failing is a SearchError', async () => {
    let calls = 0;
    const flaky = (c: Record<string, unknown>): number => {
      calls++;
      if (calls % 3 === 0) throw new Error('boom');
      if (calls % 3 === 1) return NaN;
      return f(c);
    };
    const r = await search({ space: quad, objective: flaky, budget: 12, seed: 3 });
    expect(r.trials).toHaveLength(12);
    const failed = r.trials.filter((t) => t.status === 'failed');
    expect(failed).toHaveLength(8);
    expect(failed.some((t) => t.error === 'Error: boom')).toBe(true);
    expect(failed.some((t) => /returned NaN/.test(t.error!))).toBe(true);
    expect(Number.isFinite(r.best.value)).toBe(true);
    for (const m of METHODS) {
      const e = await search({ space: quad, objective: () => { throw new TypeError('nope'); }, budget: 9, method: m }).catch((x: unknown) => x);
      expect(e, m).toBeInstanceOf(SearchError);
      expect((e as Error).message).toMatch(/failed; first error: TypeError: nope/);
      expect((e as SearchError).trials.length).toBeGreaterThan(0);
    }
  });
});

describe('search: every method', () => {
  it.each(METHODS)('%s spends at most the budget, is deterministic and keeps a monotone best-so-far (random excepted for none)', async (method) => {
    const b = BENCHMARKS[0];
    const run = () => search({ space: b.space, objective: noisy(b, 0.4), budget: 40, method, seed: 7 });
    const r = await run();
    expect(r.spent).toBeLessThanOrEqual(40 + 1e-9);
    expect(r.spent).toBeGreaterThan(method === 'grid' ? 35 : 38);
    expect(r.trials.map((t) => t.id)).toEqual(r.trials.map((_, i) => i));
    expect(r.history).toHaveLength(r.trials.length);
    expect(r.history[r.history.length - 1].value).toBe(r.best.value);
    expect(r.history[r.history.length - 1].spent).toBeCloseTo(r.spent, 9);
    if (method !== 'surrogate-acceptance') {
      for (let i = 1; i < r.history.length; i++) expect(r.history[i].value).toBeLessThanOrEqual(r.history[i - 1].value);
      expect(r.best.value).toBe(Math.min(...r.trials.filter((t) => t.budget === 1).map((t) => t.value)));
    }
    const again = await run();
    expect(again.trials).toEqual(r.trials);
    const other = await search({ space: b.space, objective: noisy(b, 0.4), budget: 40, method, seed: 8 });
    if (method !== 'grid') expect(other.trials[0].config).not.toEqual(r.trials[0].config);
  });

  it('grid visits a full grid of cell centres', async () => {
    const r = await search({ space: { a: space.uniform(0, 1), k: space.choice(['p', 'q', 'r']) }, objective: () => 0, budget: 10, method: 'grid' });
    expect(r.trials.map((t) => [t.config.a, t.config.k])).toEqual([
      [1 / 6, 'p'], [1 / 6, 'q'], [1 / 6, 'r'],
      [0.5, 'p'], [0.5, 'q'], [0.5, 'r'],
      [5 / 6, 'p'], [5 / 6, 'q'], [5 / 6, 'r'],
    ]);
  });

  it('successive halving evaluates cheap rungs first and only the survivors at full budget', async () => {
    const r = await search({ space: quad, objective: (c, { budget }) => f(c) / budget, budget: 30, method: 'successive-halving', seed: 1 });
    const byRung = [0, 1, 2, 3].map((j) => r.trials.filter((t) => t.tag?.rung === j));
    expect(byRung.map((ts) => ts[0].budget)).toEqual([1 / 27, 1 / 9, 1 / 3, 1]);
    expect(byRung.map((ts) => ts.length)).toEqual([207, 69, 23, 7]);
    expect(r.spent).toBeLessThanOrEqual(30 + 1e-9);
    // the survivors of a rung are the best of the rung below
    const cut = Math.max(...byRung[1].map((t) => f(t.config)));
    expect(byRung[0].filter((t) => f(t.config) < cut).length).toBeLessThanOrEqual(byRung[1].length);
  });

  it('passes budget, seed and signal to the objective and calls onTrial once per trial', async () => {
    const seen: number[] = [];
    const r = await search({
      space: quad, budget: 6, seed: 2,
      objective: (c, ctx) => { expect(ctx.budget).toBe(1); expect(ctx.signal).toBeInstanceOf(AbortSignal); return f(c) + ctx.seed * 0; },
      onTrial: (t, p) => { seen.push(t.id); expect(p.budget).toBe(6); },
    });
    expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
    expect(new Set(r.trials.map((t) => t.seed)).size).toBe(6);
  });

  it('aborting rejects with the reason and stops proposing trials', async () => {
    const ac = new AbortController();
    let calls = 0;
    const p = search({ space: quad, budget: 50, method: 'tournament', signal: ac.signal, objective: async (c) => { if (++calls === 10) ac.abort(new Error('stop')); return f(c); } });
    await expect(p).rejects.toThrow('stop');
    expect(calls).toBeLessThanOrEqual(10);
  });
});
