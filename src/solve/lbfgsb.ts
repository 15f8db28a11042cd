// 'lbfgsb': L-BFGS-B for box constraints lo <= x <= hi (Byrd, Lu, Nocedal & Zhu,
// "A limited memory algorithm for bound constrained optimization", SIAM J. Sci.
// Comput. 16(5), 1995), written from the paper: each iteration
//
// 1. the generalized Cauchy point x^c: the first local minimizer of the quadratic
//    model m(z) = f + gᵀ(z − x) + ½(z − x)ᵀB(z − x) along the projected steepest-
//    descent path P(x − t·g), breakpoint by breakpoint (the paper's Algorithm CP),
//    with the compact form B = θI − W·M·Wᵀ, W = [Y, θS], M = [[−D, Lᵀ], [L, θSᵀS]]⁻¹
//    (D = diag(s_iᵀy_i), L_ij = s_iᵀy_j for i > j), θ = yᵀy/sᵀy of the newest pair;
// 2. subspace minimization over the variables free at x^c (the direct primal method
//    of §5.1, via Sherman-Morrison-Woodbury), backtracked into the box: x̄;
// 3. a strong-Wolfe search along d = x̄ − x (c1 = 1e-3, c2 = 0.9 as the Fortran code),
//    the step capped at 1 on the first iteration of a constrained problem and at the
//    distance to the box after it; first step min(1, 1/‖d‖₂) when some variable is
//    unbounded on the first iteration, else 1.
// Pairs are kept when sᵀy > ε·(−gᵀd)·t, with SᵀY, SᵀS, YᵀY updated per pair (lbfgsb-pairs.ts); the memory is cleared and the iteration
// retried when a search fails. Stops (status 0) when ‖P(x − g) − x‖_∞ <= gtol or
// (f_k − f_{k+1}) / max(|f_k|, |f_{k+1}|, 1) <= ftol (scipy's pgtol and factr·ε).
import { strongWolfe, type PhiValue } from './linesearch.js';
import { invert, Pairs } from './lbfgsb-pairs.js';
import { allFinite, type Outcome, type Problem } from './problem.js';

export interface LbfgsbSettings {
  gtol: number;
  ftol: number;
  maxIter: number;
  m: number;
}

/** y = M·v for the k×k M */
function mv(M: Float64Array, v: Float64Array, k: number, out = new Float64Array(k)): Float64Array {
  for (let i = 0; i < k; i++) {
    let s = 0;
    for (let j = 0; j < k; j++) s += M[i * k + j] * v[j];
    out[i] = s;
  }
  return out;
}

const dotK = (a: Float64Array, b: Float64Array, k: number): number => {
  let s = 0;
  for (let i = 0; i < k; i++) s += a[i] * b[i];
  return s;
};

/** Runs from x (inside the box; overwritten) with f0 = f(x), g = ∇f(x) (overwritten). */
export function lbfgsb(P: Problem, x: Float64Array, g: Float64Array, f0: number, o: LbfgsbSettings): Outcome & { fun: number } {
  const n = P.n, mMax = o.m;
  const lo = P.lo!, hi = P.hi!;
  let constrained = false, boxed = true;
  for (let i = 0; i < n; i++) {
    if (lo[i] > -Infinity || hi[i] < Infinity) constrained = true;
    if (!(lo[i] > -Infinity && hi[i] < Infinity)) boxed = false;
  }
  const mem = new Pairs(mMax);
  const { S, Y } = mem; // oldest first
  const xc = new Float64Array(n), d = new Float64Array(n), t = new Float64Array(n), xt = new Float64Array(n), gt = new Float64Array(n);
  let f = f0, lastT = NaN, nonFinite = false;
  const done = (status: number, note?: string) => ({ status, note, fun: f });
  const phi = (step: number): PhiValue => {
    for (let i = 0; i < n; i++) xt[i] = Math.min(hi[i], Math.max(lo[i], x[i] + step * d[i]));
    const v = P.fg(xt, gt);
    lastT = step;
    if (!Number.isFinite(v) || !allFinite(gt)) {
      nonFinite = true;
      return { value: Infinity, slope: NaN };
    }
    let s = 0;
    for (let i = 0; i < n; i++) s += gt[i] * d[i];
    return { value: v, slope: s };
  };
  for (let iter = 0; ; iter++) {
    let pg = 0;
    for (let i = 0; i < n; i++) pg = Math.max(pg, Math.abs(Math.min(hi[i], Math.max(lo[i], x[i] - g[i])) - x[i]));
    if (pg <= o.gtol) return done(0);
    if (P.nit >= o.maxIter) return done(1);
    if (P.outOfBudget) return done(4);
    // compact representation of B
    const k = S.length, k2 = 2 * k;
    let theta = 1;
    let M: Float64Array = new Float64Array(0);
    if (k > 0) {
      theta = mem.YY[k - 1][k - 1] / mem.SY[k - 1][k - 1];
      const Minv = new Float64Array(k2 * k2);
      for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) {
        const sYij = mem.SY[i][j];
        if (i === j) Minv[i * k2 + j] = -sYij;
        if (i > j) {
          Minv[(k + i) * k2 + j] = sYij; // L
          Minv[j * k2 + k + i] = sYij; // Lᵀ
        }
        Minv[(k + i) * k2 + k + j] = theta * mem.SS[i][j];
      }
      const inv = invert(Minv, k2);
      if (!inv) {
        mem.clear();
        iter--;
        continue;
      }
      M = inv;
    }
    const wRow = (b: number, out: Float64Array): Float64Array => {
      for (let j = 0; j < k; j++) {
        out[j] = Y[j][b];
        out[k + j] = theta * S[j][b];
      }
      return out;
    };
    // 1. generalized Cauchy point
    const p = new Float64Array(k2), c = new Float64Array(k2), wb = new Float64Array(k2), tmp = new Float64Array(k2);
    const order: number[] = [];
    let fp = 0;
    for (let i = 0; i < n; i++) {
      t[i] = g[i] < 0 ? (x[i] - hi[i]) / g[i] : g[i] > 0 ? (x[i] - lo[i]) / g[i] : Infinity;
      d[i] = t[i] === 0 ? 0 : -g[i];
      if (d[i] !== 0) {
        fp -= d[i] * d[i];
        if (t[i] < Infinity) order.push(i);
        for (let j = 0; j < k; j++) {
          p[j] += Y[j][i] * d[i];
          p[k + j] += theta * S[j][i] * d[i];
        }
      }
    }
    order.sort((a, b) => t[a] - t[b]);
    let fpp = -theta * fp - dotK(p, mv(M, p, k2, tmp), k2);
    let dtMin = fpp > 0 ? -fp / fpp : 0;
    let tOld = 0, next = 0;
    xc.set(x);
    while (next < order.length) {
      const b = order[next];
      const dt = t[b] - tOld;
      if (dtMin < dt) break;
      next++;
      const zb = (d[b] > 0 ? hi[b] : lo[b]) - x[b];
      xc[b] = d[b] > 0 ? hi[b] : lo[b];
      for (let j = 0; j < k2; j++) c[j] += dt * p[j];
      const gb = g[b];
      wRow(b, wb);
      const Mwb = mv(M, wb, k2, tmp);
      fp += dt * fpp + gb * gb + theta * gb * zb - gb * dotK(Mwb, c, k2);
      fpp += -theta * gb * gb - 2 * gb * dotK(Mwb, p, k2) - gb * gb * dotK(Mwb, wb, k2);
      for (let j = 0; j < k2; j++) p[j] += gb * wb[j];
      d[b] = 0;
      dtMin = fpp > 0 ? -fp / fpp : 0;
      tOld = t[b];
    }
    dtMin = Math.max(dtMin, 0);
    tOld += dtMin;
    for (let i = 0; i < n; i++) if (d[i] !== 0) xc[i] = Math.min(hi[i], Math.max(lo[i], x[i] + tOld * d[i]));
    for (let j = 0; j < k2; j++) c[j] += dtMin * p[j];
    // 2. subspace minimization over the free variables at x^c
    const free: number[] = [];
    for (let i = 0; i < n; i++) if (xc[i] > lo[i] && xc[i] < hi[i]) free.push(i);
    const xbar = xc.slice();
    if (free.length > 0) {
      const Mc = mv(M, c, k2);
      const rhat = new Float64Array(free.length);
      free.forEach((i, a) => (rhat[a] = g[i] + theta * (xc[i] - x[i]) - dotK(wRow(i, wb), Mc, k2)));
      const dhat = rhat.map((r) => -r / theta);
      if (k > 0) {
        // d̂ = −r̂/θ − (1/θ²)·ZᵀW·(I − (1/θ)·M·WᵀZ·ZᵀW)⁻¹·M·WᵀZ·r̂
        // WᵀZZᵀW = WᵀW − Σ_{i not free} w_i w_iᵀ (WᵀW from the kept Gram matrices) when
        // most variables are free, else Σ_{i free} w_i w_iᵀ directly (no cancellation)
        const WZr = new Float64Array(k2), WZZW = new Float64Array(k2 * k2);
        const direct = 2 * free.length < n;
        if (!direct) for (let u = 0; u < k; u++) for (let v = 0; v < k; v++) {
          WZZW[u * k2 + v] = mem.YY[u][v];
          WZZW[u * k2 + k + v] = theta * mem.SY[v][u];
          WZZW[(k + u) * k2 + v] = theta * mem.SY[u][v];
          WZZW[(k + u) * k2 + k + v] = theta * theta * mem.SS[u][v];
        }
        const isFree = new Uint8Array(n);
        free.forEach((i, a) => {
          isFree[i] = 1;
          wRow(i, wb);
          for (let u = 0; u < k2; u++) {
            WZr[u] += wb[u] * rhat[a];
            if (direct) for (let v = 0; v < k2; v++) WZZW[u * k2 + v] += wb[u] * wb[v];
          }
        });
        for (let i = 0; i < n && !direct; i++) {
          if (isFree[i]) continue;
          wRow(i, wb);
          for (let u = 0; u < k2; u++) for (let v = 0; v < k2; v++) WZZW[u * k2 + v] -= wb[u] * wb[v];
        }
        const N = new Float64Array(k2 * k2);
        for (let u = 0; u < k2; u++) for (let v = 0; v < k2; v++) {
          let s = 0;
          for (let q = 0; q < k2; q++) s += M[u * k2 + q] * WZZW[q * k2 + v];
          N[u * k2 + v] = (u === v ? 1 : 0) - s / theta;
        }
        const Ninv = invert(N, k2);
        if (Ninv) {
          const v = mv(Ninv, mv(M, WZr, k2), k2);
          free.forEach((i, a) => (dhat[a] -= dotK(wRow(i, wb), v, k2) / (theta * theta)));
        }
      }
      let alpha = 1;
      free.forEach((i, a) => {
        if (dhat[a] > 0) alpha = Math.min(alpha, (hi[i] - xc[i]) / dhat[a]);
        else if (dhat[a] < 0) alpha = Math.min(alpha, (lo[i] - xc[i]) / dhat[a]);
      });
      free.forEach((i, a) => (xbar[i] = xc[i] + alpha * dhat[a]));
    }
    // 3. line search along d = x̄ − x
    let slope = 0, dn = 0, stpmax = constrained ? (iter === 0 ? 1 : Infinity) : 1e10;
    for (let i = 0; i < n; i++) {
      d[i] = xbar[i] - x[i];
      slope += g[i] * d[i];
      dn += d[i] * d[i];
      if (constrained && iter > 0) {
        if (d[i] > 0) stpmax = Math.min(stpmax, (hi[i] - x[i]) / d[i]);
        else if (d[i] < 0) stpmax = Math.min(stpmax, (lo[i] - x[i]) / d[i]);
      }
    }
    if (!(slope < 0)) {
      if (k > 0) {
        mem.clear();
        continue;
      }
      return done(2);
    }
    const initial = iter === 0 && !boxed ? Math.min(1 / Math.sqrt(dn), stpmax) : Math.min(1, stpmax);
    nonFinite = false;
    const r = strongWolfe({ c1: 1e-3, c2: 0.9, maxIter: 20, maxStep: stpmax }).search(phi, { value: f, slope, initial });
    if (!(r.step > 0) || !Number.isFinite(r.value)) {
      if (k > 0 && !nonFinite) {
        mem.clear();
        continue;
      }
      return done(nonFinite ? 3 : 2, nonFinite ? `at iteration ${P.nit + 1}` : undefined);
    }
    if (lastT !== r.step) phi(r.step);
    const s = new Float64Array(n), y = new Float64Array(n);
    let sy = 0;
    for (let i = 0; i < n; i++) {
      s[i] = xt[i] - x[i];
      y[i] = gt[i] - g[i];
      sy += s[i] * y[i];
    }
    if (sy > 2.220446049250313e-16 * -slope * r.step) {
      mem.push(s, y);
    }
    const fPrev = f;
    x.set(xt);
    g.set(gt);
    f = r.value;
    if (P.iterate(x, f, g)) return done(99);
    if ((fPrev - f) / Math.max(Math.abs(fPrev), Math.abs(f), 1) <= o.ftol) return done(0);
  }
}
