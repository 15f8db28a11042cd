/**
 * Second-order methods and the flow view: Newton's quadratic convergence and its
 * conditioning (claim 35), GD as explicit Euler and a two-step Adams-Bashforth optimizer
 * (claim 38), and derivative-free, quasi-Newton and adaptive methods on a noisy objective
 * (claim 41). Runs use `engine.minimize` ('newton', 'lbfgs', 'nelder-mead'),
 * `objectives.rosenbrock` / `deepLinear`, and `engine.optim.sgd` / `adam`.
 */
import { objectives } from '../solve/index.js';
import { atLeast, atMost, type Experiment, result } from './types.js';
import { fmt, gaussian, logspace, matvec, norm, orthogonal, slope, spd, stream } from './util.js';

export const newtonQuadratic: Experiment = {
  name: 'newton-quadratic-convergence',
  title: "Newton's method: quadratic convergence, error growing with κ",
  claim: "Near a minimum with a non-singular Hessian Newton's method converges quadratically (the error squares each step), and the accuracy of its solution degrades in proportion to the Hessian's condition number.",
  source: 'Nocedal & Wright, Numerical Optimization (2006), Theorem 3.5; Higham, Accuracy and Stability of Numerical Algorithms (2002), §7.1 (forward error ≲ κ·u)',
  params: {
    problem: { default: 0, min: 0, max: 1, integer: true, help: '0: Rosenbrock (non-singular minimum); 1: (x − 1)⁴ + (y − 1)⁴ (singular Hessian at its minimum)' },
    dim: { default: 12, min: 2, max: 100, integer: true, help: 'dimension of the conditioning quadratics' },
  },
  stochastic: true,
  counter: { params: { problem: 1 }, why: 'at a minimum with a singular Hessian Newton converges only linearly (error × 2/3 per step on a quartic)' },
  run(engine, p, seed) {
    const quartic = {
      name: '(x − 1)⁴ + (y − 1)⁴',
      fun: (x: Float64Array, g?: Float64Array) => {
        if (g) for (let i = 0; i < 2; i++) g[i] = 4 * (x[i] - 1) ** 3;
        return (x[0] - 1) ** 4 + (x[1] - 1) ** 4;
      },
      hess: (x: Float64Array, H: Float64Array) => H.set([12 * (x[0] - 1) ** 2, 0, 0, 12 * (x[1] - 1) ** 2]),
      x0: Float64Array.of(-1.2, 1.5),
    };
    const obj = p.problem === 0 ? objectives.rosenbrock(2) : quartic;
    const res = engine.minimize(obj.fun, obj.x0, { method: 'newton', hess: obj.hess, history: true, gtol: 1e-14, maxIter: 200 });
    const errs = [obj.x0, ...res.history!.map((it) => it.x)].map((x) => Math.hypot(x[0] - 1, x[1] - 1));
    // quadratic: e_{k+1} ≤ C·e_k² once e_k < 1e-2 (a linear rate r makes e_{k+1}/e_k² = r/e_k grow without bound)
    let cq = 0;
    for (let k = 0; k + 1 < errs.length; k++) if (errs[k] < 1e-2 && errs[k] > 1e-8) cq = Math.max(cq, errs[k + 1] / errs[k] ** 2);
    const first = errs.findIndex((e) => e < 1e-2), last = errs.findIndex((e) => e < 1e-10);
    const span = first < 0 || last < 0 ? Infinity : last - first;
    // conditioning: one Newton solve on ½(x − x*)ᵀH(x − x*) for κ = 1e2 … 1e14
    const n = p.dim, Q = orthogonal(stream(seed, 35), n);
    const xs = gaussian(stream(seed, 36), n, 1);
    const kappas = [1e2, 1e5, 1e8, 1e11, 1e14];
    const solveErr = kappas.map((kappa) => {
      const H = spd(Q, logspace(1, 1 / kappa, n));
      const fun = (x: Float64Array, g?: Float64Array) => {
        const d = x.map((v, i) => v - xs[i]);
        const Hd = matvec(H, d, n, n) as Float64Array;
        if (g) g.set(Hd);
        return 0.5 * d.reduce((s, v, i) => s + v * Hd[i], 0);
      };
      const r = engine.minimize(fun, new Float64Array(n), { method: 'newton', hess: (_x, out) => out.set(H), maxIter: 1 });
      return Math.max(norm(r.x.map((v, i) => v - xs[i])) / norm(xs), 1e-17);
    });
    const s = slope(kappas.map(Math.log10), solveErr.map(Math.log10));
    const checks = [
      atMost('max e_{k+1}/e_k² over the steps with 1e-8 < e_k < 1e-2', cq, 50),
      atMost('iterations from e < 1e-2 to e < 1e-10', span, 5),
      atLeast('slope of log₁₀(error of one Newton solve) against log₁₀ κ', s, 0.5),
      atMost('relative error of the Newton solve at κ = 100', solveErr[0], 1e-10),
    ];
    return result(
      checks,
      [{ name: `${obj.name}: ‖x_k − x*‖`, y: errs.map((v) => Math.max(v, 1e-17)) }],
      { xLabel: 'Newton iteration', yLabel: 'error', logY: true },
      {
        header: ['κ', 'relative error of one Newton solve'],
        rows: kappas.map((k, i) => [fmt(k), fmt(solveErr[i])]).concat([['errors e_k (last 5)', errs.slice(-5).map(fmt).join(', ')]]),
      },
    );
  },
};

export const eulerVsAdams: Experiment = {
  name: 'gd-euler-adams-bashforth',
  title: 'GD is explicit Euler (O(h)); two-step Adams-Bashforth is O(h²)',
  claim: 'Gradient descent with step h is the explicit Euler method on the gradient flow ẋ = −∇f, with global error O(h) at a fixed time; the two-step Adams-Bashforth update x ← x − h(3/2·g_k − 1/2·g_{k−1}) has error O(h²).',
  source: 'Hairer, Nørsett & Wanner, Solving ODEs I (1993), §II.1 and §III.1 (Adams methods); Su, Boyd & Candès, JMLR 17 (2016) (ODE view of optimizers)',
  params: {
    beta: { default: 0.5, min: 0, max: 1, help: 'weight of g_{k−1} in x ← x − h((1 + β)g_k − βg_{k−1}); 1/2 is Adams-Bashforth' },
    time: { default: 2, min: 0.5, max: 10, help: 'flow time T' },
  },
  counter: { params: { beta: 0.25 }, why: 'β ≠ 1/2 is a consistent but first-order two-step method' },
  run(engine, p) {
    // f(x) = ½(x₁² + 2x₂²) + ¼x₁⁴ from (1, 1); the reference flow by RK4 with a tiny step in f64
    const grad = (x: ArrayLike<number>, g: Float64Array | Float32Array) => { g[0] = x[0] + x[0] ** 3; g[1] = 2 * x[1]; };
    const exact = (() => {
      let x = [1, 1];
      const hh = 1e-4, N = Math.round(p.time / hh);
      const k = (y: number[]) => { const g = new Float64Array(2); grad(y, g); return [-g[0], -g[1]]; };
      for (let i = 0; i < N; i++) {
        const a = k(x), b = k(x.map((v, j) => v + (hh / 2) * a[j])), c = k(x.map((v, j) => v + (hh / 2) * b[j])), d = k(x.map((v, j) => v + hh * c[j]));
        x = x.map((v, j) => v + (hh / 6) * (a[j] + 2 * b[j] + 2 * c[j] + d[j]));
      }
      return x;
    })();
    const hs = [0.2, 0.1, 0.05, 0.025];
    const run = (h: number, twoStep: boolean) => {
      const x = engine.vector(2, [1, 1]);
      const opt = engine.optim.sgd(x, { lr: h });
      const g = new Float64Array(2), prev = new Float64Array(2);
      const steps = Math.round(p.time / h);
      for (let k = 0; k < steps; k++) {
        grad(x.params, g);
        // first step: Euler; then (1 + β)g_k − βg_{k−1}
        for (let i = 0; i < 2; i++) x.grads[i] = twoStep && k > 0 ? (1 + p.beta) * g[i] - p.beta * prev[i] : g[i];
        prev.set(g);
        opt.step();
      }
      return Math.hypot(x.params[0] - exact[0], x.params[1] - exact[1]);
    };
    const euler = hs.map((h) => run(h, false)), ab2 = hs.map((h) => run(h, true));
    const lh = hs.map(Math.log);
    const se = slope(lh, euler.map(Math.log)), sa = slope(lh, ab2.map(Math.log));
    const checks = [
      atLeast('Euler (GD): slope of log error against log h', se, 0.85),
      atMost('Euler (GD): slope (… at most)', se, 1.15),
      atLeast('two-step method: slope of log error against log h', sa, 1.8),
    ];
    return result(
      checks,
      [
        { name: 'GD (explicit Euler)', x: hs, y: euler },
        { name: `two-step, β = ${p.beta}`, x: hs, y: ab2 },
      ],
      { xLabel: 'step h', yLabel: `‖x(T) − x_flow(T)‖ at T = ${p.time}`, logY: true },
      { header: ['h', 'GD error', 'two-step error'], rows: hs.map((h, i) => [h, fmt(euler[i]), fmt(ab2[i])]) },
    );
  },
};

export const noisyObjective: Experiment = {
  name: 'noisy-objective-methods',
  title: 'On a noisy objective: Nelder-Mead, L-BFGS and Adam',
  claim: 'On an objective whose values and gradients carry noise, Nelder-Mead still converges but needs more evaluations as the dimension grows, L-BFGS is destabilized (its curvature pairs and line search are fooled by the noise) and Adam converges robustly.',
  source: 'Nocedal & Wright (2006), §9.5 (Nelder-Mead) and §7.2; Berahas, Byrd & Nocedal, SIAM J. Optim. 29 (2019) (quasi-Newton with noise); Kingma & Ba (2015)',
  params: {
    noise: { default: 0.02, min: 0, max: 1, help: 'standard deviation of the noise on f and on each gradient component' },
    reps: { default: 5, min: 1, max: 100, integer: true, help: 'repetitions (the median is used)' },
  },
  small: { reps: 3 },
  stochastic: true,
  counter: { params: { noise: 0 }, why: 'without noise L-BFGS converges best of all' },
  run(engine, p, seed) {
    // true f(x) = Σ c_i (x_i − 1)², c_i in [1, 10], from x = −1
    const truth = (x: ArrayLike<number>, c: number[]) => c.reduce((s, ci, i) => s + ci * (x[i] - 1) ** 2, 0);
    const median = (a: number[]) => [...a].sort((u, v) => u - v)[Math.floor(a.length / 2)];
    const noisy = (d: number, salt: number) => {
      const c = logspace(1, 10, d);
      const r = stream(seed, salt);
      const fun = (x: Float64Array, g?: Float64Array) => {
        if (g) for (let i = 0; i < d; i++) g[i] = 2 * c[i] * (x[i] - 1) + p.noise * r.normal();
        return truth(x, c) + p.noise * r.normal();
      };
      return { c, fun };
    };
    const nmEvals = (d: number, rep: number) => {
      const { c, fun } = noisy(d, 4100 + 10 * d + rep);
      let evals = 0, reached = Infinity;
      engine.minimize((x) => { evals++; const v = fun(x); if (truth(x, c) < 0.1 * d && reached === Infinity) reached = evals; return v; }, new Float64Array(d).fill(-1), { method: 'nelder-mead', maxEval: 4000 });
      return reached;
    };
    const final = (method: 'lbfgs' | 'adam' | 'nelder-mead', d: number, rep: number) => {
      const { c, fun } = noisy(d, 4200 + 10 * d + rep + (method === 'adam' ? 5000 : method === 'lbfgs' ? 7000 : 9000));
      if (method === 'adam') {
        const x = engine.vector(d, new Array(d).fill(-1));
        const opt = engine.optim.adam(x, { lr: 0.05 });
        const g = new Float64Array(d);
        for (let k = 0; k < 400; k++) {
          fun(Float64Array.from(x.params), g);
          x.grads.set(g);
          opt.step();
        }
        return truth(x.params, c);
      }
      return truth(engine.minimize(fun, new Float64Array(d).fill(-1), { method, maxIter: 400, maxEval: 4000, gtol: 1e-10 }).x, c);
    };
    const R = Array.from({ length: p.reps }, (_, i) => i);
    const nm2 = median(R.map((i) => nmEvals(2, i))), nm8 = median(R.map((i) => nmEvals(8, i)));
    const d = 8;
    const lb = median(R.map((i) => final('lbfgs', d, i))), ad = median(R.map((i) => final('adam', d, i))), nm = median(R.map((i) => final('nelder-mead', d, i)));
    const checks = [
      atLeast('Nelder-Mead: evaluations to f < 0.1·d, d = 8 over d = 2', nm8 / nm2, 3),
      atMost('Nelder-Mead d = 8: median final f', nm, 0.5),
      atMost('Adam d = 8: median final f', ad, 0.05),
      atLeast('L-BFGS d = 8: median final f / Adam median final f', lb / Math.max(ad, 1e-300), 3),
    ];
    return result(checks, [{ name: 'median final true f (d = 8)', x: [1, 2, 3], y: [nm, lb, ad].map((v) => Math.max(v, 1e-12)) }], { xLabel: 'method (1 Nelder-Mead, 2 L-BFGS, 3 Adam)', yLabel: 'true f', logY: true }, {
      header: ['method', 'median final true f (d = 8)', 'median evaluations to f < 0.1·d (d = 2 / d = 8)'],
      rows: [['Nelder-Mead', fmt(nm), `${fmt(nm2)} / ${fmt(nm8)}`], ['L-BFGS', fmt(lb), ''], ['Adam', fmt(ad), '']],
    });
  },
};
