// engine.curvature (src/curvature/): the dense Hessian against torch (H·v of the hvp
// fixture, test/fixtures/make_hvp.py) and against the closed form of linear least squares
// (H = (1/n)·Σ [x; 1][x; 1]ᵀ); symmetric; topEigenvalues by Lanczos and by power
// iteration equal the dense eigh's largest-|λ| eigenvalues (relative 1e-5); condition
// number and the second-order test on known matrices and on a model; typed errors. Both builds.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ValueError, type Engine, type LossEntry } from '../src/index.js';
import { BUILDS, engineFor, randArray } from './helpers.js';

interface Case { name: string; specs: { type: string; in?: number; out?: number; bias?: boolean; name?: string }[]; inputSize: number; loss: { name: string; options?: Record<string, unknown> }; params: number[]; x: number[]; y: number[]; labels: boolean; yShape: number[]; v: number[]; hv: number[] }
const fx: { rows: number; cases: Case[] } = JSON.parse(readFileSync(new URL('./fixtures/hvp.json', import.meta.url), 'utf8'));

const amax = (a: ArrayLike<number>): number => Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);

function build(e: Engine, c: Case) {
  const L = e.nn.layers;
  const model = e.nn.sequential(c.specs.map((s) => (s.type === 'linear' ? L.linear(s.in!, s.out!, { bias: s.bias }) : L.activation(s.name as never))), { inputSize: c.inputSize });
  model.setParameters(c.params);
  const x = e.tensor([fx.rows, c.inputSize], c.x);
  const y = c.labels ? Int32Array.from(c.y) : e.tensor(c.yShape, c.y);
  const loss = (e.loss as unknown as Record<string, (o?: unknown) => LossEntry>)[c.loss.name](c.loss.options ?? {});
  return { model, x, y, loss, dispose: () => (model.dispose(), x.dispose(), y instanceof Int32Array || y.dispose()) };
}

for (const b of BUILDS) {
  describe(`engine.curvature (${b})`, () => {
    for (const name of ['tanh / softmaxCrossEntropy{}', 'gelu / poissonNll{}', 'sigmoid / mse']) {
      it(`hessian: symmetric, H·v equals torch's (${name}); eigen-solvers agree with eigh`, async () => {
        const e = await engineFor(b);
        const c = fx.cases.find((k) => k.name === name)!;
        const s = build(e, c);
        const P = s.model.numParameters;
        const H = e.curvature.hessian(s.model, s.x, s.y, s.loss);
        expect(H.length).toBe(P * P);
        for (let i = 0; i < P; i++) for (let j = 0; j < i; j++) expect(H[i * P + j]).toBe(H[j * P + i]);
        const hv = Array.from({ length: P }, (_, i) => c.v.reduce((a, v, j) => a + H[i * P + j] * v, 0));
        expect(amax(hv.map((h, i) => h - c.hv[i]))).toBeLessThanOrEqual(1e-4 * amax(c.hv));
        // largest |λ| from the dense eigh, then Lanczos (k = 3) and power iteration (k = 1, 2)
        const { values } = e.curvature.eigh(H);
        const byMag = Array.from(values).sort((a, b2) => Math.abs(b2) - Math.abs(a));
        const lz = e.curvature.topEigenvalues(s.model, s.x, s.y, s.loss, { k: 3 });
        expect(lz.converged).toBe(true);
        for (let i = 0; i < 3; i++) expect(Math.abs(lz.values[i] - byMag[i])).toBeLessThanOrEqual(1e-5 * Math.abs(byMag[0]));
        for (const k of [1, 2]) {
          const pw = e.curvature.topEigenvalues(s.model, s.x, s.y, s.loss, { k, method: 'power', tol: 1e-7, maxIter: 5000 });
          for (let i = 0; i < k; i++) expect(Math.abs(pw.values[i] - byMag[i]), `power k=${k} λ${i}`).toBeLessThanOrEqual(1e-5 * Math.abs(byMag[0]));
        }
        // the eigenvectors: H·u = λ·u
        const u = lz.vectors[0];
        const hu = Array.from({ length: P }, (_, i) => u.reduce((a, v, j) => a + H[i * P + j] * v, 0));
        expect(amax(hu.map((h, i) => h - lz.values[0] * u[i]))).toBeLessThanOrEqual(1e-4 * Math.abs(lz.values[0]));
        s.dispose();
      });
    }

    it('linear least squares: H = (1/n)·Σ [x; 1][x; 1]ᵀ exactly, a minimum, κ from its eigenvalues', async () => {
      const e = await engineFor(b);
      const n = 9, d = 3;
      const xs = randArray(n * d, 11, -2, 2);
      const model = e.nn.sequential([e.nn.layers.linear(d, 1)]);
      const x = e.tensor([n, d], xs), y = e.tensor([n, 1], randArray(n, 12));
      const H = e.curvature.hessian(model, x, y, 'mse');
      const ref = new Float64Array(16);
      for (let r = 0; r < n; r++) {
        const z = [...xs.subarray(r * d, r * d + d), 1];
        for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) ref[i * 4 + j] += (z[i] * z[j]) / n;
      }
      for (let i = 0; i < 16; i++) expect(Math.abs(H[i] - ref[i])).toBeLessThanOrEqual(1e-6 * amax(ref));
      expect(e.curvature.classifyStationaryPoint(H)).toBe('minimum');
      const { values } = e.curvature.eigh(ref);
      expect(e.curvature.conditionNumber(H)).toBeCloseTo(values[3] / values[0], 3);
      // mse at a perfect fit of a tanh net: a minimum or degenerate, never a saddle or maximum
      x.dispose();
      y.dispose();
      model.dispose();
    });

    it('conditionNumber and classifyStationaryPoint on known matrices', async () => {
      const e = await engineFor(b);
      const C = e.curvature;
      const diag = (...d: number[]): Float64Array => {
        const m = new Float64Array(d.length * d.length);
        d.forEach((v, i) => (m[i * d.length + i] = v));
        return m;
      };
      expect(C.conditionNumber(diag(1, 10, 1000))).toBeCloseTo(1000, 9);
      expect(C.conditionNumber(diag(-4, 2))).toBeCloseTo(2, 12);
      expect(C.conditionNumber(diag(1, 0))).toBe(Infinity);
      expect(C.conditionNumber({ values: [3, 0.5] })).toBe(6);
      expect(C.classifyStationaryPoint(diag(1, 2))).toBe('minimum');
      expect(C.classifyStationaryPoint(diag(-1, -2))).toBe('maximum');
      expect(C.classifyStationaryPoint(diag(1, -2))).toBe('saddle');
      expect(C.classifyStationaryPoint(diag(1, 0, -1))).toBe('saddle');
      expect(C.classifyStationaryPoint(diag(1, 0))).toBe('degenerate');
      expect(C.classifyStationaryPoint(diag(1, 1e-9))).toBe('degenerate');
      expect(C.classifyStationaryPoint(diag(1, 1e-9), { tol: 0 })).toBe('minimum');
      // a rotated saddle: [[0, 1], [1, 0]] has eigenvalues ±1
      expect(C.classifyStationaryPoint([0, 1, 1, 0])).toBe('saddle');
      expect(C.classifyStationaryPoint({ values: [-3, -1e-12] })).toBe('degenerate');
    });

    it('bad input: typed errors', async () => {
      const e = await engineFor(b);
      const C = e.curvature;
      const model = e.nn.mlp([3, 4, 2], { activation: 'tanh' });
      const x = e.tensor([2, 3], randArray(6, 1)), y = e.tensor([2, 2], randArray(4, 2));
      const used = e.arena.usedBytes;
      expect(() => C.hessian(model, x, y, 'mse', { maxParameters: 10 })).toThrow(/maxParameters = 10/);
      expect(() => C.topEigenvalues(model, x, y, 'mse', { k: 0 })).toThrow(ValueError);
      expect(() => C.topEigenvalues(model, x, y, 'mse', { k: 100 })).toThrow(/k must be an integer in \[1, 26\]/);
      expect(() => C.topEigenvalues(model, x, y, 'mse', { method: 'qr' as never })).toThrow(/method/);
      expect(() => C.hessian({} as never, x, y)).toThrow(/engine.nn model/);
      expect(() => C.classifyStationaryPoint([1, 2, 3])).toThrow(/n·n/);
      expect(() => C.classifyStationaryPoint([1, 2, 3, 4])).toThrow(/not symmetric/);
      expect(() => C.conditionNumber({ values: [1, NaN] })).toThrow(/eigenvalue 1/);
      expect(e.arena.usedBytes).toBe(used);
      x.dispose();
      y.dispose();
      model.dispose();
    });
  });
}
