// Nelder-Mead simplex search (Nelder & Mead 1965; the variant of Lagarias et al.
// 1998 that scipy implements), gradient-free. Coefficients: reflection ρ = 1,
// expansion χ = 2, contraction ψ = 1/2, shrink σ = 1/2; or, with `adaptive`
// (default here), Gao & Han 2012's dimension-adapted ρ = 1, χ = 1 + 2/n,
// ψ = 3/4 − 1/(2n), σ = 1 − 1/n. Initial simplex: x0 and x0 with coordinate k
// scaled by 1.05 (0.00025 when it is 0), as scipy. Stops (status 0) when
// max_i ‖x_i − x_0‖_∞ <= xatol and max_i |f_i − f_0| <= fatol.
import type { Outcome, Problem } from './problem.js';

export interface NelderMeadSettings {
  xatol: number;
  fatol: number;
  maxIter: number;
  adaptive: boolean;
}

/** Runs from x (overwritten by the best vertex) with f0 = f(x); returns the best value. */
export function nelderMead(P: Problem, x: Float64Array, f0: number, o: NelderMeadSettings): Outcome & { fun: number } {
  const n = P.n;
  const [rho, chi, psi, sigma] = o.adaptive && n > 0 ? [1, 1 + 2 / n, 0.75 - 1 / (2 * n), 1 - 1 / n] : [1, 2, 0.5, 0.5];
  const sim: Float64Array[] = [x.slice()];
  const fs = [f0];
  for (let k = 0; k < n; k++) {
    const y = x.slice();
    y[k] = y[k] !== 0 ? 1.05 * y[k] : 0.00025;
    sim.push(y);
    fs.push(value(P, y));
  }
  const order = (): void => {
    const idx = sim.map((_, i) => i).sort((a, b) => cmp(fs[a], fs[b]));
    const s2 = idx.map((i) => sim[i]), f2 = idx.map((i) => fs[i]);
    for (let i = 0; i <= n; i++) {
      sim[i] = s2[i];
      fs[i] = f2[i];
    }
  };
  order();
  const xbar = new Float64Array(n), xr = new Float64Array(n), xe = new Float64Array(n), xc = new Float64Array(n);
  /** out = (1 + a)·xbar − a·worst */
  const along = (a: number, out: Float64Array): Float64Array => {
    const w = sim[n];
    for (let i = 0; i < n; i++) out[i] = (1 + a) * xbar[i] - a * w[i];
    return out;
  };
  const finish = (status: number): Outcome & { fun: number } => {
    x.set(sim[0]);
    return { status, fun: fs[0] };
  };
  for (;;) {
    let xs = 0, fd = 0;
    for (let i = 1; i <= n; i++) {
      fd = Math.max(fd, Math.abs(fs[i] - fs[0]));
      for (let j = 0; j < n; j++) xs = Math.max(xs, Math.abs(sim[i][j] - sim[0][j]));
    }
    if (xs <= o.xatol && fd <= o.fatol) return finish(0);
    if (P.nit >= o.maxIter) return finish(1);
    if (P.outOfBudget) return finish(4);
    xbar.fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) xbar[j] += sim[i][j] / n;
    const fr = value(P, along(rho, xr));
    let shrink = false;
    if (fr < fs[0]) {
      const fe = value(P, along(rho * chi, xe));
      if (fe < fr) replace(sim, fs, n, xe, fe);
      else replace(sim, fs, n, xr, fr);
    } else if (fr < fs[n - 1]) {
      replace(sim, fs, n, xr, fr);
    } else if (fr < fs[n]) {
      // outside contraction
      const fc = value(P, along(psi * rho, xc));
      if (fc <= fr) replace(sim, fs, n, xc, fc);
      else shrink = true;
    } else {
      // inside contraction
      const fc = value(P, along(-psi, xc));
      if (fc < fs[n]) replace(sim, fs, n, xc, fc);
      else shrink = true;
    }
    if (shrink) {
      for (let i = 1; i <= n; i++) {
        for (let j = 0; j < n; j++) sim[i][j] = sim[0][j] + sigma * (sim[i][j] - sim[0][j]);
        fs[i] = value(P, sim[i]);
      }
    }
    order();
    if (P.iterate(sim[0], fs[0])) return finish(99);
  }
}

/** f with NaN ranked worst (a NaN vertex is replaced first, never kept as the best). */
function value(P: Problem, y: Float64Array): number {
  const v = P.f(y);
  return Number.isNaN(v) ? Infinity : v;
}

const cmp = (a: number, b: number): number => (a < b ? -1 : a > b ? 1 : 0);

function replace(sim: Float64Array[], fs: number[], n: number, y: Float64Array, fy: number): void {
  sim[n].set(y);
  fs[n] = fy;
}
