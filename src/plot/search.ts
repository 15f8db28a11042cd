/**
 * Best-so-far curves of hyperparameter searches (src/meta/search.ts), several
 * methods on one chart: the best value found against the budget spent,
 * averaged over the runs (seeds) of each method on a common budget grid.
 */
import type { SearchResult } from '../meta/search.js';
import type { Config } from '../meta/space.js';
import { lineChart, type LineChartOptions, type Series } from './svg.js';

export interface SearchCurveOptions {
  /** budget points of the grid (default: 1, 2, ..., the largest budget) */
  at?: readonly number[];
  /**
   * what to plot for the best config at each point (default: the value the
   * search reported); e.g. the noise-free loss of a benchmark minus its minimum
   */
  value?: (config: Config, reported: number) => number;
}

/**
 * The best-so-far curve of one search at budget points `at`: at each x, the
 * best as of the last trial that ended with spent <= x (NaN before the first).
 */
export function bestSoFar(r: SearchResult, at: readonly number[], value?: SearchCurveOptions['value']): number[] {
  const out: number[] = [];
  let k = -1;
  for (const x of at) {
    while (k + 1 < r.history.length && r.history[k + 1].spent <= x + 1e-9) k++;
    const h = k >= 0 ? r.history[k] : undefined;
    if (h === undefined || h.best < 0 || !Number.isFinite(h.value)) out.push(NaN);
    else out.push(value ? value(r.trials[h.best].config, h.value) : h.value);
  }
  return out;
}

/** The mean best-so-far curve of each method (over its runs), one series per method. */
export function searchCurves(runs: readonly { name: string; results: readonly SearchResult[] }[], options: SearchCurveOptions = {}): Series[] {
  const maxB = Math.max(1, ...runs.flatMap((r) => r.results.map((x) => x.budget)));
  const at = options.at ?? Array.from({ length: Math.floor(maxB) }, (_, i) => i + 1);
  return runs.map((run) => {
    const curves = run.results.map((r) => bestSoFar(r, at, options.value));
    // a point counts once every run has a value there
    const y = at.map((_, i) => (curves.every((c) => Number.isFinite(c[i])) ? curves.reduce((a, c) => a + c[i], 0) / curves.length : NaN));
    return { name: run.name, x: at, y };
  });
}

/** An SVG chart of best-so-far vs budget, one line per method (mean over its runs). */
export function searchChart(runs: readonly { name: string; results: readonly SearchResult[] }[], options: LineChartOptions & SearchCurveOptions = {}): string {
  return lineChart(searchCurves(runs, options), { title: 'Best so far', xLabel: 'budget spent (full evaluations)', yLabel: 'best value', ...options });
}
