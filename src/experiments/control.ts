/**
 * Step-size rules that react to the landscape: Armijo backtracking (claim 2, the
 * engine's `schedules.armijo`, whose loop is src/solve/linesearch.ts) and a PI
 * controller on the learning rate (claim 23, `schedules.piController` driving
 * `engine.optim.sgd`).
 */
import { armijo, piController } from '../schedule/index.js';
import { atLeast, atMost, type Experiment, result } from './types.js';
import { fmt, logspace, mean, stream } from './util.js';

export const armijoTerminates: Experiment = {
  name: 'armijo-sufficient-decrease',
  title: 'Armijo backtracking terminates with sufficient decrease',
  claim: 'On an L-smooth function, Armijo backtracking from t₀ accepts a step t ≥ min(t₀, ρ·2(1 − c)/L) after at most 1 + ⌈log(t₀L / 2(1 − c)) / log(1/ρ)⌉ tries, and the accepted step satisfies f(x − t∇f) ≤ f(x) − c·t‖∇f‖².',
  source: 'Nocedal & Wright, Numerical Optimization (2006), Alg. 3.1 and Lemma 3.1; Armijo, Pacific J. Math. 16 (1966)',
  params: {
    L: { default: 100, min: 1, max: 1e6, help: 'largest curvature a_max of f = Σ a_i |x_i|^p / (p(p − 1)) (for p = 2 the smoothness constant)' },
    power: { default: 2, min: 1.2, max: 2, help: 'p: 2 is L-smooth, p < 2 has an unbounded Hessian at 0' },
    c: { default: 1e-4, min: 1e-6, max: 0.9, help: 'sufficient-decrease constant' },
    shrink: { default: 0.5, min: 0.1, max: 0.9, help: 'ρ' },
    starts: { default: 20, min: 1, max: 1000, integer: true, help: 'random start points' },
    iters: { default: 100, min: 1, max: 10000, integer: true, help: 'Armijo GD iterations per start' },
  },
  small: { starts: 6, iters: 60 },
  stochastic: true,
  counter: { params: { power: 1.5 }, why: 'p = 1.5 is not L-smooth: the accepted steps shrink to 0 near the minimum' },
  run(_engine, p, seed) {
    const n = 10, q = p.power;
    const a = logspace(p.L, 1, n);
    const f = (x: Float64Array) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += (a[i] * Math.abs(x[i]) ** q) / (q * (q - 1));
      return s;
    };
    const grad = (x: Float64Array, g: Float64Array) => {
      for (let i = 0; i < n; i++) g[i] = (a[i] * Math.sign(x[i]) * Math.abs(x[i]) ** (q - 1)) / (q - 1);
    };
    const rule = armijo({ c: p.c, shrink: p.shrink, initial: 1, maxTries: 200 });
    const stepBound = Math.min(1, (p.shrink * 2 * (1 - p.c)) / p.L);
    const triesBound = 1 + Math.ceil(Math.log(p.L / (2 * (1 - p.c))) / Math.log(1 / p.shrink));
    const r = stream(seed, 2);
    let rejected = 0, violation = -Infinity, maxTries = 0, minStep = Infinity, rises = 0, searches = 0;
    const curve: number[] = [];
    const g = new Float64Array(n);
    for (let s = 0; s < p.starts; s++) {
      let x: Float64Array = Float64Array.from({ length: n }, () => 2 * r.uniform() - 1);
      let fx = f(x);
      for (let k = 0; k < p.iters; k++) {
        grad(x, g);
        let gg = 0;
        for (let i = 0; i < n; i++) gg += g[i] * g[i];
        if (gg === 0 || fx < 1e-200) break;
        const res = rule.search(f, x, fx, g);
        searches++;
        if (!res.accepted) { rejected++; break; }
        violation = Math.max(violation, (res.value - (fx - p.c * res.step * gg)) / Math.max(fx, 1e-300));
        maxTries = Math.max(maxTries, res.tries);
        minStep = Math.min(minStep, res.step);
        if (res.value > fx) rises++;
        x = res.x;
        fx = res.value;
        if (s === 0) curve.push(fx);
      }
    }
    const checks = [
      atMost('searches that found no acceptable step', rejected, 0),
      atMost('max (f(x_new) − f(x) + c·t‖∇f‖²) / f(x) over accepted steps', violation, 1e-12),
      atMost(`max tries (bound 1 + ⌈log(t₀L/2(1−c))/log(1/ρ)⌉ = ${triesBound})`, maxTries, triesBound),
      atLeast(`min accepted step / min(t₀, ρ·2(1−c)/L) = ${fmt(stepBound)}`, minStep / stepBound, 1),
      atMost('iterations where f rose', rises, 0),
    ];
    return result(
      checks,
      [{ name: 'f(x_k), first start', y: curve.map((v) => Math.max(v, 1e-300)) }],
      { xLabel: 'Armijo GD iteration', yLabel: 'f', logY: true },
      {
        header: ['searches', 'max tries', 'tries bound', 'min step', 'step bound'],
        rows: [[searches, maxTries, triesBound, fmt(minStep), fmt(stepBound)]],
      },
    );
  },
};

export const piHoldsSetpoint: Experiment = {
  name: 'pi-controller-setpoint',
  title: 'A PI controller holds the relative loss decrease at its setpoint',
  claim: 'A PI controller on log η holds a landscape signal, the relative loss decrease per step, at its setpoint, and re-settles after the curvature jumps.',
  source: 'Åström & Murray, Feedback Systems (2008), §10.3 (PI control, integral action); Gustafsson, Lundh & Söderlind, BIT 28 (1988) (PI step-size control)',
  params: {
    setpoint: { default: 0.1, min: 0.01, max: 0.5, help: 's*: target of (f_k − f_{k+1}) / f_k' },
    jump: { default: 4, min: 1, max: 10, help: 'factor of the curvature jump at mid-run' },
    gain: { default: 1, min: -1, max: 1, help: 'sign and scale of (kp, ki) = gain·(0.5, 0.1); must be > 0 here' },
    steps: { default: 400, min: 100, max: 10000, integer: true, help: 'steps' },
  },
  small: { steps: 300 },
  counter: { params: { gain: -1 }, why: 'negative gains for a signal that rises with η drive the rate away' },
  run(engine, p) {
    const pi = piController({ lr: 0.01, setpoint: p.setpoint, kp: 0.5 * p.gain, ki: 0.1 * p.gain, minLr: 1e-6, maxLr: 0.45 });
    const x = engine.vector(1, [1]);
    const opt = engine.optim.sgd(x, { lr: pi.schedule });
    const half = Math.floor(p.steps / 2);
    const lam = (k: number) => (k < half ? 1 : p.jump);
    const signal: number[] = [], lrs: number[] = [];
    for (let k = 0; k < p.steps; k++) {
      if (Math.abs(x.params[0]) < 1e-6) x.params[0] = 1; // the signal is scale-free: restart far from 0
      const f0 = 0.5 * lam(k) * x.params[0] ** 2;
      x.grads[0] = lam(k) * x.params[0];
      lrs.push(opt.currentLr);
      opt.step();
      const s = (f0 - 0.5 * lam(k) * x.params[0] ** 2) / f0;
      signal.push(s);
      pi.update(Math.max(s, 1e-9));
    }
    // η* with 1 − (1 − ηλ)² = s*
    const etaStar = (l: number) => (1 - Math.sqrt(1 - p.setpoint)) / l;
    const settled = (from: number, to: number) => mean(signal.slice(from, to).map((s) => Math.abs(Math.log(Math.max(s, 1e-9) / p.setpoint))));
    const q = Math.floor(half / 2);
    const e1 = settled(half - q, half), e2 = settled(p.steps - q, p.steps);
    const lr1 = Math.abs(lrs[half - 1] / etaStar(1) - 1), lr2 = Math.abs(lrs[p.steps - 1] / etaStar(p.jump) - 1);
    const checks = [
      atMost('mean |log(s/s*)| over the last quarter before the jump', e1, 0.01),
      atMost('mean |log(s/s*)| over the last quarter after the jump', e2, 0.01),
      atMost('|η/η* − 1| before the jump', lr1, 0.01),
      atMost('|η/η* − 1| at the end (after the jump)', lr2, 0.01),
    ];
    return result(
      checks,
      [
        { name: 'signal s_k', y: signal.map((s) => Math.max(s, 1e-6)) },
        { name: 'setpoint s*', y: signal.map(() => p.setpoint), dashed: true },
        { name: 'η_k', y: lrs },
      ],
      { xLabel: 'step', yLabel: 'relative decrease / learning rate', logY: true },
      {
        header: ['phase', 'λ', 'η at end', 'η*', 'mean |log(s/s*)|'],
        rows: [
          ['before the jump', 1, fmt(lrs[half - 1]), fmt(etaStar(1)), fmt(e1)],
          ['after the jump', p.jump, fmt(lrs[p.steps - 1]), fmt(etaStar(p.jump)), fmt(e2)],
        ],
      },
    );
  },
};
