/**
 * Noisy-surrogate acceptance: a local search whose incumbent changes only on
 * statistical evidence. Each evaluation of the noisy objective is a surrogate
 * of the true loss; a candidate replaces the incumbent only when the one-sided
 * confidence interval on the improvement lies below zero:
 *
 *   d = mean_c - mean_i,   se = s_p sqrt(1/n_c + 1/n_i),
 *   accept  iff  d + z_(confidence) se < 0
 *
 * with s_p² the pooled variance of all configs evaluated more than once (a
 * Welch-style test with a shared noise level; racing in the spirit of
 * Maron & Moore 1994 and Birattari et al. 2002, "F-Race").
 *
 * Each step proposes a candidate: with probability `explore` a uniform point,
 * otherwise a Gaussian step of scale `step` from the incumbent. It is
 * evaluated once; when that single value is not below the incumbent's mean it
 * is rejected at the cost of one evaluation; otherwise it gets `repeats - 1`
 * more evaluations (and the incumbent one more, up to `maxRepeats`) and the
 * test decides. The best reported is the incumbent with its mean.
 */
import { perturb, samplePoint, type Config } from './space.js';
import { checkInt, checkReal } from './tournament.js';
import { rank, type SearchContext, type Trial } from './trials.js';

export interface SurrogateOptions {
  /** evaluations of a candidate that passed the first screen (default 3) */
  repeats?: number;
  /** evaluations after which the incumbent gets no more (default 8) */
  maxRepeats?: number;
  /** one-sided confidence level of the interval (default 0.9) */
  confidence?: number;
  /** probability of a uniform (global) candidate (default 0.2) */
  explore?: number;
  /** local step scale in the unit cube (default 0.1) */
  step?: number;
}

interface Arm { u: Float64Array; values: number[]; config: Config; trial: number }

/** The standard normal quantile Φ⁻¹(p) (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const dd = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((dd[0] * q + dd[1]) * q + dd[2]) * q + dd[3]) * q + 1);
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

const mean = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0) / v.length;

export async function surrogateAcceptance(ctx: SearchContext, o: SurrogateOptions): Promise<void> {
  const op = 'search (surrogate-acceptance)';
  const repeats = checkInt(op, 'repeats', o.repeats ?? 3, 2);
  const maxRepeats = checkInt(op, 'maxRepeats', o.maxRepeats ?? 8, repeats);
  const confidence = checkReal(op, 'confidence', o.confidence ?? 0.9, 0.5, 0.999999);
  const explore = checkReal(op, 'explore', o.explore ?? 0.2, 0, 1);
  const step = checkReal(op, 'step', o.step ?? 0.1, 0, 10);
  const z = normalQuantile(confidence);
  const d = ctx.names.length;
  const rng = ctx.rng;
  ctx.autoBest = false;
  // pooled within-config sum of squares and degrees of freedom
  let ss = 0;
  let df = 0;
  const pool = (values: readonly number[], sign: 1 | -1): void => {
    if (values.length < 2 || !values.every((v) => v < Infinity)) return;
    const m = mean(values);
    ss += sign * values.reduce((a, v) => a + (v - m) ** 2, 0);
    df += sign * (values.length - 1);
  };
  const values = (ts: readonly Trial[]): number[] => ts.map(rank);
  const report = (): void => ctx.setBest(inc.config, mean(inc.values), inc.trial);
  let accepted = 0;
  let tested = 0;
  let screened = 0;

  // the first incumbent: a uniform point, evaluated `repeats` times (a point that fails is redrawn)
  let inc: Arm;
  for (;;) {
    const u = samplePoint(rng, d);
    const ts = await ctx.evaluate(Array.from({ length: repeats }, () => ({ u, tag: { role: 'incumbent' } })));
    if (ts.length === 0) return;
    inc = { u, values: values(ts), config: ts[0].config, trial: ts[0].id };
    if (inc.values.every((v) => v < Infinity)) break;
    if (!ctx.fits(1)) return;
  }
  pool(inc.values, 1);
  report();

  while (ctx.fits(1)) {
    const u = rng.uniform() < explore ? samplePoint(rng, d) : perturb(rng, inc.u, step);
    const [first] = await ctx.evaluate([{ u, tag: { role: 'candidate' } }]);
    const cand: Arm = { u, values: [rank(first)], config: first.config, trial: first.id };
    if (!(cand.values[0] < mean(inc.values))) {
      screened++;
      report();
      continue;
    }
    const more = Array.from({ length: repeats - 1 }, () => ({ u, tag: { role: 'candidate' } }));
    const reinc = inc.values.length < maxRepeats;
    if (reinc) more.push({ u: inc.u, tag: { role: 'incumbent' } });
    const ts = await ctx.evaluate(more);
    const nCand = Math.min(ts.length, repeats - 1);
    pool(inc.values, -1);
    cand.values.push(...values(ts.slice(0, nCand)));
    if (reinc && ts.length === more.length && rank(ts[ts.length - 1]) < Infinity) inc.values.push(rank(ts[ts.length - 1]));
    pool(inc.values, 1);
    tested++;
    const sp = df > 0 ? Math.sqrt(ss / df) : 0;
    const diff = mean(cand.values) - mean(inc.values);
    const se = sp * Math.sqrt(1 / cand.values.length + 1 / inc.values.length);
    if (diff + z * se < 0 && cand.values.every((v) => v < Infinity)) {
      pool(cand.values, 1);
      inc = cand;
      accepted++;
    } else {
      pool(cand.values, 1);
    }
    report();
  }
  ctx.info.acceptance = { tested, accepted, screened, rate: tested ? accepted / tested : NaN };
  ctx.info.noiseSd = df > 0 ? Math.sqrt(ss / df) : NaN;
}
