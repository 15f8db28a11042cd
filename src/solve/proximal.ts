// Proximal and projected gradient methods for F(x) = f(x) + g(x): f smooth (the user's
// fun), g given by prox/projection steps (src/structure/). With L an estimate of the
// Lipschitz constant of ∇f (Beck & Teboulle, "A Fast Iterative Shrinkage-Thresholding
// Algorithm for Linear Inverse Problems", SIAM J. Imaging Sci. 2(1), 2009):
//
//   p_L(y) = prox_{g/L}(y − ∇f(y)/L)                                      (eq. 1.4 / 2.6)
//
// - 'proximal-gradient' and 'projected-gradient' (ISTA with backtracking, §3):
//   x_k = p_L(x_{k−1}).
// - 'fista' (FISTA with backtracking, §4):  x_k = p_L(y_k),
//   t_{k+1} = (1 + √(1 + 4t_k²))/2,  y_{k+1} = x_k + ((t_k − 1)/t_{k+1})·(x_k − x_{k−1}),
//   y_1 = x_0, t_1 = 1. F(x_k) − F* ≤ 2ηL‖x_0 − x*‖²/(k + 1)² against ISTA's O(1/k).
//
// Backtracking (the paper's step): L ← 2L until the sufficient-decrease test
// f(p_L(y)) ≤ f(y) + ⟨p − y, ∇f(y)⟩ + (L/2)‖p − y‖² holds; L never decreases, as in the
// paper. L₀ is `options.lipschitz`, else ‖∇f(x₀ + δ) − ∇f(x₀)‖/‖δ‖ along δ = −h·∇f(x₀)
// (one gradient evaluation; backtracking corrects an underestimate).
// Stops when the gradient mapping G_L(y) = L·(y − p_L(y)) has ‖G‖_∞ ≤ gtol (status 0; at
// an unconstrained, unpenalized problem G = ∇f), after maxIter (1), when 60 doublings of L
// find no step (2), on a non-finite f (3), or when maxEval is spent (4).
// Vectors are host Float64Arrays, allocated once per run; an iteration allocates nothing.
import type { F64Plan } from '../structure/common.js';
import { allFinite, type Outcome, type Problem } from './problem.js';

export interface ProximalSettings {
  accelerated: boolean;
  gtol: number;
  maxIter: number;
  /** L₀ (undefined: estimated from one gradient difference) */
  lipschitz: number | undefined;
}

export interface ProximalEnd extends Outcome {
  /** F(x) = f(x) + g(x) at the final x */
  fun: number;
  /** the last Lipschitz estimate */
  lipschitz: number;
}

const MAX_DOUBLINGS = 60;

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** L₀ from ‖∇f(x + δ) − ∇f(x)‖/‖δ‖, δ = −h·g with ‖δ‖ = 1e-3·max(1, ‖x‖); 1 when that is not positive and finite. */
function estimateL(P: Problem, x: Float64Array, g: Float64Array, xt: Float64Array, gt: Float64Array): number {
  const gn = Math.sqrt(dot(g, g));
  if (!(gn > 0) || !Number.isFinite(gn)) return 1;
  const h = (1e-3 * Math.max(1, Math.sqrt(dot(x, x)))) / gn;
  for (let i = 0; i < x.length; i++) xt[i] = x[i] - h * g[i];
  P.fg(xt, gt);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (gt[i] - g[i]) ** 2;
  const L = Math.sqrt(s) / (h * gn);
  return L > 0 && Number.isFinite(L) ? L : 1;
}

/**
 * Runs ISTA or FISTA from x0 (overwritten by the final x) with f0 = f(x0), g0 = ∇f(x0)
 * (overwritten by ∇f at the final x). `plan` holds the prox steps and projections.
 */
export function proximal(P: Problem, plan: F64Plan, x0: Float64Array, g0: Float64Array, f0: number, o: ProximalSettings): ProximalEnd {
  const n = P.n;
  const y = Float64Array.from(x0), gy = Float64Array.from(g0);
  const xk = Float64Array.from(x0), xPrev = new Float64Array(n), gx = new Float64Array(n);
  let fy = f0, fx = f0, t = 1, gxValid = true;
  gx.set(g0);
  let L = o.lipschitz ?? estimateL(P, x0, g0, xPrev, gx);
  gx.set(g0);
  let status = 1, note: string | undefined;
  for (let k = 1; k <= o.maxIter; k++) {
    if (P.outOfBudget) {
      status = 4;
      break;
    }
    // backtracking on L: xk ← p_L(y)
    let found = false, fz = NaN, doublings = 0;
    xPrev.set(xk);
    for (;;) {
      for (let i = 0; i < n; i++) xk[i] = y[i] - gy[i] / L;
      plan.run(xk, 1 / L);
      let dg = 0, dd = 0;
      for (let i = 0; i < n; i++) {
        const d = xk[i] - y[i];
        dg += d * gy[i];
        dd += d * d;
      }
      // ISTA needs ∇f at the new point next; FISTA needs it at y
      fz = o.accelerated ? P.f(xk) : P.fg(xk, gx);
      if (fz <= fy + dg + (L / 2) * dd + 1e-12 * Math.abs(fy)) {
        found = true;
        break;
      }
      if (++doublings > MAX_DOUBLINGS || P.outOfBudget) break;
      L *= 2;
    }
    if (!found) {
      // back to the last accepted point (for ISTA that is y, whose gradient gy holds)
      xk.set(xPrev);
      if (o.accelerated) gxValid = false;
      else {
        gx.set(gy);
        fx = fy;
      }
      if (!Number.isFinite(fz)) {
        status = 3;
        note = `f was ${fz} at every trial step of iteration ${k}`;
      } else status = P.outOfBudget ? 4 : 2;
      break;
    }
    gxValid = !o.accelerated;
    fx = fz;
    // the gradient mapping at y: L·(y − xk)
    let gmap = 0;
    for (let i = 0; i < n; i++) gmap = Math.max(gmap, L * Math.abs(y[i] - xk[i]));
    if (P.iterate(xk, fx + plan.value(xk), gxValid ? gx : undefined)) {
      status = 99;
      break;
    }
    if (gmap <= o.gtol) {
      status = 0;
      break;
    }
    if (o.accelerated) {
      const tNext = (1 + Math.sqrt(1 + 4 * t * t)) / 2, beta = (t - 1) / tNext;
      for (let i = 0; i < n; i++) y[i] = xk[i] + beta * (xk[i] - xPrev[i]);
      t = tNext;
      fy = P.fg(y, gy);
      if (!Number.isFinite(fy) || !allFinite(gy)) {
        status = 3;
        note = `f or ∇f non-finite at the extrapolated point of iteration ${k}`;
        break;
      }
    } else {
      y.set(xk);
      gy.set(gx);
      fy = fx;
      if (!allFinite(gy)) {
        status = 3;
        note = `∇f non-finite at iteration ${k}`;
        break;
      }
    }
  }
  x0.set(xk);
  if (!gxValid) fx = P.fg(x0, gx);
  g0.set(gx);
  return { status, note, fun: fx + plan.value(x0), lipschitz: L };
}
