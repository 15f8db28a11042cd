// model.hvp (src/nn/hvp.ts), exact H·v by Pearlmutter's R-operator, against torch double
// backward (test/fixtures/make_hvp.py): every activation with mse, every loss and option
// with tanh and gelu nets, a net without biases, an activation before the first linear and a
// deeper mixed net. torch's figures are float64 evaluations of the same float32 parameters,
// inputs and direction (the exact answer); ours run in f32. Required (the figure):
// ‖ours − torch‖∞ ≤ 1e-4·‖torch‖∞, with elementwise |ours − torch| ≤ 1e-4·|torch| + 1e-5·‖torch‖∞.
//
// Also: dropout with its fixed mask against a central difference of lossAndGrad's gradients
// at the same RNG state (f64 differences of f32 gradients), a custom loss without a curvature
// rule (the finite-difference fallback), linearity and symmetry (u·Hv = v·Hu), the model's
// state left unchanged, and typed errors for bad input.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ShapeError, ValueError, type Engine, type LayerSpec, type LossEntry } from '../src/index.js';
import { BUILDS, engineFor, expectClose, randArray } from './helpers.js';

interface Case {
  name: string;
  specs: { type: string; in?: number; out?: number; bias?: boolean; name?: string; slope?: number; beta?: number; threshold?: number }[];
  inputSize: number;
  loss: { name: string; options?: Record<string, unknown> };
  params: number[];
  x: number[];
  y: number[];
  labels: boolean;
  yShape: number[];
  loss_value: number;
  v: number[];
  hv: number[];
}
const fx: { torch: string; rows: number; cases: Case[] } = JSON.parse(readFileSync(new URL('./fixtures/hvp.json', import.meta.url), 'utf8'));

const amax = (a: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
};
const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

function build(e: Engine, c: Case) {
  const L = e.nn.layers;
  const specs: LayerSpec[] = c.specs.map((s) =>
    s.type === 'linear' ? L.linear(s.in!, s.out!, { bias: s.bias }) : L.activation(s.name as never, { slope: s.slope, beta: s.beta, threshold: s.threshold }),
  );
  const model = e.nn.sequential(specs, { inputSize: c.inputSize });
  model.setParameters(c.params);
  const x = e.tensor([fx.rows, c.inputSize], c.x);
  const y = c.labels ? Int32Array.from(c.y) : e.tensor(c.yShape, c.y);
  const loss = (e.loss as unknown as Record<string, (o?: unknown) => LossEntry>)[c.loss.name](c.loss.options ?? {});
  const dispose = (): void => {
    model.dispose();
    x.dispose();
    if (!(y instanceof Int32Array)) y.dispose();
  };
  return { model, x, y, loss, dispose };
}

for (const b of BUILDS) {
  describe(`model.hvp vs torch ${fx.torch} double backward (${b})`, () => {
    for (const c of fx.cases) {
      it(c.name, async () => {
        const e = await engineFor(b);
        const s = build(e, c);
        const hv = s.model.hvp(s.x, s.y, s.loss, c.v);
        const scale = amax(c.hv);
        expect(amax(Array.from(hv, (h, i) => h - c.hv[i]))).toBeLessThanOrEqual(1e-4 * scale);
        expectClose(`hvp ${c.name}`, hv, c.hv, { rtol: 1e-4, atol: 1e-5 * scale });
        // the operator reports the loss at (x, y), and a Float32Array out works too
        const op = s.model.hvpOperator(s.x, s.y, s.loss);
        expect(Math.abs(op.value - c.loss_value)).toBeLessThanOrEqual(1e-5 * Math.abs(c.loss_value) + 1e-6);
        const out32 = op.apply(c.v, new Float32Array(c.v.length));
        expectClose(`hvp f32 out ${c.name}`, out32, hv, { rtol: 0, atol: 0 });
        op.dispose();
        s.dispose();
      });
    }
  });

  describe(`model.hvp: properties, dropout, fallback, errors (${b})`, () => {
    const mlpCase = fx.cases.find((c) => c.name.startsWith('gelu / softmaxCrossEntropy{}'))!;

    it('is linear in v and symmetric (u·Hv = v·Hu)', async () => {
      const e = await engineFor(b);
      const s = build(e, mlpCase);
      const P = s.model.numParameters;
      const u = randArray(P, 1), v = randArray(P, 2);
      const op = s.model.hvpOperator(s.x, s.y, s.loss);
      const hu = op.apply(u), hv = op.apply(v);
      const sum = op.apply(Float32Array.from(u, (a, i) => a + 2 * v[i]));
      expectClose('H(u + 2v)', sum, Array.from(hu, (h, i) => h + 2 * hv[i]), { rtol: 1e-4, atol: 1e-5 * amax(sum) });
      expect(Math.abs(dot(u, hv) - dot(v, hu))).toBeLessThanOrEqual(1e-4 * (Math.abs(dot(u, hv)) + 1e-3));
      op.dispose();
      s.dispose();
    });

    it('leaves the parameters, gradients, RNG state and last forward unchanged', async () => {
      const e = await engineFor(b);
      const model = e.nn.mlp([3, 5, 2], { activation: 'tanh', dropout: 0.3, seed: 4 });
      const x = e.tensor([4, 3], randArray(12, 3)), y = e.tensor([4, 2], randArray(8, 4));
      model.lossAndGrad(x, y);
      const before = [model.parameters(), model.gradients(), model.rngState(), model.forward(x).toArray()];
      model.setRngState(before[2]);
      model.hvp(x, y, 'mse', randArray(model.numParameters, 5));
      expect([model.parameters(), model.gradients(), model.rngState()]).toEqual(before.slice(0, 3));
      x.dispose();
      y.dispose();
      model.dispose();
    });

    it('dropout (training mode): exact for the fixed mask the next forward draws (vs central differences of lossAndGrad)', async () => {
      const e = await engineFor(b);
      const model = e.nn.mlp([4, 6, 6, 3], { activation: 'tanh', dropout: 0.4, seed: 9 });
      const x = e.tensor([5, 4], randArray(20, 6, -2, 2)), y = Int32Array.from([0, 2, 1, 1, 0]);
      const P = model.numParameters, p0 = model.parameters(), rng0 = model.rngState();
      const v = randArray(P, 7);
      const hv = model.hvp(x, y, 'softmaxCrossEntropy', v);
      const h = 1e-2;
      const grad = (t: number): Float32Array => {
        model.setParameters(Float32Array.from(p0, (p, i) => p + t * v[i]));
        model.setRngState(rng0);
        model.lossAndGrad(x, y, 'softmaxCrossEntropy');
        return model.gradients();
      };
      // fourth-order central difference: (8(g(h) − g(−h)) − (g(2h) − g(−2h)))/(12h)
      const g1 = grad(h), gm1 = grad(-h), g2 = grad(2 * h), gm2 = grad(-2 * h);
      const fd = Array.from(hv, (_, i) => (8 * (g1[i] - gm1[i]) - (g2[i] - gm2[i])) / (12 * h));
      expectClose('dropout hvp vs finite differences', hv, fd, { rtol: 2e-2, atol: 2e-3 * amax(fd) });
      // eval mode: no dropout; a different product
      model.setParameters(p0);
      model.eval();
      const hvEval = model.hvp(x, y, 'softmaxCrossEntropy', v);
      expect(amax(Array.from(hvEval, (a, i) => a - hv[i]))).toBeGreaterThan(1e-3 * amax(hv));
      x.dispose();
      model.dispose();
    });

    it('a custom loss without a curvature rule: central differences of its gradient (close, not exact)', async () => {
      const e = await engineFor(b);
      const s = build(e, mlpCase);
      const exact = s.model.hvp(s.x, s.y, s.loss, mlpCase.v);
      const { hvp: _drop, ...custom } = s.loss;
      const approx = s.model.hvp(s.x, s.y, custom as LossEntry, mlpCase.v);
      expectClose('fallback', approx, exact, { rtol: 1e-2, atol: 2e-3 * amax(exact) });
      s.dispose();
    });

    it('bad input: typed errors naming the argument; nothing changes', async () => {
      const e = await engineFor(b);
      const s = build(e, mlpCase);
      const P = s.model.numParameters, used = e.arena.usedBytes;
      expect(() => s.model.hvp(s.x, s.y, s.loss, new Float64Array(P - 1))).toThrow(ShapeError);
      expect(() => s.model.hvp(s.x, s.y, s.loss, new Float64Array(P).fill(NaN))).toThrow(/v must be finite/);
      expect(() => s.model.hvp(s.x, s.y, s.loss, new Float64Array(P), new Float64Array(2))).toThrow(/out must be/);
      expect(() => s.model.hvp(s.x, Int32Array.from([0, 1, 9, 0, 0, 0, 0]), s.loss, new Float64Array(P))).toThrow(/label 9 at index 2/);
      expect(() => s.model.hvp(s.x, s.y, 'mse', new Float64Array(P))).toThrow(ValueError);
      expect(() => s.model.hvp(s.x, s.y, s.loss, null as never)).toThrow(/v must be an array/);
      expect(e.arena.usedBytes).toBe(used);
      s.dispose();
    });
  });
}
