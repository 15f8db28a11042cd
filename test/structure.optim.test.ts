// The optimizers' prox / project / quantize options (src/structure/hook.ts): proximal
// gradient recovers the exact support of a group-sparse regression; the prox uses each
// group's lr on both paths (fused and chain); projections hold after every step; ternary
// quantization of a digits classifier (UCI, test/data) by hard projection and by shadow
// weights (BinaryConnect), weights on the grid, held-out accuracy printed; the shadow
// residual saved and restored with the optimizer state; bad options.
import { describe, expect, it } from 'vitest';
import { fit, loadCsvFile, project, prox, split, standardize, ValueError } from '../src/index.js';
import { BUILDS, engineFor, expectClose, randArray, rng } from './helpers.js';
import * as ref from './prox-ref.js';
import { testData } from './test-data.js';

/** y = X·w + noise with w non-zero on 3 of 10 groups of 4 features. */
function groupSparse(n: number, seed: number): { X: Float32Array; y: Float32Array; w: number[]; groups: number[][] } {
  const d = 40, r = rng(seed);
  const groups = Array.from({ length: 10 }, (_, g) => [4 * g, 4 * g + 1, 4 * g + 2, 4 * g + 3]);
  const w = Array(d).fill(0);
  for (const g of [1, 4, 7]) for (const i of groups[g]) w[i] = (r() < 0.5 ? -1 : 1) * (0.5 + r());
  const X = new Float32Array(n * d), y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) {
      X[i * d + j] = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
      s += X[i * d + j] * w[j];
    }
    y[i] = s + 0.05 * (r() - 0.5);
  }
  return { X, y, w, groups };
}

for (const build of BUILDS) {
  describe(`optimizer prox / project / quantize (${build})`, () => {
    it('proximal gradient (sgd + prox.groupLasso) recovers the true group support exactly', async () => {
      const e = await engineFor(build);
      const { X, y, w, groups } = groupSparse(200, 5);
      const x = e.tensor([200, 40], X), t = e.tensor([200, 1], y);
      for (const fused of [true, false]) {
        const model = e.nn.linear(40, 1, { bias: false, seed: 1 });
        const opt = e.optim.sgd(model, { lr: 0.5, fused, prox: prox.groupLasso(0.05, { groups }) });
        for (let s = 0; s < 300; s++) {
          model.lossAndGrad(x, t, 'mse');
          opt.step();
        }
        const p = model.parameters();
        for (let g = 0; g < 10; g++) {
          const zero = groups[g].every((i) => p[i] === 0);
          expect(zero, `fused ${fused}: group ${g} is ${w[groups[g][0]] === 0 ? 'zero' : 'non-zero'} in the truth`).toBe(w[groups[g][0]] === 0);
        }
        model.dispose();
        opt.dispose();
      }
    });

    it('the prox uses each parameter group’s lr, after the update, on the fused and the chain path', async () => {
      const e = await engineFor(build);
      for (const fused of [true, false]) {
        const v = e.vector(8, randArray(8, 3, -1, 1));
        const g = randArray(8, 4, -1, 1);
        const before = v.params.slice();
        const opt = e.optim.sgd(v, { lr: 0.1, fused, groups: [{ offset: 0, length: 4 }, { offset: 4, length: 4, lr: 0.3 }], prox: prox.l1(2) });
        v.grads.set(g);
        opt.step();
        const want = [
          ...ref.softThreshold(Array.from(before.subarray(0, 4), (p, i) => Math.fround(p - Math.fround(0.1 * g[i]))), Math.fround(0.2)),
          ...ref.softThreshold(Array.from(before.subarray(4), (p, i) => Math.fround(p - Math.fround(0.3 * g[4 + i]))), Math.fround(0.6)),
        ];
        expectClose(`fused ${fused}`, v.params, want, { rtol: 1e-6, atol: 1e-7 });
        opt.dispose();
        v.dispose();
      }
    });

    it('projections hold after every step (adam + simplex on one span, nonNegative on another)', async () => {
      const e = await engineFor(build);
      const v = e.vector(20, randArray(20, 9, -1, 1));
      const opt = e.optim.adam(v, { lr: 0.05, project: [project.simplex(1).on({ offset: 0, length: 10 }), project.nonNegative().on({ offset: 10, length: 10 })] });
      const r = rng(2);
      for (let s = 0; s < 30; s++) {
        v.grads.set(Array.from({ length: 20 }, () => r() - 0.5));
        opt.step();
        const p = v.params;
        expect(p.every((x) => x >= 0)).toBe(true);
        expect(Math.abs(p.subarray(0, 10).reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-5);
      }
    });

    it('quantize keeps W = buffer + residual, saved and restored with the state', async () => {
      const e = await engineFor(build);
      const q = project.grid({ step: 0.25, min: -0.5, max: 0.5 });
      const v = e.vector(13, randArray(13, 1, -1, 1));
      const w0 = v.params.slice();
      const opt = e.optim.sgd(v, { lr: 0.01, quantize: q });
      // made: the buffer is Q(W0), the residual W0 − Q(W0)
      const s0 = opt.state();
      expectClose('W0', Array.from(v.params, (p, i) => p + s0.quantize!.residual[i]), w0, { rtol: 1e-6, atol: 1e-7 });
      expect(v.params.every((p) => [-0.5, -0.25, 0, 0.25, 0.5].includes(p))).toBe(true);
      const g = randArray(13, 2, -1, 1);
      const run = (k: number): Float32Array => {
        for (let s = 0; s < k; s++) {
          v.grads.set(g);
          opt.step();
        }
        return v.params.slice();
      };
      run(30);
      // BinaryConnect: W moved by −lr·g per step from W0 (the gradient is constant here)
      const s1 = opt.state();
      expectClose('W after 30 steps', Array.from(v.params, (p, i) => p + s1.quantize!.residual[i]), Array.from(w0, (w, i) => w - 30 * 0.01 * g[i]), { rtol: 1e-4, atol: 1e-5 });
      const p1 = v.params.slice();
      const a = run(20);
      v.params.set(p1);
      opt.loadState(s1);
      expect(Array.from(run(20))).toEqual(Array.from(a));
      expect(() => opt.loadState({ ...s1, quantize: { residual: new Float32Array(3) } })).toThrow(/quantize\.residual must be a Float32Array of 13 floats/);
    });

    it('bad options: a projection given as prox, a prox as project, garbage', async () => {
      const e = await engineFor(build);
      const v = e.vector(4);
      expect(() => e.optim.sgd(v, { lr: 0.1, prox: project.simplex() as never })).toThrow(ValueError);
      expect(() => e.optim.sgd(v, { lr: 0.1, prox: project.simplex() as never })).toThrow(/prox must be a prox\.\* step/);
      expect(() => e.optim.adam(v, { project: [project.nonNegative(), prox.l1(1)] as never })).toThrow(/project\[1\] must be a project\.\* step/);
      expect(() => e.optim.adam(v, { quantize: 3 as never })).toThrow(/quantize must be a project\.\* step/);
      expect(() => e.optim.adam(v, { prox: prox.groupLasso(1) })).toThrow(/needs a matrix/);
      expect(() => e.optim.adam(v, { prox: prox.l1(1).on({ offset: 2, length: 5 }) })).toThrow(/inside a buffer of 4 floats/);
    });
  });
}

describe('ternary weights on a real data set (UCI digits, 25% held out)', () => {
  it('projected GD (hard) and shadow weights (BinaryConnect) both end with every weight on {−s, 0, s}', async () => {
    const e = await engineFor('simd');
    const data = await loadCsvFile(testData('digits.csv'));
    const parts = split(data, { test: 0.25, stratify: true, seed: 0 });
    const { train, others: [test] } = standardize(parts.train, parts.test);
    const s = 0.125;
    const ternary = project.grid({ step: s, min: -s, max: s });
    const acc: Record<string, number> = {};
    for (const mode of ['full', 'hard', 'shadow'] as const) {
      const model = e.nn.linear(64, 10, { seed: 1 });
      const weights = model.parameterRanges()[0];
      const q = ternary.on(weights);
      const optimizer = e.optim.sgd(model, { lr: 0.05, momentum: 0.9, ...(mode === 'hard' ? { project: q } : mode === 'shadow' ? { quantize: q } : {}) });
      const h = await fit(model, { data: train, validation: test, optimizer, epochs: 10, batchSize: 32, seed: 2, trainMetrics: false });
      acc[mode] = h.epochs[h.epochs.length - 1].valAccuracy!;
      const w = model.parameters().subarray(0, 640);
      if (mode !== 'full') expect(w.every((x) => x === -s || x === 0 || x === s), `${mode}: every weight on the grid`).toBe(true);
      model.dispose();
      optimizer.dispose();
    }
    console.log(`digits ternary {−${s}, 0, ${s}}: held-out accuracy full precision ${(100 * acc.full).toFixed(1)}%, hard projection ${(100 * acc.hard).toFixed(1)}%, shadow weights ${(100 * acc.shadow).toFixed(1)}%`);
    expect(acc.shadow).toBeGreaterThan(0.85);
    expect(acc.shadow).toBeGreaterThan(acc.hard);
  });
});
