// Line-search descent methods over a vector space (host Float64Array or the
// core's f64 arena): 'gd', 'cg' (nonlinear CG), 'lbfgs' and 'bfgs'. One loop:
//
//   d_k = direction(g_k);  t_k = lineSearch(φ(t) = f(x_k + t·d_k));  x_{k+1} = x_k + t_k·d_k
//
// - gd: d = −g, backtracking (Armijo) by default.
// - cg: d = −g + β·d_prev with Polak-Ribière+ β = max(0, gᵀ(g − g_prev)/‖g_prev‖²)
//   (Nocedal & Wright eq. 5.45) or Fletcher-Reeves β = ‖g‖²/‖g_prev‖² (eq. 5.41a),
//   strong Wolfe with c2 = 0.4 (as scipy's CG); restarts at −g when d is not a descent direction.
// - lbfgs: d = −H·g by the two-loop recursion over the last m pairs (N&W Alg. 7.4/7.5),
//   strong Wolfe (c2 = 0.9), first step min(1, 1/‖g‖₂) then 1, as L-BFGS-B.
// - bfgs: dense inverse Hessian, N&W eq. 6.17 in the form
//   H ← H − ρ(Hy sᵀ + s (Hy)ᵀ) + (ρ² yᵀHy + ρ) s sᵀ, H₀ = I as scipy (the sᵀy/yᵀy scaling of
//   eq. 6.20 took 3x the evaluations on the κ = 1e3 quadratic of the scipy fixture).
// gd/cg/bfgs start each search at min(1, 1.01·2(f_k − f_{k−1})/φ'(0)) (N&W eq. 3.60, scipy's choice).
// Stops: ‖g‖_∞ <= gtol (status 0); for lbfgs also (f_k − f_{k+1}) / max(|f_k|, |f_{k+1}|, 1) <= ftol (0).
import { backtracking, strongWolfe, type LineSearch, type PhiValue } from './linesearch.js';
import { allFinite, normInf, type Outcome, type Problem } from './problem.js';
import { twoLoop, type Space } from './space.js';

export interface DescentSettings {
  method: 'gd' | 'cg' | 'lbfgs' | 'bfgs';
  gtol: number;
  ftol: number;
  maxIter: number;
  m: number;
  beta: 'pr+' | 'fr';
  lineSearch: 'backtracking' | 'strongWolfe';
}

export interface DescentEnd extends Outcome {
  fun: number;
}

/**
 * Runs the method from x0 with f0 = f(x0) and g0 = ∇f(x0) (host arrays, overwritten
 * by the final point and its gradient). The loop's vectors live in `S`.
 */
export function descent<V>(P: Problem, S: Space<V>, x0: Float64Array, g0: Float64Array, f0: number, o: DescentSettings): DescentEnd {
  const n = P.n;
  let x = S.vec(), g = S.vec(), xt = S.vec(), gt = S.vec();
  const d = S.vec();
  const isHost = S.onHost;
  // host mirrors for fun (the same arrays as the vectors in the host space)
  // host mirrors for fun in the core space (in the host space, fun sees xt and gt themselves)
  const xh = new Float64Array(isHost ? 0 : n);
  const gh = new Float64Array(isHost ? 0 : n);
  S.store(x0, x);
  S.store(g0, g);
  let f = f0;
  let gInf = normInf(g0);
  let ls: LineSearch;
  if (o.method === 'gd' && o.lineSearch === 'backtracking') ls = backtracking({ c1: 1e-4, shrink: 0.5, maxTries: 60 });
  else ls = strongWolfe({ c1: 1e-4, c2: o.method === 'cg' ? 0.4 : 0.9, maxIter: 25 });
  // method state
  const m = o.method === 'lbfgs' ? o.m : 0;
  const Ss: V[] = [], Ys: V[] = [];
  for (let i = 0; i < m; i++) {
    Ss.push(S.vec());
    Ys.push(S.vec());
  }
  const rho = new Float64Array(m), alpha = new Float64Array(m);
  let newest = -1, count = 0, gamma = 1;
  const Hinv = o.method === 'bfgs' ? identity(n) : undefined;
  const Hy = o.method === 'bfgs' ? new Float64Array(n) : undefined;
  let gg = S.dot(g, g), fPrev = NaN, lastT = NaN, nonFinite = false;
  const phi = (t: number): PhiValue => {
    S.copy(x, xt);
    S.axpy(t, d, xt);
    const xa = isHost ? (xt as unknown as Float64Array) : xh, ga = isHost ? (gt as unknown as Float64Array) : gh;
    if (!isHost) S.load(xt, xh);
    const v = P.fg(xa, ga);
    if (!isHost) S.store(gh, gt);
    lastT = t;
    if (!Number.isFinite(v) || !allFinite(ga)) {
      nonFinite = true;
      return { value: Number.isFinite(v) ? Infinity : v === -Infinity ? -Infinity : Infinity, slope: NaN };
    }
    return { value: v, slope: S.dot(gt, d) };
  };
  const end = (status: number, note?: string): DescentEnd => {
    S.load(x, x0);
    S.load(g, g0);
    return { status, note, fun: f };
  };
  for (let k = 0; ; k++) {
    if (gInf <= o.gtol) return end(0);
    if (P.nit >= o.maxIter) return end(1);
    if (P.outOfBudget) return end(4);
    // direction
    if (o.method === 'lbfgs') {
      S.copy(g, d);
      twoLoop(S, d, Ss, Ys, rho, alpha, newest, count, gamma);
      S.scal(-1, d);
    } else if (o.method === 'bfgs') {
      const dh = d as unknown as Float64Array, gv = g as unknown as Float64Array;
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s -= Hinv![i * n + j] * gv[j];
        dh[i] = s;
      }
    } else if (o.method === 'cg' && k > 0) {
      const ggNew = S.dot(g, g);
      // PR+: gᵀ(g − g_prev) = ‖g‖² − gᵀg_prev; gt holds g_prev here (swapped below)
      const beta = o.beta === 'fr' ? ggNew / gg : Math.max(0, (ggNew - S.dot(g, gt)) / gg);
      S.axpby(-1, g, beta, d);
      gg = ggNew;
    } else {
      S.copy(g, d);
      S.scal(-1, d);
    }
    let slope = S.dot(g, d);
    if (!(slope < 0)) {
      // not a descent direction (lost curvature or round-off): restart on −g
      S.copy(g, d);
      S.scal(-1, d);
      slope = -S.dot(g, g);
      count = 0;
      if (Hinv) Hinv.set(identity(n));
    }
    let initial = 1;
    if (o.method === 'lbfgs') initial = k === 0 ? Math.min(1, 1 / S.nrm2(d)) : 1;
    else if (k === 0) initial = Math.min(1, 1.01 / S.nrm2(g));
    else if (Number.isFinite(fPrev)) initial = Math.min(1, (1.01 * 2 * (f - fPrev)) / slope);
    if (!(initial > 0)) initial = 1;
    nonFinite = false;
    const r = ls.search(phi, { value: f, slope, initial });
    if (!r.success && !(r.step > 0)) return end(nonFinite ? 3 : 2, nonFinite ? `at iteration ${P.nit + 1}` : undefined);
    if (lastT !== r.step) phi(r.step); // the search ended on an earlier point: evaluate it again
    if (!Number.isFinite(r.value)) return end(3, `at iteration ${P.nit + 1}`);
    // the step was accepted: s = t·d, y = g_new − g
    if (o.method === 'lbfgs' || o.method === 'bfgs') {
      if (o.method === 'lbfgs') {
        const s = Ss[(newest + 1) % m], y = Ys[(newest + 1) % m];
        S.copy(d, s);
        S.scal(r.step, s);
        S.copy(gt, y);
        S.axpy(-1, g, y);
        const sy = S.dot(s, y), yy = S.dot(y, y);
        if (sy > 1e-10 * yy) {
          // keep the pair only with positive curvature (sᵀy > 0), as L-BFGS-B
          newest = (newest + 1) % m;
          rho[newest] = 1 / sy;
          count = Math.min(count + 1, m);
          gamma = sy / yy;
        }
      } else {
        bfgsUpdate(Hinv!, Hy!, d as unknown as Float64Array, r.step, g as unknown as Float64Array, gt as unknown as Float64Array);
      }
    }
    fPrev = f;
    f = r.value;
    [x, xt] = [xt, x];
    [g, gt] = [gt, g];
    gInf = normInf(isHost ? (g as unknown as Float64Array) : gh);
    if (!isHost && (P.history || P.options.callback)) {
      S.load(x, x0);
      S.load(g, g0);
    }
    if (P.iterate(isHost ? (x as unknown as Float64Array) : x0, f, isHost ? (g as unknown as Float64Array) : g0)) return end(99);
    if (o.method === 'lbfgs' && (fPrev - f) / Math.max(Math.abs(fPrev), Math.abs(f), 1) <= o.ftol) return end(0);
  }
}

function identity(n: number): Float64Array {
  const I = new Float64Array(n * n);
  for (let i = 0; i < n; i++) I[i * n + i] = 1;
  return I;
}

/** The BFGS inverse update with s = t·d, y = gNew − g (skipped unless sᵀy > 0). */
function bfgsUpdate(H: Float64Array, Hy: Float64Array, d: Float64Array, t: number, g: Float64Array, gNew: Float64Array): void {
  const n = d.length;
  let sy = 0;
  for (let i = 0; i < n; i++) sy += t * d[i] * (gNew[i] - g[i]);
  if (!(sy > 0)) return;
  const rho = 1 / sy;
  let yHy = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += H[i * n + j] * (gNew[j] - g[j]);
    Hy[i] = s;
    yHy += (gNew[i] - g[i]) * s;
  }
  const c = rho * rho * yHy + rho;
  for (let i = 0; i < n; i++) {
    const si = t * d[i];
    for (let j = 0; j < n; j++) {
      const sj = t * d[j];
      H[i * n + j] += -rho * (Hy[i] * sj + si * Hy[j]) + c * si * sj;
    }
  }
}
