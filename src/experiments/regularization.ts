/**
 * Regularization and conditioning: clipping by norm against clipping by value (claim 15),
 * early stopping as ridge (claim 16), an L2 term that convexifies a non-convex loss
 * (claim 34) and the induced 1-norm of a data matrix (claim 36). Runs use
 * `engine.optim.clipGradNorm` / `clipGradValue`, `project.l2Ball`, `engine.nn.linear`
 * with `sgd`, `engine.linalg` (cholesky, eigh), `objectives.doubleWell`,
 * `engine.minimize` and `standardize`.
 */
import { Dataset } from '../data/dataset.js';
import { standardize } from '../data/standardize.js';
import { objectives } from '../solve/index.js';
import { project } from '../structure/index.js';
import { atLeast, atMost, type Experiment, result } from './types.js';
import { dot, fmt, gaussian, logspace, norm, stream } from './util.js';
import { orthonormalColumns } from './linear-nets.js';

export const clipping: Experiment = {
  name: 'clip-norm-vs-value',
  title: 'Clipping by norm projects onto a ball; clipping by value turns the gradient',
  claim: 'Clipping a gradient by its global norm is the Euclidean projection onto the ball of that radius (the direction is kept), while clipping each component by value changes the direction whenever the components differ in size.',
  source: 'Pascanu, Mikolov & Bengio (ICML 2013), §3.2; PyTorch torch.nn.utils.clip_grad_norm_ / clip_grad_value_',
  params: {
    samples: { default: 200, min: 10, max: 100000, integer: true, help: 'random gradients' },
    dim: { default: 20, min: 2, max: 10000, integer: true, help: 'dimension' },
    spread: { default: 1, min: 0, max: 1, help: '0: all components ±1 (equal size), 1: Gaussian components' },
  },
  small: { samples: 100 },
  stochastic: true,
  counter: { params: { spread: 0 }, why: 'components of equal size: clipping by value only rescales' },
  run(engine, p, seed) {
    const r = stream(seed, 15);
    const n = p.dim, radius = 1, clipValue = 0.5;
    const x = engine.vector(n), ball = engine.tensor([n]);
    const l2 = project.l2Ball(radius);
    let projErr = 0, normCosDev = 0, valueCosMin = Infinity;
    const cosines: number[] = [];
    for (let s = 0; s < p.samples; s++) {
      const g = Float64Array.from({ length: n }, () => (p.spread * r.normal() + (1 - p.spread) * (r.uniform() < 0.5 ? -1 : 1)) * 3);
      x.grads.set(g);
      engine.optim.clipGradNorm(x, radius);
      ball.data.set(g);
      l2.apply(ball);
      const byNorm = Float64Array.from(x.grads);
      for (let i = 0; i < n; i++) projErr = Math.max(projErr, Math.abs(byNorm[i] - ball.data[i]));
      normCosDev = Math.max(normCosDev, 1 - dot(byNorm, g) / (norm(byNorm) * norm(g)));
      x.grads.set(g);
      engine.optim.clipGradValue(x, clipValue);
      const c = dot(x.grads, g) / (norm(x.grads) * norm(g));
      cosines.push(c);
      valueCosMin = Math.min(valueCosMin, c);
    }
    const meanCos = cosines.reduce((a, b) => a + b, 0) / cosines.length;
    const checks = [
      atMost('max |clipGradNorm(g) − project.l2Ball(g)|', projErr, 1e-6),
      atMost('max 1 − cos(clipGradNorm(g), g)', normCosDev, 1e-6),
      atMost('mean cos(clipGradValue(g), g)', meanCos, 0.99),
    ];
    return result(checks, [{ name: 'cos(clip by value, g)', y: cosines }, { name: 'cos(clip by norm, g) = 1', y: cosines.map(() => 1), dashed: true }], { xLabel: 'sample', yLabel: 'cosine to the raw gradient' }, {
      header: ['clipping', 'min cosine to g', 'mean cosine'],
      rows: [['by norm', fmt(1 - normCosDev), '1'], ['by value', fmt(valueCosMin), fmt(meanCos)]],
    });
  },
};

export const earlyStoppingRidge: Experiment = {
  name: 'early-stopping-is-ridge',
  title: 'Early-stopped GD from zero ≈ ridge with λ = 1/(ηt)',
  claim: 'Gradient descent from zero on whitened least squares, stopped at step t, is close to ridge regression with λ = 1/(ηt): the coefficients differ by at most about 20 % of the least-squares solution along the path, and the risk by at most a factor 1.69.',
  source: 'Ali, Kolter & Tibshirani, "A continuous-time view of early stopping for least squares" (AISTATS 2019), Theorems 1-2; Friedman & Popescu (2004)',
  params: {
    eta: { default: 0.01, min: 1e-4, max: 0.2, help: 'η on ½‖Xw − y‖²/m (the engine\'s half-mean mse)' },
    steps: { default: 2000, min: 100, max: 100000, integer: true, help: 'GD steps' },
    start: { default: 0, min: 0, max: 5, help: '‖w₀‖: the claim is for w₀ = 0' },
  },
  small: { steps: 1000 },
  stochastic: true,
  counter: { params: { start: 2 }, why: 'from w₀ ≠ 0 GD does not shrink towards 0 as ridge does' },
  run(engine, p, seed) {
    const r = stream(seed, 16);
    const m = 80, d = 10;
    const Xd = orthonormalColumns(r, m, d, Math.sqrt(m)); // XᵀX/m = I
    const wStar = gaussian(r, d, 1);
    const Yd = Array.from({ length: m }, (_, i) => dot(Xd.subarray(i * d, (i + 1) * d), wStar) + 2 * r.normal());
    const X = engine.tensor([m, d], Xd), y = engine.tensor([m, 1], Yd);
    const wLs = new Float64Array(d);
    for (let i = 0; i < m; i++) for (let j = 0; j < d; j++) wLs[j] += (Xd[i * d + j] * Yd[i]) / m;
    const { L } = engine.linalg.cholesky(Float64Array.from({ length: d * d }, (_, k) => (k % (d + 1) === 0 ? 1 : 0)));
    const ridge = (lam: number) => engine.linalg.choleskySolve(L, wLs).map((v) => v / (1 + lam)); // (XᵀX/m + λI)⁻¹Xᵀy/m with XᵀX/m = I
    const model = engine.nn.linear(d, 1, { bias: false, init: 'zeros' });
    if (p.start > 0) model.setParameters(Array.from(gaussian(r, d, 1), (v) => (v * p.start) / Math.sqrt(d)));
    const opt = engine.optim.sgd(model, { lr: p.eta });
    const risk = (w: ArrayLike<number>) => Array.from(w).reduce((s, v, j) => s + (v - wStar[j]) ** 2, 0);
    const ts: number[] = [], gdRisk: number[] = [], ridgeRisk: number[] = [];
    let coefDev = 0, riskRatio = 0;
    const nLs = norm(wLs);
    for (let t = 1; t <= p.steps; t++) {
      model.lossAndGrad(X, y, 'mse');
      opt.step();
      if (t % Math.max(1, Math.floor(p.steps / 100)) !== 0) continue;
      const w = model.parameters(), wr = ridge(1 / (p.eta * t));
      coefDev = Math.max(coefDev, norm(Float64Array.from(w, (v, j) => v - wr[j])) / nLs);
      ts.push(t);
      gdRisk.push(risk(w));
      ridgeRisk.push(risk(wr));
      riskRatio = Math.max(riskRatio, risk(w) / risk(wr));
    }
    model.dispose();
    const checks = [
      atMost('max_t ‖w_GD(t) − w_ridge(1/(ηt))‖ / ‖w_LS‖', coefDev, 0.22),
      atMost('max_t risk(w_GD(t)) / risk(w_ridge(1/(ηt)))', riskRatio, 1.69),
    ];
    return result(checks, [{ name: 'GD at step t', x: ts, y: gdRisk }, { name: 'ridge, λ = 1/(ηt)', x: ts, y: ridgeRisk, dashed: true }], { xLabel: 'step t', yLabel: '‖w − w*‖²', logY: true }, {
      header: ['t', 'λ = 1/(ηt)', 'GD risk', 'ridge risk'],
      rows: [0, 9, 24, 49, 99].filter((i) => i < ts.length).map((i) => [ts[i], fmt(1 / (p.eta * ts[i])), fmt(gdRisk[i]), fmt(ridgeRisk[i])]),
    });
  },
};

export const l2Convexifies: Experiment = {
  name: 'l2-convexifies',
  title: 'A large enough L2 term makes a non-convex loss convex',
  claim: 'Adding (λ/2)‖x‖² to the double well (x² − 1)² + y², whose smallest Hessian eigenvalue is −4, shifts every eigenvalue by λ: for λ ≥ 4 the loss is convex with a single minimum, below it two minima remain.',
  source: 'Boyd & Vandenberghe, Convex Optimization (2004), §3.1.4 (second-order condition); Nesterov (2004), §2.1',
  params: {
    lambda: { default: 5, min: 0, max: 20, help: 'λ' },
    starts: { default: 24, min: 4, max: 1000, integer: true, help: 'L-BFGS starts' },
  },
  counter: { params: { lambda: 2 }, why: 'λ = 2 < 4: the Hessian stays indefinite at the origin and two minima remain' },
  run(engine, p, seed) {
    const dw = objectives.doubleWell();
    const H = new Float64Array(4);
    const grid = logspace(1, 1, 1).length ? Array.from({ length: 41 }, (_, i) => -2 + 0.1 * i) : [];
    let minEig = Infinity;
    const along: number[] = [];
    for (const a of grid) {
      let rowMin = Infinity;
      for (const b of grid) {
        dw.hess(Float64Array.of(a, b), H);
        H[0] += p.lambda;
        H[3] += p.lambda;
        const e = engine.linalg.eigh(H).values[0];
        rowMin = Math.min(rowMin, e);
      }
      along.push(rowMin);
      minEig = Math.min(minEig, rowMin);
    }
    const f = (x: Float64Array, g?: Float64Array) => {
      const v = dw.fun(x, g) + 0.5 * p.lambda * (x[0] ** 2 + x[1] ** 2);
      if (g) { g[0] += p.lambda * x[0]; g[1] += p.lambda * x[1]; }
      return v;
    };
    const r = stream(seed, 34);
    const minima: number[][] = [];
    for (let s = 0; s < p.starts; s++) {
      const res = engine.minimize(f, [4 * r.uniform() - 2, 4 * r.uniform() - 2], { method: 'lbfgs', gtol: 1e-9 });
      if (!minima.some((q) => Math.hypot(q[0] - res.x[0], q[1] - res.x[1]) < 1e-3)) minima.push(Array.from(res.x));
    }
    const checks = [
      atLeast('min Hessian eigenvalue of the regularized loss on [−2, 2]²', minEig, 0),
      atMost('distinct minima found by L-BFGS from random starts', minima.length, 1),
    ];
    return result(checks, [{ name: 'min over y of λ_min(∇²f(x, y))', x: grid, y: along }], { xLabel: 'x', yLabel: 'smallest Hessian eigenvalue' }, {
      header: ['λ', 'min eigenvalue', 'minima found'],
      rows: [[p.lambda, fmt(minEig), minima.map((q) => `(${fmt(q[0])}, ${fmt(q[1])})`).join(' ')]],
    });
  },
};

export const inducedOneNorm: Experiment = {
  name: 'induced-1-norm',
  title: 'The induced 1-norm is the largest column sum; an unscaled feature dominates it',
  claim: 'The operator norm ‖A‖₁ = max_x ‖Ax‖₁/‖x‖₁ of a data matrix equals its largest absolute column sum, attained at a basis vector, so one feature left unscaled (×1000) sets the whole norm until the features are standardized.',
  source: 'Golub & Van Loan, Matrix Computations (2013), §2.3.2; Horn & Johnson, Matrix Analysis (2013), §5.6.4',
  params: {
    scale: { default: 1000, min: 1, max: 1e6, help: 'factor of the unscaled feature' },
    probes: { default: 2000, min: 100, max: 100000, integer: true, help: 'random x tried' },
  },
  small: { probes: 500 },
  stochastic: true,
  counter: { params: { scale: 1 }, why: 'with all features on one scale no single column dominates' },
  run(engine, p, seed) {
    const r = stream(seed, 36);
    const m = 50, d = 6;
    const A = gaussian(r, m, d);
    for (let i = 0; i < m; i++) A[i * d + 2] *= p.scale;
    const colSum = (M: ArrayLike<number>) => Array.from({ length: d }, (_, j) => { let s = 0; for (let i = 0; i < m; i++) s += Math.abs(M[i * d + j]); return s; });
    const ratio = (M: ArrayLike<number>, x: ArrayLike<number>) => {
      let ax = 0;
      for (let i = 0; i < m; i++) { let s = 0; for (let j = 0; j < d; j++) s += M[i * d + j] * x[j]; ax += Math.abs(s); }
      return ax / Array.from(x).reduce((s, v) => s + Math.abs(v), 0);
    };
    const cols = colSum(A), formula = Math.max(...cols);
    let probeMax = 0;
    const probes: number[] = [];
    for (let k = 0; k < p.probes; k++) {
      const v = ratio(A, gaussian(r, d, 1));
      probeMax = Math.max(probeMax, v);
      if (k < 200) probes.push(v / formula);
    }
    const vertex = Math.max(...Array.from({ length: d }, (_, j) => ratio(A, Array.from({ length: d }, (_, i) => (i === j ? 1 : 0)))));
    const share = cols[2] / cols.reduce((a, b) => a + b, 0);
    const Z = standardize(new Dataset(Float32Array.from(A), new Float32Array(m), { numFeatures: d })).train.features;
    const after = Math.max(...colSum(Z));
    const checks = [
      atMost('|max over basis vectors of ‖Ax‖₁/‖x‖₁ − max column sum| / max column sum', Math.abs(vertex - formula) / formula, 1e-12),
      atMost(`max over ${p.probes} random x of ‖Ax‖₁/‖x‖₁ / max column sum`, probeMax / formula, 1 + 1e-12),
      atLeast('share of the unscaled column in the sum of column sums', share, 0.9),
      atLeast('‖A‖₁ / ‖standardized A‖₁', formula / after, 10),
    ];
    return result(checks, [{ name: '‖Ax‖₁/‖x‖₁ / max column sum, random x', y: probes }], { xLabel: 'probe', yLabel: 'ratio' }, {
      header: ['column', 'Σ|a_ij| raw', 'Σ|z_ij| standardized'],
      rows: cols.map((c, j) => [j, fmt(c), fmt(colSum(Z)[j])]),
    });
  },
};
