// minimize(): options, result fields, the core path (vectors in the arena) against the
// host path, the arena left as found after a return or a throw, and bad input.
import { describe, expect, it } from 'vitest';
import { init, LinAlgError, minimize, objectives, ShapeError, ValueError, type Fun, type Method } from '../src/index.js';
import { expectClose } from './helpers.js';

const METHODS: Method[] = ['gd', 'cg', 'bfgs', 'lbfgs', 'lbfgsb', 'newton', 'newton-cg', 'trust-ncg', 'nelder-mead'];
const booth = objectives.booth();

describe('minimize', () => {
  it('every method solves Booth and Beale; result has scipy names and consistent counts', async () => {
    const core = await init();
    for (const ob of [booth, objectives.beale()]) {
      for (const method of METHODS) {
        const r = minimize(ob.fun, ob.x0, { method, core, hess: ob.hess, hessp: method === 'newton-cg' ? ob.hessp : undefined, maxIter: 100000 });
        expect(r.success, `${ob.name} ${method}: ${r.message}`).toBe(true);
        expect(r.status).toBe(0);
        expect(r.message).toBe('Optimization terminated successfully.');
        expectClose(`${ob.name} ${method}`, r.x, ob.xmin!, { rtol: 1e-3, atol: 1e-3 });
        expect(r.fun).toBe(ob.fun(r.x));
        expect(r.nfev).toBeGreaterThanOrEqual(r.nit);
        if (method === 'nelder-mead') expect([r.jac, r.njev]).toEqual([undefined, 0]);
        else expect(r.jac!.length).toBe(2);
        if (method === 'newton') expect(r.nhev).toBe(r.nit);
      }
    }
  });

  it('finite-difference gradients (2-point, 3-point) reach the minimum; nfev counts every call', () => {
    const ob = objectives.rosenbrock(3);
    let calls = 0;
    const f: Fun = (x) => (calls++, ob.fun(x));
    for (const jac of ['2-point', '3-point'] as const) {
      calls = 0;
      // forward differences carry ~√ε·|f''| ≈ 1e-5 of error here, so ask for 1e-4
      const r = minimize(f, ob.x0, { method: 'bfgs', jac, gtol: 1e-4 });
      expect(r.success, r.message).toBe(true);
      expect(r.fun).toBeLessThan(1e-8);
      expect(r.nfev).toBe(calls);
      expect(r.njev).toBeGreaterThan(0);
    }
  });

  it('the core path (vectors in the arena, f64 kernels) matches the host path and leaves the arena as it was', async () => {
    const core = await init();
    const n = 1000;
    const ob = objectives.rosenbrock(n);
    for (const method of ['lbfgs', 'cg', 'gd'] as const) {
      const used = core.arena.usedBytes, top = core.arena.topBytes, blocks = core.arena.liveBlocks;
      const opts = { method, maxIter: method === 'gd' ? 50 : 500 };
      const a = minimize(ob.fun, ob.x0, opts);
      const b = minimize(ob.fun, ob.x0, { ...opts, core });
      expect([core.arena.usedBytes, core.arena.liveBlocks]).toEqual([used, blocks]);
      expect(core.arena.topBytes).toBeLessThanOrEqual(Math.max(top, core.arena.topBytes));
      // the host twin sums in the kernels' order: the same iterates to the bit
      expect(b.nit, method).toBe(a.nit);
      expect(b.nfev, method).toBe(a.nfev);
      expect(b.x, method).toEqual(a.x);
    }
    const full = minimize(ob.fun, ob.x0, { method: 'lbfgs', core });
    expect(full.success, full.message).toBe(true);
    expect(full.fun).toBeLessThan(1e-8);
    // a throw from fun mid-run frees the planned block too
    const used = core.arena.usedBytes, blocks = core.arena.liveBlocks;
    let k = 0;
    const bad: Fun = (x, g) => {
      if (++k > 5) throw new Error('boom');
      return ob.fun(x, g);
    };
    expect(() => minimize(bad, ob.x0, { method: 'lbfgs', core })).toThrow('boom');
    expect([core.arena.usedBytes, core.arena.liveBlocks]).toEqual([used, blocks]);
    // engine.minimize: bound to the engine
    const r = core.minimize(booth.fun, booth.x0, { method: 'newton', hess: booth.hess });
    expect(r.nit).toBe(1);
  });

  it('callback, history, signal and the budgets', () => {
    const ob = objectives.rosenbrock(2);
    const seen: number[] = [];
    const r = minimize(ob.fun, ob.x0, { callback: (it) => (seen.push(it.nit), it.nit === 3), history: true });
    expect([r.status, r.success, r.nit]).toEqual([99, false, 3]);
    expect(seen).toEqual([1, 2, 3]);
    expect(r.history!.map((h) => h.nit)).toEqual([1, 2, 3]);
    expect(r.history![2].fun).toBe(r.fun);
    const ctl = new AbortController();
    const r2 = minimize(ob.fun, ob.x0, { method: 'lbfgs', callback: (it) => void (it.nit === 2 && ctl.abort()), signal: ctl.signal });
    expect([r2.status, r2.nit]).toEqual([99, 2]);
    const r3 = minimize(ob.fun, ob.x0, { method: 'cg', maxIter: 4 });
    expect([r3.status, r3.nit, r3.success]).toEqual([1, 4, false]);
    const r4 = minimize(ob.fun, ob.x0, { method: 'nelder-mead', maxEval: 30 });
    expect(r4.status).toBe(4);
    expect(r4.nfev).toBeLessThanOrEqual(32);
  });

  it('bounds: x0 outside is clipped and the message says so; the result stays in the box', () => {
    const ob = objectives.rosenbrock(4);
    const r = minimize(ob.fun, [-3, 3, 0, 0], { bounds: [-2, 0.5] });
    expect(r.success).toBe(true);
    expect(r.message).toMatch(/x0 was outside the bounds and was clipped into them at coordinates 0, 1\./);
    for (const v of r.x) expect(v >= -2 && v <= 0.5).toBe(true);
    const r2 = minimize(booth.fun, [5, 5], { method: 'nelder-mead', bounds: [[0, 0.5], [-10, 10]] });
    expect(r2.x[0]).toBeLessThanOrEqual(0.5);
  });

  it('a non-finite value during the run ends it with success false and names the iteration', () => {
    // f is finite at x0 = 0 and NaN at every other point
    const f: Fun = (x, g) => {
      if (g) g[0] = -4;
      return x[0] === 0 ? 0 : NaN;
    };
    for (const method of ['gd', 'bfgs', 'lbfgs', 'lbfgsb'] as const) {
      const r = minimize(f, [0], { method });
      expect(r.success, method).toBe(false);
      expect(Number.isFinite(r.fun), method).toBe(true);
      expect(r.message, method).toMatch(/NaN or infinite value encountered \(at iteration 1\)/);
    }
  });

  it('bad input is a typed error naming the argument, and nothing is evaluated after it', async () => {
    const f = booth.fun;
    expect(() => minimize('f' as unknown as Fun, [0, 0])).toThrow(/fun must be a function/);
    expect(() => minimize(f, [])).toThrow(ShapeError);
    expect(() => minimize(f, [0, NaN])).toThrow(/x0\[1\] must be finite, got NaN/);
    expect(() => minimize(f, [0, 0], { method: 'sgd' as Method })).toThrow(/method must be one of 'gd', 'cg'/);
    expect(() => minimize(f, [0, 0], { gtol: -1 })).toThrow(/gtol must be a finite number >= 0, got -1/);
    expect(() => minimize(f, [0, 0], { maxIter: 1.5 })).toThrow(/maxIter must be an integer >= 0/);
    expect(() => minimize(f, [0, 0], { jac: '5-point' as '2-point' })).toThrow(/jac must be true, '2-point' or '3-point'/);
    expect(() => minimize(f, [0, 0], { bounds: [1, 0] })).toThrow(/bounds\[0\] has lo 1 > hi 0/);
    expect(() => minimize(f, [0, 0], { bounds: [[0, 1]] })).toThrow(/bounds has 1 pairs, x0 has length 2/);
    expect(() => minimize(f, [0, 0], { method: 'bfgs', bounds: [0, 1] })).toThrow(/method 'bfgs' does not take bounds/);
    expect(() => minimize(f, [0, 0], { method: 'newton' })).toThrow(/method 'newton' factors H in the core/);
    expect(() => minimize(() => Infinity, [0, 0], { jac: '2-point' })).toThrow(/f\(x0\) must be finite, got Infinity/);
    expect(() => minimize((_x, g) => (g && g.fill(0), 'x' as unknown as number), [0, 0])).toThrow(/fun must return a number, got string/);
    expect(() => minimize((x) => x[0] ** 2, [1, 1])).toThrow(/fun did not write the gradient/);
    expect(() => minimize((_x, g) => (g && (g[0] = NaN, g[1] = 0), 1), [1, 1])).toThrow(/gradient at x0 must be finite, got ∇f\(x0\)\[0\] = NaN/);
    const core = await init();
    const used = core.arena.usedBytes;
    // hess not symmetric, or indefinite without damping: LinAlgError, arena unchanged
    expect(() => minimize(f, [0, 0], { method: 'newton', core, hess: (_x, H) => H.set([1, 2, 0, 1]) })).toThrow(LinAlgError);
    expect(() => minimize(f, [0, 0], { method: 'newton', core, damping: false, hess: (_x, H) => H.set([1, 0, 0, -1]) })).toThrow(/not positive definite/);
    expect(core.arena.usedBytes).toBe(used);
    // with damping the indefinite H is shifted (Levenberg-Marquardt) and the run still converges
    const s = objectives.doubleWell();
    const r = minimize(s.fun, [0.1, 0.5], { method: 'newton', core, hess: s.hess, gtol: 1e-12 });
    expect(r.success).toBe(true);
    expect(Math.abs(Math.abs(r.x[0]) - 1)).toBeLessThan(1e-8);
    expect(ValueError).toBeDefined();
  });
});
