// Second-order methods on host Float64Arrays (they are for small to medium n):
//
// - newton: d = −(H + τI)⁻¹g by Cholesky in the core; τ = 0 when H is positive
//   definite, else the Levenberg-Marquardt shift of `linalg.cholesky`'s retry
//   (Nocedal & Wright §3.4, Alg. 3.3); backtracking from t = 1, so near a
//   minimizer with H ≻ 0 every step is the full Newton step and the error squares.
// - newton-cg: inexact Newton (N&W Alg. 7.1, scipy's Newton-CG): CG on H·p = −g
//   until ‖r‖₁ <= min(0.5, √‖g‖₁)·‖g‖₁ or negative curvature, then a strong-Wolfe
//   search from t = 1; stops when ‖t·p‖₁ <= xtol·n (scipy's criterion).
// - trust-ncg: Steihaug-Toint CG on the model m(p) = f + gᵀp + ½pᵀHp within ‖p‖ <= Δ
//   (N&W Alg. 7.2), ratio ρ = (f(x) − f(x+p)) / (m(0) − m(p)): Δ ← Δ/4 when ρ < 1/4,
//   Δ ← min(2Δ, Δmax) when ρ > 3/4 on the boundary, accept when ρ > 0.15 (Alg. 4.1);
//   stops when ‖g‖₂ < gtol. Every trial evaluates f and ∇f together (one nfev).
// H·p comes from `hessp`, else `hess`, else finite differences of gradients (problem.ts).
import type { Core } from '../runtime/core.js';
import { cholesky, choleskySolve } from './linalg.js';
import { backtracking, strongWolfe, type PhiValue } from './linesearch.js';
import { allFinite, normInf, type Outcome, type Problem } from './problem.js';

export interface SecondOrderSettings {
  method: 'newton' | 'newton-cg' | 'trust-ncg';
  gtol: number;
  xtol: number;
  maxIter: number;
  damping: boolean;
  initialRadius: number;
  maxRadius: number;
  core?: Core;
}

const dot = (a: Float64Array, b: Float64Array): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

/** Runs the method from x (overwritten by the final point) with f = f(x) and g = ∇f(x) (overwritten). */
export function secondOrder(P: Problem, x: Float64Array, g: Float64Array, f0: number, o: SecondOrderSettings): Outcome & { fun: number } {
  const n = P.n;
  let f = f0;
  const xt = new Float64Array(n), gt = new Float64Array(n), p = new Float64Array(n);
  const H = o.method === 'newton' || P.options.hess ? new Float64Array(n * n) : undefined;
  const r = new Float64Array(n), dvec = new Float64Array(n), Hd = new Float64Array(n);
  let radius = o.initialRadius;
  let lastT = NaN, nonFinite = false;
  const phi = (t: number): PhiValue => {
    for (let i = 0; i < n; i++) xt[i] = x[i] + t * p[i];
    const v = P.fg(xt, gt);
    lastT = t;
    if (!Number.isFinite(v) || !allFinite(gt)) {
      nonFinite = true;
      return { value: Infinity, slope: NaN };
    }
    return { value: v, slope: dot(gt, p) };
  };
  const accept = (value: number) => {
    x.set(xt);
    g.set(gt);
    f = value;
  };
  const done = (status: number, note?: string) => ({ status, note, fun: f });
  const wolfe = strongWolfe({ c1: 1e-4, c2: 0.9, maxIter: 25 });
  const armijo = backtracking({ c1: 1e-4, shrink: 0.5, maxTries: 60 });
  for (;;) {
    const gInf = normInf(g);
    if (o.method !== 'newton-cg' && (o.method === 'trust-ncg' ? Math.sqrt(dot(g, g)) < o.gtol : gInf <= o.gtol)) return done(0);
    if (P.nit >= o.maxIter) return done(1);
    if (P.outOfBudget) return done(4);
    if (H) P.hess(x, g, H);
    if (o.method === 'newton') {
      const { L } = cholesky(o.core!, H!, { damping: o.damping });
      choleskySolve(o.core!, L, g, p);
      for (let i = 0; i < n; i++) p[i] = -p[i];
      nonFinite = false;
      const res = armijo.search((t) => phi(t).value, { value: f, slope: dot(g, p), initial: 1 });
      if (!res.success) return done(nonFinite ? 3 : 2, `at iteration ${P.nit + 1}`);
      if (lastT !== res.step) phi(res.step);
      accept(res.value);
    } else if (o.method === 'newton-cg') {
      // inner CG on H p = −g (scipy's _minimize_newtoncg)
      let g1 = 0;
      for (let i = 0; i < n; i++) g1 += Math.abs(g[i]);
      const termcond = Math.min(0.5, Math.sqrt(g1)) * g1;
      p.fill(0);
      r.set(g); // residual of H p + g
      for (let i = 0; i < n; i++) dvec[i] = -g[i];
      let rr = dot(r, r);
      for (let j = 0; j < 20 * n; j++) {
        let r1 = 0;
        for (let i = 0; i < n; i++) r1 += Math.abs(r[i]);
        if (r1 <= termcond) break;
        P.hessp(x, g, dvec, Hd, H);
        const curv = dot(dvec, Hd);
        if (!(curv > 0)) {
          if (j === 0) for (let i = 0; i < n; i++) p[i] = -g[i]; // steepest descent when H has no positive curvature along −g
          break;
        }
        const a = rr / curv;
        for (let i = 0; i < n; i++) {
          p[i] += a * dvec[i];
          r[i] += a * Hd[i];
        }
        const rrNew = dot(r, r);
        for (let i = 0; i < n; i++) dvec[i] = -r[i] + (rrNew / rr) * dvec[i];
        rr = rrNew;
      }
      nonFinite = false;
      const res = wolfe.search(phi, { value: f, slope: dot(g, p), initial: 1 });
      if (!res.success && !(res.step > 0)) return done(nonFinite ? 3 : 2, `at iteration ${P.nit + 1}`);
      if (lastT !== res.step) phi(res.step);
      accept(res.value);
      let upd = 0;
      for (let i = 0; i < n; i++) upd += Math.abs(res.step * p[i]);
      if (P.iterate(x, f, g)) return done(99);
      if (upd <= o.xtol * n) return done(0);
      continue;
    } else {
      const hitsBoundary = steihaug(P, x, g, H, radius, p, r, dvec, Hd);
      P.hessp(x, g, p, Hd, H);
      const predicted = -(dot(g, p) + 0.5 * dot(p, Hd));
      for (let i = 0; i < n; i++) xt[i] = x[i] + p[i];
      const v = P.fg(xt, gt);
      if (!(predicted > 0)) return done(2);
      const actual = f - v;
      const rho = Number.isFinite(v) && allFinite(gt) ? actual / predicted : -Infinity;
      if (rho < 0.25) radius *= 0.25;
      else if (rho > 0.75 && hitsBoundary) radius = Math.min(2 * radius, o.maxRadius);
      if (rho > 0.15) accept(v);
      if (radius < 1e-300) return done(3, `the trust radius collapsed at iteration ${P.nit + 1}`);
    }
    if (P.iterate(x, f, g)) return done(99);
  }
}

/**
 * Steihaug-Toint CG (N&W Alg. 7.2) for min gᵀp + ½pᵀHp, ‖p‖ <= Δ, to the
 * residual tolerance min(0.5, √‖g‖)·‖g‖. Writes p; returns true when p is on the boundary.
 */
function steihaug(
  P: Problem, x: Float64Array, g: Float64Array, H: Float64Array | undefined, radius: number,
  z: Float64Array, r: Float64Array, d: Float64Array, Bd: Float64Array,
): boolean {
  const n = P.n;
  const gn = Math.sqrt(dot(g, g));
  const tol = Math.min(0.5, Math.sqrt(gn)) * gn;
  z.fill(0);
  if (gn < tol) return false;
  r.set(g);
  for (let i = 0; i < n; i++) d[i] = -g[i];
  // the step to the boundary along d from z: τ >= 0 with ‖z + τd‖ = Δ; `which` picks the root
  const toBoundary = (): void => {
    const a = dot(d, d), b = 2 * dot(z, d), c = dot(z, z) - radius * radius;
    const tau = (-b + Math.sqrt(b * b - 4 * a * c)) / (2 * a);
    for (let i = 0; i < n; i++) z[i] += tau * d[i];
  };
  for (let j = 0; j < 2 * n + 10; j++) {
    P.hessp(x, g, d, Bd, H);
    const dBd = dot(d, Bd);
    if (!(dBd > 0)) {
      // negative curvature: go to the boundary along d, where the model decreases
      toBoundary();
      return true;
    }
    const rr = dot(r, r);
    const alpha = rr / dBd;
    let zz = 0;
    for (let i = 0; i < n; i++) zz += (z[i] + alpha * d[i]) ** 2;
    if (Math.sqrt(zz) >= radius) {
      toBoundary();
      return true;
    }
    for (let i = 0; i < n; i++) {
      z[i] += alpha * d[i];
      r[i] += alpha * Bd[i];
    }
    const rrNew = dot(r, r);
    if (Math.sqrt(rrNew) < tol) return false;
    for (let i = 0; i < n; i++) d[i] = -r[i] + (rrNew / rr) * d[i];
  }
  return false;
}
