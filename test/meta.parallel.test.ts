// search({ parallel }) on Node worker_threads: same trials for every parallel value,
// failures from workers recorded, abort terminates every worker (src/meta/parallel.ts,
// src/runtime/workers.ts).
import { describe, expect, it } from 'vitest';
import { search, space, METHODS } from '../src/meta/index.js';
import { liveWorkers } from '../src/runtime/workers.js';
import { SearchError } from '../src/errors.js';

const module = new URL('./fixtures/meta-objective.mjs', import.meta.url).href;
const braninSpace = { x1: space.uniform(-5, 10), x2: space.uniform(0, 15) };

describe('search on workers', () => {
  it('gives the same trials with parallel 1 and 2 (and in-process) for every method', async () => {
    for (const method of METHODS) {
      const base = { space: braninSpace, budget: 15, method, seed: 11 };
      const order: number[] = [];
      const p1 = await search({ ...base, objective: { module, export: 'branin' }, parallel: 1 });
      const p2 = await search({ ...base, objective: { module, export: 'shuffled' }, parallel: 2, onTrial: (t) => order.push(t.id) });
      const here = await search({ ...base, objective: { module, export: 'branin' }, inProcess: true });
      expect(p2.trials, method).toEqual(p1.trials);
      expect(here.trials, method).toEqual(p1.trials);
      expect(p2.best).toEqual(p1.best);
      expect(order.length).toBe(p2.trials.length);
      expect(p1.trials.every((t) => t.status === 'ok')).toBe(true);
    }
    expect(liveWorkers()).toBe(0);
  }, 60_000);

  it('records the errors thrown in a worker, passes a signal, and fails with SearchError when all fail', async () => {
    const r = await search({ space: braninSpace, budget: 12, seed: 1, parallel: 2, objective: { module, export: 'picky' } });
    const failed = r.trials.filter((t) => t.status === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    for (const t of failed) expect(t.error).toBe('RangeError: x1 < 0');
    expect(r.trials.filter((t) => t.status === 'ok').every((t) => t.value === (t.config.x1 as number) + (t.config.x2 as number))).toBe(true);
    await expect(search({ space: braninSpace, budget: 4, parallel: 2, objective: { module, export: 'nope' } })).rejects.toThrow(SearchError);
    expect(liveWorkers()).toBe(0);
  });

  it('aborting rejects with the reason and leaves no worker alive', async () => {
    const ac = new AbortController();
    const p = search({ space: braninSpace, budget: 10, parallel: 3, signal: ac.signal, objective: { module, export: 'forever' } });
    await new Promise((r) => setTimeout(r, 300));
    expect(liveWorkers()).toBe(3);
    ac.abort(new Error('enough'));
    await expect(p).rejects.toThrow('enough');
    expect(liveWorkers()).toBe(0);
  });
});
