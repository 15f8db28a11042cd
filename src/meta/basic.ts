/**
 * The baselines: random search (Bergstra & Bengio, 2012) and grid search.
 */
import { gridLevels, samplePoint } from './space.js';
import type { SearchContext } from './trials.js';

/** `floor(budget)` independent uniform points of the space, one full evaluation each. */
export async function randomSearch(ctx: SearchContext): Promise<void> {
  const n = Math.floor(ctx.remaining() + 1e-9);
  const reqs = Array.from({ length: n }, () => ({ u: samplePoint(ctx.rng, ctx.names.length) }));
  await ctx.evaluate(reqs);
}

/**
 * A full grid of at most `budget` points: k_i levels on dimension i with
 * Π k_i <= budget (cell centres (j + 1/2)/k_i of the unit cube; discrete
 * dimensions take at most their number of values). Points in row-major order,
 * the last dimension fastest. Leftover budget is not spent.
 */
export async function gridSearch(ctx: SearchContext): Promise<void> {
  const levels = gridLevels(ctx.space, ctx.names, Math.floor(ctx.remaining() + 1e-9));
  ctx.info.levels = Object.fromEntries(ctx.names.map((n, i) => [n, levels[i]]));
  const total = levels.reduce((a, b) => a * b, 1);
  const reqs = [];
  for (let p = 0; p < total; p++) {
    const u = new Float64Array(levels.length);
    let r = p;
    for (let i = levels.length - 1; i >= 0; i--) {
      u[i] = ((r % levels[i]) + 0.5) / levels[i];
      r = Math.floor(r / levels[i]);
    }
    reqs.push({ u });
  }
  await ctx.evaluate(reqs);
}
