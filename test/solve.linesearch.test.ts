// src/solve/linesearch.ts: backtracking (Armijo) and strong Wolfe on 1-D functions
// φ(t) = f(x + t·d) whose minimizers are known; every accepted step is checked
// against the conditions it claims, and bad input is a typed error.
import { describe, expect, it } from 'vitest';
import { lineSearch, schedules, ValueError, type PhiValue } from '../src/index.js';
import { cubicMin } from '../src/solve/linesearch.js';

/** φ for f(x) = ½·a·x² at x, along d, counting calls. */
function quad(a: number, x: number, d: number) {
  let calls = 0;
  const phi = (t: number): PhiValue => {
    calls++;
    const y = x + t * d;
    return { value: 0.5 * a * y * y, slope: a * y * d };
  };
  return { phi, calls: () => calls, f0: 0.5 * a * x * x, g0: a * x * d };
}

/** φ along the Rosenbrock valley from (−1.2, 1) in the direction −∇f. */
function rosenLine() {
  const x = [-1.2, 1];
  const grad = (u: number, v: number) => [-400 * u * (v - u * u) - 2 * (1 - u), 200 * (v - u * u)];
  const g = grad(x[0], x[1]);
  const d = [-g[0], -g[1]];
  const phi = (t: number): PhiValue => {
    const u = x[0] + t * d[0], v = x[1] + t * d[1];
    const gg = grad(u, v);
    return { value: 100 * (v - u * u) ** 2 + (1 - u) ** 2, slope: gg[0] * d[0] + gg[1] * d[1] };
  };
  return { phi, ...phi(0) };
}

describe('lineSearch.strongWolfe', () => {
  it('accepts a step meeting both strong-Wolfe conditions, on a quadratic and along Rosenbrock', () => {
    for (const c2 of [0.1, 0.4, 0.9]) {
      const ls = lineSearch.strongWolfe({ c1: 1e-4, c2 });
      for (const initial of [1e-3, 0.3, 1, 5, 100]) {
        const q = quad(4, 3, -1);
        const r = ls.search(q.phi, { value: q.f0, slope: q.g0, initial });
        expect(r.success).toBe(true);
        expect(r.value).toBeLessThanOrEqual(q.f0 + 1e-4 * r.step * q.g0);
        expect(Math.abs(r.slope)).toBeLessThanOrEqual(c2 * Math.abs(q.g0));
        expect(r.evaluations).toBe(q.calls());
        const ros = rosenLine();
        const rr = ls.search(ros.phi, { initial });
        expect(rr.success, `c2 ${c2} initial ${initial}`).toBe(true);
        expect(rr.value).toBeLessThanOrEqual(ros.value + 1e-4 * rr.step * ros.slope);
        expect(Math.abs(rr.slope)).toBeLessThanOrEqual(c2 * Math.abs(ros.slope) + 1e-12);
        // the returned value and slope are φ's at the returned step
        expect(rr.value).toBe(ros.phi(rr.step).value);
      }
    }
  });

  it('takes the unit step at once when it is acceptable, and the exact minimizer of a quadratic in one interpolation', () => {
    const q = quad(1, 2, -2); // minimizer t = 1
    const r = lineSearch.strongWolfe().search(q.phi, { value: q.f0, slope: q.g0, initial: 1 });
    expect([r.step, r.evaluations]).toEqual([1, 1]);
    // from t = 3 (overshoot: φ(3) > φ(0)), the cubic through φ(0), φ(3) with slopes is exact for a quadratic
    const q2 = quad(1, 2, -2);
    const r2 = lineSearch.strongWolfe({ c2: 0.01 }).search(q2.phi, { value: q2.f0, slope: q2.g0, initial: 3 });
    expect(r2.step).toBeCloseTo(1, 12);
    expect(r2.evaluations).toBe(2);
  });

  it('evaluates φ(0) itself when value and slope are not given', () => {
    const q = quad(2, 1, -1);
    const r = lineSearch.strongWolfe().search(q.phi);
    expect(r.success).toBe(true);
    expect(r.evaluations).toBe(q.calls());
    expect(r.evaluations).toBeGreaterThanOrEqual(2);
  });

  it('reports failure (success false) with the best sufficient-decrease step when maxIter runs out', () => {
    const phi = (t: number): PhiValue => ({ value: (t - 1) ** 4, slope: 4 * (t - 1) ** 3 });
    const r = lineSearch.strongWolfe({ c1: 1e-8, c2: 1e-6, maxIter: 2 }).search(phi, { value: 1, slope: -4, initial: 1e-3 });
    expect(r.success).toBe(false);
    expect(r.evaluations).toBe(2);
    expect(r.step).toBeGreaterThan(0);
    expect(r.value).toBeLessThan(1);
    expect(r.value).toBe(phi(r.step).value);
  });

  it('treats a non-finite φ as too long a step and shrinks', () => {
    const phi = (t: number): PhiValue => (t > 1 ? { value: NaN, slope: NaN } : { value: (t - 0.5) ** 2, slope: 2 * (t - 0.5) });
    const r = lineSearch.strongWolfe().search(phi, { initial: 4 });
    expect(r.success).toBe(true);
    expect(r.step).toBeLessThanOrEqual(1);
  });

  it('rejects non-descent directions and bad options with ValueError', () => {
    const q = quad(1, 1, 1); // slope +1
    expect(() => lineSearch.strongWolfe().search(q.phi, { value: q.f0, slope: q.g0 })).toThrow(ValueError);
    expect(() => lineSearch.strongWolfe().search(q.phi)).toThrow(/descent direction: ∇f\(θ\)ᵀd must be finite and <= 0, got 1/);
    expect(() => lineSearch.strongWolfe().search(q.phi, { value: NaN, slope: -1 })).toThrow(/must be finite, got NaN/);
    expect(() => lineSearch.strongWolfe().search(() => 1 as unknown as PhiValue, { value: 1, slope: -1 })).toThrow(/phi\(t\) must return \{ value, slope \}/);
    expect(() => lineSearch.strongWolfe({ c1: 0.5, c2: 0.4 })).toThrow(/c2 must be a number in \(0.5, 1\)/);
    expect(() => lineSearch.strongWolfe({ c1: 0 })).toThrow(ValueError);
    expect(() => lineSearch.strongWolfe({ maxIter: 0 })).toThrow(/maxIter must be an integer >= 1/);
    // a zero slope is a stationary point: step 0, no evaluation
    const r = lineSearch.strongWolfe().search(q.phi, { value: 1, slope: 0 });
    expect([r.step, r.evaluations, r.success]).toEqual([0, 0, true]);
  });

  it('cubicMin is exact for cubics and quadratics and stays in its bounds', () => {
    // f(t) = (t − 2)³ − 3(t − 2) has its local minimum at t = 3
    const f = (t: number) => (t - 2) ** 3 - 3 * (t - 2), g = (t: number) => 3 * (t - 2) ** 2 - 3;
    expect(cubicMin(2.5, f(2.5), g(2.5), 4, f(4), g(4), 0, 10)).toBeCloseTo(3, 12);
    expect(cubicMin(0, 1, -2, 2, 1, 2, 0, 10)).toBeCloseTo(1, 12); // (t − 1)²
    expect(cubicMin(0, 1, -2, 2, 1, 2, 1.5, 1.8)).toBe(1.5);
  });
});

describe('lineSearch.backtracking', () => {
  it('halves until the Armijo condition holds; the same loop as schedules.armijo', () => {
    const q = quad(10, 1, -10); // φ(t) = 5(1 − 10t)², minimizer t = 0.1
    const r = lineSearch.backtracking({ c1: 1e-4, shrink: 0.5 }).search(q.phi, { value: q.f0, slope: q.g0 });
    expect(r.success).toBe(true);
    expect(r.value).toBeLessThanOrEqual(q.f0 + 1e-4 * r.step * q.g0);
    expect(r.step).toBe(0.125);
    expect(r.evaluations).toBe(4);
    const a = schedules.armijo({ c: 1e-4, shrink: 0.5 }).line((t) => q.phi(t).value, q.f0, q.g0);
    expect([a.step, a.tries, a.value, a.accepted]).toEqual([r.step, r.evaluations, r.value, r.success]);
  });

  it('accepts plain-number φ, reports failure after maxTries, rejects ascent', () => {
    const r = lineSearch.backtracking({ maxTries: 3 }).search((t) => 1 + t, { value: 1, slope: -1 });
    expect([r.success, r.step, r.evaluations]).toEqual([false, 0, 3]);
    expect(() => lineSearch.backtracking().search((t) => t, { value: 0, slope: 2 })).toThrow(/descent direction/);
    expect(() => lineSearch.backtracking({ shrink: 1 })).toThrow(/shrink must be a number in \(0, 1\)/);
  });
});
