// The f64 host twins of the prox and projection kernels (src/structure/f64.ts, used by
// minimize()) against the plain-TS f64 references of test/prox-ref.ts (the simplex and
// the l1 ball against the sort-based algorithm), over a sweep of lengths; R(x) values;
// regions; non-finite input rejected with nothing written; box with array bounds in the core.
import { describe, expect, it } from 'vitest';
import { init, project, prox, ValueError, ShapeError } from '../src/index.js';
import { F64Plan, type StructureStep } from '../src/structure/common.js';
import * as R from './prox-ref.js';
import { rng } from './helpers.js';

const LENGTHS = [1, 2, 3, 7, 16, 33, 100, 257, 1009];

function run(step: StructureStep, x: ArrayLike<number>, eta = 1): Float64Array {
  const v = Float64Array.from(x);
  new F64Plan([step], v.length, 'test').run(v, eta);
  return v;
}

function randn(rand: () => number, n: number, scale = 1): Float64Array {
  return Float64Array.from({ length: n }, () => scale * (rand() * 2 - 1) + (rand() < 0.1 ? 3 * scale : 0));
}

function expectNear(what: string, got: ArrayLike<number>, want: ArrayLike<number>, tol = 1e-12): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < got.length; i++) {
    if (Math.abs(got[i] - want[i]) > tol * Math.max(1, Math.abs(want[i]))) expect(`${what}[${i}] = ${got[i]}`).toBe(`${what}[${i}] = ${want[i]}`);
  }
}

describe('f64 twins of the prox operators', () => {
  it('l1, l2, elasticNet, groupLasso match the references; zeros exact; R(x)', () => {
    const rand = rng(7);
    for (const n of LENGTHS) {
      const x = randn(rand, n);
      expectNear(`l1 ${n}`, run(prox.l1(0.3), x, 2), R.softThreshold(x, 0.6));
      expectNear(`l2 ${n}`, run(prox.l2(0.3), x, 2), R.ridge(x, 0.6));
      expectNear(`en ${n}`, run(prox.elasticNet(0.3, 0.5), x, 2), R.elasticNet(x, 0.6, 1.0));
      const sets = [[0], n > 3 ? [1, 3] : [], n > 6 ? [6, 2, 5] : []].filter((g) => g.length > 0);
      expectNear(`sets ${n}`, run(prox.groupLasso(0.4, { groups: sets }), x, 2), R.groupLasso(x, sets, 0.8));
      if (n % 2 === 0 || n === 33) {
        const m = n % 2 === 0 ? 2 : 3, cols = n / m;
        expectNear(`rows ${n}`, run(prox.groupLasso(0.4, { groups: 'rows', shape: [m, cols] }), x, 2), R.groupLasso(x, R.rowGroups(m, cols), 0.8));
        expectNear(`cols ${n}`, run(prox.groupLasso(0.4, { groups: 'columns', shape: [m, cols] }), x, 2), R.groupLasso(x, R.colGroups(m, cols), 0.8));
      }
    }
    const z = run(prox.l1(1), [0.5, -0.5, 2, -2, NaN]);
    expect(Array.from(z)).toEqual([0, 0, 1, -1, NaN]);
    expect(Object.is(z[1], 0)).toBe(true); // +0, as the kernels (x − clamp(x, −t, t))
    const x = Float64Array.from([3, -4, 0, 1]);
    const value = (s: StructureStep) => new F64Plan([s], 4, 't').value(x);
    expect(value(prox.l1(2))).toBe(16);
    expect(value(prox.l2(2))).toBe(26);
    expect(value(prox.elasticNet(2, 2))).toBe(42);
    expect(value(prox.groupLasso(2, { groups: 'rows', shape: [2, 2] }))).toBe(10 + 2);
    expect(value(prox.groupLasso(1, { groups: 'columns', shape: [2, 2] }))).toBeCloseTo(3 + Math.sqrt(17), 14);
    expect(value(prox.groupLasso(1, { groups: [[1, 3]] }))).toBeCloseTo(Math.sqrt(17), 14);
    expect(value(project.simplex())).toBe(0);
    expect(x).toEqual(Float64Array.from([3, -4, 0, 1]));
  });

  it('regions: each step on its own span; a region with a shape gives the group lasso its matrix', () => {
    const x = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    const plan = new F64Plan([prox.l1(1).on({ offset: 0, length: 2 }), prox.groupLasso(100, { groups: 'rows' }).on({ offset: 4, shape: [2, 2] })], 8, 't');
    plan.run(x, 1);
    expect(Array.from(x)).toEqual([0, 1, 3, 4, 0, 0, 0, 0]);
    expect(() => new F64Plan([prox.l1(1).on({ offset: 6, length: 3 })], 8, 't')).toThrow(ShapeError);
    expect(() => new F64Plan([prox.groupLasso(1, { groups: [[8]] })], 8, 't')).toThrow(ShapeError);
    expect(() => new F64Plan([prox.groupLasso(1, { groups: 'rows' })], 8, 't')).toThrow(/needs a matrix/);
  });
});

describe('f64 twins of the projections', () => {
  it('box (numbers, arrays, tensors), l2Ball, grid, simplex and l1Ball match the references', async () => {
    const engine = await init();
    const rand = rng(11);
    for (const n of LENGTHS) {
      const x = randn(rand, n, 2);
      const lo = Float64Array.from({ length: n }, () => -rand()), hi = Float64Array.from(lo, (l) => l + 2 * rand());
      expectNear(`clamp ${n}`, run(project.box(-0.5, 1), x), R.box(x, new Array(n).fill(-0.5), new Array(n).fill(1)));
      expectNear(`box ${n}`, run(project.box(lo, hi), x), R.box(x, lo, hi));
      const lt = engine.tensor([n], lo), ht = engine.tensor([n], hi);
      expectNear(`box tensors ${n}`, run(project.box(lt, ht), x), R.box(x, lt.data, ht.data));
      expectNear(`nonNegative ${n}`, run(project.nonNegative(), x), R.box(x, new Array(n).fill(0), new Array(n).fill(Infinity)));
      expectNear(`l2Ball ${n}`, run(project.l2Ball(1.5), x), R.l2Ball(x, 1.5));
      for (const s of [1, 0.01, n / 3]) {
        expectNear(`simplex ${n} s=${s}`, run(project.simplex(s), x), R.simplex(x, s), 1e-11);
        expectNear(`l1Ball ${n} r=${s}`, run(project.l1Ball(s), x), R.l1Ball(x, s), 1e-11);
      }
      const g = run(project.grid({ step: 0.1, min: -0.3, max: 0.3 }), x);
      for (let i = 0; i < n; i++) {
        const want = Math.min(Math.max(Math.round(x[i] / 0.1), -3), 3) * 0.1;
        expect(Math.abs(g[i] - want), `grid ${n}[${i}]: ${x[i]} → ${g[i]}`).toBeLessThan(1e-15);
      }
    }
    // ties, a huge value, tiny s: the threshold loop still ends at the sort-based answer
    for (const x of [[1, 1, 1, 1], [1e6, 0, 0, -1], [0.3, 0.3, 0.2, 0.2, 0.1]]) {
      for (const s of [1e-3, 1, 7]) expectNear(`simplex ${x} ${s}`, run(project.simplex(s), x), R.simplex(x, s), 1e-11);
    }
    // below f64 resolution (1e9 − 1e-9 rounds to 1e9): the loop still ends, with a finite answer
    expect(Array.from(run(project.simplex(1e-9), [1e9, 0, 0, -1])).every(Number.isFinite)).toBe(true);
    expect(Array.from(run(project.l1Ball(0), [1, -2]))).toEqual([0, 0]);
  });

  it('non-finite input: simplex, l1Ball and l2Ball throw and write nothing; box and grid keep NaN', () => {
    for (const step of [project.simplex(), project.l1Ball(1), project.l2Ball(1)]) {
      for (const bad of [NaN, Infinity, -Infinity]) {
        const v = Float64Array.from([0.5, bad, 2]);
        expect(() => new F64Plan([step], 3, 'test').run(v, 1)).toThrow(ValueError);
        expect(Array.from(v)).toEqual([0.5, bad, 2]);
      }
    }
    expect(Array.from(run(project.box(0, 1), [NaN, 2]))).toEqual([NaN, 1]);
    expect(Array.from(run(project.grid({ step: 1, min: -1, max: 1 }), [NaN, 0.4]))).toEqual([NaN, 0]);
    // ties from the zero level to the even multiple of step, as the f32 kernel: ±0.5 → 0, ±1.5 → ±2
    expect(Array.from(run(project.grid({ step: 1, min: -2, max: 2 }), [0.5, -0.5, 1.5, -1.5]))).toEqual([0, 0, 2, -2]);
  });

  it('box with array bounds: checked lo ≤ hi and lengths; in the core the bounds are copied as f32', async () => {
    expect(() => project.box([0, NaN], [1, 1])).toThrow(/lo\[1\]/);
    expect(() => new F64Plan([project.box([0, 2], [1, 1])], 2, 't')).toThrow(/lo 2 and hi 1 at index 1/);
    expect(() => new F64Plan([project.box([0, 0, 0], 1)], 2, 't')).toThrow(ShapeError);
    const engine = await init();
    const t = engine.tensor([3], [-5, 0.5, 5]);
    const used = engine.arena.usedBytes;
    project.box([-1, 0, 1], [0, 0.25, 2]).apply(t);
    expect(Array.from(t.data)).toEqual([-1, 0.25, 2]);
    expect(engine.arena.usedBytes).toBe(used);
  });
});
