// 'lbfgsb': L-BFGS for box constraints lo <= x <= hi as a two-metric projected
// quasi-Newton method (Bertsekas 1982; Kim, Sra & Dhillon 2010), not Byrd, Lu,
// Nocedal & Zhu's generalized Cauchy point + subspace minimization:
//
//   active A = { i : x_i = lo_i and g_i > 0, or x_i = hi_i and g_i < 0 }
//   d = −H·g on the free set (two-loop over the last m pairs, g and d zero on A);
//   d = −g on the free set when that is not a descent direction (memory cleared)
//   x(t) = P(x + t·d), P the projection on the box
//   - whole unit step feasible: strong-Wolfe search on the segment (c2 = 0.9);
//   - else projected backtracking until f(x(t)) <= f(x) + c1·gᵀ(x(t) − x), so
//     many bounds can become active in one iteration (the role of the Cauchy point).
// Pairs (s, y) are kept when sᵀy > 1e-10·yᵀy. Stops (status 0) when the projected
// gradient ‖P(x − g) − x‖_∞ <= gtol, or when (f_k − f_{k+1})/max(|f_k|, |f_{k+1}|, 1) <= ftol
// (L-BFGS-B's two tests, scipy defaults gtol = 1e-5, ftol = 2.22e-9). First step
// min(1, 1/‖d‖₂), later 1, as L-BFGS-B.
import { strongWolfe, type PhiValue } from './linesearch.js';
import { allFinite, type Outcome, type Problem } from './problem.js';
import { hostSpace, twoLoop } from './space.js';

export interface LbfgsbSettings {
  gtol: number;
  ftol: number;
  maxIter: number;
  m: number;
}

/** Runs from x (inside the box; overwritten) with f0 = f(x), g = ∇f(x) (overwritten). */
export function lbfgsb(P: Problem, x: Float64Array, g: Float64Array, f0: number, o: LbfgsbSettings): Outcome & { fun: number } {
  const n = P.n, m = o.m;
  const lo = P.lo!, hi = P.hi!;
  const ops = hostSpace(n);
  const S = Array.from({ length: m }, () => new Float64Array(n));
  const Y = Array.from({ length: m }, () => new Float64Array(n));
  const rho = new Float64Array(m), alpha = new Float64Array(m);
  let newest = -1, count = 0, gamma = 1;
  const d = new Float64Array(n), xt = new Float64Array(n), gt = new Float64Array(n);
  const free = new Uint8Array(n);
  let f = f0, lastT = NaN, nonFinite = false;
  const project = (t: number): void => {
    for (let i = 0; i < n; i++) xt[i] = Math.min(hi[i], Math.max(lo[i], x[i] + t * d[i]));
  };
  const evalAt = (t: number): number => {
    project(t);
    const v = P.fg(xt, gt);
    lastT = t;
    if (!Number.isFinite(v) || !allFinite(gt)) {
      nonFinite = true;
      return Infinity;
    }
    return v;
  };
  const done = (status: number, note?: string) => ({ status, note, fun: f });
  for (let k = 0; ; k++) {
    let pg = 0;
    for (let i = 0; i < n; i++) {
      const step = Math.min(hi[i], Math.max(lo[i], x[i] - g[i])) - x[i];
      pg = Math.max(pg, Math.abs(step));
      free[i] = (x[i] <= lo[i] && g[i] > 0) || (x[i] >= hi[i] && g[i] < 0) ? 0 : 1;
    }
    if (pg <= o.gtol) return done(0);
    if (P.nit >= o.maxIter) return done(1);
    if (P.outOfBudget) return done(4);
    for (let i = 0; i < n; i++) d[i] = free[i] ? g[i] : 0;
    twoLoop(ops, d, S, Y, rho, alpha, newest, count, gamma);
    let slope = 0;
    for (let i = 0; i < n; i++) {
      d[i] = free[i] ? -d[i] : 0;
      slope += g[i] * d[i];
    }
    if (!(slope < 0)) {
      count = 0;
      slope = 0;
      for (let i = 0; i < n; i++) {
        d[i] = free[i] ? -g[i] : 0;
        slope += g[i] * d[i];
      }
    }
    let tmax = Infinity;
    for (let i = 0; i < n; i++) {
      if (d[i] > 0) tmax = Math.min(tmax, (hi[i] - x[i]) / d[i]);
      else if (d[i] < 0) tmax = Math.min(tmax, (lo[i] - x[i]) / d[i]);
    }
    const initial = k === 0 ? Math.min(1, 1 / ops.nrm2(d)) : 1;
    nonFinite = false;
    let step: number, value: number;
    if (tmax >= initial) {
      const ls = strongWolfe({ c1: 1e-4, c2: 0.9, maxIter: 25, maxStep: tmax });
      const r = ls.search((t): PhiValue => {
        const v = evalAt(t);
        return { value: v, slope: Number.isFinite(v) ? ops.dot(gt, d) : NaN };
      }, { value: f, slope, initial });
      [step, value] = [r.step, r.value];
    } else {
      // projected backtracking with the decrease measured along the bent path
      let t = initial, accepted = false;
      value = f;
      for (let tries = 0; tries < 60 && !accepted; tries++, t *= 0.5) {
        const v = evalAt(t);
        let decrease = 0;
        for (let i = 0; i < n; i++) decrease += g[i] * (xt[i] - x[i]);
        if (v <= f + 1e-4 * decrease) [accepted, value] = [true, v];
      }
      step = accepted ? lastT : 0;
    }
    if (!(step > 0)) return done(nonFinite ? 3 : 2, nonFinite ? `at iteration ${P.nit + 1}` : undefined);
    if (lastT !== step) evalAt(step);
    // s = x_new − x, y = g_new − g
    const j = (newest + 1) % m;
    let sy = 0, yy = 0;
    for (let i = 0; i < n; i++) {
      S[j][i] = xt[i] - x[i];
      Y[j][i] = gt[i] - g[i];
      sy += S[j][i] * Y[j][i];
      yy += Y[j][i] * Y[j][i];
    }
    if (sy > 1e-10 * yy) {
      newest = j;
      rho[j] = 1 / sy;
      count = Math.min(count + 1, m);
      gamma = sy / yy;
    }
    const fPrev = f;
    x.set(xt);
    g.set(gt);
    f = value;
    if (P.iterate(x, f, g)) return done(99);
    if ((fPrev - f) / Math.max(Math.abs(fPrev), Math.abs(f), 1) <= o.ftol) return done(0);
  }
}
