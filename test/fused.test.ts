// assembly/fused.ts: each fused kernel in both builds against a plain-TS f64
// reference and, bit for bit, against the unfused pair of kernels it replaces,
// over shapes below/at/above the SIMD width and the 16-column block, with
// row strides, unaligned starts, in-place calls, beta = 0 / 1 / other and
// beta = 0 ignoring NaN in the output.
import { describe, expect, it } from 'vitest';
import type { Engine } from '../src/index.js';
import { BUILDS, engineFor, expectClose, randArray } from './helpers.js';

const SHAPES: [number, number][] = [
  [0, 0], [0, 5], [5, 0], [1, 1], [1, 7], [3, 5], [4, 4], [5, 3], [4, 17], [17, 4],
  [13, 31], [16, 16], [7, 32], [31, 33], [33, 65], [128, 10], [64, 256],
];

/** Every value compared bit for bit (NaN equals NaN, +0 differs from -0). */
function expectSame(what: string, actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) {
      throw new Error(`${what}: index ${i} of ${expected.length}: got ${actual[i]}, expected ${expected[i]}`);
    }
  }
}

/** A block of `floats` floats starting `offset` bytes after a 16-byte boundary, filled from `data`. */
function put(e: Engine, data: Float32Array, offset = 0): number {
  const p = e.arena.alloc(data.length * 4 + 16) + offset;
  e.f32(p, data.length).set(data);
  return p;
}

for (const build of BUILDS) {
  describe(`f32_bias_relu (${build})`, () => {
    it('y = relu(x + b) per row, against an f64 reference and add_rowvec + relu', async () => {
      const e = await engineFor(build);
      const k = e.kernels;
      for (const [m, n] of SHAPES) {
        for (const [ldPad, off] of [[0, 0], [3, 4], [5, 12]]) {
          const mark = e.arena.mark();
          const ld = n + ldPad;
          const x = randArray(m * ld, 7 + m * 31 + n);
          const b = randArray(n, 11 + n);
          const px = put(e, x, off), pb = put(e, b, off), py = put(e, new Float32Array(m * ld).fill(-7), off);
          k.f32_bias_relu(m, n, px, ld, pb, py, ld);
          const got = e.f32(py, m * ld).slice();
          const ref = new Float32Array(m * ld).fill(-7);
          for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) ref[i * ld + j] = Math.max(0, Math.fround(x[i * ld + j] + b[j]));
          expectClose(`f32_bias_relu ${build} [${m}, ${n}] ld ${ld} offset ${off}`, got, ref, { rtol: 0, atol: 0 });
          // the unfused pair, written row by row into a second buffer
          const pz = put(e, new Float32Array(m * ld).fill(-7), off);
          k.f32_add_rowvec(m, n, px, ld, pb, pz, ld);
          for (let i = 0; i < m; i++) k.f32_relu(n, pz + i * ld * 4, pz + i * ld * 4);
          expectSame(`f32_bias_relu vs add_rowvec + relu ${build} [${m}, ${n}]`, got, e.f32(pz, m * ld));
          e.arena.reset(mark);
        }
      }
    });

    it('works in place (y == x)', async () => {
      const e = await engineFor(build);
      const [m, n] = [9, 23];
      const x = randArray(m * n, 5);
      const b = randArray(n, 6);
      const mark = e.arena.mark();
      const px = put(e, x), pb = put(e, b);
      e.kernels.f32_bias_relu(m, n, px, n, pb, px, n);
      const ref = x.map((v, i) => Math.max(0, Math.fround(v + b[i % n])));
      expectClose(`f32_bias_relu in place ${build}`, e.f32(px, m * n), ref, { rtol: 0, atol: 0 });
      e.arena.reset(mark);
    });
  });

  describe(`f32_relu_backward_col_sums (${build})`, () => {
    it('dx = dy·[y > 0] and db = beta·db + Σ rows dx, against an f64 reference and relu_backward + col_sums', async () => {
      const e = await engineFor(build);
      const k = e.kernels;
      for (const [m, n] of SHAPES) {
        for (const beta of [0, 1, 0.5]) {
          const mark = e.arena.mark();
          const y = randArray(m * n, 3 + m + 7 * n).map((v) => (v < -0.2 ? 0 : v)); // relu outputs and some negatives
          const dy = randArray(m * n, 4 + m * 3 + n);
          const db0 = randArray(n, 9 + n);
          const py = put(e, y, 4), pdy = put(e, dy, 8), pdx = put(e, new Float32Array(m * n), 12), pdb = put(e, db0);
          k.f32_relu_backward_col_sums(m, n, py, pdy, pdx, pdb, beta);
          const dx = e.f32(pdx, m * n).slice(), db = e.f32(pdb, n).slice();
          const refDx = new Float32Array(m * n), refDb = new Float64Array(n);
          for (let j = 0; j < n; j++) refDb[j] = beta * db0[j];
          for (let i = 0; i < m; i++) {
            for (let j = 0; j < n; j++) {
              const d = y[i * n + j] > 0 ? dy[i * n + j] : 0;
              refDx[i * n + j] = d;
              refDb[j] += d;
            }
          }
          const what = `f32_relu_backward_col_sums ${build} [${m}, ${n}] beta ${beta}`;
          expectClose(`${what} dx`, dx, refDx, { rtol: 0, atol: 0 });
          expectClose(`${what} db`, db, refDb, { rtol: 1e-5, atol: 1e-5 * Math.max(1, m) });
          // the unfused pair
          const pdx2 = put(e, new Float32Array(m * n)), pdb2 = put(e, db0);
          k.f32_relu_backward(m * n, py, pdy, pdx2);
          k.f32_col_sums(m, n, pdx2, n, pdb2, beta);
          expectSame(`${what} dx vs relu_backward`, dx, e.f32(pdx2, m * n));
          expectSame(`${what} db vs col_sums`, db, e.f32(pdb2, n));
          e.arena.reset(mark);
        }
      }
    });

    it('beta = 0 ignores NaN in db; dx may alias dy', async () => {
      const e = await engineFor(build);
      const [m, n] = [6, 37];
      const y = randArray(m * n, 21), dy = randArray(m * n, 22);
      const mark = e.arena.mark();
      const py = put(e, y), pdy = put(e, dy), pdb = put(e, new Float32Array(n).fill(NaN));
      e.kernels.f32_relu_backward_col_sums(m, n, py, pdy, pdy, pdb, 0);
      const refDx = dy.map((d, i) => (y[i] > 0 ? d : 0));
      const refDb = new Float64Array(n);
      refDx.forEach((d, i) => (refDb[i % n] += d));
      expectClose(`in place dx ${build}`, e.f32(pdy, m * n), refDx, { rtol: 0, atol: 0 });
      expectClose(`db from NaN ${build}`, e.f32(pdb, n), refDb, { rtol: 1e-5, atol: 1e-5 });
      e.arena.reset(mark);
    });
  });
}

// The model plans Linear(bias) -> ReLU as one GEMM + f32_bias_relu and the ReLU
// backward with the bias gradient as f32_relu_backward_col_sums; lossAndGrad
// overwrites the gradient buffer instead of zeroing it. Check mode runs the
// layers unfused, so it is the reference: same loss and same gradient bits.
for (const build of BUILDS) {
  describe(`fused MLP step (${build})`, () => {
    const cases: { sizes: number[]; n: number; dropout?: number }[] = [
      { sizes: [13, 17, 9, 5], n: 7 },
      { sizes: [64, 64, 10], n: 33 },
      { sizes: [6, 20, 20, 3], n: 4, dropout: 0.25 },
    ];
    for (const { sizes, n, dropout = 0 } of cases) {
      it(`lossAndGrad: fused and check-mode (unfused) runs agree bit for bit, MLP ${sizes.join('-')}${dropout ? ' + dropout' : ''}`, async () => {
        const e = await engineFor(build);
        const run = (check: boolean) => {
          const model = e.nn.mlp(sizes, { seed: 3, dropout });
          model.checkFinite = check;
          const x = e.tensor([n, sizes[0]], randArray(n * sizes[0], 17, -2, 2));
          const y = Int32Array.from({ length: n }, (_, i) => (i * 7) % sizes[sizes.length - 1]);
          const losses = [];
          for (let s = 0; s < 2; s++) losses.push(model.lossAndGrad(x, y, 'softmaxCrossEntropy')); // twice: the second overwrites the gradients
          const out = { losses, grads: model.gradients(), fwd: model.forward(x).toArray() };
          x.dispose();
          model.dispose();
          return out;
        };
        const fused = run(false), plain = run(true);
        expect(fused.losses).toEqual(plain.losses);
        if (!dropout) expect(fused.losses[1]).toBe(fused.losses[0]); // same batch, same loss: nothing leaked from step 1
        expectSame(`gradients ${sizes.join('-')} ${build}`, fused.grads, plain.grads);
        expectSame(`forward ${sizes.join('-')} ${build}`, fused.fwd, plain.fwd);
      });
    }

    it('backward() still accumulates into the gradient buffer', async () => {
      const e = await engineFor(build);
      const sizes = [11, 16, 4];
      const model = e.nn.mlp(sizes, { seed: 5 });
      const x = e.tensor([6, 11], randArray(66, 8));
      const dOut = e.tensor([6, 4], randArray(24, 9));
      model.zeroGrad();
      model.forward(x);
      model.backward(dOut);
      const once = model.gradients();
      model.backward(dOut);
      const twice = model.gradients();
      expectClose(`accumulated gradients ${build}`, twice, once.map((g) => 2 * g), { rtol: 1e-6, atol: 1e-7 });
      // and lossAndGrad afterwards starts from zero again
      const y = Int32Array.from({ length: 6 }, (_, i) => i % 4);
      model.lossAndGrad(x, y, 'softmaxCrossEntropy');
      const a = model.gradients();
      model.lossAndGrad(x, y, 'softmaxCrossEntropy');
      expectSame(`lossAndGrad after backward ${build}`, model.gradients(), a);
      const fresh = e.nn.mlp(sizes, { seed: 5 });
      fresh.lossAndGrad(x, y, 'softmaxCrossEntropy');
      expectSame(`lossAndGrad after backward vs a fresh model ${build}`, a, fresh.gradients());
      fresh.dispose();
      x.dispose();
      dOut.dispose();
      model.dispose();
    });
  });
}
