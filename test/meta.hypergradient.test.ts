// Hypergradients by implicit differentiation (weight decay) and through an unrolled
// run (lr): ridge closed form, central finite differences of the retrained
// validation loss, bad input (src/meta/hypergradient.ts).
import { describe, expect, it } from 'vitest';
import { Dataset } from '../src/data/dataset.js';
import { ValueError } from '../src/errors.js';
import { hypergradient } from '../src/meta/hypergradient.js';
import { BUILDS, engineFor, rng } from './helpers.js';

function regression(n: number, d: number, seed: number, noise = 0.3): Dataset {
  const r = rng(seed);
  const x = new Float32Array(n * d), y = new Float32Array(n);
  const w = [0.8, -1.2, 0.5, 2, -0.3].slice(0, d);
  for (let i = 0; i < n; i++) {
    let t = 0.3;
    for (let j = 0; j < d; j++) t += w[j] * (x[i * d + j] = 2 * r() - 1);
    y[i] = t + noise * (2 * r() - 1);
  }
  return new Dataset(x, y, { numFeatures: d });
}

/** f64 ridge: θ* = (AᵀA/n + λI)⁻¹Aᵀy/n with A = [X, 1] (bias decayed too), and dL_val/dλ = −g_valᵀ(H + λI)⁻¹θ*. */
function ridge(train: Dataset, val: Dataset, lambda: number): { grad: number; value: number; theta: number[] } {
  const d = train.numFeatures, p = d + 1;
  const rows = (ds: Dataset) => Array.from({ length: ds.length }, (_, i) => [...Array.from(ds.features.subarray(i * d, i * d + d)), 1]);
  const A = rows(train), Av = rows(val);
  const M = Array.from({ length: p }, (_, i) => Array.from({ length: p }, (_, j) => A.reduce((s, a) => s + a[i] * a[j], 0) / train.length + (i === j ? lambda : 0)));
  const solve = (b: number[]): number[] => {
    const a = M.map((row, i) => [...row, b[i]]);
    for (let c = 0; c < p; c++) {
      for (let r = c + 1; r < p; r++) {
        const f = a[r][c] / a[c][c];
        for (let k = c; k <= p; k++) a[r][k] -= f * a[c][k];
      }
    }
    const x = new Array<number>(p).fill(0);
    for (let r = p - 1; r >= 0; r--) x[r] = (a[r][p] - a[r].slice(r + 1, p).reduce((s, v, k) => s + v * x[r + 1 + k], 0)) / a[r][r];
    return x;
  };
  const theta = solve(Array.from({ length: p }, (_, i) => A.reduce((s, a, k) => s + a[i] * train.targets[k], 0) / train.length));
  const res = Av.map((a, k) => a.reduce((s, v, i) => s + v * theta[i], 0) - val.targets[k]);
  const value = res.reduce((s, e) => s + e * e, 0) / (2 * val.length);
  const gv = Array.from({ length: p }, (_, i) => Av.reduce((s, a, k) => s + a[i] * res[k], 0) / val.length);
  const v = solve(gv);
  return { grad: -v.reduce((s, x, i) => s + x * theta[i], 0), value, theta };
}

describe('meta.hypergradient', () => {
  it.each(BUILDS)('weight decay on ridge regression equals the closed form within 1e-5 (relative), %s build', async (build) => {
    const engine = await engineFor(build);
    const train = regression(64, 4, 1), val = regression(40, 4, 2);
    for (const [lambda, hvp] of [[0.01, 'exact'], [0.1, 'exact'], [1, 'exact'], [0.01, 'central-difference'], [0.1, 'central-difference']] as const) {
      const model = engine.nn.linear(4, 1, { seed: 3 });
      // a quadratic loss: the central difference is exact for any step, so a long one keeps f32 rounding out
      const r = hypergradient(engine, { model, train, validation: val, hyper: 'weightDecay', value: lambda, hvp, hvpStep: 1, inner: { tol: 1e-9 } });
      expect(r.hvp).toBe(hvp);
      const ref = ridge(train, val, lambda);
      expect(Math.abs(r.grad - ref.grad), `λ ${lambda}: ${r.grad} vs ${ref.grad}`).toBeLessThanOrEqual(1e-5 * Math.abs(ref.grad));
      expect(r.value).toBeCloseTo(ref.value, 6);
      expect(r.cgIterations).toBeLessThanOrEqual(10);
      expect(r.residual).toBeLessThan(1e-6);
      model.dispose();
    }
  });

  it('weight decay on a small MLP is within 1e-3 of central differences of the retrained validation loss', async () => {
    const engine = await engineFor('simd');
    const train = regression(80, 3, 4), val = regression(50, 3, 5);
    const model = engine.nn.mlp([3, 6, 1], { activation: 'tanh', seed: 1 });
    const start = model.parameters().slice();
    const lambda = 0.05;
    const opts = { model, train, validation: val, hyper: 'weightDecay' as const, inner: { tol: 1e-9, maxIter: 5000 }, from: start };
    const r = hypergradient(engine, { ...opts, value: lambda });
    const dh = 1e-2;
    const up = hypergradient(engine, { ...opts, value: lambda * (1 + dh), from: r.parameters });
    const down = hypergradient(engine, { ...opts, value: lambda * (1 - dh), from: r.parameters });
    const fd = (up.value - down.value) / (2 * lambda * dh);
    expect(Math.abs(r.grad - fd), `${r.grad} vs ${fd}`).toBeLessThanOrEqual(1e-3 * Math.abs(fd));
    expect(r.stationarity).toBeLessThan(1e-5);
    model.dispose();
  });

  it('lr through an unrolled run is within 1e-3 of central differences', async () => {
    const engine = await engineFor('simd');
    const train = regression(60, 3, 6), val = regression(40, 3, 7);
    const model = engine.nn.mlp([3, 5, 1], { activation: 'tanh', seed: 2 });
    const start = model.parameters().slice();
    const opts = { model, train, validation: val, hyper: 'lr' as const, weightDecay: 0.01, inner: { steps: 15 }, from: start };
    const eta = 0.2, dh = 1e-2;
    const r = hypergradient(engine, { ...opts, value: eta });
    const up = hypergradient(engine, { ...opts, value: eta * (1 + dh) });
    const down = hypergradient(engine, { ...opts, value: eta * (1 - dh) });
    const fd = (up.value - down.value) / (2 * eta * dh);
    expect(Math.abs(r.grad - fd), `${r.grad} vs ${fd}`).toBeLessThanOrEqual(1e-3 * Math.abs(fd));
    expect(r.innerIterations).toBe(15);
    model.dispose();
  });

  it('bad input: a ValueError naming the argument, and the model unchanged', async () => {
    const engine = await engineFor('simd');
    const train = regression(20, 2, 1), val = regression(10, 2, 2);
    const model = engine.nn.linear(2, 1, { seed: 1 });
    const before = model.parameters().slice();
    const ok = { model, train, validation: val, hyper: 'weightDecay' as const, value: 0.1 };
    expect(() => hypergradient(engine, { ...ok, hyper: 'momentum' as never })).toThrow(/hyper must be one of weightDecay, lr .* got "momentum"/);
    expect(() => hypergradient(engine, { ...ok, value: -1 })).toThrow(/value \(weightDecay\) must be a finite number >= 0, got -1/);
    expect(() => hypergradient(engine, { ...ok, hyper: 'lr', value: 0 })).toThrow(/value \(lr\) must be a finite number > 0, got 0/);
    expect(() => hypergradient(engine, { ...ok, validation: regression(10, 3, 2) })).toThrow(/validation has 3 features/);
    expect(() => hypergradient(engine, { ...ok, from: [1, 2] })).toThrow(ValueError);
    expect(() => hypergradient(engine, { ...ok, hvp: 'fd' as never })).toThrow(/hvp must be 'exact' or 'central-difference', got "fd"/);
    expect(Array.from(model.parameters())).toEqual(Array.from(before));
    model.dispose();
  });

  it('engine.meta.tuneHyper: gradient descent on log λ reaches the ridge validation optimum', async () => {
    const engine = await engineFor('simd');
    const train = regression(8, 5, 11, 2), val = regression(200, 5, 12, 2);
    const model = engine.nn.linear(5, 1, { seed: 3 });
    const t = engine.meta.tuneHyper({ model, train, validation: val, hyper: 'weightDecay', init: 1, steps: 15, stepSize: 4 });
    expect(t.history).toHaveLength(16);
    expect(t.history[0].value).toBe(1);
    // the closed form on a fine log grid
    let best = { lambda: NaN, loss: Infinity };
    for (let e = -40; e <= 10; e++) {
      const lambda = 10 ** (e / 10), v = ridge(train, val, lambda).value;
      if (v < best.loss) best = { lambda, loss: v };
    }
    expect(t.loss).toBeLessThan(t.history[0].loss);
    expect(t.loss - best.loss).toBeLessThan(1e-4 * best.loss + 1e-6);
    expect(Math.abs(Math.log10(t.value / best.lambda))).toBeLessThan(0.15);
    expect(() => engine.meta.tuneHyper({ model, train, validation: val, hyper: 'weightDecay', init: 0 })).toThrow(/init must be a finite number > 0, got 0/);
    model.dispose();
  });
});
