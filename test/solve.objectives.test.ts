// src/solve/objectives.ts: every built-in objective's gradient against central
// differences of f, its Hessian against central differences of the gradient, hvp
// against H·p; BFGS and L-BFGS reach the known minima; Newton's error squares.
import { describe, expect, it } from 'vitest';
import { init, minimize, objectives, ShapeError, ValueError, type Objective } from '../src/index.js';
import { expectClose, rng } from './helpers.js';

function glmData(m: number, d: number, seed: number, poisson: boolean) {
  const r = rng(seed);
  const X = Float64Array.from({ length: m * d }, () => r() * 2 - 1);
  const y = Float64Array.from({ length: m }, (_, i) => (poisson ? Math.floor(3 * r() * (1 + X[i * d])) : r() < 0.5 + 0.4 * X[i * d] ? 1 : 0));
  return { X, y };
}

const all = (): Objective[] => {
  const lr = glmData(40, 4, 1, false), pg = glmData(40, 3, 2, true);
  return [
    objectives.quadratic([1, 10, 100]), objectives.rosenbrock(2), objectives.rosenbrock(7), objectives.beale(), objectives.booth(),
    objectives.doubleWell(), objectives.saddle(), objectives.logisticRegression(lr.X, lr.y, 0.1), objectives.poissonGlm(pg.X, pg.y, 0.1),
    objectives.deepLinear(3, 2), objectives.deepLinear(4, 1.5),
  ];
};

describe('objectives', () => {
  it('gradient = central differences of f; Hessian = central differences of ∇f, symmetric; hvp = H·p', () => {
    const r = rng(9);
    for (const ob of all()) {
      const n = ob.n;
      for (let trial = 0; trial < 3; trial++) {
        const x = Float64Array.from(ob.x0, (v) => v + 0.3 * (r() - 0.5));
        const g = new Float64Array(n), H = new Float64Array(n * n), fdG = new Float64Array(n), fdH = new Float64Array(n * n);
        const f = ob.fun(x, g);
        expect(ob.fun(x)).toBe(f);
        const gp = new Float64Array(n), gm = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          const h = 1e-6 * Math.max(1, Math.abs(x[i]));
          const xp = x.slice(), xm = x.slice();
          xp[i] += h;
          xm[i] -= h;
          fdG[i] = (ob.fun(xp) - ob.fun(xm)) / (2 * h);
          ob.fun(xp, gp);
          ob.fun(xm, gm);
          for (let j = 0; j < n; j++) fdH[j * n + i] = (gp[j] - gm[j]) / (2 * h);
        }
        ob.hess(x, H);
        const scale = Math.max(1, ...Array.from(H, Math.abs));
        expectClose(`${ob.name} gradient`, g, fdG, { rtol: 1e-5, atol: 1e-6 * Math.max(1, Math.abs(f)) });
        expectClose(`${ob.name} Hessian`, H, fdH, { rtol: 1e-5, atol: 1e-6 * scale });
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(H[i * n + j]).toBe(H[j * n + i]);
        const p = Float64Array.from({ length: n }, () => r() - 0.5), hp = new Float64Array(n);
        ob.hessp(x, p, hp);
        const Hp = Array.from({ length: n }, (_, i) => p.reduce((s, v, j) => s + H[i * n + j] * v, 0));
        expectClose(`${ob.name} hvp`, hp, Hp, { rtol: 1e-10, atol: 1e-12 * scale });
      }
    }
  });

  it('the known minima are stationary with the stated value', () => {
    for (const ob of all()) {
      if (!ob.xmin) continue;
      const g = new Float64Array(ob.n);
      expect(ob.fun(ob.xmin, g), ob.name).toBeCloseTo(ob.fmin, 10);
      for (const v of g) expect(Math.abs(v), ob.name).toBeLessThan(1e-12);
    }
    for (const [depth, target] of [[2, -1], [3, -8]]) {
      const ob = objectives.deepLinear(depth, target);
      expect(ob.xmin!.reduce((a, b) => a * b, 1)).toBeCloseTo(target, 12);
    }
    expect(objectives.saddle().fmin).toBe(-Infinity);
    expect(Number.isNaN(objectives.logisticRegression([1, 2], [0, 1]).fmin)).toBe(true);
  });

  it('BFGS and L-BFGS reach the known minima of the built-ins', () => {
    for (const ob of all()) {
      if (!ob.xmin || ob.name.startsWith('rosenbrock(n=7')) continue;
      for (const method of ['bfgs', 'lbfgs'] as const) {
        const r = minimize(ob.fun, ob.x0, { method, gtol: 1e-8 });
        expect(r.success, `${ob.name} ${method}: ${r.message}`).toBe(true);
        expect(Math.abs(r.fun - ob.fmin), `${ob.name} ${method}`).toBeLessThan(1e-9 * Math.max(1, Math.abs(ob.fmin)));
        if (!ob.name.startsWith('deepLinear')) expectClose(`${ob.name} ${method} x`, r.x, ob.xmin, { rtol: 1e-5, atol: 1e-5 });
      }
    }
  });

  it("Newton's error squares near the minimum (digits double per step)", async () => {
    const core = await init();
    for (const ob of [objectives.rosenbrock(2), objectives.beale(), objectives.rosenbrock(4)]) {
      const errors: number[] = [];
      const xmin = ob.xmin!;
      const r = minimize(ob.fun, ob.x0, {
        method: 'newton', hess: ob.hess, core, gtol: 1e-14, history: true,
      });
      expect(r.success, ob.name).toBe(true);
      for (const it of r.history!) errors.push(Math.max(...it.x.map((v, i) => Math.abs(v - xmin[i]))));
      // the last steps before round-off: e_{k+1} <= C e_k² with a modest C, while e_k < 1e-2
      const tail = errors.map((e, k) => [e, errors[k + 1]]).filter(([e, next]) => e < 1e-2 && e > 1e-7 && next !== undefined);
      expect(tail.length, `${ob.name} errors ${errors.join(', ')}`).toBeGreaterThanOrEqual(1);
      for (const [e, next] of tail) expect(next, `${ob.name}: ${e} -> ${next}`).toBeLessThanOrEqual(1000 * e * e);
      expect(errors[errors.length - 1]).toBeLessThan(1e-10);
    }
  });

  it('bad input: typed errors naming the argument', () => {
    expect(() => objectives.quadratic([1, -2])).toThrow(ValueError);
    expect(() => objectives.rosenbrock(1)).toThrow(/n must be an integer >= 2, got 1/);
    expect(() => objectives.logisticRegression([1, 2, 3], [0, 1])).toThrow(ShapeError);
    expect(() => objectives.poissonGlm([1, 2], [0, 1], -1)).toThrow(/l2 must be a finite number >= 0, got -1/);
    expect(() => objectives.deepLinear(0)).toThrow(ValueError);
  });
});
