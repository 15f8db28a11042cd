// minimize() methods 'proximal-gradient' (ISTA), 'fista' and 'projected-gradient'
// (src/solve/proximal.ts): against a plain f64 reference written from Beck & Teboulle
// 2009; exact support recovery on a synthetic group-sparse regression; FISTA against
// ISTA in iterations; projected gradient against scipy's L-BFGS-B with bounds
// (test/fixtures/solvers.json) and closed forms; bad input.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { init, minimize, objectives, project, prox, ShapeError, ValueError, type Fun } from '../src/index.js';
import { rng } from './helpers.js';
import * as R from './prox-ref.js';
import { breastCancer } from './test-data.js';

/** A seeded least-squares problem f(w) = ‖Aw − b‖²/(2m) with b = A·w_true + noise. */
function leastSquares(m: number, n: number, wTrue: Float64Array, seed: number, shape?: (i: number, j: number, common: number) => number): Fun {
  const rand = rng(seed);
  const randn = () => Math.sqrt(-2 * Math.log(rand() + 1e-300)) * Math.cos(2 * Math.PI * rand());
  const A = new Float64Array(m * n), b = new Float64Array(m), r = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const c = randn();
    for (let j = 0; j < n; j++) A[i * n + j] = shape ? shape(i, j, c) * randn() + shape(i, j, c) * 0.7 * c : randn();
  }
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += A[i * n + j] * wTrue[j];
    b[i] = s + 0.01 * randn();
  }
  return (w, grad) => {
    let f = 0;
    for (let i = 0; i < m; i++) {
      let s = -b[i];
      for (let j = 0; j < n; j++) s += A[i * n + j] * w[j];
      r[i] = s;
      f += s * s;
    }
    if (grad) {
      grad.fill(0);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) grad[j] += (A[i * n + j] * r[i]) / m;
    }
    return f / (2 * m);
  };
}

/** ISTA / FISTA with backtracking (Beck & Teboulle 2009, §3 and §4), plain arrays, prox = soft threshold. */
function reference(fun: Fun, x0: number[], lambda: number, L0: number, iters: number, fista: boolean): { x: number[]; L: number } {
  const n = x0.length;
  const f = (v: number[]) => fun(Float64Array.from(v));
  const grad = (v: number[]) => {
    const g = new Float64Array(n);
    fun(Float64Array.from(v), g);
    return Array.from(g);
  };
  let x = x0.slice(), y = x0.slice(), t = 1, L = L0;
  for (let k = 0; k < iters; k++) {
    const gy = grad(y), fy = f(y);
    let p: number[];
    for (;;) {
      p = R.softThreshold(y.map((v, i) => v - gy[i] / L), lambda / L);
      const d = p.map((v, i) => v - y[i]);
      if (f(p) <= fy + R.dot(d, gy) + (L / 2) * R.dot(d, d) + 1e-12 * Math.abs(fy)) break;
      L *= 2;
    }
    if (fista) {
      const tn = (1 + Math.sqrt(1 + 4 * t * t)) / 2;
      y = p.map((v, i) => v + ((t - 1) / tn) * (v - x[i]));
      t = tn;
    } else y = p;
    x = p;
  }
  return { x, L };
}

function breastCancerBox(): { fun: Fun; x0: Float64Array } {
  const { X, y } = breastCancer();
  const ob = objectives.logisticRegression(X, y, 1e-2);
  return { fun: ob.fun, x0: Float64Array.from(ob.x0) };
}

const groupsOf = (G: number, size: number) => Array.from({ length: G }, (_, g) => Array.from({ length: size }, (_, j) => g * size + j));

describe('minimize: proximal-gradient and fista', () => {
  const n = 30, wTrue = new Float64Array(n);
  [3, 7, 20].forEach((j, k) => (wTrue[j] = [2, -1.5, 1][k]));
  const fun = leastSquares(40, n, wTrue, 3);

  it('match the plain f64 reference (ISTA and FISTA with backtracking) iterate for iterate', () => {
    for (const method of ['proximal-gradient', 'fista'] as const) {
      for (const iters of [1, 5, 40]) {
        // a small L₀ so that backtracking doubles it
        const r = minimize(fun, new Float64Array(n), { method, prox: prox.l1(0.05), lipschitz: 0.1, maxIter: iters, gtol: 0 });
        const want = reference(fun, new Array(n).fill(0), 0.05, 0.1, iters, method === 'fista');
        expect(r.nit).toBe(iters);
        expect(r.status).toBe(1);
        for (let i = 0; i < n; i++) expect(Math.abs(r.x[i] - want.x[i]), `${method} ${iters} x[${i}]`).toBeLessThan(1e-12);
        // fun is F = f + λ‖x‖₁; jac is ∇f at x
        const g = new Float64Array(n);
        expect(r.fun).toBeCloseTo(fun(r.x, g) + 0.05 * r.x.reduce((s, v) => s + Math.abs(v), 0), 12);
        expect(Array.from(r.jac!)).toEqual(Array.from(g));
      }
    }
  });

  it('group lasso on a synthetic group-sparse regression recovers the true group support exactly (exact zeros)', () => {
    const G = 12, size = 5, p = G * size, active = [1, 5, 10];
    const w = new Float64Array(p);
    const rand = rng(9);
    for (const g of active) for (let j = 0; j < size; j++) w[g * size + j] = (rand() < 0.5 ? -1 : 1) * (0.5 + rand());
    const f = leastSquares(50, p, w, 17);
    const groups = groupsOf(G, size);
    for (const method of ['proximal-gradient', 'fista'] as const) {
      const r = minimize(f, new Float64Array(p), { method, prox: prox.groupLasso(0.05, { groups }), gtol: 1e-9, maxIter: 20000 });
      expect(r.success, r.message).toBe(true);
      groups.forEach((idx, g) => {
        for (const i of idx) {
          if (active.includes(g)) expect(Math.abs(r.x[i]), `${method} group ${g}`).toBeGreaterThan(0.05);
          else expect(r.x[i] === 0, `${method} group ${g} index ${i}: ${r.x[i]}`).toBe(true);
        }
      });
      // the same with 'rows' on a [G, size] region
      const rows = minimize(f, new Float64Array(p), { method, prox: prox.groupLasso(0.05).on({ offset: 0, shape: [G, size] }), gtol: 1e-9, maxIter: 20000 });
      expect(Array.from(rows.x, (v) => v === 0)).toEqual(Array.from(r.x, (v) => v === 0));
    }
  });

  it('FISTA reaches the optimum in far fewer iterations than ISTA on an ill-conditioned lasso', () => {
    const p = 100, w = new Float64Array(p);
    [2, 11, 30, 55].forEach((j, k) => (w[j] = [3, -2, 1.5, -1][k]));
    const f = leastSquares(50, p, w, 5, (_i, j) => 1 / (1 + j / 3));
    const l1 = prox.l1(0.01);
    const star = minimize(f, new Float64Array(p), { method: 'fista', prox: l1, gtol: 1e-12, maxIter: 100000 });
    expect(star.success, star.message).toBe(true);
    const reach = (method: 'proximal-gradient' | 'fista', rel: number) => {
      const r = minimize(f, new Float64Array(p), { method, prox: l1, gtol: 1e-10, maxIter: 100000, history: true });
      return r.history!.findIndex((h) => h.fun - star.fun <= rel * star.fun) + 1;
    };
    for (const rel of [1e-3, 1e-6]) {
      const ista = reach('proximal-gradient', rel), fista = reach('fista', rel);
      expect(fista, `to ${rel}: ISTA ${ista}, FISTA ${fista}`).toBeGreaterThan(0);
      expect(ista, `to ${rel}: ISTA ${ista}, FISTA ${fista}`).toBeGreaterThan(3 * fista);
    }
  });
});

describe('minimize: projected-gradient', () => {
  const fixture = JSON.parse(readFileSync(new URL('./fixtures/solvers.json', import.meta.url), 'utf8')) as {
    scipy: string;
    cases: { problem: string; scipyMethod: string; bounds: [number, number][] | null; fun: number; x: number[] }[];
  };
  const scipy = (problem: string) => fixture.cases.find((c) => c.problem === problem && c.scipyMethod === 'L-BFGS-B+bounds')!;

  it(`reaches scipy ${fixture.scipy} L-BFGS-B's bounded optimum (quadratic κ = 1e3, logistic regression) and stays feasible`, () => {
    const quad = objectives.quadratic(Array.from({ length: 10 }, (_, i) => 10 ** ((3 * i) / 9)));
    for (const [name, fun, x0] of [
      ['quadratic_kappa1e3', quad.fun, Float64Array.from(quad.x0)],
      ['logistic_breast_cancer', ...Object.values(breastCancerBox())],
    ] as [string, Fun, Float64Array][]) {
      const c = scipy(name);
      for (const [method, how] of [['projected-gradient', 'bounds'], ['fista', 'project']] as const) {
        const lo = c.bounds!.map((b) => b[0]), hi = c.bounds!.map((b) => b[1]);
        const opts = how === 'bounds' ? { bounds: c.bounds! } : { project: project.box(lo, hi) };
        const r = minimize(fun, x0, { method, ...opts, gtol: 1e-8, maxIter: 100000, history: true });
        const what = `${name} ${method} ${how}: f ${r.fun} vs scipy ${c.fun}, ${r.nit} iterations, ${r.message}`;
        expect(r.success, what).toBe(true);
        expect(r.fun, what).toBeLessThanOrEqual(c.fun + 1e-9 * Math.max(1, Math.abs(c.fun)));
        // scipy stops at ‖proj g‖ ≤ 1e-5, we at 1e-8 (our f is the lower): x agrees to scipy's accuracy
        for (let i = 0; i < x0.length; i++) expect(Math.abs(r.x[i] - c.x[i]), `${what} x[${i}]`).toBeLessThan(1e-3);
        for (const h of r.history!) for (let i = 0; i < x0.length; i++) expect(h.x[i] >= lo[i] && h.x[i] <= hi[i], `${what}: iterate ${h.nit} infeasible`).toBe(true);
      }
    }
  });

  it('closed forms: min ‖x − c‖² on the simplex is the projection of c; on the l2 ball, c·r/‖c‖; iterates stay feasible', () => {
    const c = [0.9, -0.2, 0.4, 0.05, 0.3, -1];
    const fun: Fun = (x, g) => {
      let f = 0;
      for (let i = 0; i < x.length; i++) {
        f += 0.5 * (x[i] - c[i]) ** 2;
        if (g) g[i] = x[i] - c[i];
      }
      return f;
    };
    const s = minimize(fun, new Float64Array(6), { method: 'projected-gradient', project: project.simplex(1), history: true });
    expect(s.success, s.message).toBe(true);
    R.simplex(c, 1).forEach((v, i) => expect(s.x[i]).toBeCloseTo(v, 9));
    for (const h of s.history!) expect(Math.abs(h.x.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
    const b = minimize(fun, new Float64Array(6), { method: 'projected-gradient', project: project.l2Ball(0.5) });
    R.l2Ball(c, 0.5).forEach((v, i) => expect(b.x[i]).toBeCloseTo(v, 9));
  });

  it('engine.minimize runs them too (on the host), and leaves the arena as it was', async () => {
    const engine = await init();
    const used = engine.arena.usedBytes;
    const ob = objectives.rosenbrock(300);
    const r = engine.minimize(ob.fun, ob.x0, { method: 'fista', bounds: [-0.5, 0.8], maxIter: 50 });
    expect(r.nit).toBe(50);
    expect(r.x.every((v) => v >= -0.5 && v <= 0.8)).toBe(true);
    expect(engine.arena.usedBytes).toBe(used);
  });
});

describe('minimize proximal methods: bad input and non-finite values', () => {
  const ob = objectives.booth();
  it('typed errors naming the argument', () => {
    expect(() => minimize(ob.fun, ob.x0, { method: 'bfgs', prox: prox.l1(1) })).toThrow(/method 'bfgs' takes no prox or project/);
    expect(() => minimize(ob.fun, ob.x0, { method: 'lbfgs', lipschitz: 1 })).toThrow(ValueError);
    expect(() => minimize(ob.fun, ob.x0, { method: 'projected-gradient', prox: prox.l1(1) })).toThrow(/takes project \(or bounds\), not prox/);
    expect(() => minimize(ob.fun, ob.x0, { method: 'projected-gradient' })).toThrow(/needs project/);
    expect(() => minimize(ob.fun, ob.x0, { method: 'fista', prox: project.simplex() as never })).toThrow(/prox must be a prox/);
    expect(() => minimize(ob.fun, ob.x0, { method: 'fista', project: [project.simplex(), prox.l1(1)] as never })).toThrow(/project\[1\]/);
    for (const L of [0, -1, NaN, Infinity]) expect(() => minimize(ob.fun, ob.x0, { method: 'fista', lipschitz: L })).toThrow(/lipschitz/);
    expect(() => minimize(ob.fun, ob.x0, { method: 'fista', prox: prox.groupLasso(1, { groups: [[0, 2]] }) })).toThrow(ShapeError);
    expect(() => minimize(ob.fun, ob.x0, { method: 'fista', bounds: [[0, 1], [2, 1]] })).toThrow(/lo 2 > hi 1/);
  });

  it('a NaN from fun ends the run (status 3 or 2), never an endless backtracking', () => {
    let calls = 0;
    const fun: Fun = (x, g) => (++calls > 6 ? NaN : ob.fun(x, g));
    for (const method of ['proximal-gradient', 'fista'] as const) {
      calls = 0;
      const r = minimize(fun, ob.x0, { method, prox: prox.l2(0.1) });
      expect(r.success).toBe(false);
      expect([2, 3]).toContain(r.status);
      expect(calls).toBeLessThan(200);
      expect(r.x.every(Number.isFinite)).toBe(true);
    }
  });
});
