// Best-so-far curves and the SVG chart of several search methods (src/plot/search.ts).
import { describe, expect, it } from 'vitest';
import { search } from '../src/meta/index.js';
import { BENCHMARKS, noisy } from '../src/meta/benchmarks.js';
import { bestSoFar, searchChart, searchCurves } from '../src/plot/search.js';

const b = BENCHMARKS[0];
const run = (method: 'random' | 'tournament' | 'successive-halving', seed: number) => search({ space: b.space, objective: noisy(b, 0.4), budget: 20, method, seed });

describe('best-so-far plots', () => {
  it('bestSoFar steps with the history and maps the best config', async () => {
    const r = await run('random', 1);
    const at = [0.5, 1, 2, 10, 20];
    const y = bestSoFar(r, at);
    expect(y[0]).toBeNaN();
    expect(y.slice(1)).toEqual([1, 2, 10, 20].map((x) => r.history[x - 1].value));
    const exact = bestSoFar(r, [20], (c) => b.f(c));
    expect(exact[0]).toBe(b.f(r.best.config));
  });

  it('averages each method over its runs and draws one line per method', async () => {
    const runs = [];
    for (const m of ['random', 'tournament', 'successive-halving'] as const) runs.push({ name: m, results: [await run(m, 1), await run(m, 2)] });
    const series = searchCurves(runs);
    expect(series.map((s) => s.name)).toEqual(['random', 'tournament', 'successive-halving']);
    expect(series[0].y).toHaveLength(20);
    const r1 = bestSoFar(runs[0].results[0], [20])[0], r2 = bestSoFar(runs[0].results[1], [20])[0];
    expect(series[0].y[19]).toBeCloseTo((r1 + r2) / 2, 12);
    // successive halving has no full-budget value before its last rung
    expect(Number.isNaN(series[2].y[0])).toBe(true);
    const svg = searchChart(runs, { title: 'Branin' });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<path /g)).toHaveLength(3);
    for (const m of ['random', 'tournament', 'successive-halving']) expect(svg).toContain(`>${m}</text>`);
  });
});
