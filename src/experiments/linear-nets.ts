/**
 * Deep linear networks on random data (claims 10-13) and early stopping as ridge
 * (claim 16). The nets are `engine.nn.deepLinear` trained with `engine.optim.adam` on
 * the engine's mse; the reference errors (least squares, best rank r, ridge) come from
 * `engine.linalg` (Cholesky, eigh).
 */
import type { Engine } from '../engine.js';
import { atLeast, atMost, type Experiment, result } from './types.js';
import { clampSeries, fmt, gaussian, type Random, stream } from './util.js';

/** A row-major m·n matrix with orthonormal columns scaled by `scale` (Gram-Schmidt on Gaussian columns). */
export function orthonormalColumns(r: Random, m: number, n: number, scale = 1): Float64Array {
  const A = gaussian(r, m, n);
  for (let j = 0; j < n; j++) {
    for (let k = 0; k < j; k++) {
      let s = 0;
      for (let i = 0; i < m; i++) s += A[i * n + j] * A[i * n + k];
      for (let i = 0; i < m; i++) A[i * n + j] -= s * A[i * n + k];
    }
    let s = 0;
    for (let i = 0; i < m; i++) s += A[i * n + j] ** 2;
    s = Math.sqrt(s);
    for (let i = 0; i < m; i++) A[i * n + j] /= s;
  }
  return A.map((v) => v * scale);
}

/** AᵀB for row-major A (m·a) and B (m·b): a·b. */
function atb(A: ArrayLike<number>, B: ArrayLike<number>, m: number, a: number, b: number): Float64Array {
  const C = new Float64Array(a * b);
  for (let i = 0; i < m; i++) for (let p = 0; p < a; p++) for (let q = 0; q < b; q++) C[p * b + q] += A[i * a + p] * B[i * b + q];
  return C;
}

/** Sum of squares of Y − X·(XᵀX)⁻¹XᵀY (the least-squares residual), X m·d of full column rank, Y m·k. */
function lsResidual(engine: Engine, X: Float64Array, Y: Float64Array, m: number, d: number, k: number): number {
  const { L } = engine.linalg.cholesky(atb(X, X, m, d, d));
  const XtY = atb(X, Y, m, d, k);
  let ss = 0;
  const W = new Float64Array(d * k);
  for (let q = 0; q < k; q++) {
    const w = engine.linalg.choleskySolve(L, Array.from({ length: d }, (_, p) => XtY[p * k + q]));
    for (let p = 0; p < d; p++) W[p * k + q] = w[p];
  }
  for (let i = 0; i < m; i++) for (let q = 0; q < k; q++) {
    let s = Y[i * k + q];
    for (let p = 0; p < d; p++) s -= X[i * d + p] * W[p * k + q];
    ss += s * s;
  }
  return ss;
}

/** Trains deepLinear(sizes) on (X, Y) with full-batch Adam; returns the curve of the engine's mse (half-mean Σ‖ŷ − y‖²/2n). */
function train(engine: Engine, X: Float64Array, Y: Float64Array, n: number, sizes: number[], steps: number, lr: number, seed: number): number[] {
  const model = engine.nn.deepLinear(sizes, { seed });
  const x = engine.tensor([n, sizes[0]], X), y = engine.tensor([n, sizes[sizes.length - 1]], Y);
  const opt = engine.optim.adam(model, { lr });
  const curve: number[] = [];
  for (let t = 0; t < steps; t++) {
    curve.push(model.lossAndGrad(x, y, 'mse'));
    opt.step();
  }
  curve.push(model.lossAndGrad(x, y, 'mse'));
  model.dispose();
  return curve;
}

const DEEP_PARAMS = {
  n: { default: 24, min: 2, max: 512, integer: true, help: 'samples' },
  d: { default: 32, min: 2, max: 512, integer: true, help: 'input dimension' },
  k: { default: 4, min: 1, max: 64, integer: true, help: 'outputs (random targets)' },
  width: { default: 48, min: 1, max: 512, integer: true, help: 'hidden width (2 hidden layers)' },
  steps: { default: 1500, min: 50, max: 50000, integer: true, help: 'full-batch Adam steps' },
} as const;

/** Random data for claims 10-12: X with orthonormal rows when n ≤ d (Gaussian otherwise), Y ~ N(0, 1). */
function randomData(p: Record<string, number>, seed: number, salt: number) {
  const r = stream(seed, salt);
  const X = p.n <= p.d ? transpose(orthonormalColumns(r, p.d, p.n, Math.sqrt(p.d)), p.d, p.n) : gaussian(r, p.n, p.d);
  const Y = gaussian(r, p.n, p.k);
  return { X, Y };
}

function transpose(A: Float64Array, m: number, n: number): Float64Array {
  const B = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) B[j * m + i] = A[i * n + j];
  return B;
}

export const deepLinearInterpolates: Experiment = {
  name: 'deep-linear-interpolates',
  title: 'A wide deep linear net interpolates random targets when n ≤ d',
  claim: 'A deep linear network whose hidden layers are at least as wide as its output fits n random targets exactly (loss → 0) when the n inputs are linearly independent (n ≤ d).',
  source: 'Zhang, Bengio, Hardt, Recht & Vinyals, "Understanding deep learning requires rethinking generalization" (ICLR 2017), §5; Arora, Cohen & Hazan (ICML 2018)',
  params: { ...DEEP_PARAMS },
  small: { steps: 800 },
  stochastic: true,
  counter: { params: { n: 64 }, why: 'n = 64 > d = 32: no linear map fits 64 random targets' },
  run(engine, p, seed) {
    const { X, Y } = randomData(p, seed, 10);
    const curve = train(engine, X, Y, p.n, [p.d, p.width, p.width, p.k], p.steps, 1e-2, seed);
    const checks = [atMost('final mse / initial mse', curve[curve.length - 1] / curve[0], 1e-4)];
    return result(checks, [{ name: `n = ${p.n}, d = ${p.d}`, y: clampSeries(curve) }], { xLabel: 'Adam step', yLabel: 'mse', logY: true }, {
      header: ['n', 'd', 'width', 'initial mse', 'final mse'],
      rows: [[p.n, p.d, p.width, fmt(curve[0]), fmt(curve[curve.length - 1])]],
    });
  },
};

export const deepLinearBottleneck: Experiment = {
  name: 'deep-linear-rank-bottleneck',
  title: 'A rank bottleneck limits a deep linear net to the best rank-r fit',
  claim: 'A deep linear network with a hidden layer of width r < k cannot interpolate: its loss stops at the best rank-r approximation error of the targets (Eckart-Young).',
  source: 'Baldi & Hornik, Neural Networks 2 (1989) (linear autoencoders, rank-r optimum); Eckart & Young, Psychometrika 1 (1936)',
  params: { ...DEEP_PARAMS, k: { default: 8, min: 2, max: 64, integer: true, help: 'outputs' }, rank: { default: 2, min: 1, max: 64, integer: true, help: 'r: bottleneck width' } },
  small: { steps: 800 },
  stochastic: true,
  counter: { params: { rank: 8 }, why: 'r = k: no bottleneck, the best rank-r error is 0' },
  run(engine, p, seed) {
    const { X, Y } = randomData(p, seed, 11);
    const curve = train(engine, X, Y, p.n, [p.d, p.width, p.rank, p.width, p.k], p.steps, 1e-2, seed);
    // X has orthonormal rows (scaled): X·Wᵀ ranges over all n·k matrices of rank ≤ r; best error = Σ_{i>r} σ_i²(Y)
    const ev = engine.linalg.eigh(atb(Y, Y, p.n, p.k, p.k)).values; // ascending σ²
    let best = 0;
    for (let i = 0; i < p.k - Math.min(p.rank, p.k); i++) best += Math.max(0, ev[i]);
    const bestMse = best / (2 * p.n); // the engine's mse is half-mean: Σ‖ŷ − y‖² / 2n
    const final = curve[curve.length - 1];
    const checks = [
      atLeast('best rank-r mse / initial mse (the fit must fail)', bestMse / curve[0], 0.05),
      atLeast('final mse / best rank-r mse', final / bestMse, 1 - 1e-3),
      atMost('final mse / best rank-r mse (reaches it)', final / bestMse, 1.05),
    ];
    return result(
      checks,
      [
        { name: `width-${p.rank} bottleneck`, y: clampSeries(curve) },
        { name: 'best rank-r mse', y: curve.map(() => Math.max(bestMse, 1e-12)), dashed: true },
      ],
      { xLabel: 'Adam step', yLabel: 'mse', logY: true },
      { header: ['r', 'k', 'best rank-r mse', 'final mse'], rows: [[p.rank, p.k, fmt(bestMse), fmt(final)]] },
    );
  },
};

export const deepLinearOverdetermined: Experiment = {
  name: 'deep-linear-overdetermined',
  title: 'With n > d a deep linear net stops at the least-squares residual',
  claim: 'With more samples than input dimensions (n > d), a deep linear network cannot go below the least-squares residual of a linear fit, and gradient training reaches it.',
  source: 'Saxe, McClelland & Ganguli (ICLR 2014), §2; any least-squares text, e.g. Golub & Van Loan (2013), §5.3',
  params: { ...DEEP_PARAMS, n: { default: 64, min: 2, max: 512, integer: true, help: 'samples' } },
  small: { steps: 800 },
  stochastic: true,
  counter: { params: { n: 24 }, why: 'n = 24 ≤ d = 32: the least-squares residual is 0' },
  run(engine, p, seed) {
    const { X, Y } = randomData(p, seed, 12);
    const curve = train(engine, X, Y, p.n, [p.d, p.width, p.width, p.k], p.steps, 1e-2, seed);
    const lsMse = p.n > p.d ? lsResidual(engine, X, Y, p.n, p.d, p.k) / (2 * p.n) : 0; // half-mean mse
    const final = curve[curve.length - 1];
    const checks = [
      atLeast('least-squares mse / initial mse (the fit must fail)', lsMse / curve[0], 0.05),
      atLeast('final mse / least-squares mse', final / lsMse, 1 - 1e-3),
      atMost('final mse / least-squares mse (reaches it)', final / lsMse, 1.05),
    ];
    return result(
      checks,
      [
        { name: `n = ${p.n} > d = ${p.d}`, y: clampSeries(curve) },
        { name: 'least-squares mse', y: curve.map(() => Math.max(lsMse, 1e-12)), dashed: true },
      ],
      { xLabel: 'Adam step', yLabel: 'mse', logY: true },
      { header: ['n', 'd', 'least-squares mse', 'final mse'], rows: [[p.n, p.d, fmt(lsMse), fmt(final)]] },
    );
  },
};

export const randomLabelsChance: Experiment = {
  name: 'random-labels-chance',
  title: 'Interpolating random labels gives chance-level test accuracy',
  claim: 'A deep linear network that fits random class labels perfectly (n ≤ d) predicts fresh random labels at chance level 1/c, while the same network trained on labels from a linear teacher generalizes.',
  source: 'Zhang, Bengio, Hardt, Recht & Vinyals (ICLR 2017), §2 (fitting random labels)',
  params: {
    n: { default: 48, min: 4, max: 512, integer: true, help: 'training samples' },
    d: { default: 64, min: 4, max: 512, integer: true, help: 'input dimension' },
    classes: { default: 4, min: 2, max: 20, integer: true, help: 'c' },
    test: { default: 2000, min: 100, max: 20000, integer: true, help: 'test samples' },
    random: { default: 1, min: 0, max: 1, integer: true, help: '1: random labels; 0: labels of a linear teacher' },
    steps: { default: 600, min: 50, max: 20000, integer: true, help: 'Adam steps' },
  },
  small: { test: 1000, steps: 400 },
  stochastic: true,
  counter: { params: { random: 0 }, why: 'teacher labels are learnable: test accuracy is far above chance' },
  run(engine, p, seed) {
    const r = stream(seed, 13);
    const c = p.classes, N = p.n + p.test;
    const X = gaussian(r, N, p.d);
    const T = gaussian(r, p.d, c);
    const labels = new Int32Array(N);
    for (let i = 0; i < N; i++) {
      if (p.random) labels[i] = r.int(c);
      else {
        let best = -Infinity;
        for (let q = 0; q < c; q++) {
          let s = 0;
          for (let j = 0; j < p.d; j++) s += X[i * p.d + j] * T[j * c + q];
          if (s > best) { best = s; labels[i] = q; }
        }
      }
    }
    const model = engine.nn.deepLinear([p.d, 64, 64, c], { seed });
    const xTrain = engine.tensor([p.n, p.d], X.subarray(0, p.n * p.d)), xTest = engine.tensor([p.test, p.d], X.subarray(p.n * p.d));
    const yTrain = labels.slice(0, p.n);
    const opt = engine.optim.adam(model, { lr: 1e-2 });
    const curve: number[] = [];
    for (let t = 0; t < p.steps; t++) {
      curve.push(model.lossAndGrad(xTrain, yTrain, 'softmaxCrossEntropy'));
      opt.step();
    }
    const acc = (x: typeof xTrain, off: number, m: number) => {
      const out = model.forward(x).data;
      let ok = 0;
      for (let i = 0; i < m; i++) {
        let arg = 0;
        for (let q = 1; q < c; q++) if (out[i * c + q] > out[i * c + arg]) arg = q;
        if (arg === labels[off + i]) ok++;
      }
      return ok / m;
    };
    const train = acc(xTrain, 0, p.n), test = acc(xTest, p.n, p.test);
    model.dispose();
    const sd = Math.sqrt(((1 / c) * (1 - 1 / c)) / p.test);
    const checks = [
      atLeast('train accuracy', train, 1),
      atMost('test accuracy − 1/c, in standard errors of a coin with p = 1/c', (test - 1 / c) / sd, 4),
    ];
    return result(checks, [{ name: 'training loss', y: clampSeries(curve) }], { xLabel: 'Adam step', yLabel: 'cross-entropy', logY: true }, {
      header: ['labels', 'train accuracy', 'test accuracy', 'chance 1/c'],
      rows: [[p.random ? 'random' : 'teacher', fmt(train), fmt(test), fmt(1 / c)]],
    });
  },
};
