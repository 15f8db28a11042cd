// assembly/loss.ts and src/loss: values against f64 references, dL/dŷ against f64
// central differences, reductions, label smoothing, stability, L2 penalty, typed errors.
import { describe, expect, it } from 'vitest';
import { ShapeError, ValueError, type LossEntry } from '../src/index.js';
import { BUILDS, engineFor, expectClose, randArray } from './helpers.js';
import { fdGrad, gradTolerance, lossRef, type RefLoss } from './nn-ref.js';

type Case = { name: string; entry: (e: Awaited<ReturnType<typeof engineFor>>) => LossEntry; ref: (t: Float32Array | Int32Array) => RefLoss; labels?: boolean; target?: (n: number, k: number) => Float32Array };

const soft = (n: number, k: number): Float32Array => {
  const t = randArray(n * k, 77, 0, 1);
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let j = 0; j < k; j++) s += t[r * k + j];
    for (let j = 0; j < k; j++) t[r * k + j] /= s;
  }
  return t;
};
const oneHot = (n: number, k: number): Float32Array => {
  const t = new Float32Array(n * k);
  for (let r = 0; r < n; r++) t[r * k + ((r * 7) % k)] = 1;
  return t;
};
const counts = (n: number, k: number): Float32Array => Float32Array.from(randArray(n * k, 78, 0, 6), Math.floor);
const bits = (n: number, k: number): Float32Array => Float32Array.from(randArray(n * k, 79, 0, 1), (v) => (v > 0.5 ? 1 : 0));

const CASES: Case[] = [
  { name: 'mse half-mean', entry: (e) => e.loss.mse(), ref: (t) => lossRef.mse(t) },
  { name: 'mse mean', entry: (e) => e.loss.mse({ reduction: 'mean' }), ref: (t) => lossRef.mse(t, 'mean') },
  { name: 'mse sum', entry: (e) => e.loss.mse({ reduction: 'sum' }), ref: (t) => lossRef.mse(t, 'sum') },
  { name: 'xent labels', entry: (e) => e.loss.softmaxCrossEntropy(), ref: (t) => lossRef.xent(t as Int32Array), labels: true },
  { name: 'xent labels smoothing 0.1', entry: (e) => e.loss.softmaxCrossEntropy({ labelSmoothing: 0.1 }), ref: (t) => lossRef.xent(t as Int32Array, 0.1), labels: true },
  { name: 'xent labels sum', entry: (e) => e.loss.softmaxCrossEntropy({ reduction: 'sum' }), ref: (t) => lossRef.xent(t as Int32Array, 0, 'sum'), labels: true },
  { name: 'xent one-hot', entry: (e) => e.loss.softmaxCrossEntropy(), ref: (t) => lossRef.xent(t), target: oneHot },
  { name: 'xent probabilities smoothing 0.2', entry: (e) => e.loss.softmaxCrossEntropy({ labelSmoothing: 0.2 }), ref: (t) => lossRef.xent(t, 0.2), target: soft },
  { name: 'bceWithLogits', entry: (e) => e.loss.bceWithLogits(), ref: (t) => lossRef.bce(t), target: bits },
  { name: 'poissonNll', entry: (e) => e.loss.poissonNll(), ref: (t) => lossRef.poisson(t), target: counts },
  { name: 'huber delta 1', entry: (e) => e.loss.huber(), ref: (t) => lossRef.huber(t, 1) },
  { name: 'huber delta 0.3', entry: (e) => e.loss.huber({ delta: 0.3 }), ref: (t) => lossRef.huber(t, 0.3) },
];

for (const build of BUILDS) {
  describe(`losses (${build})`, () => {
    for (const c of CASES) {
      it(`${c.name}: value and gradient for several shapes`, async () => {
        const e = await engineFor(build);
        for (const [n, k] of [[1, 1], [5, 3], [7, 10], [3, 17]]) {
          const yhat = randArray(n * k, n * 31 + k, -2.5, 2.5);
          const t: Float32Array | Int32Array = c.labels
            ? Int32Array.from({ length: n }, (_, r) => (r * 5 + 3) % k)
            : (c.target ?? ((a: number, b: number) => randArray(a * b, a + b, -2, 2)))(n, k);
          const yt = e.tensor([n, k], yhat);
          const tt = t instanceof Int32Array ? t : e.tensor([n, k], t);
          const gt = e.tensor([n, k]);
          const v = e.loss.evaluate(c.entry(e), yt, tt, gt);
          const f = (p: Float64Array): number => c.ref(t)(p, n, k);
          expectClose(`${c.name} [${n}, ${k}] value`, [v], [f(Float64Array.from(yhat))], { rtol: 1e-6, atol: 1e-9 });
          const g = fdGrad(f, yhat);
          expectClose(`${c.name} [${n}, ${k}] gradient`, gt.data, g, gradTolerance(g));
          // in place: grad written over the predictions
          e.loss.evaluate(c.entry(e), yt, tt, yt);
          expect(yt.toArray(), `${c.name} in place`).toEqual(gt.toArray());
          yt.dispose();
          gt.dispose();
          if (!(tt instanceof Int32Array)) tt.dispose();
        }
      });
    }

    it("softmax cross-entropy by rows (a data-parallel step's shards): dL/dŷ and the ordered sum of the row losses are the whole call's bits, at any cut", async () => {
      const e = await engineFor(build);
      const k = e.kernels;
      const n = 37, c = 10;
      const z = e.tensor([n, c], randArray(n * c, 5, -4, 4));
      const probs = e.tensor([n, c], soft(n, c));
      const labels = e.arena.alloc(n * 4);
      e.i32(labels, n).set(Int32Array.from({ length: n }, (_, r) => (r * 3 + 1) % c));
      const gWhole = e.tensor([n, c]), gRows = e.tensor([n, c]);
      const rowLoss = e.arena.alloc(n * 8);
      for (const [eps, scale] of [[0, 1 / n], [0.1, 1 / n], [0.2, 1]]) {
        for (const variant of ['labels', 'probs'] as const) {
          const whole = variant === 'labels'
            ? k.f32_softmax_xent(n, c, z.ptr, labels, gWhole.ptr, scale, eps)
            : k.f32_softmax_xent_probs(n, c, z.ptr, probs.ptr, gWhole.ptr, scale, eps);
          for (const cuts of [[0, n], [0, 12, n], [0, 4, 5, 36, n]]) {
            gRows.data.fill(NaN);
            for (let s = 0; s + 1 < cuts.length; s++) {
              const r = cuts[s], rows = cuts[s + 1] - r;
              if (variant === 'labels') k.f32_softmax_xent_rows(rows, c, z.ptr + 4 * r * c, labels + 4 * r, gRows.ptr + 4 * r * c, scale, eps, rowLoss + 8 * r);
              else k.f32_softmax_xent_probs_rows(rows, c, z.ptr + 4 * r * c, probs.ptr + 4 * r * c, gRows.ptr + 4 * r * c, scale, eps, rowLoss + 8 * r);
            }
            const what = `${variant}, eps ${eps}, cuts ${cuts.join('/')}`;
            expect(Object.is(k.f64_sum_ordered(n, rowLoss), whole), what).toBe(true);
            expect(gRows.toArray(), what).toEqual(gWhole.toArray());
          }
        }
      }
      for (const t of [z, probs, gWhole, gRows]) t.dispose();
      e.arena.free(labels);
      e.arena.free(rowLoss);
    });

    it('softmax cross-entropy and bceWithLogits are stable for huge logits', async () => {
      const e = await engineFor(build);
      const yhat = e.tensor([2, 3], [1000, -1000, 0, -1e30, 1e30, 5]);
      const g = e.tensor([2, 3]);
      const v = e.loss.evaluate('softmaxCrossEntropy', yhat, new Int32Array([1, 0]), g);
      // row 0: lse = 1000, label 1 → 2000; row 1: lse = 1e30, label 0 → 2e30; mean
      const big = Math.fround(1e30);
      expect(Math.abs(v - (2000 + 2 * big) / 2)).toBeLessThanOrEqual(1e-7 * big);
      expect(g.toArray().every(Number.isFinite)).toBe(true);
      expectClose('xent grad huge logits', g.data, [0.5, -0.5, 0, -0.5, 0.5, 0], { atol: 1e-7 });
      const z = e.tensor([1, 4], [100, -100, 50, -50]);
      const gz = e.tensor([1, 4]);
      const vb = e.loss.evaluate('bceWithLogits', z, e.tensor([1, 4], [0, 1, 1, 0]), gz);
      expect(vb).toBeCloseTo((100 + 100 + 0 + 0) / 4, 6);
      expectClose('bce grad huge logits', gz.data, [0.25, -0.25, 0, 0], { atol: 1e-7 });
    });

    it('l2Penalty adds λ/2‖w‖² and λw (all parameters or weights only)', async () => {
      const e = await engineFor(build);
      const m = e.nn.mlp([3, 2, 2], { seed: 4 });
      const p = m.parameters();
      m.zeroGrad();
      const v = e.loss.l2Penalty(m, 0.1);
      expect(v).toBeCloseTo(0.05 * p.reduce((s, x) => s + x * x, 0), 6);
      expectClose('l2 grad', m.gradients(), Array.from(p, (x) => 0.1 * x), { rtol: 1e-6, atol: 1e-9 });
      m.zeroGrad();
      const vw = e.loss.l2Penalty(m, 2, { weightsOnly: true });
      const ranges = m.parameterRanges();
      let want = 0;
      const gw = new Float64Array(p.length);
      for (const r of ranges) {
        if (!r.name.endsWith('weight')) continue;
        const len = r.shape[0] * r.shape[1];
        for (let i = r.offset; i < r.offset + len; i++) { want += p[i] * p[i]; gw[i] = 2 * p[i]; }
      }
      expect(vw).toBeCloseTo(want, 5);
      expectClose('l2 weightsOnly grad', m.gradients(), gw, { rtol: 1e-6, atol: 1e-9 });
      expect(() => e.loss.l2Penalty(m, -1)).toThrow(ValueError);
    });

    it('typed errors name the argument and the expected and actual values', async () => {
      const e = await engineFor(build);
      const yhat = e.tensor([2, 3]);
      expect(() => e.loss.evaluate('mse', yhat, e.tensor([3, 2]))).toThrow('loss: mse target is [3, 2], output is [2, 3]');
      expect(() => e.loss.evaluate('mse', yhat, e.tensor([3, 2]))).toThrow(ShapeError);
      expect(() => e.loss.evaluate('softmaxCrossEntropy', yhat, new Int32Array([0, 3]))).toThrow('loss: label 3 at index 1 is out of range [0, 3)');
      expect(() => e.loss.softmaxCrossEntropy({ labelSmoothing: 1.5 })).toThrow(/labelSmoothing must be in \[0, 1\], got 1.5/);
      expect(() => e.loss.mse({ reduction: 'avg' as never })).toThrow(/reduction must be 'half-mean' \| 'mean' \| 'sum', got avg/);
      expect(() => e.loss.huber({ delta: 0 })).toThrow(/delta must be a positive finite number/);
      const before = e.arena.usedBytes;
      expect(() => e.loss.evaluate('softmaxCrossEntropy', yhat, new Int32Array([0, 9]))).toThrow(ValueError);
      expect(e.arena.usedBytes).toBe(before); // scratch freed on error
    });
  });
}
