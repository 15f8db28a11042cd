// Input gradients (src/nn/input-grad.ts): lossAndGrad(x, y, loss, { inputGrad }) and
// backward(dOut, { inputGrad }) write dL/dx.
//
// 1. PyTorch parity (test/fixtures/make_input_grad.py, torch 1.13, float64 evaluation of
//    the same float32 inputs): x.grad, the loss and every parameter gradient, for an MLP
//    per activation, stacks that start with an activation or an identity, a bias-free deep
//    linear net and a single linear layer; cross-entropy and half-mean squared error.
//    Tolerance as in nn.torch.test.ts: rtol 1e-5 with an absolute floor of 1e-6 · max|ref|.
// 2. Central finite differences of the f32 loss (smooth stacks; dropout in training mode
//    with the RNG state reset before each evaluation so every forward draws the same mask).
// 3. No allocation after the first call; typed errors that change nothing.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ShapeError, StateError, ValueError, type Engine, type LayerSpec, type Sequential, type Tensor } from '../src/index.js';
import { BUILDS, engineFor, expectClose, randArray } from './helpers.js';

type Spec = ['linear', number, number, boolean] | ['activation', string];
interface Fixture {
  torch: string;
  n: number;
  x: number[];
  labels: number[];
  reg: number[];
  cases: { stack: string; spec: Spec[]; loss: 'softmaxCrossEntropy' | 'mse'; params: number[]; value: number; inputGrad: number[]; grads: number[] }[];
}
const fx: Fixture = JSON.parse(readFileSync(new URL('./fixtures/input_grad_torch.json', import.meta.url), 'utf8'));

function tol(ref: ArrayLike<number>): { rtol: number; atol: number } {
  let m = 0;
  for (let i = 0; i < ref.length; i++) m = Math.max(m, Math.abs(ref[i]));
  return { rtol: 1e-5, atol: 1e-6 * m };
}

function build(e: Engine, spec: Spec[]): Sequential {
  const L = e.nn.layers;
  const specs: LayerSpec[] = spec.map((s) => (s[0] === 'linear' ? L.linear(s[1], s[2], { bias: s[3] }) : L.activation(s[1] as never)));
  return e.nn.sequential(specs, { inputSize: 5 });
}

for (const b of BUILDS) {
  describe(`input gradients: PyTorch ${fx.torch} parity (${b})`, () => {
    for (const c of fx.cases) {
      it(`${c.stack} + ${c.loss}`, async () => {
        const e = await engineFor(b);
        const model = build(e, c.spec);
        model.setParameters(c.params);
        const x = e.tensor([fx.n, 5], fx.x);
        const y = c.loss === 'mse' ? e.tensor([fx.n, 3], fx.reg) : Int32Array.from(fx.labels);
        const gx = e.tensor([fx.n, 5]);
        const value = model.lossAndGrad(x, y, c.loss, { inputGrad: gx });
        const what = `${c.stack} + ${c.loss}`;
        expectClose(`${what}: loss`, [value], [c.value], { rtol: 1e-5, atol: 0 });
        expectClose(`${what}: dL/dx`, gx.data, c.inputGrad, tol(c.inputGrad));
        expectClose(`${what}: dL/dθ`, model.gradients(), c.grads, tol(c.grads));
        // the parameter gradients are those of a call without inputGrad (same bits)
        const g = model.gradients();
        model.lossAndGrad(x, y, c.loss);
        expect(model.gradients()).toEqual(g);
        // backward(dOut, { inputGrad }) after forward: the same dL/dx when dOut is the loss's dL/dy
        if (c.loss === 'mse') {
          const out = model.forward(x).toArray();
          const dOut = e.tensor([fx.n, 3], out.map((v, i) => (v - fx.reg[i]) / fx.n));
          const gx2 = e.tensor([fx.n, 5]);
          model.zeroGrad();
          model.backward(dOut, { inputGrad: gx2 });
          expectClose(`${what}: backward dL/dx`, gx2.data, c.inputGrad, tol(c.inputGrad));
          dOut.dispose();
          gx2.dispose();
        }
        model.dispose();
        for (const t of [x, gx]) t.dispose();
        if (!(y instanceof Int32Array)) y.dispose();
      });
    }
  });

  describe(`input gradients: finite differences and contracts (${b})`, () => {
    /** central differences of the f32 loss in x, h = 1e-2 (error O(h²) plus f32 rounding / h) */
    function fdCheck(e: Engine, model: Sequential, x: Tensor, y: Int32Array | Tensor, loss: 'mse' | 'softmaxCrossEntropy', reset?: () => void): void {
      const gx = e.tensor(x.shape);
      reset?.();
      model.lossAndGrad(x, y, loss, { inputGrad: gx });
      const g = gx.toArray();
      const h = 1e-2;
      const fd = new Float64Array(x.size);
      for (let i = 0; i < x.size; i++) {
        const v = x.data[i];
        x.data[i] = v + h;
        reset?.();
        const fp = model.lossAndGrad(x, y, loss);
        x.data[i] = v - h;
        reset?.();
        const fm = model.lossAndGrad(x, y, loss);
        x.data[i] = v;
        fd[i] = (fp - fm) / (2 * h);
      }
      let m = 0;
      for (const v of fd) m = Math.max(m, Math.abs(v));
      expectClose('finite differences', g, fd, { rtol: 2e-3, atol: 2e-3 * m });
      gx.dispose();
    }

    it('a tanh MLP with softplus and gelu layers, batch 7: matches central differences', async () => {
      const e = await engineFor(b);
      const L = e.nn.layers;
      const model = e.nn.sequential([L.linear(6, 9), L.tanh(), L.linear(9, 8), L.softplus(), L.linear(8, 5), L.gelu(), L.linear(5, 4)], { seed: 3 });
      const x = e.tensor([7, 6], randArray(42, 1, -1.5, 1.5));
      const y = Int32Array.from([0, 1, 2, 3, 0, 1, 2]);
      fdCheck(e, model, x, y, 'softmaxCrossEntropy');
      model.dispose();
      x.dispose();
    });

    it('dropout in training mode: dL/dx uses the forward mask (finite differences with the mask held fixed)', async () => {
      const e = await engineFor(b);
      const model = e.nn.mlp([6, 10, 10, 3], { activation: 'tanh', dropout: 0.3, seed: 5 });
      const s = model.rngState();
      const x = e.tensor([4, 6], randArray(24, 2));
      const y = e.tensor([4, 3], randArray(12, 3));
      fdCheck(e, model, x, y, 'mse', () => model.setRngState(s));
      // and the mask matters: eval mode gives a different gradient
      const g1 = e.tensor([4, 6]), g2 = e.tensor([4, 6]);
      model.setRngState(s);
      model.lossAndGrad(x, y, 'mse', { inputGrad: g1 });
      model.eval();
      model.lossAndGrad(x, y, 'mse', { inputGrad: g2 });
      expect(Array.from(g1.data)).not.toEqual(Array.from(g2.data));
      model.dispose();
      for (const t of [x, y, g1, g2]) t.dispose();
    });

    it('allocates nothing after the first call, over batch sizes up to the planned one', async () => {
      const e = await engineFor(b);
      const model = e.nn.mlp([8, 16, 16, 4], { seed: 1 });
      const x = e.tensor([32, 8], randArray(256, 4));
      const y = Int32Array.from({ length: 32 }, (_, i) => i % 4);
      const gx = e.tensor([32, 8]);
      model.lossAndGrad(x, y, 'softmaxCrossEntropy', { inputGrad: gx });
      const bytes = e.memory.buffer.byteLength, used = e.arena.usedBytes, top = e.arena.topBytes;
      for (let i = 0; i < 20; i++) model.lossAndGrad(x, y, 'softmaxCrossEntropy', { inputGrad: gx });
      model.lossAndGrad(x, y, 'softmaxCrossEntropy');
      expect([e.memory.buffer.byteLength, e.arena.usedBytes, e.arena.topBytes]).toEqual([bytes, used, top]);
      model.dispose();
      x.dispose();
      gx.dispose();
    });

    it('a larger batch re-plans and still writes dL/dx (same as the batch in two halves)', async () => {
      const e = await engineFor(b);
      const model = e.nn.mlp([5, 7, 3], { seed: 2 });
      const xs = randArray(40, 5);
      const y = e.tensor([8, 3], randArray(24, 6));
      const small = e.tensor([4, 5], xs.subarray(0, 20)), big = e.tensor([8, 5], xs);
      const ys = e.tensor([4, 3], y.data.subarray(0, 12));
      const g4 = e.tensor([4, 5]), g8 = e.tensor([8, 5]);
      model.lossAndGrad(small, ys, e.loss.mse({ reduction: 'sum' }), { inputGrad: g4 });
      model.lossAndGrad(big, y, e.loss.mse({ reduction: 'sum' }), { inputGrad: g8 });
      expectClose('first half', g8.data.subarray(0, 20), g4.data, { rtol: 1e-6, atol: 1e-7 });
      model.dispose();
      for (const t of [y, small, big, ys, g4, g8]) t.dispose();
    });

    it('bad inputGrad: typed errors naming the argument; a rejected call changes nothing', async () => {
      const e = await engineFor(b);
      const model = e.nn.mlp([4, 6, 2], { seed: 7 });
      const x = e.tensor([3, 4], randArray(12, 8));
      const y = Int32Array.from([0, 1, 0]);
      const good = e.tensor([3, 4]);
      model.lossAndGrad(x, y, 'softmaxCrossEntropy', { inputGrad: good });
      const g = model.gradients(), gx = good.toArray();
      const wrong = e.tensor([3, 5]);
      expect(() => model.lossAndGrad(x, y, 'softmaxCrossEntropy', { inputGrad: wrong })).toThrow(ShapeError);
      expect(() => model.lossAndGrad(x, y, 'softmaxCrossEntropy', { inputGrad: wrong })).toThrow(/inputGrad must be \[3, 4\].*got \[3, 5\]/);
      expect(() => model.lossAndGrad(x, y, 'softmaxCrossEntropy', { inputGrad: x })).toThrow(ValueError);
      expect(() => model.lossAndGrad(x, y, 'softmaxCrossEntropy', { inputGrad: [1, 2] as never })).toThrow(/inputGrad must be a Tensor/);
      expect(() => model.lossAndGrad(x, y, 'softmaxCrossEntropy', { inputGrads: good } as never)).toThrow(/inputGrads/);
      const dead = e.tensor([3, 4]);
      dead.dispose();
      expect(() => model.lossAndGrad(x, y, 'softmaxCrossEntropy', { inputGrad: dead })).toThrow(StateError);
      expect(model.gradients()).toEqual(g);
      expect(good.toArray()).toEqual(gx);
      expect(model.inputGradients).toBe(true);
      model.dispose();
      for (const t of [x, good, wrong]) t.dispose();
    });
  });
}
