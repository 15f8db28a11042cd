/**
 * Tournament selection: a generational evolutionary search (Goldberg & Deb,
 * 1991, "A comparative analysis of selection schemes"; the mutation and
 * elitism of a real-coded GA, Bäck 1996).
 *
 *   generation 0: `population` uniform points
 *   each next generation: the `elitism` best carry over unevaluated; every
 *   other member is a child: two parents, each the best of `tournamentSize`
 *   members drawn with replacement; uniform crossover with probability
 *   `crossover`; then a Gaussian step of scale `mutation` (unit cube,
 *   reflected at the faces), the scale shrinking by `decay` per generation.
 */
import { ValueError } from '../errors.js';
import { perturb, samplePoint } from './space.js';
import { rank, type SearchContext } from './trials.js';

export interface TournamentOptions {
  /** members per generation (default clamp(round(budget / 8), 4, 20)) */
  population?: number;
  /** members drawn per tournament (default 3) */
  tournamentSize?: number;
  /** Gaussian mutation scale in the unit cube (default 0.15) */
  mutation?: number;
  /** multiplier on the mutation scale per generation (default 0.85) */
  decay?: number;
  /** probability of uniform crossover (default 0.5) */
  crossover?: number;
  /** best members kept unevaluated into the next generation (default 1) */
  elitism?: number;
}

interface Member { u: Float64Array; value: number }

export function checkInt(op: string, name: string, v: unknown, lo: number, hi = Infinity): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
    throw new ValueError(`${op}: ${name} must be an integer in [${lo}, ${hi}], got ${typeof v === 'number' ? v : typeof v}`);
  }
  return v;
}

export function checkReal(op: string, name: string, v: unknown, lo: number, hi: number): number {
  if (typeof v !== 'number' || !(v >= lo && v <= hi)) throw new ValueError(`${op}: ${name} must be a number in [${lo}, ${hi}], got ${typeof v === 'number' ? v : typeof v}`);
  return v;
}

export function tournamentOptions(o: TournamentOptions, budget: number): Required<TournamentOptions> {
  const op = 'search (tournament)';
  const population = checkInt(op, 'population', o.population ?? Math.min(20, Math.max(4, Math.round(budget / 8))), 2);
  return {
    population,
    tournamentSize: checkInt(op, 'tournamentSize', o.tournamentSize ?? 3, 1),
    mutation: checkReal(op, 'mutation', o.mutation ?? 0.15, 0, 10),
    decay: checkReal(op, 'decay', o.decay ?? 0.85, 0, 1),
    crossover: checkReal(op, 'crossover', o.crossover ?? 0.5, 0, 1),
    elitism: checkInt(op, 'elitism', o.elitism ?? 1, 0, population - 1),
  };
}

export async function tournamentSearch(ctx: SearchContext, options: TournamentOptions): Promise<void> {
  const o = tournamentOptions(options, ctx.budget);
  const d = ctx.names.length;
  const rng = ctx.rng;
  const first = Array.from({ length: o.population }, () => samplePoint(rng, d));
  let pop: Member[] = (await ctx.evaluate(first.map((u) => ({ u, tag: { generation: 0 } })))).map((t, i) => ({ u: first[i], value: rank(t) }));
  let sigma = o.mutation;
  for (let g = 1; ctx.fits(1); g++) {
    sigma *= o.decay;
    pop.sort((a, b) => a.value - b.value);
    const elites = pop.slice(0, o.elitism);
    const pick = (): Member => {
      let best = pop[rng.int(pop.length)];
      for (let k = 1; k < o.tournamentSize; k++) {
        const c = pop[rng.int(pop.length)];
        if (c.value < best.value) best = c;
      }
      return best;
    };
    const children: Float64Array[] = [];
    for (let k = o.elitism; k < o.population; k++) {
      const a = pick();
      let u = a.u;
      if (rng.uniform() < o.crossover) {
        const b = pick();
        u = u.map((x, i) => (rng.uniform() < 0.5 ? x : b.u[i]));
      }
      children.push(perturb(rng, u, sigma));
    }
    const ts = await ctx.evaluate(children.map((u) => ({ u, tag: { generation: g } })));
    if (ts.length === 0) break;
    pop = [...elites, ...ts.map((t, i) => ({ u: children[i], value: rank(t) }))];
  }
  ctx.info.population = o.population;
  ctx.info.generations = Math.max(...ctx.trials.map((t) => Number(t.tag?.generation ?? 0))) + 1;
}
