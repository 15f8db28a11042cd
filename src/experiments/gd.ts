/**
 * Gradient descent on quadratics: the step-size threshold 2/L (claim 1), warm-up under
 * decaying curvature (claim 3), and the iteration count against the condition number
 * with the ideal preconditioner H⁻¹ (claim 4). Each run is `engine.optim.sgd` over an
 * `engine.vector`; the toy gradients are written into its gradient buffer.
 */
import type { Engine } from '../engine.js';
import { constant, linearWarmup } from '../schedule/index.js';
import { atLeast, atMost, type Experiment, result } from './types.js';
import { clampSeries, finiteOrInf, fmt, logspace, matvec, norm, orthogonal, spd, stream } from './util.js';

/** Runs sgd on f(x) = ½ Σ λ_i x_i² from x = 1 for `steps` steps; returns f_k and the top coordinate x_k,0. */
function diagonalGd(engine: Engine, lambda: number[], lr: number | ((t: number) => number), steps: number, curvature: (k: number) => number = () => 1) {
  const n = lambda.length;
  const x = engine.vector(n, new Array(n).fill(1));
  const opt = engine.optim.sgd(x, { lr });
  const loss: number[] = [], top: number[] = [];
  const f = (a: number) => {
    const p = x.params;
    let s = 0;
    for (let i = 0; i < n; i++) s += 0.5 * a * lambda[i] * p[i] * p[i];
    return s;
  };
  for (let k = 0; k <= steps; k++) {
    const a = curvature(k);
    loss.push(finiteOrInf(f(a)));
    top.push(x.params[0]);
    if (k === steps) break;
    const p = x.params, g = x.grads;
    for (let i = 0; i < n; i++) g[i] = a * lambda[i] * p[i];
    opt.step();
  }
  return { loss, top };
}

export const stepSizeThreshold: Experiment = {
  name: 'gd-step-size-threshold',
  title: 'GD on an L-smooth quadratic: the 2/L threshold',
  claim: 'Gradient descent on an L-smooth quadratic decreases the loss monotonically for η < 2/L, oscillates with constant amplitude at η = 2/L and diverges above.',
  source: 'Nesterov, Introductory Lectures on Convex Optimization (2004), §1.2.3; Bottou, Curtis & Nocedal, SIAM Review 2018, §4.1',
  params: {
    below: { default: 1.9, min: 0.01, max: 3, help: 'η·L of the run claimed stable' },
    above: { default: 2.1, min: 0.01, max: 3, help: 'η·L of the run claimed divergent' },
    steps: { default: 100, min: 10, max: 10000, integer: true, help: 'GD steps' },
    dim: { default: 8, min: 2, max: 1000, integer: true, help: 'dimension (eigenvalues log-spaced in [0.05, L = 1])' },
  },
  small: { steps: 60, dim: 4 },
  counter: { params: { below: 2.05 }, why: 'η·L = 2.05 > 2: the "stable" run grows' },
  run(engine, p) {
    const lambda = logspace(1, 0.05, p.dim); // λ_0 = L = 1
    const runs = [p.below, 2, p.above].map((c) => diagonalGd(engine, lambda, c, p.steps));
    const [lo, mid, hi] = runs;
    let rise = -Infinity;
    for (let k = 1; k < lo.loss.length; k++) rise = Math.max(rise, (lo.loss[k] - lo.loss[k - 1]) / lo.loss[0]);
    let drift = 0, flips = 0;
    for (let k = 1; k < mid.top.length; k++) {
      drift = Math.max(drift, Math.abs(Math.abs(mid.top[k]) - 1));
      if (Math.sign(mid.top[k]) !== Math.sign(mid.top[k - 1])) flips++;
    }
    const growth = (hi.loss[p.steps] / hi.loss[0]) ** (1 / p.steps);
    const checks = [
      atMost(`largest loss increase per step / f₀ at η = ${p.below}/L`, rise, 0),
      atMost('drift of the top mode |x| from 1 at η = 2/L', drift, 1e-5),
      atLeast('sign flips of the top mode per step at η = 2/L', flips / p.steps, 1),
      atLeast(`growth per step (f_K / f₀)^(1/K) at η = ${p.above}/L`, finiteOrInf(growth), 1.05),
    ];
    const names = [`η = ${p.below}/L`, 'η = 2/L', `η = ${p.above}/L`];
    return result(
      checks,
      runs.map((r, i) => ({ name: names[i], y: clampSeries(r.loss) })),
      { xLabel: 'step', yLabel: 'loss', logY: true },
      { header: ['run', 'f₀', 'f_K', 'top mode x_K'], rows: runs.map((r, i) => [names[i], fmt(r.loss[0]), fmt(r.loss[p.steps]), fmt(r.top[p.steps])]) },
    );
  },
};

export const warmup: Experiment = {
  name: 'warmup-rescues-early-curvature',
  title: 'Warm-up under high early curvature',
  claim: 'When the curvature a_k is large early and small later, a linear warm-up to η_max converges where the constant η_max diverges.',
  source: 'Goyal et al., "Accurate, Large Minibatch SGD" (2017), §2.2; Gilmer et al., "A Loss Curvature Perspective on Training Instabilities" (ICLR 2022)',
  params: {
    warmup: { default: 100, min: 1, max: 10000, integer: true, help: 'warm-up steps' },
    peak: { default: 10, min: 1, max: 1000, help: 'early curvature a₀ / late curvature a_∞' },
    tau: { default: 20, min: 1, max: 1000, help: 'decay time of the curvature (steps)' },
    steps: { default: 400, min: 50, max: 20000, integer: true, help: 'steps' },
  },
  small: { steps: 300 },
  counter: { params: { warmup: 2 }, why: 'a 2-step warm-up reaches η_max while the curvature is still high' },
  run(engine, p) {
    // f_k(x) = ½ a_k Σ c_i x_i², a_k = 1 + (peak − 1)·e^{−k/τ}; η_max·a_∞·max c = 1
    const c = logspace(1, 0.1, 6);
    const a = (k: number) => 1 + (p.peak - 1) * Math.exp(-k / p.tau);
    const etaMax = 1;
    const warm = diagonalGd(engine, c, linearWarmup(constant({ lr: etaMax }), { warmupSteps: p.warmup, startFactor: 0 }), p.steps, a);
    const flat = diagonalGd(engine, c, etaMax, p.steps, a);
    const peakRatio = (l: number[]) => Math.max(...l) / l[0];
    const checks = [
      atMost('warm-up: f_K / f₀', warm.loss[p.steps] / warm.loss[0], 1e-6),
      atMost('warm-up: max_k f_k / f₀', peakRatio(warm.loss), 1),
      atLeast('constant η_max: max_k f_k / f₀', finiteOrInf(peakRatio(flat.loss)), 1e6),
    ];
    return result(
      checks,
      [
        { name: `linear warm-up (${p.warmup} steps)`, y: clampSeries(warm.loss) },
        { name: 'constant η_max', y: clampSeries(flat.loss) },
        { name: 'η_max·a_k / 2 (> 1: unstable)', y: Array.from({ length: p.steps + 1 }, (_, k) => a(k) / 2), dashed: true },
      ],
      { xLabel: 'step', yLabel: 'loss', logY: true },
      {
        header: ['run', 'max f_k / f₀', 'f_K / f₀'],
        rows: [
          ['warm-up', fmt(peakRatio(warm.loss)), fmt(warm.loss[p.steps] / warm.loss[0])],
          ['constant', fmt(peakRatio(flat.loss)), fmt(flat.loss[p.steps] / flat.loss[0])],
        ],
      },
    );
  },
};

export const conditioning: Experiment = {
  name: 'gd-condition-number',
  title: 'Iterations grow with the condition number; H⁻¹ takes one step',
  claim: 'GD with η = 1/L needs a number of iterations to reach a tolerance that grows in proportion to the condition number κ, while the step preconditioned by H⁻¹ reaches the minimum in one step.',
  source: 'Nocedal & Wright, Numerical Optimization (2006), §3.3 (steepest descent rate) and §3.3 Newton; Boyd & Vandenberghe (2004), §9.3, §9.5',
  params: {
    kappa: { default: 1000, min: 10, max: 1e5, help: 'largest condition number (runs at κ/100, κ/10, κ)' },
    dim: { default: 10, min: 2, max: 200, integer: true, help: 'dimension' },
    exact: { default: 1, min: 0, max: 1, integer: true, help: '1: precondition by H⁻¹ (Cholesky); 0: by diag(H)⁻¹' },
  },
  small: { kappa: 300, dim: 6 },
  counter: { params: { exact: 0 }, why: 'diag(H)⁻¹ is not the inverse of a rotated H' },
  run(engine, p, seed) {
    const n = p.dim, tol = 1e-3;
    const Q = orthogonal(stream(seed, 4), n);
    const xs = new Float64Array(n).fill(1);
    const kappas = [p.kappa / 100, p.kappa / 10, p.kappa].map((k) => Math.max(1, k));
    const runs = kappas.map((kappa) => {
      const H = spd(Q, logspace(1, 1 / kappa, n));
      const x = engine.vector(n);
      const opt = engine.optim.sgd(x, { lr: 1 }); // η = 1/L, L = 1
      const e0 = norm(xs);
      const curve: number[] = [];
      const d = new Float64Array(n);
      let it = 0;
      for (; it < 200 * kappa; it++) {
        for (let i = 0; i < n; i++) d[i] = x.params[i] - xs[i];
        const e = norm(d) / e0;
        if (it % Math.ceil(kappa / 50) === 0) curve.push(e);
        if (e <= tol) break;
        matvec(H, d, n, n, x.grads);
        opt.step();
      }
      return { kappa, H, it, curve };
    });
    // one preconditioned step from 0 on the largest κ: grads = P·∇f, lr 1
    const H = runs[2].H;
    const x = engine.vector(n);
    const g = matvec(H, Float64Array.from(xs, (v) => -v), n, n) as Float64Array;
    let dir: Float64Array;
    if (p.exact) dir = engine.linalg.choleskySolve(engine.linalg.cholesky(H).L, g);
    else dir = g.map((v, i) => v / H[i * n + i]);
    x.grads.set(dir);
    engine.optim.sgd(x, { lr: 1 }).step();
    const err = norm(Float64Array.from(x.params, (v, i) => v - xs[i])) / norm(xs);
    const checks = [
      atLeast(`iterations(κ = ${fmt(kappas[2])}) / iterations(κ = ${fmt(kappas[1])})`, runs[2].it / runs[1].it, 5),
      atLeast(`iterations(κ = ${fmt(kappas[1])}) / iterations(κ = ${fmt(kappas[0])})`, runs[1].it / runs[0].it, 5),
      atMost(`‖x₁ − x*‖ / ‖x₀ − x*‖ after one ${p.exact ? 'H⁻¹' : 'diag(H)⁻¹'}-preconditioned step`, err, 1e-5),
    ];
    return result(
      checks,
      runs.map((r) => ({ name: `κ = ${fmt(r.kappa)}`, x: r.curve.map((_, i) => i * Math.ceil(r.kappa / 50)), y: r.curve })),
      { xLabel: 'iteration', yLabel: '‖x − x*‖ / ‖x₀ − x*‖', logY: true },
      { header: ['κ', 'iterations to 1e-3', 'κ·ln(1000)'], rows: runs.map((r) => [fmt(r.kappa), r.it, fmt(r.kappa * Math.log(1 / tol))]) },
    );
  },
};
