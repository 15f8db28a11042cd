// Backtracking Armijo line search: the termination bound on L-smooth quadratics,
// GD + Armijo on quadratics and Rosenbrock (plain f64 arrays), and the engine
// version over flat f32 buffers in both builds.
import { describe, expect, it } from 'vitest';
import { schedules, StateError, ValueError, type Engine } from '../src/index.js';
import type { Parameterized } from '../src/runtime/params.js';
import { BUILDS, engineFor, expectClose, rng } from './helpers.js';

/** f(x) = ½ Σ h_i x_i² (L = max h) and its gradient. */
const quad = (h: ArrayLike<number>) => ({
  f: (x: ArrayLike<number>) => {
    let s = 0;
    for (let i = 0; i < h.length; i++) s += 0.5 * h[i] * x[i] * x[i];
    return s;
  },
  g: (x: ArrayLike<number>) => Array.from(h, (hi, i) => hi * x[i]),
});

/** Rosenbrock (a = 1, b = 100) and its gradient. */
const rosen = (x: ArrayLike<number>) => (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2;
const rosenGrad = (x: ArrayLike<number>) => [-2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] ** 2), 200 * (x[1] - x[0] ** 2)];

const sumsq = (v: ArrayLike<number>) => Array.from(v).reduce((a, b) => a + b * b, 0);

describe('armijo on L-smooth quadratics: terminates with a step >= shrink·2(1−c)/L and sufficient decrease', () => {
  const r = rng(11);
  for (const [c, shrink] of [[1e-4, 0.5], [0.3, 0.8], [0.9, 0.1], [0.5, 0.5]]) {
    it(`c = ${c}, shrink = ${shrink}, 50 random quadratics`, () => {
      for (let trial = 0; trial < 50; trial++) {
        const n = 1 + Math.floor(r() * 20);
        const h = Array.from({ length: n }, () => 10 ** (4 * r() - 2));
        const L = Math.max(...h);
        const { f, g } = quad(h);
        const x = Array.from({ length: n }, () => 2 * r() - 1);
        const fx = f(x), gx = g(x);
        const bound = (2 * (1 - c)) / L;
        const initial = bound * 10 ** (3 * r() - 0.5); // sometimes below the bound, mostly above
        const rule = schedules.armijo({ c, shrink, initial, maxTries: 200 });
        const res = rule.search(f, x, fx, gx);
        const what = `trial ${trial}: n ${n}, L ${L}, initial ${initial}`;
        expect(res.accepted, what).toBe(true);
        expect(res.step, what).toBeGreaterThanOrEqual(Math.min(initial, shrink * bound) * (1 - 1e-12));
        expect(res.step, what).toBeLessThanOrEqual(initial);
        expect(res.value, what).toBeLessThanOrEqual(fx - c * res.step * sumsq(gx) + 1e-15 * Math.abs(fx));
        expect(res.value, what).toBeCloseTo(f(res.x), 12);
        const maxTries = initial <= bound ? 1 : 1 + Math.ceil(Math.log((initial * L) / (2 * (1 - c))) / Math.log(1 / shrink));
        expect(res.tries, what).toBeLessThanOrEqual(maxTries);
        if (initial <= bound) expect(res.step, what).toBe(initial);
      }
    });
  }

  it('GD + Armijo on an ill-conditioned quadratic converges linearly to the minimum', () => {
    const h = [1, 3, 10, 30, 100];
    const { f, g } = quad(h);
    const rule = schedules.armijo({ initial: 1 });
    let x = Float64Array.from([1, -1, 1, -1, 1]);
    let prev = f(x);
    for (let k = 0; k < 2000; k++) {
      const res = rule.search(f, x, prev, g(x));
      expect(res.value).toBeLessThan(prev);
      x = res.x;
      prev = res.value;
    }
    expect(prev).toBeLessThan(1e-12);
    for (const v of x) expect(Math.abs(v)).toBeLessThan(1e-6);
  });

  it('GD + Armijo on Rosenbrock from (−1.2, 1) converges to (1, 1), f decreasing at every step', () => {
    const rule = schedules.armijo({ initial: 1, c: 1e-4, shrink: 0.5 });
    let x = Float64Array.from([-1.2, 1]);
    let fx = rosen(x);
    let overflowSeen = false;
    for (let k = 0; k < 30000 && fx > 1e-12; k++) {
      const res = rule.search(rosen, x, fx, rosenGrad(x));
      expect(res.accepted).toBe(true);
      expect(res.value).toBeLessThan(fx);
      if (res.tries > 10) overflowSeen = true;
      x = res.x;
      fx = res.value;
    }
    expect(fx).toBeLessThan(1e-10);
    expectClose('rosenbrock minimum', Array.from(x), [1, 1], { rtol: 0, atol: 1e-4 });
    expect(overflowSeen).toBe(true); // the first tries overshoot far (f huge), the search still terminates
  });

  it('non-finite trial values are rejected like any insufficient decrease', () => {
    const res = schedules.armijo({ initial: 1e30, maxTries: 200 }).search(rosen, [-1.2, 1], rosen([-1.2, 1]), rosenGrad([-1.2, 1]));
    expect(res.accepted).toBe(true);
    expect(res.tries).toBeGreaterThan(90);
  });

  it('a custom descent direction; maxTries exhausted leaves x unchanged; a zero gradient takes no step', () => {
    const { f, g } = quad([1, 4]);
    const x = [1, 1];
    const d = [-1, 0]; // descent: gᵀd = −1
    const rule = schedules.armijo({ initial: 1 });
    const res = rule.search(f, x, f(x), g(x), d);
    expect(res.accepted).toBe(true);
    expect(res.step).toBe(1);
    expect(Array.from(res.x)).toEqual([0, 1]);
    const stuck = schedules.armijo({ initial: 1e3, maxTries: 3 }).search(f, x, f(x), g(x));
    expect(stuck).toMatchObject({ accepted: false, step: 0, tries: 3, value: f(x) });
    expect(Array.from(stuck.x)).toEqual(x);
    const still = rule.search(f, [0, 0], 0, [0, 0]);
    expect(still).toMatchObject({ accepted: true, step: 0, tries: 0 });
  });

  it('bad input throws ValueError', () => {
    const { f, g } = quad([1, 4]);
    expect(() => schedules.armijo({ c: 0 })).toThrow(/armijo: c must be in \(0, 1\), got 0/);
    expect(() => schedules.armijo({ c: 1 })).toThrow(/armijo: c must be in \(0, 1\), got 1/);
    expect(() => schedules.armijo({ shrink: 1.5 })).toThrow(/shrink must be in \(0, 1\), got 1.5/);
    expect(() => schedules.armijo({ maxTries: 0 })).toThrow(/maxTries must be an integer >= 1, got 0/);
    expect(() => schedules.armijo({ initial: -1 })).toThrow(/initial must be a finite number > 0, got -1/);
    const rule = schedules.armijo();
    expect(() => rule.search(f, [1, 1], f([1, 1]), g([1, 1]), [1, 1])).toThrow(/descent direction: ∇f\(θ\)ᵀd must be finite and <= 0, got 5/);
    expect(() => rule.search(f, [1, 1], f([1, 1]), [1])).toThrow(/armijo.search: grad has length 1, x has 2/);
    expect(() => rule.search(f, [1, 1], NaN, g([1, 1]))).toThrow(/f\(θ\) must be finite, got NaN/);
  });
});

/** A bare Parameterized: parameter and gradient buffers from the arena, no model. */
function bare(engine: Engine, n: number): Parameterized & { free(): void } {
  const paramsPtr = engine.allocF32(n);
  const gradsPtr = engine.allocF32(n);
  return {
    engine,
    numParameters: n,
    paramsPtr,
    gradsPtr,
    free() {
      engine.arena.free(paramsPtr);
      engine.arena.free(gradsPtr);
    },
  };
}

describe.each(BUILDS)('armijo over flat f32 buffers (%s build)', (build) => {
  it('GD + Armijo on a quadratic: same steps and tries as the f64 array version, parameters to f32 accuracy', async () => {
    const engine = await engineFor(build);
    const n = 37;
    const r = rng(5);
    const h = Array.from({ length: n }, () => 0.5 + 9.5 * r());
    const x0 = Array.from({ length: n }, () => Math.fround(2 * r() - 1));
    const { f, g } = quad(h);
    const model = bare(engine, n);
    engine.f32(model.paramsPtr, n).set(x0);
    // loss and gradient of the current parameters (the test's own f64 arithmetic, as a model would in wasm);
    // evaluate() also overwrites the gradient buffer, as model.lossAndGrad would: the search must not care
    const evaluate = () => {
      engine.f32(model.gradsPtr, n).fill(123);
      return f(engine.f32(model.paramsPtr, n));
    };
    const lossAndGrad = () => {
      const p = engine.f32(model.paramsPtr, n);
      engine.f32(model.gradsPtr, n).set(g(p));
      return f(p);
    };
    const rule = schedules.armijo({ initial: 1, shrink: 0.5 });
    const ls = rule.forParameters(model, evaluate);
    let x = Float64Array.from(x0);
    const top = engine.arena.topBytes;
    for (let k = 0; k < 40; k++) {
      const f0 = lossAndGrad();
      const res = ls.step(f0);
      const ref = rule.search(f, x, f(x), g(x));
      expect(res.tries, `iteration ${k}`).toBe(ref.tries);
      expect(res.step, `iteration ${k}`).toBe(ref.step);
      expect(res.value).toBeLessThan(f0);
      x = ref.x;
      expectClose(`params after iteration ${k}`, engine.f32(model.paramsPtr, n), x, { rtol: 1e-4, atol: 1e-6 });
    }
    expect(f(engine.f32(model.paramsPtr, n))).toBeLessThan(1e-6 * f(x0));
    expect(engine.arena.topBytes).toBe(top); // nothing allocated per step
    ls.dispose();
    model.free();
  });

  it('a rejected search restores the parameters bit for bit; a direction buffer is followed', async () => {
    const engine = await engineFor(build);
    const n = 5;
    const model = bare(engine, n);
    const { f, g } = quad([1, 2, 3, 4, 5]);
    const x0 = [1, -1, 0.5, 2, -0.25];
    engine.f32(model.paramsPtr, n).set(x0);
    engine.f32(model.gradsPtr, n).set(g(x0));
    const evaluate = () => f(engine.f32(model.paramsPtr, n));
    const before = engine.f32(model.paramsPtr, n).slice();
    const used = engine.arena.usedBytes;
    const stuck = schedules.armijo({ initial: 1e6, maxTries: 4 }).forParameters(model, evaluate);
    expect(stuck.step(f(x0))).toMatchObject({ accepted: false, step: 0, tries: 4 });
    expect(engine.f32(model.paramsPtr, n)).toEqual(before);
    stuck.dispose();
    expect(engine.arena.usedBytes).toBe(used);

    // direction d = −e_0 (a descent direction since g_0 = 1 > 0): only θ_0 moves
    const dir = engine.allocF32(n);
    engine.f32(dir, n).set([-1, 0, 0, 0, 0]);
    const ls = schedules.armijo({ initial: 1 }).forParameters(model, evaluate, { direction: dir });
    const res = ls.step(f(x0));
    expect(res).toMatchObject({ accepted: true, step: 1, tries: 1 });
    expect(Array.from(engine.f32(model.paramsPtr, n))).toEqual([0, -1, 0.5, 2, -0.25]);
    // an ascent direction throws before touching θ
    engine.f32(model.gradsPtr, n).set(g([0, -1, 0.5, 2, -0.25]));
    engine.f32(dir, n).set([0, -1, 0, 0, 0]);
    const snapshot = engine.f32(model.paramsPtr, n).slice();
    expect(() => ls.step(f([0, -1, 0.5, 2, -0.25]))).toThrow(ValueError);
    expect(engine.f32(model.paramsPtr, n)).toEqual(snapshot);
    ls.dispose();
    expect(() => ls.step(1)).toThrow(/after dispose/);
    expect(() => schedules.armijo().forParameters(model, evaluate, { direction: 12345 })).toThrow(/direction must be a live arena block of 5 floats/);
    engine.arena.free(dir);
    model.free();
  });
});

describe.each(BUILDS)('armijo on a real model (%s build)', (build) => {
  it('full-batch GD + Armijo on an MLP: the loss falls at every step, nothing is allocated per step', async () => {
    const engine = await engineFor(build);
    const model = engine.nn.mlp([3, 8, 1], { activation: 'tanh', seed: 3 });
    const r = rng(9);
    const rows = 32;
    const xs = Array.from({ length: rows * 3 }, () => 2 * r() - 1);
    const ys = Array.from({ length: rows }, (_, i) => Math.sin(2 * xs[3 * i]) + xs[3 * i + 1] * xs[3 * i + 2]);
    const x = engine.tensor([rows, 3], xs);
    const y = engine.tensor([rows, 1], ys);
    // evaluate() recomputes the gradient buffer too (lossAndGrad): the search saved ∇f beforehand
    const ls = schedules.armijo({ initial: 4, shrink: 0.5 }).forParameters(model, () => model.lossAndGrad(x, y, 'mse'));
    let loss = model.lossAndGrad(x, y, 'mse');
    const first = loss;
    let top = 0;
    for (let k = 0; k < 150; k++) {
      const res = ls.step(loss);
      expect(res.accepted, `iteration ${k}`).toBe(true);
      expect(res.value, `iteration ${k}`).toBeLessThan(loss);
      loss = model.lossAndGrad(x, y, 'mse'); // gradients at the accepted θ
      expect(loss).toBe(res.value); // the last evaluation was at the accepted point: same value, same θ
      if (k === 1) top = engine.arena.topBytes;
      if (k > 1) expect(engine.arena.topBytes).toBe(top);
    }
    expect(loss).toBeLessThan(first / 4);
    ls.dispose();
    model.dispose();
    x.dispose();
    y.dispose();
  });

  it('a disposed model: forParameters and step() refuse (StateError) and write nothing into the reused blocks', async () => {
    const engine = await engineFor('simd');
    const x = engine.vector(5, [1, 2, 3, 4, 5]);
    x.grads.set([1, 1, 1, 1, 1]);
    const ls = schedules.armijo().forParameters(x, () => 0);
    x.dispose();
    const t = engine.tensor([5], [5, 5, 5, 5, 5]);
    expect(() => ls.step(1)).toThrow(StateError);
    expect(() => schedules.armijo().forParameters(x, () => 0)).toThrow(StateError);
    expect(Array.from(t.data)).toEqual([5, 5, 5, 5, 5]);
    ls.dispose();
    t.dispose();
  });
});
