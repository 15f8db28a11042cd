/**
 * Adaptive methods: Adam's bias correction (claim 8), Adam on a rare feature (claim 18),
 * per-parameter scale invariance (claim 25), clipping before Adam (claim 26) and lazy
 * (sparse) Adam (claim 27). Runs use `engine.optim.adam`, `sgd`, `sparseAdam`,
 * `clipGradNorm` and `engine.nn.linear`; Adam's moments are read from `opt.state()`.
 */
import type { Engine } from '../engine.js';
import { atLeast, atMost, type Experiment, result } from './types.js';
import { clampSeries, finiteOrInf, fmt, gaussian, maxAbsDiff, mean, stream } from './util.js';

export const adamBiasCorrection: Experiment = {
  name: 'adam-bias-correction',
  title: "Adam's bias correction and the size of the first steps",
  claim: "With bias correction Adam's first steps on a steady gradient have size ≈ η; without it the first step is η(1 − β₁)/√(1 − β₂) and step t is η(1 − β₁ᵗ)/√(1 − β₂ᵗ).",
  source: 'Kingma & Ba, "Adam" (ICLR 2015), §3 (initialization bias correction), Algorithm 1',
  params: {
    lr: { default: 1e-3, min: 1e-6, max: 1, help: 'η' },
    beta1: { default: 0.9, min: 0, max: 0.999, help: 'β₁' },
    beta2: { default: 0.999, min: 0.5, max: 0.99999, help: 'β₂' },
    grad: { default: 1, min: 1e-12, max: 1e6, help: 'the constant gradient (the claim needs |g| ≫ eps = 1e-8)' },
    steps: { default: 100, min: 10, max: 10000, integer: true, help: 'steps' },
  },
  counter: { params: { grad: 1e-9 }, why: '|g| below eps: eps dominates √v̂ and the corrected step is ≪ η' },
  run(engine, p) {
    const steps = (biasCorrection: boolean) => {
      const x = engine.vector(1);
      const opt = engine.optim.adam(x, { lr: p.lr, betas: [p.beta1, p.beta2], biasCorrection });
      const out: number[] = [];
      for (let k = 0; k < p.steps; k++) {
        const before = x.params[0];
        x.grads[0] = p.grad;
        opt.step();
        out.push(Math.abs(x.params[0] - before) / p.lr);
      }
      return out;
    };
    const on = steps(true), off = steps(false);
    const formula = on.map((_, k) => (1 - p.beta1 ** (k + 1)) / Math.sqrt(1 - p.beta2 ** (k + 1)));
    const k10 = Math.min(10, p.steps);
    const checks = [
      atMost('corrected: max_{t ≤ 10} |Δθ_t/η − 1|', Math.max(...on.slice(0, k10).map((s) => Math.abs(s - 1))), 1e-3),
      atMost('uncorrected: |Δθ₁ / (η(1 − β₁)/√(1 − β₂)) − 1|', Math.abs(off[0] / formula[0] - 1), 1e-3),
      atMost('uncorrected: max_t |Δθ_t / (η(1 − β₁ᵗ)/√(1 − β₂ᵗ)) − 1|', Math.max(...off.map((s, k) => Math.abs(s / formula[k] - 1))), 1e-3),
    ];
    return result(
      checks,
      [
        { name: 'with bias correction', y: on },
        { name: 'without', y: off },
        { name: '(1 − β₁ᵗ)/√(1 − β₂ᵗ)', y: formula, dashed: true },
      ],
      { xLabel: 'step t', yLabel: '|Δθ_t| / η', logY: true },
      { header: ['t', 'corrected Δθ/η', 'uncorrected Δθ/η', '(1 − β₁ᵗ)/√(1 − β₂ᵗ)'], rows: [0, 1, 2, 9].filter((k) => k < p.steps).map((k) => [k + 1, fmt(on[k]), fmt(off[k]), fmt(formula[k])]) },
    );
  },
};

export const rareFeature: Experiment = {
  name: 'adam-rare-feature',
  title: "Adam learns a rare feature's weight faster than SGD",
  claim: "On a regression where one feature is non-zero in a small fraction ρ of the samples and the frequent features cap SGD's stable rate, Adam (each method at its best learning rate) fits the rare feature's weight much faster than SGD, whose progress on it is slowed by the factor ρ.",
  source: 'Duchi, Hazan & Singer, JMLR 12 (2011), §1 (rare but informative features); Kingma & Ba (2015), §2',
  params: {
    rarity: { default: 0.02, min: 0.001, max: 1, help: 'ρ: probability that the rare feature is non-zero' },
    steps: { default: 600, min: 100, max: 20000, integer: true, help: 'mini-batch steps' },
    reps: { default: 6, min: 1, max: 100, integer: true, help: 'repetitions (data seeds) averaged' },
  },
  small: { steps: 400, reps: 4 },
  stochastic: true,
  counter: { params: { rarity: 1 }, why: 'ρ = 1: the feature is not rare, SGD is as fast' },
  run(engine, p, seed) {
    // y = Σ_j x_j + z over 8 common features x_j ~ N(0, 9) and one rare z = ±1 with probability ρ
    // (else 0); batch 8; loss ½ mean (wᵀx − y)². The common features cap SGD's stable rate.
    const B = 8, dc = 8;
    const grid = { sgd: [0.005, 0.01, 0.02, 0.05, 0.1], adam: [0.01, 0.03, 0.1, 0.3] } as const;
    const run = (method: 'sgd' | 'adam', lr: number, rep: number) => {
      const r = stream(seed, 1800 + rep);
      const w = engine.vector(dc + 1);
      const opt = method === 'sgd' ? engine.optim.sgd(w, { lr }) : engine.optim.adam(w, { lr });
      const err: number[] = [];
      const x = new Float64Array(dc + 1), g = new Float64Array(dc + 1);
      for (let k = 0; k < p.steps; k++) {
        g.fill(0);
        for (let b = 0; b < B; b++) {
          for (let j = 0; j < dc; j++) x[j] = 3 * r.normal();
          x[dc] = r.uniform() < p.rarity ? (r.uniform() < 0.5 ? -1 : 1) : 0;
          let res = 0;
          for (let j = 0; j <= dc; j++) res += (w.params[j] - 1) * x[j];
          for (let j = 0; j <= dc; j++) g[j] += (res * x[j]) / B;
        }
        w.grads.set(g);
        opt.step();
        err.push(finiteOrInf(Math.abs(w.params[dc] - 1)));
      }
      let common = 0;
      for (let j = 0; j < dc; j++) common = Math.max(common, finiteOrInf(Math.abs(w.params[j] - 1)));
      return { err, common };
    };
    // each method at the rate of its grid that ends with the smallest mean |w_rare − 1| (runs whose common weights end off by > 0.1 are unstable)
    const best = (method: 'sgd' | 'adam') => {
      let top = { lr: NaN, final: Infinity, curve: [1] as number[] };
      for (const lr of grid[method]) {
        const runs = Array.from({ length: p.reps }, (_, i) => run(method, lr, i));
        if (runs.some((x) => x.common > 0.1)) continue;
        const curve = runs[0].err.map((_, k) => mean(runs.map((x) => x.err[k])));
        if (curve[p.steps - 1] < top.final) top = { lr, final: curve[p.steps - 1], curve };
      }
      return top;
    };
    const sgd = best('sgd'), adam = best('adam');
    const half = (c: number[]) => { const i = c.findIndex((v) => v < 0.5); return i < 0 ? Infinity : i + 1; };
    const checks = [
      atLeast('final mean |w_rare − 1|: SGD / Adam (each at its best lr)', sgd.final / adam.final, 3),
      atMost('Adam: final mean |w_rare − 1|', adam.final, 0.1),
    ];
    return result(
      checks,
      [
        { name: `SGD (lr ${sgd.lr})`, y: clampSeries(sgd.curve) },
        { name: `Adam (lr ${adam.lr})`, y: clampSeries(adam.curve) },
      ],
      { xLabel: 'step', yLabel: '|w_rare − 1| (mean over repetitions)', logY: true },
      { header: ['method', 'best lr', 'final mean |w_rare − 1|', 'steps until the mean error < 0.5'], rows: [['SGD', sgd.lr, fmt(sgd.final), fmt(half(sgd.curve))], ['Adam', adam.lr, fmt(adam.final), fmt(half(adam.curve))]] },
    );
  },
};

export const scaledFeature: Experiment = {
  name: 'adam-scaled-feature',
  title: 'One feature ×1000: SGD diverges where Adam converges',
  claim: "With one input feature scaled by 1000, full-batch SGD at a learning rate that suits the unscaled features diverges (ηL ≫ 2), while Adam at the same rate converges, its per-parameter normalization absorbing the scale.",
  source: 'Kingma & Ba (2015), §2.1 (invariance to diagonal rescaling of the gradient); LeCun, Bottou, Orr & Müller, "Efficient BackProp" (1998), §4.3',
  params: {
    scale: { default: 1000, min: 1, max: 1e5, help: 'factor of feature 1' },
    lr: { default: 0.01, min: 1e-4, max: 0.1, help: 'η for both' },
    steps: { default: 1000, min: 100, max: 20000, integer: true, help: 'full-batch steps' },
  },
  small: { steps: 600 },
  counter: { params: { scale: 1 }, why: 'without the scaled feature SGD converges too' },
  run(engine, p, seed) {
    const m = 64, d = 4;
    const r = stream(seed, 25);
    const Z = gaussian(r, m, d);
    const wStar = [0.5, -1, 2, 1];
    const X = engine.tensor([m, d], Array.from(Z, (v, i) => (i % d === 0 ? v * p.scale : v)));
    const y = engine.tensor([m, 1], Array.from({ length: m }, (_, i) => wStar.reduce((s, w, j) => s + w * Z[i * d + j], 0)));
    const curve = (method: 'sgd' | 'adam') => {
      const model = engine.nn.linear(d, 1, { bias: false, init: 'zeros' });
      const opt = method === 'sgd' ? engine.optim.sgd(model, { lr: p.lr }) : engine.optim.adam(model, { lr: p.lr });
      const out: number[] = [];
      for (let k = 0; k < p.steps; k++) {
        const l = model.lossAndGrad(X, y, 'mse');
        out.push(finiteOrInf(l));
        if (!Number.isFinite(l) || l > 1e30) break;
        opt.step();
      }
      model.dispose();
      return out;
    };
    const sgd = curve('sgd'), adam = curve('adam');
    const l0 = adam[0];
    const checks = [
      atLeast('SGD: max loss / initial loss', Math.max(...sgd) / sgd[0], 1e6),
      atMost('Adam: final loss / initial loss', adam[adam.length - 1] / l0, 1e-3),
    ];
    return result(
      checks,
      [
        { name: 'SGD', y: clampSeries(sgd) },
        { name: 'Adam', y: clampSeries(adam) },
      ],
      { xLabel: 'step', yLabel: 'mse', logY: true },
      {
        header: ['method', 'initial loss', 'max loss', 'final loss', 'steps run'],
        rows: [['SGD', fmt(sgd[0]), fmt(Math.max(...sgd)), fmt(sgd[sgd.length - 1]), sgd.length], ['Adam', fmt(l0), fmt(Math.max(...adam)), fmt(adam[adam.length - 1]), adam.length]],
      },
    );
  },
};

export const clipBeforeAdam: Experiment = {
  name: 'clip-before-adam',
  title: 'Clipping before Adam lowers v and enlarges the step',
  claim: "Clipping the gradient before Adam keeps a gradient spike out of the second moment v, so after the spike v is smaller and Adam's steps are larger than without clipping.",
  source: 'Kingma & Ba (2015), Algorithm 1; Zhang, He, Sra & Jadbabaie, "Why gradient clipping accelerates training" (ICLR 2020)',
  params: {
    spike: { default: 1000, min: 1, max: 1e6, help: 'size of the one gradient spike (the other gradients are 1)' },
    maxNorm: { default: 2, min: 0.1, max: 1e7, help: 'clip threshold; the claim needs maxNorm < spike' },
    steps: { default: 200, min: 50, max: 10000, integer: true, help: 'steps (spike at step 10)' },
  },
  counter: { params: { maxNorm: 1e4 }, why: 'a threshold above the spike clips nothing' },
  run(engine, p) {
    const run = (clip: boolean) => {
      const x = engine.vector(1);
      const opt = engine.optim.adam(x, { lr: 1e-3 });
      const steps: number[] = [], vs: number[] = [];
      for (let k = 0; k < p.steps; k++) {
        const before = x.params[0];
        x.grads[0] = k === 10 ? p.spike : 1;
        if (clip) engine.optim.clipGradNorm(x, p.maxNorm);
        opt.step();
        steps.push(Math.abs(x.params[0] - before) / 1e-3);
        vs.push(opt.state().groups[0].buffers.v[0]);
      }
      return { steps, vs };
    };
    const plain = run(false), clipped = run(true);
    const after = (a: number[]) => mean(a.slice(11, Math.min(p.steps, 61)));
    const checks = [
      atMost('v after the spike: clipped / plain (mean over 50 steps)', after(clipped.vs) / after(plain.vs), 0.01),
      atLeast('step size after the spike: clipped / plain (mean over 50 steps)', after(clipped.steps) / after(plain.steps), 5),
    ];
    return result(
      checks,
      [
        { name: 'Adam', y: plain.steps },
        { name: `clip to ${p.maxNorm}, then Adam`, y: clipped.steps },
      ],
      { xLabel: 'step', yLabel: '|Δθ| / η', logY: true },
      {
        header: ['run', 'mean v (steps 12-61)', 'mean |Δθ|/η (steps 12-61)'],
        rows: [['Adam', fmt(after(plain.vs)), fmt(after(plain.steps))], ['clip + Adam', fmt(after(clipped.vs)), fmt(after(clipped.steps))]],
      },
    );
  },
};

export const lazyAdam: Experiment = {
  name: 'lazy-adam-rows',
  title: 'Lazy Adam changes only the touched rows',
  claim: 'Lazy (sparse) Adam leaves the embedding rows a step does not touch bit-for-bit unchanged, equals dense Adam on rows touched at every step, and differs from it on rows touched only sometimes (where dense Adam keeps moving them by momentum).',
  source: 'PyTorch torch.optim.SparseAdam; TensorFlow Addons LazyAdam; Kingma & Ba (2015), Algorithm 1',
  params: {
    rows: { default: 50, min: 4, max: 10000, integer: true, help: 'embedding rows' },
    dim: { default: 8, min: 1, max: 256, integer: true, help: 'row length' },
    steps: { default: 100, min: 5, max: 10000, integer: true, help: 'steps' },
  },
  small: { rows: 20, steps: 40 },
  stochastic: true,
  run(engine: Engine, p, seed) {
    // rows 0-1 are touched every step, rows 2..R/2 at random, the rest never
    const R = p.rows, D = p.dim, half = Math.floor(R / 2);
    const r = stream(seed, 27);
    const init = Float32Array.from(gaussian(r, R, D));
    const lazyT = engine.vector(R * D, init), denseT = engine.vector(R * D, init);
    const lazy = engine.optim.sparseAdam(lazyT, { lr: 0.01, dim: D });
    const dense = engine.optim.adam(denseT, { lr: 0.01 });
    const hot = [0, 1];
    let hotDiff = 0;
    for (let k = 0; k < p.steps; k++) {
      const touched = [...hot];
      for (let i = 2; i < half; i++) if (r.uniform() < 0.3) touched.push(i);
      lazyT.grads.fill(0);
      denseT.grads.fill(0);
      for (const i of touched) for (let j = 0; j < D; j++) {
        const g = r.normal();
        lazyT.grads[i * D + j] = g;
        denseT.grads[i * D + j] = g;
      }
      lazy.step(touched);
      dense.step();
      hotDiff = Math.max(hotDiff, maxAbsDiff(lazyT.params.subarray(0, 2 * D), denseT.params.subarray(0, 2 * D)));
    }
    const cold = maxAbsDiff(lazyT.params.subarray(half * D), init.subarray(half * D));
    const denseCold = maxAbsDiff(denseT.params.subarray(half * D), init.subarray(half * D));
    const some = maxAbsDiff(lazyT.params.subarray(2 * D, half * D), denseT.params.subarray(2 * D, half * D));
    const checks = [
      atMost('max |Δ| of never-touched rows (lazy, f32 bits)', cold, 0),
      atMost('max |lazy − dense| on rows touched every step', hotDiff, 1e-5),
      atLeast('max |lazy − dense| on rows touched sometimes', some, 1e-4),
    ];
    const rowMove = (t: Float32Array) => Array.from({ length: R }, (_, i) => maxAbsDiff(t.subarray(i * D, (i + 1) * D), init.subarray(i * D, (i + 1) * D)));
    return result(
      checks,
      [
        { name: 'lazy Adam: max |θ − θ₀| per row', y: rowMove(lazyT.params) },
        { name: 'dense Adam', y: rowMove(denseT.params), dashed: true },
      ],
      { xLabel: 'row (0-1 hot, then sometimes, then never touched)', yLabel: 'max |θ − θ₀|' },
      { header: ['rows', 'lazy vs dense', 'moved (lazy)', 'moved (dense)'], rows: [['hot (0-1)', fmt(hotDiff), '', ''], [`sometimes (2-${half - 1})`, fmt(some), '', ''], [`never (${half}-${R - 1})`, '', fmt(cold), fmt(denseCold)]] },
    );
  },
};
