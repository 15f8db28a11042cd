/**
 * Noise and schedules on a non-convex landscape: the mini-batch gradient (claim 5),
 * Langevin escape from a sharp minimum (claim 6), cosine against exponential decay
 * (claim 9) and cyclical rates escaping a sharp minimum (claim 24). The particles of a
 * run are the coordinates of one `engine.vector` (independent 1-D walkers), stepped by
 * `engine.optim.langevin` or `sgd` with the engine's schedules.
 */
import type { Engine } from '../engine.js';
import { cosineAnnealing, cyclic, exponential, type Schedule } from '../schedule/index.js';
import { atLeast, atMost, type Experiment, result } from './types.js';
import { fmt, gaussian, maxAbsDiff, norm, stream } from './util.js';

/**
 * A 1-D landscape with a sharp well at −1 (width 0.1, curvature ≈ 100) and a wide well at
 * 1.5 (width 0.6, curvature ≈ 2.8), both of depth 1, in a weak bowl 0.02x²:
 * f(x) = −e^{−(x+1)²/0.02} − e^{−(x−1.5)²/0.72} + 0.02x².
 */
const SHARP = -1, WIDE = 1.5, S1 = 0.1, S2 = 0.6;
export function wellGrad(x: number): number {
  const a = Math.exp(-((x - SHARP) ** 2) / (2 * S1 * S1)), b = Math.exp(-((x - WIDE) ** 2) / (2 * S2 * S2));
  return (a * (x - SHARP)) / (S1 * S1) + (b * (x - WIDE)) / (S2 * S2) + 0.04 * x;
}
/** the barrier between the wells (where f' changes sign from − to + going right from the sharp well) */
const BARRIER = (() => {
  let x = SHARP + 0.05;
  while (wellGrad(x) > 0) x += 1e-3;
  return x;
})();

/** Runs `count` walkers from x0 under `make(vector)` for `steps`; returns the final positions and the fraction that ever crossed the barrier. */
function walkers(engine: Engine, count: number, x0: number, steps: number, make: (x: ReturnType<Engine['vector']>) => { step(): unknown }) {
  const x = engine.vector(count, new Array(count).fill(x0));
  const opt = make(x);
  const crossed = new Uint8Array(count);
  for (let k = 0; k < steps; k++) {
    const p = x.params, g = x.grads;
    for (let i = 0; i < count; i++) g[i] = wellGrad(p[i]);
    opt.step();
    for (let i = 0; i < count; i++) if (x.params[i] > BARRIER) crossed[i] = 1;
  }
  const final = Array.from(x.params);
  return { final, crossed: crossed.reduce((s, v) => s + v, 0) / count };
}

export const minibatchUnbiased: Experiment = {
  name: 'minibatch-unbiased',
  title: 'The mini-batch gradient is unbiased; batch size n is full-batch GD',
  claim: 'A uniformly drawn mini-batch gradient averages to the full-batch gradient, and training with batch size n reproduces full-batch gradient descent exactly.',
  source: 'Robbins & Monro (1951); Bottou, Curtis & Nocedal, SIAM Review 2018, §3.2 (eq. 3.5-3.7)',
  params: {
    n: { default: 64, min: 8, max: 4096, integer: true, help: 'samples' },
    batch: { default: 8, min: 1, max: 4096, integer: true, help: 'mini-batch size' },
    draws: { default: 3000, min: 100, max: 100000, integer: true, help: 'mini-batches averaged' },
    bias: { default: 0, min: 0, max: 1, help: 'over-weight of the first half of the samples when drawing (0: uniform)' },
  },
  small: { draws: 1500 },
  stochastic: true,
  counter: { params: { bias: 1 }, why: 'drawing the first half twice as often biases the mean' },
  run(engine, p, seed) {
    const r = stream(seed, 5);
    const d = 6, n = p.n;
    const X = gaussian(r, n, d), w = gaussian(r, d, 1);
    const y = Array.from({ length: n }, (_, i) => r.normal() + X[i * d] * 2);
    const model = engine.nn.mlp([d, 8, 1], { activation: 'tanh', seed });
    const P = model.numParameters;
    const grad = (rows: number[]) => {
      const xb = engine.tensor([rows.length, d], rows.flatMap((i) => Array.from(X.subarray(i * d, (i + 1) * d))));
      const yb = engine.tensor([rows.length, 1], rows.map((i) => y[i]));
      model.lossAndGrad(xb, yb, 'mse');
      return Float64Array.from(model.gradients());
    };
    void w;
    const all = Array.from({ length: n }, (_, i) => i);
    const full = grad(all);
    const sum = new Float64Array(P), sq = new Float64Array(P);
    const mark = engine.arena.mark();
    for (let t = 0; t < p.draws; t++) {
      const rows: number[] = [];
      while (rows.length < Math.min(p.batch, n)) {
        const i = r.uniform() < p.bias * 0.5 ? r.int(n >> 1) : r.int(n);
        if (!rows.includes(i)) rows.push(i);
      }
      const g = grad(rows);
      for (let j = 0; j < P; j++) { sum[j] += g[j]; sq[j] += g[j] * g[j]; }
      engine.arena.reset(mark);
    }
    let z = 0;
    for (let j = 0; j < P; j++) {
      const m = sum[j] / p.draws, se = Math.sqrt(Math.max(sq[j] / p.draws - m * m, 1e-30) / p.draws);
      z = Math.max(z, Math.abs(m - full[j]) / se);
    }
    // batch size n (shuffled) against full-batch GD: 20 sgd steps each from the same start
    const start = model.parameters().slice();
    const traj = (shuffle: boolean) => {
      model.setParameters(start);
      const opt = engine.optim.sgd(model, { lr: 0.05 });
      const out: number[] = [];
      for (let k = 0; k < 20; k++) {
        const rows = shuffle ? Array.from(r.permutation(n)) : all;
        const xb = engine.tensor([n, d], rows.flatMap((i) => Array.from(X.subarray(i * d, (i + 1) * d))));
        const yb = engine.tensor([n, 1], rows.map((i) => y[i]));
        out.push(model.lossAndGrad(xb, yb, 'mse'));
        opt.step();
        engine.arena.reset(mark);
      }
      return { out, params: model.parameters().slice() };
    };
    const gd = traj(false), sgdN = traj(true);
    const checks = [
      atMost('max_j |mean mini-batch gradient − full gradient| / standard error (Bonferroni over parameters)', z, 4.5),
      atMost('max |θ(batch n, shuffled) − θ(full-batch GD)| after 20 steps', maxAbsDiff(gd.params, sgdN.params), 1e-5),
    ];
    return result(
      checks,
      [
        { name: 'full-batch GD', y: gd.out },
        { name: 'batch size n, shuffled', y: sgdN.out, dashed: true },
      ],
      { xLabel: 'step', yLabel: 'mse' },
      { header: ['parameters', 'draws', 'max z', '‖full gradient‖'], rows: [[P, p.draws, fmt(z), fmt(norm(full))]] },
    );
  },
};

export const langevinEscape: Experiment = {
  name: 'langevin-escape',
  title: 'Langevin noise escapes a sharp minimum; more with temperature',
  claim: 'Started in the sharp well of a double well, Langevin dynamics escapes over the barrier with a probability that rises with the temperature, while noiseless gradient descent never escapes.',
  source: 'Kramers, Physica 7 (1940); Welling & Teh (ICML 2011); Zhu, Wu, Yu, Wu & Ma, "The anisotropic noise in SGD" (ICML 2019)',
  params: {
    walkers: { default: 400, min: 50, max: 100000, integer: true, help: 'independent walkers per temperature' },
    steps: { default: 3000, min: 200, max: 100000, integer: true, help: 'steps (lr 1e-3)' },
    tmax: { default: 0.3, min: 0.01, max: 2, help: 'largest temperature (grid 0, tmax/4, tmax/2, tmax)' },
  },
  small: { walkers: 200, steps: 2000 },
  stochastic: true,
  run(engine, p, seed) {
    const temps = [0, p.tmax / 4, p.tmax / 2, p.tmax];
    const esc = temps.map((T, i) => walkers(engine, p.walkers, SHARP, p.steps, (x) => engine.optim.langevin(x, { lr: 1e-3, temperature: T, seed: seed * 8 + i })).crossed);
    let drops = 0;
    for (let i = 1; i < temps.length; i++) if (esc[i] < esc[i - 1]) drops++;
    const checks = [
      atMost('escape fraction at T = 0', esc[0], 0),
      atMost('temperature steps where the escape fraction falls', drops, 0),
      atLeast(`escape fraction at T = ${p.tmax}`, esc[3], 0.3),
      atLeast(`escape fraction at T = ${p.tmax} − at T = ${p.tmax / 4}`, esc[3] - esc[1], 0.2),
    ];
    return result(checks, [{ name: 'escaped fraction', x: temps, y: esc }], { xLabel: 'temperature T', yLabel: 'fraction that crossed the barrier' }, {
      header: ['T', 'escaped fraction'],
      rows: temps.map((T, i) => [fmt(T), fmt(esc[i])]),
    });
  },
};

export const scheduleBasins: Experiment = {
  name: 'cosine-vs-exponential-basins',
  title: 'Cosine and exponential decay end in different basins',
  claim: 'Two learning-rate schedules with the same start and end rates (cosine and exponential decay) drive noisy gradient descent on a non-convex landscape into different basins for a sizeable fraction of seeds.',
  source: 'Loshchilov & Hutter, "SGDR" (ICLR 2017); Smith, Elsen & De, "On the generalization benefit of noise in SGD" (ICML 2020)',
  params: {
    walkers: { default: 400, min: 50, max: 100000, integer: true, help: 'seeds (walkers)' },
    steps: { default: 2000, min: 200, max: 100000, integer: true, help: 'steps' },
    temperature: { default: 1, min: 0, max: 5, help: 'Langevin temperature (noise √(2ηT))' },
  },
  small: { walkers: 200, steps: 1500 },
  stochastic: true,
  counter: { params: { temperature: 0 }, why: 'without noise both schedules descend into the starting basin' },
  run(engine, p, seed) {
    const hi = 0.05, lo = 1e-4;
    const cos = cosineAnnealing({ lr: hi, tMax: p.steps, etaMin: lo });
    const exp = exponential({ lr: hi, gamma: (lo / hi) ** (1 / p.steps) });
    // the same noise stream for both: the schedules alone differ
    const run = (s: Schedule) => walkers(engine, p.walkers, 0, p.steps, (x) => engine.optim.langevin(x, { lr: s, temperature: p.temperature, seed })).final;
    const a = run(cos), b = run(exp);
    const basin = (x: number) => (x > BARRIER ? 1 : 0);
    let differ = 0, wideA = 0, wideB = 0;
    for (let i = 0; i < p.walkers; i++) {
      if (basin(a[i]) !== basin(b[i])) differ++;
      wideA += basin(a[i]);
      wideB += basin(b[i]);
    }
    const checks = [
      atLeast('fraction of seeds ending in different basins', differ / p.walkers, 0.05),
      atMost('|η_cos(0) − η_exp(0)| + |η_cos(T) − η_exp(T)| (same endpoints)', Math.abs(cos(0) - exp(0)) + Math.abs(cos(p.steps) - exp(p.steps)), 1e-9),
    ];
    return result(
      checks,
      [
        { name: 'cosine', y: Array.from({ length: p.steps }, (_, t) => cos(t)) },
        { name: 'exponential', y: Array.from({ length: p.steps }, (_, t) => exp(t)) },
      ],
      { xLabel: 'step', yLabel: 'learning rate', logY: true },
      {
        header: ['schedule', 'fraction in the wide basin'],
        rows: [['cosine', fmt(wideA / p.walkers)], ['exponential', fmt(wideB / p.walkers)], ['differ', fmt(differ / p.walkers)]],
      },
    );
  },
};

export const cyclicEscape: Experiment = {
  name: 'cyclic-lr-escapes-sharp-minimum',
  title: 'Cyclical learning rates escape sharp minima',
  claim: 'A cyclical learning rate whose peak exceeds 2/λ of a sharp minimum escapes it and settles in a wide one far more often than a constant small rate does.',
  source: 'Smith, "Cyclical Learning Rates for Training Neural Networks" (WACV 2017); Keskar et al. (ICLR 2017) (sharp minima); Wu, Ma & E (NeurIPS 2018) (linear stability)',
  params: {
    peak: { default: 0.1, min: 0.001, max: 0.3, help: 'peak rate of the cycle (2/λ_sharp ≈ 0.02)' },
    walkers: { default: 300, min: 20, max: 100000, integer: true, help: 'walkers' },
    steps: { default: 1200, min: 200, max: 100000, integer: true, help: 'steps' },
  },
  small: { walkers: 150, steps: 800 },
  stochastic: true,
  counter: { params: { peak: 0.01 }, why: 'a peak below 2/λ_sharp keeps the sharp minimum stable' },
  run(engine, p, seed) {
    const base = 1e-3, T = 1e-3;
    const cyc = cyclic({ lr: base, maxLr: p.peak, stepSizeUp: Math.floor(p.steps / 8), stepSizeDown: Math.floor(p.steps / 8) });
    // end on the small rate: the last quarter is constant at base
    const sched = (t: number) => (t < (3 * p.steps) / 4 ? cyc(t) : base);
    const r = stream(seed, 24);
    const starts = Array.from({ length: p.walkers }, () => SHARP + 0.02 * r.normal());
    const run = (lr: number | ((t: number) => number)) => {
      const x = engine.vector(p.walkers, starts);
      const opt = engine.optim.langevin(x, { lr, temperature: T, seed });
      for (let k = 0; k < p.steps; k++) {
        for (let i = 0; i < p.walkers; i++) x.grads[i] = wellGrad(x.params[i]);
        opt.step();
      }
      return Array.from(x.params);
    };
    const inWide = (a: number[]) => a.filter((v) => v > BARRIER && Math.abs(v - WIDE) < 0.5).length / a.length;
    const c = inWide(run(sched)), k = inWide(run(base));
    const checks = [
      atLeast('cyclical: fraction ending in the wide minimum', c, 0.8),
      atMost('constant small rate: fraction ending in the wide minimum', k, 0.1),
    ];
    return result(checks, [{ name: 'cyclical rate', y: Array.from({ length: p.steps }, (_, t) => sched(t)) }, { name: 'constant', y: new Array(p.steps).fill(base), dashed: true }], { xLabel: 'step', yLabel: 'learning rate', logY: true }, {
      header: ['schedule', 'fraction in the wide minimum'],
      rows: [['cyclical', fmt(c)], ['constant', fmt(k)]],
    });
  },
};
