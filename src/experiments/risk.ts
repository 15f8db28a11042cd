/**
 * A risk-averse step size from Adam's moments (claim 31): the variance proxy v̂ − m̂² read
 * from `engine.optim.adam`'s state after a stream of noisy gradients, against the step
 * that maximizes a mean-variance objective of the one-step improvement.
 */
import { atLeast, atMost, type Experiment, result } from './types.js';
import { fmt, logspace, slope, stream } from './util.js';

export const riskAverseStep: Experiment = {
  name: 'risk-averse-step-size',
  title: 'A risk-averse step size ∝ 1/(v − m²)',
  claim: "For a step −ηg along a noisy gradient g ~ (μ, σ²) on a locally linear loss, the step that maximizes the mean-variance objective E[I] − (a/2)Var[I] of the improvement I = ημg is η* = 1/(a·σ²): inversely proportional to the variance proxy v − m² of Adam's moment estimates.",
  source: 'Markowitz, "Portfolio Selection", J. Finance 7 (1952) (mean-variance); Kingma & Ba (2015), §2 (m and v as moment estimates); Schaul, Zhang & LeCun, "No more pesky learning rates" (ICML 2013)',
  params: {
    aversion: { default: 1, min: 0, max: 100, help: 'a: risk aversion (0: risk neutral)' },
    curvature: { default: 0, min: 0, max: 10, help: 'λ of the loss ½λθ² + μθ around the point (0: locally linear)' },
    samples: { default: 20000, min: 1000, max: 1e6, integer: true, help: 'Monte Carlo samples of g per noise level' },
  },
  small: { samples: 8000 },
  stochastic: true,
  counter: { params: { aversion: 0, curvature: 1 }, why: 'risk neutral on a curved loss: η* = μ²/(λ(μ² + σ²)), not ∝ 1/σ²' },
  run(engine, p, seed) {
    const mu = 1;
    const sigmas = logspace(0.3, 3, 5);
    const etaGrid = logspace(1e-3, 100, 400);
    const rows: (string | number)[][] = [];
    const proxies: number[] = [], best: number[] = [];
    sigmas.forEach((sigma, si) => {
      const r = stream(seed, 310 + si);
      // 1. the proxy: Adam's bias-corrected moments after T noisy gradients, β₁ = β₂ (one window
      // for both moments), averaged over 32 independent coordinates (streams) of one vector
      const T = 4000, b = 0.999, C = 32;
      const x = engine.vector(C);
      const opt = engine.optim.adam(x, { lr: 1e-6, betas: [b, b] });
      for (let t = 0; t < T; t++) {
        for (let i = 0; i < C; i++) x.grads[i] = mu + sigma * r.normal();
        opt.step();
      }
      const { m, v } = opt.state().groups[0].buffers;
      let proxy = 0;
      for (let i = 0; i < C; i++) proxy += (v[i] / (1 - b ** T) - (m[i] / (1 - b ** T)) ** 2) / C;
      // 2. the step that maximizes mean − (a/2)·variance of I(η) = f(0) − f(−ηg) = ημg − ½λη²g² over fresh samples
      // (mean and variance of I from the sample moments M_k = mean(g^k): I is a polynomial in g)
      const M = [0, 0, 0, 0];
      for (let k = 0; k < p.samples; k++) {
        const gi = mu + sigma * r.normal();
        M[0] += gi / p.samples; M[1] += gi ** 2 / p.samples; M[2] += gi ** 3 / p.samples; M[3] += gi ** 4 / p.samples;
      }
      const lam = p.curvature;
      let top = -Infinity, arg = NaN;
      for (const eta of etaGrid) {
        const mean = eta * mu * M[0] - 0.5 * lam * eta * eta * M[1];
        const second = eta * eta * mu * mu * M[1] - lam * eta ** 3 * mu * M[2] + 0.25 * lam * lam * eta ** 4 * M[3];
        const J = mean - 0.5 * p.aversion * (second - mean * mean);
        if (J > top) { top = J; arg = eta; }
      }
      proxies.push(proxy);
      best.push(arg);
      rows.push([fmt(sigma * sigma), fmt(proxy), fmt(arg), fmt(p.aversion > 0 ? 1 / (p.aversion * proxy) : Infinity)]);
    });
    const s = slope(proxies.map(Math.log), best.map(Math.log));
    const dev = Math.max(...best.map((e, i) => Math.abs(e * Math.max(p.aversion, 1e-300) * proxies[i] - 1)));
    const checks = [
      atLeast('slope of log η* against log(v̂ − m̂²)', s, -1.1),
      atMost('… at most', s, -0.9),
      atMost('max |η*·a·(v̂ − m̂²) − 1|', dev, 0.15),
    ];
    return result(
      checks,
      [
        { name: 'η* (mean-variance optimum)', x: proxies, y: best },
        { name: '1/(a(v̂ − m̂²))', x: proxies, y: proxies.map((q) => 1 / (Math.max(p.aversion, 1e-12) * q)), dashed: true },
      ],
      { xLabel: "v̂ − m̂² from Adam's moments", yLabel: 'step size', logY: true },
      { header: ['σ²', 'v̂ − m̂²', 'η* (grid)', '1/(a(v̂ − m̂²))'], rows },
    );
  },
};
