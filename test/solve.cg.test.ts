// src/solve/cg.ts: linear CG solves SPD systems (dense and matrix-free), terminates in
// at most n steps in exact arithmetic (checked on well-conditioned systems), and is
// heavy-ball momentum with per-step coefficients: PyTorch's SGD-momentum update
// (buf = μ·buf + g; x −= lr·buf) with lr = α_k and μ = β_{k−1} from CG's record
// reproduces CG's iterates one for one.
import { describe, expect, it } from 'vitest';
import { cg, ShapeError, ValueError } from '../src/index.js';
import { expectClose, rng } from './helpers.js';

function spd(n: number, seed: number, shift = 1): Float64Array {
  const r = rng(seed);
  const M = Float64Array.from({ length: n * n }, () => r() - 0.5);
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let s = i === j ? shift : 0;
    for (let k = 0; k < n; k++) s += M[i * n + k] * M[j * n + k];
    A[i * n + j] = s;
  }
  return A;
}

const matvec = (A: Float64Array, n: number) => (v: Float64Array, out: Float64Array) => {
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += A[i * n + j] * v[j];
    out[i] = s;
  }
};

describe('linear cg', () => {
  it('solves SPD systems to the tolerance, dense and matrix-free alike', () => {
    for (const n of [1, 2, 5, 17, 40]) {
      const A = spd(n, n, 1), r = rng(n + 100);
      const xs = Float64Array.from({ length: n }, () => r() - 0.5);
      const b = new Float64Array(n);
      matvec(A, n)(xs, b);
      const res = cg(A, b, { tol: 1e-12 });
      expect(res.success).toBe(true);
      expect(res.iterations).toBeLessThanOrEqual(n + 5);
      expectClose(`cg n=${n}`, res.x, xs, { rtol: 1e-8, atol: 1e-9 });
      const res2 = cg(matvec(A, n), b, { tol: 1e-12 });
      expect(res2.x).toEqual(res.x);
    }
  });

  it('records α_k, β_k and the iterates; CG is heavy-ball SGD momentum with lr = α_k, momentum = β_{k−1}', () => {
    const n = 12, A = spd(n, 7, 0.5), b = Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1));
    const x0 = Float64Array.from({ length: n }, (_, i) => 0.1 * i);
    const res = cg(A, b, { x0, tol: 1e-13, record: true });
    const k = res.iterations;
    expect(res.alphas!.length).toBe(k);
    expect(res.betas!.length).toBe(k);
    expect(res.iterates!.length).toBe(k + 1);
    // PyTorch's SGD with momentum, per-step lr and momentum, on f(x) = ½xᵀAx − bᵀx
    const x = x0.slice(), g = new Float64Array(n), buf = new Float64Array(n);
    for (let step = 0; step < k; step++) {
      matvec(A, n)(x, g);
      for (let i = 0; i < n; i++) g[i] -= b[i];
      const mu = step === 0 ? 0 : res.betas![step - 1];
      for (let i = 0; i < n; i++) {
        buf[i] = mu * buf[i] + g[i];
        x[i] -= res.alphas![step] * buf[i];
      }
      expectClose(`iterate ${step + 1}`, x, res.iterates![step + 1], { rtol: 1e-9, atol: 1e-11 });
    }
    // and the same method in x-space: x_{k+1} = x_k − α_k ∇f(x_k) + (α_k β_{k−1} / α_{k−1})(x_k − x_{k−1})
    const it = res.iterates!;
    for (let s = 1; s < k; s++) {
      matvec(A, n)(it[s], g);
      const mom = (res.alphas![s] * res.betas![s - 1]) / res.alphas![s - 1];
      const next = it[s].map((v, i) => v - res.alphas![s] * (g[i] - b[i]) + mom * (v - it[s - 1][i]));
      expectClose(`x-space heavy ball ${s + 1}`, next, it[s + 1], { rtol: 1e-9, atol: 1e-11 });
    }
  });

  it('stops at maxIter with success false; a start at the solution takes no step', () => {
    const n = 30, A = spd(n, 3, 1e-3), b = new Float64Array(n).fill(1);
    const res = cg(A, b, { maxIter: 3, tol: 1e-14 });
    expect([res.iterations, res.success]).toEqual([3, false]);
    const exact = cg(A, b, { tol: 1e-14 }).x;
    const again = cg(A, b, { x0: exact, tol: 1e-6 });
    expect(again.iterations).toBe(0);
  });

  it('bad input: shapes, non-SPD matrices, non-finite data', () => {
    expect(() => cg(new Float64Array(5), [1, 2])).toThrow(ShapeError);
    expect(() => cg([1, 0, 0, 1], [1, 1], { x0: [1] })).toThrow(/x0 has length 1, b has 2/);
    expect(() => cg([1, 0, 0, -1], [0, 1])).toThrow(/not positive definite: dᵀA·d = -1 at iteration 0/);
    expect(() => cg([1, 0, 0, 1], [NaN, 1])).toThrow(ValueError);
    expect(() => cg([1, 0, 0, 1], [1, 1], { maxIter: -1 })).toThrow(/maxIter must be an integer >= 0/);
  });
});
