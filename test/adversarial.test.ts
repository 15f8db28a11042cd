// engine.adversarial (src/adversarial/): attacks on a model's inputs, both builds.
//
// - FGSM on a linear model equals its closed form: for softmax cross-entropy the input
//   gradient of row r is Wᵀ(p_r − e_{y_r})/n, so x' = clamp(x + eps·sign(Wᵀ(p − e_y)), box)
//   (linf) and x + eps·u/‖u‖ (l2), with p computed here in f64;
// - PGD's loss ≥ FGSM's (several seeded MLPs), and every method raises the clean loss;
// - the projections hold: ‖x' − x‖∞ ≤ eps (linf), ‖x'_r − x_r‖₂ ≤ eps per row (l2), x' in the box;
// - the Adam and RMSProp attackers find stronger perturbations than plain ascent at the
//   same step size, on average over seeds (the adaptive step is scale-free; the plain
//   gradient of a trained model is small);
// - no allocation per run after the first; typed errors for eps < 0, a bad norm, steps < 1,
//   a model without input gradients.
import { describe, expect, it } from 'vitest';
import { ValueError, type Engine, type Sequential, type Tensor } from '../src/index.js';
import { BUILDS, engineFor, expectClose, randArray, rng } from './helpers.js';

const N = 12, D = 6, K = 3;

function batch(e: Engine, seed: number): { x: Tensor; y: Int32Array } {
  const x = e.tensor([N, D], randArray(N * D, seed, 0, 1));
  const r = rng(seed + 1);
  return { x, y: Int32Array.from({ length: N }, () => Math.floor(r() * K)) };
}

/** Fits a model a little so the attack has something to undo (plain SGD steps). */
function trainABit(e: Engine, model: Sequential, x: Tensor, y: Int32Array, steps = 60): void {
  const opt = e.optim.adam(model, { lr: 0.05 });
  for (let i = 0; i < steps; i++) {
    model.lossAndGrad(x, y, 'softmaxCrossEntropy');
    opt.step();
  }
}

/** u_r = Wᵀ(p_r − e_{y_r}) in f64 for a linear model with weights W [K, D] and bias b. */
function ceInputDir(params: Float32Array, x: Float32Array, y: Int32Array): Float64Array {
  const u = new Float64Array(N * D);
  for (let r = 0; r < N; r++) {
    const z = new Float64Array(K);
    for (let k = 0; k < K; k++) {
      z[k] = params[K * D + k];
      for (let j = 0; j < D; j++) z[k] += params[k * D + j] * x[r * D + j];
    }
    const mx = Math.max(...z);
    const ez = z.map((v) => Math.exp(v - mx));
    const s = ez.reduce((a, b) => a + b, 0);
    for (let k = 0; k < K; k++) {
      const c = ez[k] / s - (k === y[r] ? 1 : 0);
      for (let j = 0; j < D; j++) u[r * D + j] += c * params[k * D + j];
    }
  }
  return u;
}

for (const b of BUILDS) {
  describe(`adversarial attacks (${b})`, () => {
    it('FGSM on a linear model equals the closed form (linf with a box, and l2)', async () => {
      const e = await engineFor(b);
      const model = e.nn.linear(D, K, { seed: 3 });
      const { x, y } = batch(e, 10);
      const u = ceInputDir(model.parameters(), x.data, y);
      const eps = 0.1;
      const r1 = e.adversarial.attack(model, x, y, { eps, method: 'fgsm', box: [0, 1] });
      const ref1 = Array.from(x.data, (v, i) => Math.min(1, Math.max(0, v + eps * Math.sign(u[i]))));
      expectClose('fgsm linf', r1.x.data, ref1, { rtol: 0, atol: 1e-7 });
      const r2 = e.adversarial.attack(model, x, y, { eps, method: 'fgsm', norm: 'l2' });
      const ref2 = Array.from(x.data, (v, i) => {
        const r = Math.floor(i / D);
        let s = 0;
        for (let j = 0; j < D; j++) s += u[r * D + j] ** 2;
        return v + (eps * u[i]) / Math.sqrt(s);
      });
      expectClose('fgsm l2', r2.x.data, ref2, { rtol: 0, atol: 2e-7 });
      // the attacked loss is the loss at x'
      const check = e.tensor([N, D], r1.x.data);
      expect(model.lossAndGrad(check, y, 'softmaxCrossEntropy')).toBe(r1.loss);
      for (const t of [x, r1.x, r2.x, check]) t.dispose();
      model.dispose();
    });

    it("PGD's loss is at least FGSM's, and every method raises the clean loss (5 seeded MLPs)", async () => {
      const e = await engineFor(b);
      for (let s = 0; s < 5; s++) {
        const model = e.nn.mlp([D, 16, K], { seed: s, activation: 'tanh' });
        const { x, y } = batch(e, 100 + s);
        trainABit(e, model, x, y);
        const clean = model.lossAndGrad(x, y, 'softmaxCrossEntropy');
        const eps = 0.15;
        const fgsm = e.adversarial.attack(model, x, y, { eps, method: 'fgsm' });
        const pgd = e.adversarial.attack(model, x, y, { eps, method: 'pgd', steps: 20 });
        expect(pgd.loss, `seed ${s}`).toBeGreaterThanOrEqual(fgsm.loss);
        expect(fgsm.loss).toBeGreaterThan(clean);
        for (const method of ['ascent', 'adam', 'rmsprop'] as const) {
          const r = e.adversarial.attack(model, x, y, { eps, method, steps: 10, stepSize: 0.02 });
          expect(r.loss, `${method} seed ${s}`).toBeGreaterThan(clean);
          r.x.dispose();
        }
        for (const t of [x, fgsm.x, pgd.x]) t.dispose();
        model.dispose();
      }
    });

    it('the projections hold: the eps-ball (linf, l2 per example) and the input box, with a random start', async () => {
      const e = await engineFor(b);
      const model = e.nn.mlp([D, 12, K], { seed: 9 });
      const { x, y } = batch(e, 7);
      const x0 = x.toArray();
      for (const norm of ['linf', 'l2'] as const) {
        for (const method of ['fgsm', 'pgd', 'ascent', 'adam', 'rmsprop'] as const) {
          const eps = norm === 'linf' ? 0.2 : 0.5;
          const opts = { eps, norm, method, box: [0, 1] as const, randomStart: method !== 'fgsm', seed: 4, ...(method === 'fgsm' ? {} : { steps: 7, stepSize: 0.3 }) };
          const r = e.adversarial.attack(model, x, y, opts);
          const xa = r.x.data;
          for (let row = 0; row < N; row++) {
            let s = 0;
            for (let j = 0; j < D; j++) {
              const i = row * D + j, dv = xa[i] - x0[i];
              expect(xa[i]).toBeGreaterThanOrEqual(0);
              expect(xa[i]).toBeLessThanOrEqual(1);
              if (norm === 'linf') expect(Math.abs(dv), `${method} linf`).toBeLessThanOrEqual(eps * (1 + 1e-6));
              s += dv * dv;
            }
            if (norm === 'l2') expect(Math.sqrt(s), `${method} l2 row ${row}`).toBeLessThanOrEqual(eps * (1 + 1e-5));
          }
          expect(Array.from(x.data)).toEqual(Array.from(x0)); // the clean batch is not touched
          r.x.dispose();
        }
      }
      // eps = 0 gives the clean batch
      const r0 = e.adversarial.attack(model, x, y, { eps: 0 });
      expect(Array.from(r0.x.data)).toEqual(Array.from(x0));
      r0.x.dispose();
      x.dispose();
      model.dispose();
    });

    it('Adam and RMSProp attackers find stronger perturbations than plain ascent at the same step size (mean over 6 seeds)', async () => {
      const e = await engineFor(b);
      const mean = { ascent: 0, adam: 0, rmsprop: 0 };
      const S = 6;
      for (let s = 0; s < S; s++) {
        const model = e.nn.mlp([D, 16, 16, K], { seed: 20 + s });
        const { x, y } = batch(e, 200 + s);
        trainABit(e, model, x, y, 150);
        for (const method of ['ascent', 'adam', 'rmsprop'] as const) {
          const r = e.adversarial.attack(model, x, y, { eps: 0.1, method, steps: 10, stepSize: 0.02, box: [0, 1] });
          mean[method] += r.loss / S;
          r.x.dispose();
        }
        x.dispose();
        model.dispose();
      }
      expect(mean.adam).toBeGreaterThan(mean.ascent);
      expect(mean.rmsprop).toBeGreaterThan(mean.ascent);
    });

    it('a reusable attacker allocates nothing per run after the first batch of its size', async () => {
      const e = await engineFor(b);
      const model = e.nn.mlp([D, 8, K], { seed: 1 });
      const { x, y } = batch(e, 3);
      for (const method of ['pgd', 'adam', 'rmsprop'] as const) {
        const a = e.adversarial.attacker(model, { eps: 0.1, method, steps: 5, randomStart: true, norm: method === 'pgd' ? 'l2' : 'linf' });
        const first = a.run(x, y).loss;
        const used = e.arena.usedBytes, top = e.arena.topBytes, bytes = e.memory.buffer.byteLength;
        for (let i = 0; i < 10; i++) a.run(x, y);
        expect([e.arena.usedBytes, e.arena.topBytes, e.memory.buffer.byteLength]).toEqual([used, top, bytes]);
        expect(Number.isFinite(first)).toBe(true);
        a.dispose();
      }
      x.dispose();
      model.dispose();
    });

    it('the model is left in its mode; a seeded random start is reproducible', async () => {
      const e = await engineFor(b);
      const model = e.nn.mlp([D, 8, K], { seed: 2, dropout: 0.2 });
      const { x, y } = batch(e, 5);
      const opts = { eps: 0.1, randomStart: true, seed: 11, steps: 3 };
      const r1 = e.adversarial.attack(model, x, y, opts);
      const r2 = e.adversarial.attack(model, x, y, opts);
      expect(Array.from(r1.x.data)).toEqual(Array.from(r2.x.data));
      expect(model.training).toBe(true);
      model.eval();
      e.adversarial.attack(model, x, y, opts).x.dispose();
      expect(model.training).toBe(false);
      for (const t of [x, r1.x, r2.x]) t.dispose();
      model.dispose();
    });

    it('bad input: typed errors naming the option (eps < 0, a bad norm, steps < 1, a model without input gradients)', async () => {
      const e = await engineFor(b);
      const model = e.nn.linear(D, K);
      const { x, y } = batch(e, 1);
      const wrong = e.tensor([N, D + 1]);
      const used = e.arena.usedBytes;
      const attack = (o: unknown, m: unknown = model) => () => e.adversarial.attack(m as Sequential, x, y, o as never);
      expect(attack({ eps: -0.1 })).toThrow(ValueError);
      expect(attack({ eps: -0.1 })).toThrow(/eps must be a finite number >= 0, got -0.1/);
      expect(attack({ eps: 0.1, norm: 'l1' })).toThrow(/norm must be one of 'linf', 'l2', got 'l1'/);
      expect(attack({ eps: 0.1, steps: 0 })).toThrow(/steps must be an integer >= 1, got 0/);
      expect(attack({ eps: 0.1, steps: 2.5 })).toThrow(/steps/);
      expect(attack({ eps: 0.1, method: 'fgsm', steps: 3 })).toThrow(/steps must be 1 for method 'fgsm'/);
      expect(attack({ eps: 0.1, method: 'cw' })).toThrow(/method must be one of/);
      expect(attack({ eps: 0.1, stepSize: 0 })).toThrow(/stepSize/);
      expect(attack({ eps: 0.1, box: [1, 0] })).toThrow(/box must have min < max/);
      expect(attack({ eps: 0.1, epsilon: 1 })).toThrow(/unknown option 'epsilon'/);
      expect(attack({})).toThrow(/eps must be/);
      const noInputGrad = { engine: e, inputSize: D, outputSize: K, training: false, train() {}, eval() {}, lossAndGrad: () => 0 };
      expect(attack({ eps: 0.1 }, noInputGrad)).toThrow(/gives no input gradients/);
      expect(e.arena.usedBytes).toBe(used);
      expect(() => e.adversarial.attack(model, wrong, y, { eps: 0.1 })).toThrow(/x is \[12, 7\], the model's input has 6 features/);
      expect(e.arena.usedBytes).toBe(used);
      wrong.dispose();
      x.dispose();
      model.dispose();
    });
  });
}
