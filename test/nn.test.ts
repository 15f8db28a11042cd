import { describe, expect, it } from 'vitest';
import { DivergenceError, init, ShapeError, StateError, ValueError, type Engine } from '../src/index.js';
import { BUILDS, engineFor, expectClose, randArray } from './helpers.js';
import { fdGrad, forwardRef, gradTolerance, lossRef, type ActName, type RefLayer, type RefLoss } from './nn-ref.js';

const ACTS: ActName[] = ['relu', 'leakyRelu', 'tanh', 'sigmoid', 'gelu', 'gelu_tanh', 'softplus', 'identity'];

function mlpRef(sizes: number[], act: ActName, bias = true): RefLayer[] {
  const out: RefLayer[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    out.push({ type: 'linear', in: sizes[i], out: sizes[i + 1], bias });
    if (i + 2 < sizes.length) out.push({ type: 'act', name: act });
  }
  return out;
}

/** Analytic (model, f32) vs f64 reference: loss value and every parameter gradient by central differences. */
function gradCheck(
  what: string,
  model: { parameters(): Float32Array; gradients(): Float32Array; lossAndGrad: (...a: never[]) => number },
  value: number,
  ref: RefLayer[],
  x: Float32Array,
  n: number,
  d0: number,
  loss: RefLoss,
): void {
  const p = model.parameters();
  const f = (q: ArrayLike<number>): number => {
    const { y, width } = forwardRef(ref, q, x, n, d0);
    return loss(y, n, width);
  };
  expectClose(`${what} loss`, [value], [f(p)], { rtol: 2e-6, atol: 1e-7 });
  const g = fdGrad(f, p);
  expectClose(`${what} gradient`, model.gradients(), g, gradTolerance(g));
}

for (const build of BUILDS) {
  describe(`nn: MLP gradients against f64 finite differences (${build})`, () => {
    for (const act of ACTS) {
      it(`3-layer MLP [5, 7, 6, 3] with ${act}: mse and softmax cross-entropy`, async () => {
        const e = await engineFor(build);
        const sizes = [5, 7, 6, 3], n = 4;
        const model = e.nn.mlp(sizes, { activation: act, seed: 7 });
        const x = randArray(n * 5, 11, -2, 2);
        const t = randArray(n * 3, 12);
        const xt = e.tensor([n, 5], x), yt = e.tensor([n, 3], t);
        const v1 = model.lossAndGrad(xt, yt, 'mse');
        gradCheck(`mlp ${act} mse`, model, v1, mlpRef(sizes, act), x, n, 5, lossRef.mse(t));
        const labels = new Int32Array([2, 0, 1, 2]);
        const v2 = model.lossAndGrad(xt, labels, 'softmaxCrossEntropy');
        gradCheck(`mlp ${act} xent`, model, v2, mlpRef(sizes, act), x, n, 5, lossRef.xent(labels));
        model.dispose();
        xt.dispose();
        yt.dispose();
      });
    }

    it('4-layer deep linear net with a bottleneck [6, 3, 2, 5, 4], no bias', async () => {
      const e = await engineFor(build);
      const sizes = [6, 3, 2, 5, 4], n = 5;
      const model = e.nn.deepLinear(sizes, { seed: 3 });
      expect(model.numParameters).toBe(6 * 3 + 3 * 2 + 2 * 5 + 5 * 4);
      expect(model.parameterRanges().map((r) => r.name)).toEqual(['0.weight', '1.weight', '2.weight', '3.weight']);
      const x = randArray(n * 6, 21), t = randArray(n * 4, 22);
      const v = model.lossAndGrad(e.tensor([n, 6], x), e.tensor([n, 4], t), e.loss.mse({ reduction: 'sum' }));
      const ref: RefLayer[] = [];
      for (let i = 0; i < 4; i++) ref.push({ type: 'linear', in: sizes[i], out: sizes[i + 1], bias: false });
      gradCheck('deepLinear', model, v, ref, x, n, 6, lossRef.mse(t, 'sum'));
    });

    it('MLP with dropout, masks fixed by the seed: gradients, eval mode, RNG state round trip', async () => {
      const e = await engineFor(build);
      const sizes = [4, 6, 5, 3], n = 5, p = 0.3;
      const model = e.nn.mlp(sizes, { activation: 'gelu', dropout: p, seed: 11 });
      expect(model.layerKinds).toEqual(['linear', 'gelu', 'dropout', 'linear', 'gelu', 'dropout', 'linear']);
      const x = randArray(n * 4, 61), t = randArray(n * 3, 62);
      const xt = e.tensor([n, 4], x), yt = e.tensor([n, 3], t);
      const s0 = model.rngState();
      const v = model.lossAndGrad(xt, yt, 'mse');
      // the masks: n·width uniforms per dropout layer, in forward order, from the saved state
      const st = e.arena.alloc(16);
      new Uint32Array(e.memory.buffer, st, 4).set(s0);
      const masks = [6, 5].map((w) => {
        const u = e.allocF32(n * w);
        e.kernels.f32_rng_uniform(n * w, st, u, 0, 1);
        return Array.from(e.f32(u, n * w), (r) => (r >= p ? Math.fround(1 / Math.fround(1 - p)) : 0));
      });
      expect(masks[0].some((m) => m === 0) && masks[0].some((m) => m > 1)).toBe(true);
      const ref: RefLayer[] = [
        { type: 'linear', in: 4, out: 6, bias: true }, { type: 'act', name: 'gelu' }, { type: 'dropout', mask: masks[0] },
        { type: 'linear', in: 6, out: 5, bias: true }, { type: 'act', name: 'gelu' }, { type: 'dropout', mask: masks[1] },
        { type: 'linear', in: 5, out: 3, bias: true },
      ];
      gradCheck('mlp dropout', model, v, ref, x, n, 4, lossRef.mse(t));
      // replaying the RNG state replays the step bit for bit
      const g = model.gradients();
      model.setRngState(s0);
      expect(model.lossAndGrad(xt, yt, 'mse')).toBe(v);
      expect(model.gradients()).toEqual(g);
      // eval mode: dropout is the identity and draws nothing
      model.eval();
      expect(model.training).toBe(false);
      const s1 = model.rngState();
      const y = model.forward(xt).toArray();
      expect(model.rngState()).toEqual(s1);
      const plain = forwardRef(mlpRef(sizes, 'gelu'), model.parameters(), x, n, 4).y;
      expectClose('mlp dropout eval forward', y, plain, { rtol: 1e-5, atol: 1e-6 });
      model.train();
      expect(model.training).toBe(true);
      expect(() => model.setRngState([0, 0, 0, 0])).toThrow(ValueError);
    });

    it('single linear layer (batch 1 and 9) with each mse reduction', async () => {
      const e = await engineFor(build);
      const model = e.nn.linear(3, 2, { seed: 1 });
      for (const n of [1, 9]) {
        for (const reduction of ['half-mean', 'mean', 'sum'] as const) {
          const x = randArray(n * 3, 30 + n), t = randArray(n * 2, 40 + n);
          const v = model.lossAndGrad(e.tensor([n, 3], x), e.tensor([n, 2], t), e.loss.mse({ reduction }));
          gradCheck(`linear n=${n} ${reduction}`, model, v, [{ type: 'linear', in: 3, out: 2, bias: true }], x, n, 3, lossRef.mse(t, reduction));
        }
      }
    });

    it('forward matches the f64 reference and backward(dOut) accumulates', async () => {
      const e = await engineFor(build);
      const model = e.nn.mlp([4, 8, 3], { activation: 'tanh', seed: 5 });
      const n = 6, x = randArray(n * 4, 50);
      const y = model.forward(e.tensor([n, 4], x));
      expect(y.shape).toEqual([n, 3]);
      const ref = forwardRef(mlpRef([4, 8, 3], 'tanh'), model.parameters(), x, n, 4).y;
      expectClose('mlp forward', y.data, ref, { rtol: 1e-5, atol: 1e-6 });
      const dOut = e.tensor([n, 3], randArray(n * 3, 51));
      model.zeroGrad();
      model.backward(dOut);
      const g1 = model.gradients();
      model.backward(dOut);
      expectClose('accumulated gradient', model.gradients(), Array.from(g1, (v) => 2 * v), { rtol: 1e-6, atol: 1e-7 });
      model.zeroGrad();
      expect(model.gradients().every((v) => v === 0)).toBe(true);
    });
  });

  describe(`nn: model API (${build})`, () => {
    it('names, layout and parameter round trip follow torch nn.Sequential', async () => {
      const e = await engineFor(build);
      const m = e.nn.mlp([4, 3, 2], { seed: 1 });
      expect(m.numParameters).toBe(4 * 3 + 3 + 3 * 2 + 2);
      expect(m.parameterRanges()).toEqual([
        { name: '0.weight', offset: 0, shape: [3, 4] },
        { name: '0.bias', offset: 12, shape: [3] },
        { name: '2.weight', offset: 15, shape: [2, 3] },
        { name: '2.bias', offset: 21, shape: [2] },
      ]);
      expect(m.inputSize).toBe(4);
      expect(m.outputSize).toBe(2);
      const d = e.nn.mlp([4, 3, 2], { dropout: 0.5 });
      expect(d.parameterRanges().map((r) => r.name)).toEqual(['0.weight', '0.bias', '3.weight', '3.bias']);
      const v = Float32Array.from({ length: m.numParameters }, (_, i) => i / 10);
      m.setParameters(v);
      expect(m.parameters()).toEqual(v);
      expect(e.f32(m.paramsPtr, m.numParameters)).toEqual(v);
      expect(m.paramsPtr % 16).toBe(0);
      expect(m.gradsPtr % 16).toBe(0);
    });

    it('default init is PyTorch nn.Linear: U(±1/√fan_in) for weight and bias, seeded', async () => {
      const e = await engineFor(build);
      const m = e.nn.mlp([16, 9, 4], { seed: 42 });
      for (const r of m.parameterRanges()) {
        const fanIn = r.name.startsWith('0.') ? 16 : 9;
        const vals = m.parameters().subarray(r.offset, r.offset + r.shape.reduce((a, b) => a * b, 1));
        for (const v of vals) expect(Math.abs(v)).toBeLessThanOrEqual(1 / Math.sqrt(fanIn));
        expect(new Set(vals).size).toBe(vals.length);
      }
      expect(e.nn.mlp([16, 9, 4], { seed: 42 }).parameters()).toEqual(m.parameters());
      expect(e.nn.mlp([16, 9, 4], { seed: 43 }).parameters()).not.toEqual(m.parameters());
    });

    it('both builds initialize identically and compute the same loss', async () => {
      const a = await engineFor('simd'), b = await engineFor('scalar');
      const ma = a.nn.mlp([5, 4, 3], { seed: 9 }), mb = b.nn.mlp([5, 4, 3], { seed: 9 });
      expect(ma.parameters()).toEqual(mb.parameters());
      const x = randArray(8 * 5, 3), t = randArray(8 * 3, 4);
      const va = ma.lossAndGrad(a.tensor([8, 5], x), a.tensor([8, 3], t));
      const vb = mb.lossAndGrad(b.tensor([8, 5], x), b.tensor([8, 3], t));
      expect(Math.abs(va - vb)).toBeLessThanOrEqual(1e-6 * Math.abs(vb));
    });

    it('typed errors, and a call that throws changes nothing', async () => {
      const e = await engineFor(build);
      const m = e.nn.mlp([4, 3, 2], { seed: 1 });
      const before = m.parameters();
      expect(() => m.forward(e.tensor([2, 5]))).toThrow('mlp: input has 5 features, layer 0 expects 4');
      expect(() => m.forward(e.tensor([2, 5]))).toThrow(ShapeError);
      expect(() => m.lossAndGrad(e.tensor([2, 4]), new Int32Array([0, 2]), 'softmaxCrossEntropy')).toThrow(
        'mlp: label 2 at index 1 is out of range [0, 2)',
      );
      expect(() => m.lossAndGrad(e.tensor([2, 4]), new Int32Array([0, -1]), 'softmaxCrossEntropy')).toThrow(ValueError);
      expect(() => m.lossAndGrad(e.tensor([2, 4]), new Int32Array([0]), 'softmaxCrossEntropy')).toThrow(/1 labels for 2 rows/);
      expect(() => m.lossAndGrad(e.tensor([2, 4]), e.tensor([2, 3]), 'mse')).toThrow('mlp: mse target is [2, 3], output is [2, 2]');
      expect(() => m.lossAndGrad(e.tensor([2, 4]), new Int32Array([0, 1]), 'mse')).toThrow(/needs a target tensor/);
      expect(() => m.lossAndGrad(e.tensor([2, 4]), e.tensor([2, 2]), 'nope' as never)).toThrow(/unknown loss 'nope'/);
      expect(() => m.setParameters([1, 2, 3])).toThrow('mlp: setParameters got 3 values, the model has 23 parameters');
      expect(() => e.nn.mlp([4, 0])).toThrow(ValueError);
      expect(() => e.nn.mlp([4, 3], { activation: 'swish' as never })).toThrow(/activation: name must be one of/);
      expect(() => e.nn.mlp([4, 3], { dropout: 1 })).toThrow(/dropout must be in \[0, 1\)/);
      expect(() => e.nn.sequential([e.nn.layers.linear(3, 4), e.nn.layers.linear(5, 2)])).toThrow(
        'sequential: layer 1 (linear) expects 5 inputs but layer 0 gives 4',
      );
      expect(m.parameters()).toEqual(before);
      expect(m.gradients().every((v) => v === 0)).toBe(true);
      m.dispose();
      expect(() => m.parameters()).toThrow(StateError);
    });

    it('no allocation over 1,000 lossAndGrad steps; a larger batch re-plans once, a smaller one reuses', async () => {
      const e = await init({ simd: build === 'simd' });
      const m = e.nn.mlp([20, 32, 16, 5], { activation: 'tanh', dropout: 0.1, seed: 2 });
      const x = e.tensor([64, 20], randArray(64 * 20, 1));
      const labels = new Int32Array(64).map((_, i) => i % 5);
      m.lossAndGrad(x, labels, 'softmaxCrossEntropy');
      const bytes = e.memory.buffer.byteLength, top = e.arena.topBytes, grows = e.arena.growCount, used = e.arena.usedBytes;
      for (let s = 0; s < 1000; s++) m.lossAndGrad(x, labels, 'softmaxCrossEntropy');
      expect(e.memory.buffer.byteLength).toBe(bytes);
      expect(e.arena.topBytes).toBe(top);
      expect(e.arena.growCount).toBe(grows);
      expect(e.arena.usedBytes).toBe(used);
      // a smaller batch reuses the plan
      const xs = e.tensor([10, 20], randArray(200, 2));
      const used2 = e.arena.usedBytes;
      m.lossAndGrad(xs, labels.subarray(0, 10), 'softmaxCrossEntropy');
      expect(e.arena.usedBytes).toBe(used2);
      // a larger batch re-plans once (the old plan is freed), then stays
      const xb = e.tensor([128, 20], randArray(128 * 20, 3));
      const lb = new Int32Array(128).map((_, i) => i % 5);
      m.lossAndGrad(xb, lb, 'softmaxCrossEntropy');
      const used3 = e.arena.usedBytes, top3 = e.arena.topBytes;
      for (let s = 0; s < 50; s++) {
        m.lossAndGrad(xb, lb, 'softmaxCrossEntropy');
        m.lossAndGrad(x, labels, 'softmaxCrossEntropy');
      }
      expect(e.arena.usedBytes).toBe(used3);
      expect(e.arena.topBytes).toBe(top3);
      m.dispose();
    });

    it('check mode names the layer that produced the first non-finite value', async () => {
      const e = await engineFor(build);
      const m = e.nn.mlp([2, 3, 2], { seed: 1 });
      // setParameters refuses non-finite values, so the Infinity goes into the buffer directly
      e.f32(m.paramsPtr, m.numParameters)[7] = Infinity; // 0.weight is [3, 2] (6 values), then 0.bias [3]: index 7 is 0.bias[1]
      m.checkFinite = true;
      const x = e.tensor([2, 2], [1, 2, 3, 4]);
      let err: unknown;
      try {
        m.forward(x);
      } catch (er) {
        err = er;
      }
      expect(err).toBeInstanceOf(DivergenceError);
      expect(String(err)).toMatch(/layer 0 \(linear\) output has a non-finite value Infinity at element 1/);
      m.checkFinite = false;
      expect(() => m.forward(x)).not.toThrow();
    });
  });
}

describe('nn: engine namespaces', () => {
  it('engine.nn and engine.loss are attached lazily, once', async () => {
    const e: Engine = await engineFor('simd');
    expect(e.nn).toBe(e.nn);
    expect(e.loss).toBe(e.loss);
    expect(typeof e.nn.mlp).toBe('function');
    expect(typeof e.loss.softmaxCrossEntropy).toBe('function');
  });
});
