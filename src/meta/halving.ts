/**
 * Successive halving (Jamieson & Talwalkar 2016; the building block of
 * Hyperband, Li et al. 2018, and ASHA, Li et al. 2020). Budget is a fidelity:
 * the objective is told `budget` r ∈ (0, 1] (a fraction of the epochs, of the
 * data, ...), and r = 1 is one full evaluation.
 *
 * One bracket with rungs r_j = η^(j-k), j = 0..k (r_k = 1, r_0 = `minBudget`):
 * n_0 uniform configs at r_0, then the best ⌊n_j/η⌋ go on to r_(j+1), until the
 * survivors get full evaluations. Its cost Σ_j n_j r_j is what the search
 * charges; n_0 is the largest that fits the budget (divided among `brackets`
 * brackets run one after the other). Each rung is a fresh evaluation at the
 * larger budget (the objective is stateless here). The best is the lowest
 * full-budget value.
 */
import { samplePoint } from './space.js';
import { checkInt, checkReal } from './tournament.js';
import { rank, type SearchContext } from './trials.js';

export interface HalvingOptions {
  /** keep the best 1/η at each rung (default 3) */
  eta?: number;
  /** budget of the cheapest rung (default 1/η³, so four rungs); rounded to a power of 1/η */
  minBudget?: number;
  /** brackets run one after the other, sharing the budget equally (default 1) */
  brackets?: number;
}

/** Rung sizes n_j for n_0 configs: n_(j+1) = floor(n_j / η). */
export function rungSizes(n0: number, eta: number, k: number): number[] {
  const n = [n0];
  for (let j = 1; j <= k; j++) n.push(Math.floor(n[j - 1] / eta));
  return n;
}

/** The bracket of n_0 configs at rung budgets `r`: its cost Σ n_j r_j. */
export function bracketCost(n0: number, eta: number, r: readonly number[]): number {
  return rungSizes(n0, eta, r.length - 1).reduce((a, nj, j) => a + nj * r[j], 0);
}

export async function successiveHalving(ctx: SearchContext, o: HalvingOptions): Promise<void> {
  const op = 'search (successive-halving)';
  const eta = checkInt(op, 'eta', o.eta ?? 3, 2);
  const minBudget = checkReal(op, 'minBudget', o.minBudget ?? 1 / eta ** 3, 1e-9, 1);
  const brackets = checkInt(op, 'brackets', o.brackets ?? 1, 1);
  const k = Math.max(0, Math.round(-Math.log(minBudget) / Math.log(eta)));
  const d = ctx.names.length;
  const plans: number[][] = [];
  for (let b = 0; b < brackets; b++) {
    const share = ctx.remaining() / (brackets - b);
    // fewer rungs when the share cannot give one config the full budget through all of them
    let kk = k;
    while (kk > 0 && bracketCost(eta ** kk, eta, rungs(kk)) > share + 1e-9) kk--;
    const r = rungs(kk);
    let n0 = Math.max(1, Math.floor((share * eta ** kk) / (kk + 1)));
    while (n0 > 1 && bracketCost(n0, eta, r) > share + 1e-9) n0--;
    // use what flooring left over
    while (bracketCost(n0 + 1, eta, r) <= share + 1e-9) n0++;
    if (bracketCost(n0, eta, r) > share + 1e-9) break;
    plans.push(rungSizes(n0, eta, kk));
    let survivors = Array.from({ length: n0 }, () => samplePoint(ctx.rng, d));
    for (let j = 0; j <= kk; j++) {
      const ts = await ctx.evaluate(survivors.map((u) => ({ u, budget: r[j], tag: { bracket: b, rung: j } })));
      if (j === kk || ts.length === 0) break;
      const order = ts.map((t, i) => ({ u: survivors[i], f: rank(t), id: t.id })).sort((x, y) => x.f - y.f || x.id - y.id);
      survivors = order.slice(0, Math.floor(survivors.length / eta)).map((x) => x.u);
      if (survivors.length === 0) break;
    }
  }
  ctx.info.eta = eta;
  ctx.info.rungs = rungs(k);
  ctx.info.brackets = plans;

  function rungs(kk: number): number[] {
    return Array.from({ length: kk + 1 }, (_, j) => eta ** (j - kk));
  }
}
