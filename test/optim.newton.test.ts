// engine.optim.newton (src/optim/newton.ts): damped Newton with Levenberg-Marquardt damping
// over the exact dense Hessian. Logistic regression (a Linear(4, 1) with bceWithLogits on 40
// rows with random labels: strictly convex, one minimum): the gradient roughly squares per
// step near the minimum (digits doubling), the minimum equals an independent f64 BFGS run of
// the same loss (engine.minimize) to 1e-6 relative; a tanh MLP (indefinite Hessians): the
// loss never rises, the Hessian modification shifts H when needed; typed errors. State:
// state()/loadState(), a checkpoint and a snapshot resume exactly (the next steps are the
// same bits); bad states are refused before anything is written. Both builds.
import { describe, expect, it } from 'vitest';
import { applyCheckpoint, decodeCheckpoint, encodeCheckpoint, minimize, StateError, ValueError, type Engine } from '../src/index.js';
import { BUILDS, engineFor, randArray } from './helpers.js';

const n = 40, d = 4;
const X = randArray(n * d, 21, -2, 2);
const labels = Array.from(randArray(n, 22, 0, 1), (u, i) => (u + 0.3 * X[i * d] > 0.5 ? 1 : 0));

/** the same mean BCE-with-logits loss in f64, θ = [w (4), b] */
function logistic(theta: Float64Array, grad?: Float64Array): number {
  let f = 0;
  grad?.fill(0);
  for (let r = 0; r < n; r++) {
    let z = theta[d];
    for (let j = 0; j < d; j++) z += theta[j] * X[r * d + j];
    f += Math.max(z, 0) - z * labels[r] + Math.log1p(Math.exp(-Math.abs(z)));
    if (grad) {
      const s = 1 / (1 + Math.exp(-z)) - labels[r];
      for (let j = 0; j < d; j++) grad[j] += (s * X[r * d + j]) / n;
      grad[d] += s / n;
    }
  }
  return f / n;
}

for (const b of BUILDS) {
  describe(`engine.optim.newton (${b})`, () => {
    it('logistic regression: quadratic convergence to the f64 minimum', async () => {
      const e = await engineFor(b);
      const model = e.nn.sequential([e.nn.layers.linear(d, 1)]);
      model.setParameters(new Float32Array(d + 1));
      const x = e.tensor([n, d], X), y = e.tensor([n, 1], labels);
      const opt = e.optim.newton(model, { damping: 0 });
      const gmax: number[] = [];
      for (let k = 0; k < 10; k++) {
        opt.step(x, y, 'bceWithLogits');
        gmax.push(opt.last!.gradMax);
        expect(opt.last!.accepted || opt.last!.gradMax < 1e-6).toBe(true);
      }
      model.lossAndGrad(x, y, 'bceWithLogits');
      const gEnd = Math.max(...Array.from(model.gradients(), Math.abs));
      expect(gEnd).toBeLessThan(1e-5);
      // digits double: some step from max|g| in [1e-4, 0.05] lands at or below 10·max|g|²
      const quad = gmax.some((g, k) => g >= 1e-4 && g <= 5e-2 && k + 1 < gmax.length && gmax[k + 1] <= 10 * g * g);
      expect(quad, `max|g| per step: ${gmax.map((g) => g.toExponential(1)).join(' ')}`).toBe(true);
      const ref = minimize(logistic, new Float64Array(d + 1), { method: 'bfgs', gtol: 1e-10 });
      const ours = logistic(Float64Array.from(model.parameters()));
      expect(Math.abs(ours - ref.fun)).toBeLessThanOrEqual(1e-6 * ref.fun);
      x.dispose();
      y.dispose();
      model.dispose();
    });

    it('a tanh MLP: the loss never rises, indefinite Hessians are shifted', async () => {
      const e = await engineFor(b);
      const model = e.nn.mlp([2, 5, 1], { activation: 'tanh', seed: 3 });
      const xs = randArray(30 * 2, 31, -2, 2);
      const x = e.tensor([30, 2], xs), y = e.tensor([30, 1], Array.from({ length: 30 }, (_, r) => Math.sin(2 * xs[2 * r]) * xs[2 * r + 1]));
      const opt = e.optim.newton(model);
      const losses: number[] = [];
      let shifted = false;
      for (let k = 0; k < 25; k++) {
        losses.push(opt.step(x, y, 'mse'));
        if (opt.last!.shift > 1e-3) shifted = true;
        expect(opt.last!.loss).toBeLessThanOrEqual(losses[k]);
      }
      expect(losses[24]).toBeLessThan(0.5 * losses[0]);
      expect(shifted).toBe(true);
      x.dispose();
      y.dispose();
      model.dispose();
    });

    it('bad input: typed errors naming the option', async () => {
      const e = await engineFor(b);
      const model = e.nn.mlp([3, 4, 2]);
      expect(() => e.optim.newton(model, { maxParameters: 10 })).toThrow(/26 parameters, more than maxParameters = 10/);
      expect(() => e.optim.newton(model, { damping: -1 })).toThrow(/damping/);
      expect(() => e.optim.newton(model, { dampingFactor: 1 })).toThrow(/dampingFactor must be > 1/);
      expect(() => e.optim.newton(model, { lr: 0 })).toThrow(ValueError);
      expect(() => e.optim.newton(model, { dampling: 1 } as never)).toThrow(/unknown option 'dampling'/);
      model.dispose();
    });

    /** a tanh MLP on a regression batch: Newton's damping moves up and down, so the state matters */
    const mlp = (e: Engine) => {
      const model = e.nn.mlp([2, 5, 1], { activation: 'tanh', seed: 3 });
      const xs = randArray(30 * 2, 31, -2, 2);
      const x = e.tensor([30, 2], xs), y = e.tensor([30, 1], Array.from({ length: 30 }, (_, r) => Math.sin(2 * xs[2 * r]) * xs[2 * r + 1]));
      return { model, x, y, dispose: () => [x, y, model].forEach((t) => t.dispose()) };
    };

    it('state() / loadState() and a checkpoint into a fresh optimizer continue bit for bit', async () => {
      const e = await engineFor(b);
      const a = mlp(e), c = mlp(e), d = mlp(e);
      const oa = e.optim.newton(a.model), oc = e.optim.newton(c.model), od = e.optim.newton(d.model);
      for (let k = 0; k < 4; k++) oa.step(a.x, a.y, 'mse');
      const st = oa.state();
      expect(st).toMatchObject({ name: 'newton', stepCount: 4, numParameters: 21, groups: [{ lr: 1, scalars: { damping: oa.damping }, buffers: {} }] });
      expect(oa.damping).not.toBe(1e-3);
      oc.loadState(st);
      c.model.setParameters(a.model.parameters());
      const { weights, sidecar } = encodeCheckpoint(a.model, { optimizer: oa as never });
      applyCheckpoint(d.model, decodeCheckpoint(weights, sidecar), { optimizer: od as never });
      expect([oc.stepCount, od.stepCount]).toEqual([4, 4]);
      for (let k = 0; k < 4; k++) {
        const la = oa.step(a.x, a.y, 'mse');
        expect(oc.step(c.x, c.y, 'mse')).toBe(la);
        expect(od.step(d.x, d.y, 'mse')).toBe(la);
        expect([oc.damping, od.damping]).toEqual([oa.damping, oa.damping]);
      }
      expect(Array.from(c.model.parameters())).toEqual(Array.from(a.model.parameters()));
      expect(Array.from(d.model.parameters())).toEqual(Array.from(a.model.parameters()));
      for (const s of [a, c, d]) s.dispose();
    });

    it('a snapshot restores damping, step count and parameters; take/restore/step allocate nothing', async () => {
      const e = await engineFor(b);
      const s = mlp(e);
      const opt = e.optim.newton(s.model);
      opt.step(s.x, s.y, 'mse');
      const snap = opt.snapshot({ params: true });
      expect(snap.restore()).toBe(false);
      snap.take();
      const before = { p: s.model.parameters(), st: opt.state() };
      const used = e.arena.usedBytes;
      opt.step(s.x, s.y, 'mse');
      const after = s.model.parameters();
      snap.restore();
      expect(Array.from(s.model.parameters())).toEqual(Array.from(before.p));
      expect(opt.state()).toEqual(before.st);
      opt.step(s.x, s.y, 'mse');
      expect(Array.from(s.model.parameters())).toEqual(Array.from(after));
      expect(e.arena.usedBytes).toBe(used);
      snap.dispose();
      snap.dispose();
      expect(() => snap.take()).toThrow(StateError);
      s.dispose();
    });

    it('a lr schedule is read at every step; bad states are refused before anything is written', async () => {
      const e = await engineFor(b);
      const s = mlp(e);
      const seen: number[] = [];
      const opt = e.optim.newton(s.model, { lr: (k) => (seen.push(k), 0.5) });
      opt.step(s.x, s.y, 'mse');
      opt.step(s.x, s.y, 'mse');
      expect(seen).toEqual([0, 1]);
      expect(opt.state().groups[0].lr).toBeNull();
      const good = e.optim.newton(s.model, { lr: 0.5 });
      good.step(s.x, s.y, 'mse');
      const st = good.state();
      const fresh = e.optim.newton(s.model);
      const bad: [object, RegExp][] = [
        [{ ...st, name: 'lbfgs' }, /state of a 'lbfgs' optimizer/],
        [{ ...st, numParameters: 5 }, /model with 5 parameters, this one has 21/],
        [{ ...st, stepCount: -1 }, /stepCount must be a non-negative integer/],
        [{ ...st, groups: [] }, /1 group/],
        [{ ...st, groups: [{ ...st.groups[0], scalars: { damping: -1 } }] }, /'damping' must be a finite number >= 0, got -1/],
        [{ ...st, groups: [{ ...st.groups[0], scalars: { damping: NaN } }] }, /'damping'/],
        [{ ...st, groups: [{ ...st.groups[0], buffers: { d: new Float32Array(21) } }] }, /no buffers, got 'd'/],
        [{ ...st, groups: [{ ...st.groups[0], lr: -2 }] }, /state lr/],
        [{ ...st, format: 'x' }, /OptimizerState/],
      ];
      for (const [state, msg] of bad) {
        expect(() => fresh.loadState(state as never)).toThrow(StateError);
        expect(() => fresh.loadState(state as never)).toThrow(msg);
        expect([fresh.stepCount, fresh.damping, fresh.lr]).toEqual([0, 1e-3, 1]);
      }
      fresh.loadState(st);
      expect([fresh.stepCount, fresh.damping, fresh.lr]).toEqual([1, good.damping, 0.5]);
      s.model.dispose();
      expect(() => fresh.state()).toThrow(/model was disposed/);
      s.x.dispose();
      s.y.dispose();
    });
  });
}
