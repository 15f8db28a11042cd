/**
 * Momentum: the stability map of heavy ball and its overshoot under curvature mismatch
 * (claim 7), momentum as a low-pass filter (claim 32), Nesterov against heavy ball
 * (claim 33) and linear CG as momentum with per-step coefficients (claim 39). Every run
 * is `engine.optim.sgd` with `momentum` (PyTorch's form, which for a constant lr is heavy
 * ball) over an `engine.vector`; the toy gradients are written into its gradient buffer.
 */
import type { Engine } from '../engine.js';
import { atLeast, atMost, type Experiment, result } from './types.js';
import { fmt, logspace, matvec, maxAbsDiff, norm, orthogonal, spd, stream } from './util.js';

/** Heavy ball (sgd momentum β, lr 1) on f(x) = ½ Σ c_i x_i² from x = 1: the iterates x_k (k = 0..steps) of every coordinate. */
function heavyBall(engine: Engine, c: number[], beta: number, steps: number, lr = 1): Float32Array[] {
  const n = c.length;
  const x = engine.vector(n, new Array(n).fill(1));
  const opt = engine.optim.sgd(x, { lr, momentum: beta });
  const out = [x.params.slice()];
  for (let k = 0; k < steps; k++) {
    const p = x.params, g = x.grads;
    for (let i = 0; i < n; i++) g[i] = c[i] * p[i];
    opt.step();
    out.push(x.params.slice());
  }
  return out;
}

export const momentumStability: Experiment = {
  name: 'momentum-stability-map',
  title: 'Heavy ball: the stability map and overshoot',
  claim: 'Heavy-ball momentum on a quadratic is stable exactly for ηλ < 2(1 + β), so the stable range of β shrinks as η grows past 2/λ, and a β tuned for a small curvature overshoots on a large one.',
  source: 'Polyak (1964); Goh, "Why Momentum Really Works", Distill 2017, §"The dynamics of momentum"; Qian, Neural Networks 12 (1999)',
  params: {
    mismatch: { default: 100, min: 1, max: 1e4, help: 'λ_high / λ_low of the overshoot run' },
    steps: { default: 1500, min: 200, max: 20000, integer: true, help: 'steps per run of the map' },
    grid: { default: 40, min: 10, max: 200, integer: true, help: 'β values in [0, 1)' },
  },
  small: { steps: 800, grid: 25 },
  counter: { params: { mismatch: 1 }, why: 'no curvature mismatch: the critically damped β does not overshoot' },
  run(engine, p) {
    // map: coordinates carry ηλ = 0.25 … 3.95 (lr 1), one run per β
    const etas = Array.from({ length: 38 }, (_, i) => 0.25 + 0.1 * i);
    const betas = Array.from({ length: p.grid }, (_, j) => j / p.grid);
    const stable = etas.map(() => 0);
    for (const b of betas) {
      const xs = heavyBall(engine, etas, b, p.steps);
      const last = xs[p.steps];
      etas.forEach((_, i) => (stable[i] += Math.abs(last[i]) < 1 ? 1 / p.grid : 0));
    }
    const theory = etas.map((e) => 1 - Math.max(0, e / 2 - 1));
    const err = maxAbsDiff(stable, theory);
    let rises = 0;
    for (let i = 1; i < stable.length; i++) if (stable[i] > stable[i - 1] + 1e-9) rises++;
    // overshoot: β critically damped for λ_low (β = (1 − √(ηλ_low))²), run on λ_low and λ_high
    const eta = 0.9 / p.mismatch, lamLow = 1 / p.mismatch;
    const bCrit = (1 - Math.sqrt(eta * lamLow)) ** 2;
    const run = heavyBall(engine, [lamLow, lamLow * p.mismatch], bCrit, 400, eta);
    const low = run.map((x) => x[0]), high = run.map((x) => x[1]);
    const checks = [
      atMost('max |measured − theoretical| stable β-fraction over ηλ', err, 2 / p.grid + 1e-9),
      atMost('ηλ steps where the stable range grows', rises, 0),
      atLeast(`overshoot −min x_k on λ_high (β critical for λ_low, λ ratio ${p.mismatch})`, -Math.min(...high), 0.1),
      atLeast('min x_k on λ_low (critically damped: no overshoot)', Math.min(...low), -1e-3),
    ];
    return result(
      checks,
      [
        { name: 'stable fraction of β (measured)', x: etas, y: stable },
        { name: '1 − max(0, ηλ/2 − 1) (theory)', x: etas, y: theory, dashed: true },
      ],
      { xLabel: 'ηλ', yLabel: 'fraction of β ∈ [0, 1) that is stable' },
      {
        header: ['ηλ', 'stable β fraction', 'theory'],
        rows: etas.filter((_, i) => i % 5 === 0).map((e, j) => [fmt(e), fmt(stable[j * 5]), fmt(theory[j * 5])]),
      },
    );
  },
};

export const lowPass: Experiment = {
  name: 'momentum-low-pass',
  title: 'Momentum is a low-pass filter',
  claim: 'The momentum buffer u ← βu + g is a first-order low-pass filter of the gradient: its gain is 1/(1 − β) for a constant gradient, 1/(1 + β) for an alternating one, and 1/|1 − βe^{−iω}| at frequency ω.',
  source: 'Goh, "Why Momentum Really Works", Distill 2017; Oppenheim & Schafer, Discrete-Time Signal Processing, §6 (first-order IIR filter)',
  params: {
    beta: { default: 0.9, min: 0, max: 0.99, help: 'momentum β' },
    dampening: { default: 0, min: 0, max: 0.9, help: "torch's dampening (the claim is for 0)" },
    steps: { default: 600, min: 100, max: 20000, integer: true, help: 'steps per frequency' },
  },
  small: { steps: 400 },
  counter: { params: { dampening: 0.5 }, why: 'with dampening d the gain is (1 − d)/(1 − β)' },
  run(engine, p) {
    const freqs = Array.from({ length: 13 }, (_, i) => (Math.PI * i) / 12);
    // one coordinate per frequency: g_i,k = cos(ω_i k); lr 1 so Δp_k = −u_k
    const n = freqs.length;
    const x = engine.vector(n);
    const opt = engine.optim.sgd(x, { lr: 1, momentum: p.beta, dampening: p.dampening });
    // steady state Δp_k = −u_k = −G·cos(ωk + φ): G from a least-squares fit of a·cos + b·sin over the tail
    const tail = Math.max(60, Math.ceil(p.steps / 4));
    const S = freqs.map(() => [0, 0, 0, 0, 0]); // Σcc, Σcs, Σss, Σyc, Σys
    for (let k = 0; k < p.steps; k++) {
      const before = x.params.slice();
      for (let i = 0; i < n; i++) x.grads[i] = Math.cos(freqs[i] * k);
      opt.step();
      if (k < p.steps - tail) continue;
      for (let i = 0; i < n; i++) {
        const y = before[i] - x.params[i], c = Math.cos(freqs[i] * k), s = Math.sin(freqs[i] * k);
        const a = S[i];
        a[0] += c * c; a[1] += c * s; a[2] += s * s; a[3] += y * c; a[4] += y * s;
      }
    }
    const amp = S.map(([cc, cs, ss, yc, ys]) => {
      if (ss < 1e-9 * cc) return Math.abs(yc / cc); // ω = 0 or π: sin ωk = 0
      const det = cc * ss - cs * cs;
      return Math.hypot((yc * ss - ys * cs) / det, (ys * cc - yc * cs) / det);
    });
    const theory = freqs.map((w) => 1 / Math.hypot(1 - p.beta * Math.cos(w), p.beta * Math.sin(w)));
    const rel = freqs.map((_, i) => Math.abs(amp[i] - theory[i]) / theory[i]);
    const checks = [
      atMost(`|gain(ω = 0) − 1/(1 − β)| / (1/(1 − β))`, rel[0], 2e-3),
      atMost(`|gain(ω = π) − 1/(1 + β)| / (1/(1 + β))`, rel[n - 1], 2e-3),
      atMost('max relative error of the gain over ω', Math.max(...rel), 1e-3),
    ];
    return result(
      checks,
      [
        { name: 'measured gain', x: freqs, y: amp },
        { name: '1/|1 − βe^{−iω}|', x: freqs, y: theory, dashed: true },
      ],
      { xLabel: 'ω (radians per step)', yLabel: 'gain of the step', logY: true },
      { header: ['ω / π', 'measured', 'theory'], rows: freqs.map((w, i) => [fmt(w / Math.PI), fmt(amp[i]), fmt(theory[i])]) },
    );
  },
};

export const nesterovVsHeavyBall: Experiment = {
  name: 'nesterov-vs-heavy-ball',
  title: 'Nesterov and heavy ball: equal after one step, different after two',
  claim: 'From zero velocity, Nesterov momentum and heavy-ball momentum make the same first step and different second steps, the difference being ημ(∇f(x₁ + μv₁) − ∇f(x₁)).',
  source: 'Sutskever, Martens, Dahl & Hinton, ICML 2013, §2 (eq. 3-4); Nesterov (1983)',
  params: {
    momentum: { default: 0.9, min: 0, max: 0.99, help: 'μ' },
    lr: { default: 0.1, min: 1e-4, max: 1, help: 'η' },
    steps: { default: 60, min: 2, max: 5000, integer: true, help: 'steps of the trajectories' },
  },
  small: { steps: 30 },
  counter: { params: { momentum: 0 }, why: 'without momentum both are plain GD: they agree after two steps too' },
  run(engine, p) {
    // f(x) = ½ Σ c_i x_i², x₀ = 1. torch's Nesterov iterate is the look-ahead point
    // x̃_k = x_k + μv_k with v_k = −η·buf_k, so Sutskever's x_k = x̃_k + μη·buf_k.
    const c = [1, 0.1];
    const traj = (nesterov: boolean) => {
      const x = engine.vector(2, [1, 1]);
      const opt = engine.optim.sgd(x, { lr: p.lr, momentum: p.momentum, nesterov: nesterov && p.momentum > 0 });
      const xs: number[][] = [[1, 1]];
      for (let k = 0; k < p.steps; k++) {
        for (let i = 0; i < 2; i++) x.grads[i] = c[i] * x.params[i];
        opt.step();
        const buf = p.momentum > 0 ? opt.state().groups[0].buffers.buf : new Float32Array(2);
        xs.push(Array.from(x.params, (v, i) => (nesterov ? v + p.momentum * p.lr * buf[i] : v)));
      }
      return xs;
    };
    const nag = traj(true), hb = traj(false);
    const d1 = maxAbsDiff(nag[1], hb[1]), d2 = maxAbsDiff(nag[2], hb[2]);
    // predicted second-step difference: v₁ = −ηg₀ = −ηc, Δ = −η(∇f(x₁ + μv₁) − ∇f(x₁)) = η²μc² per coordinate
    const pred = Math.max(...c.map((ci) => p.lr * p.lr * p.momentum * ci * ci));
    const f = (x: number[]) => 0.5 * (c[0] * x[0] ** 2 + c[1] * x[1] ** 2);
    const checks = [
      atMost('max |x₁(NAG) − x₁(HB)|', d1, 1e-7),
      atLeast('max |x₂(NAG) − x₂(HB)| / predicted η²μ·max c²', d2 / Math.max(pred, 1e-30), 0.9),
      atMost('... and at most 1.1× the prediction', d2 / Math.max(pred, 1e-30), 1.1),
    ];
    return result(
      checks,
      [
        { name: 'Nesterov', y: nag.map(f) },
        { name: 'heavy ball', y: hb.map(f) },
      ],
      { xLabel: 'step', yLabel: 'loss', logY: true },
      {
        header: ['step', 'x (NAG)', 'x (HB)'],
        rows: [0, 1, 2, 3].map((k) => [k, nag[k].map(fmt).join(', '), hb[k].map(fmt).join(', ')]),
      },
    );
  },
};

export const cgIsMomentum: Experiment = {
  name: 'cg-is-momentum',
  title: 'Linear CG is momentum with the right (η_k, β_k)',
  claim: 'Linear conjugate gradient on an SPD system A·x = b produces the same iterates as momentum SGD on ½xᵀAx − bᵀx with learning rate α_k and momentum β_{k−1} taken from CG.',
  source: 'Hestenes & Stiefel (1952); Nocedal & Wright, Numerical Optimization (2006), Alg. 5.2; Bhaya & Kaszkurewicz, Neural Networks 17 (2004)',
  params: {
    dim: { default: 40, min: 2, max: 400, integer: true, help: 'n' },
    iters: { default: 12, min: 1, max: 400, integer: true, help: 'CG iterations compared (fewer than n: the last steps of an exact solve amplify f32 rounding)' },
    kappa: { default: 30, min: 1, max: 1e4, help: 'condition number of A' },
    exact: { default: 1, min: 0, max: 1, integer: true, help: "1: CG's (α_k, β_k); 0: their averages (a constant momentum)" },
  },
  small: { dim: 30, iters: 10 },
  counter: { params: { exact: 0 }, why: 'constant (mean) coefficients are not CG' },
  run(engine, p, seed) {
    const n = p.dim;
    const r = stream(seed, 39);
    // b has equal weight on every eigenvector: b = Q·1
    const Q = orthogonal(r, n);
    const A = spd(Q, logspace(1, 1 / p.kappa, n));
    const b = matvec(Q, new Float64Array(n).fill(1), n, n) as Float64Array;
    const ref = engine.linalg.cg(A, b, { record: true, tol: 1e-12, maxIter: p.iters });
    const alphas = ref.alphas!, betas = ref.betas!;
    const K = ref.iterations;
    const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    const lrAt = (k: number) => (p.exact ? alphas[k] : mean(alphas));
    // heavy ball v_{k+1} = μ_k v_k − η_k g_k, x_{k+1} = x_k + v_{k+1}: with v_{k+1} = α_k d_k,
    // d_k = −r_k + β_{k−1} d_{k−1} gives η_k = α_k and μ_k = α_k β_{k−1} / α_{k−1}
    const mus = alphas.map((a, k) => (k === 0 ? 0 : (a * betas[k - 1]) / alphas[k - 1]));
    const muAt = (k: number) => Math.min(0.999, p.exact ? mus[k] : k === 0 ? 0 : mean(mus.slice(1)));

    const x = engine.vector(n);
    const opt = engine.optim.sgd(x, { lr: lrAt, momentum: muAt, heavyBall: true });
    const err: number[] = [], res: number[] = [];
    let worst = 0;
    const g = new Float64Array(n);
    for (let k = 0; k < K; k++) {
      matvec(A, x.params, n, n, g);
      for (let i = 0; i < n; i++) x.grads[i] = g[i] - b[i];
      opt.step();
      const d = maxAbsDiff(x.params, ref.iterates![k + 1]) / Math.max(1e-30, norm(ref.x));
      worst = Math.max(worst, d);
      err.push(d);
      matvec(A, x.params, n, n, g);
      res.push(norm(g.map((v, i) => v - b[i])));
    }
    const checks = [
      atMost('max_k ‖x_k(momentum) − x_k(CG)‖_∞ / ‖x_K(CG)‖', worst, 1e-4),
      atMost('|residual(momentum) − residual(CG)| / residual(CG) at the end', Math.abs(res[K - 1] - ref.residualNorm) / ref.residualNorm, 1e-2),
      atMost('max_k μ_k (torch needs momentum in [0, 1))', Math.max(...mus), 0.999),
    ];
    return result(
      checks,
      [
        { name: 'momentum run: ‖Ax_k − b‖', y: res },
        { name: '|x_k(momentum) − x_k(CG)|_∞ / ‖x_K‖', y: err.map((v) => Math.max(v, 1e-12)), dashed: true },
      ],
      { xLabel: 'iteration k', yLabel: 'residual / difference', logY: true },
      {
        header: ['k', 'α_k (lr)', 'β_{k−1} (momentum)', '|x_k − x_k(CG)|_∞ / ‖x_K‖'],
        rows: Array.from({ length: Math.min(K, 8) }, (_, k) => [k, fmt(lrAt(k)), fmt(muAt(k)), fmt(err[k])]),
      },
    );
  },
};
