// Langevin, SparseAdam, the optimizer-level guard and the clip utilities.
import { describe, expect, it } from 'vitest';
import { clipGradNorm, clipGradValue, gradNorm } from '../src/index.js';
import { BUILDS, engineFor, expectClose, randArray } from './helpers.js';
import { bare, gradAt } from './optim-helpers.js';

for (const build of BUILDS) {
  describe(`langevin (${build})`, () => {
    it('p <- p - lr g + sqrt(2 lr T) xi with the core RNG stream, against f64 with the same noise', async () => {
      const e = await engineFor(build);
      const n = 101, lr = 0.05, T = 0.3, seed = 12345;
      const p0 = randArray(n, 6);
      const m = bare(e, n, p0);
      const op = e.optim.langevin(m, { lr, temperature: T, seed });
      // the noise sequence: the same xoshiro stream, drawn separately
      const st = e.arena.alloc(16), xi = e.allocF32(n);
      e.kernels.rng_seed(st, seed, 0);
      const ref = Float64Array.from(p0);
      for (let s = 0; s < 20; s++) {
        const g = gradAt(n, s);
        m.grads().set(g);
        op.step();
        e.kernels.f32_rng_normal(n, st, xi, 0, Math.sqrt(2 * lr * T));
        const noise = e.f32(xi, n);
        for (let i = 0; i < n; i++) ref[i] = ref[i] - lr * g[i] + noise[i];
      }
      expectClose('langevin', m.params(), ref, { rtol: 1e-5, atol: 1e-5 });
    });

    it('samples exp(-x^2 / (2T)) on a quadratic: stationary variance 2T / (2 - lr)', async () => {
      const e = await engineFor(build);
      const n = 20000, lr = 0.1, T = 0.5;
      const m = bare(e, n, new Float32Array(n));
      const op = e.optim.langevin(m, { lr, temperature: T, seed: 3 });
      for (let s = 0; s < 100; s++) {
        m.grads().set(m.params());
        op.step();
      }
      const x = m.params();
      const variance = x.reduce((a, v) => a + v * v, 0) / n;
      // sampling error of a variance from 20000 draws: sqrt(2/n) = 1%
      expect(Math.abs(variance / ((2 * T) / (2 - lr)) - 1)).toBeLessThan(0.05);
    });
  });

  describe(`sparseAdam (${build})`, () => {
    it('fused and chain paths agree step for step over 50 steps; untouched rows and moments keep their bits', async () => {
      const e = await engineFor(build);
      const rows = 40, dim = 7, n = rows * dim;
      const p0 = randArray(n, 9);
      const run = (fused: boolean, maximize: boolean) => {
        const m = bare(e, n, p0);
        const op = e.optim.sparseAdam(m, { lr: 0.02, dim, maximize, fused });
        return { m, op };
      };
      for (const maximize of [false, true]) {
        const a = run(true, maximize), b = run(false, maximize);
        for (let s = 0; s < 50; s++) {
          // rows of this step: a deterministic distinct subset (about a quarter of the table)
          const list: number[] = [];
          for (let r = 0; r < rows; r++) if ((r * 7 + s * 13) % 4 === 0) list.push(r);
          const full = gradAt(n, s);
          const g = new Float32Array(n);
          for (const r of list) for (let j = 0; j < dim; j++) g[r * dim + j] = full[r * dim + j];
          // a nonzero gradient outside the listed rows must be ignored too (the rows are the contract)
          g[((list[0] + 1) % rows) * dim] = 5;
          const before = b.m.params().slice(), bst = b.op.state();
          a.m.grads().set(g);
          b.m.grads().set(g);
          a.op.step(list);
          b.op.step(list);
          expectClose(`sparseAdam maximize=${maximize} fused vs chain, step ${s + 1}`, a.m.params(), b.m.params(), { rtol: 1e-5, atol: 1e-6 });
          const after = b.m.params(), ast = b.op.state();
          const sa = (st: typeof bst) => st.groups[0].chain!.inner!.find((x) => x.name === 'scaleBySparseAdam')!.buffers;
          const [m0, v0, m1, v1] = [sa(bst).m, sa(bst).v, sa(ast).m, sa(ast).v];
          for (let r = 0; r < rows; r++) {
            if (list.includes(r)) continue;
            for (let j = 0; j < dim; j++) {
              const i = r * dim + j;
              if (after[i] !== before[i] || m1[i] !== m0[i] || v1[i] !== v0[i]) throw new Error(`chain changed unlisted row ${r} at step ${s + 1}, index ${i}`);
            }
          }
        }
        expect(b.op.state().path).toBe('chain');
      }
    });

    it('scaleBySparseAdam alone: listed rows get the lazy Adam direction, other rows 0 (f64 reference)', async () => {
      const e = await engineFor(build);
      const rows = 6, dim = 5, n = rows * dim, [b1, b2] = [0.8, 0.99], eps = 1e-3;
      const inst = e.optim.scaleBySparseAdam({ betas: [b1, b2], eps, dim }).init(e, n);
      const u = e.allocF32(n), rp = e.arena.alloc(rows * 4);
      const mm = new Float64Array(n), vv = new Float64Array(n);
      const batches = [[0, 2], [5], [2, 3, 1], [4, 0]];
      batches.forEach((list, s) => {
        const g = gradAt(n, s);
        e.f32(u, n).set(g);
        e.i32(rp, list.length).set(list);
        expect(inst.update(u, { step: s, lr: 1, params: 0, rows: rp, nrows: list.length })).toBe(true);
        const t = s + 1, c = Math.sqrt(1 - b2 ** t) / (1 - b1 ** t);
        const want = new Float64Array(n);
        for (const r of list) {
          for (let j = 0; j < dim; j++) {
            const i = r * dim + j;
            mm[i] += (1 - b1) * (g[i] - mm[i]);
            vv[i] += (1 - b2) * (g[i] * g[i] - vv[i]);
            want[i] = (c * mm[i]) / (Math.sqrt(vv[i]) + eps);
          }
        }
        expectClose(`scaleBySparseAdam step ${t}`, e.f32(u, n), want, { rtol: 1e-5, atol: 1e-7 });
      });
      expect(() => inst.update(u, { step: 4, lr: 1, params: 0 })).toThrow(/no rows/);
      expect(() => e.optim.scaleBySparseAdam({ dim: 0 })).toThrow(/dim must be an integer >= 1/);
      inst.dispose();
    });

    it('only the listed rows and their moments change; they follow torch SparseAdam', async () => {
      const e = await engineFor(build);
      const rows = 7, dim = 5, n = rows * dim, lr = 0.01, [b1, b2] = [0.9, 0.999], eps = 1e-8;
      const p0 = randArray(n, 2);
      const m = bare(e, n, p0);
      const op = e.optim.sparseAdam(m, { lr, dim });
      const ref = Float64Array.from(p0), mm = new Float64Array(n), vv = new Float64Array(n);
      const batches = [[0, 3], [3, 5, 6], [1], [3, 0, 2, 4]];
      batches.forEach((list, s) => {
        const g = new Float32Array(n);
        const full = gradAt(n, s);
        for (const r of list) for (let j = 0; j < dim; j++) g[r * dim + j] = full[r * dim + j];
        m.grads().set(g);
        const before = op.state();
        op.step(list);
        const t = s + 1, step = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
        for (const r of list) {
          for (let j = 0; j < dim; j++) {
            const i = r * dim + j;
            mm[i] += (1 - b1) * (g[i] - mm[i]);
            vv[i] += (1 - b2) * (g[i] * g[i] - vv[i]);
            ref[i] -= (step * mm[i]) / (Math.sqrt(vv[i]) + eps);
          }
        }
        const after = op.state();
        for (let r = 0; r < rows; r++) {
          if (list.includes(r)) continue;
          for (let j = 0; j < dim; j++) {
            const i = r * dim + j;
            expect(after.groups[0].buffers.m[i]).toBe(before.groups[0].buffers.m[i]);
            expect(after.groups[0].buffers.v[i]).toBe(before.groups[0].buffers.v[i]);
          }
        }
      });
      expectClose('sparseAdam', m.params(), ref, { rtol: 1e-5, atol: 1e-6 });
      expect(() => op.step([1, 1])).toThrow(/rows\[1\] = 1 is repeated/);
      expect(() => op.step([7])).toThrow(/rows\[0\] must be an integer in \[0, 7\), got 7/);
      expect(() => op.step()).toThrow(/needs the row indices/);
    });
  });

  describe(`guard (${build})`, () => {
    it("'skip': a non-finite gradient skips the step, leaves parameters and state, reports the index", async () => {
      const e = await engineFor(build);
      for (const fused of [true, false]) {
        const m = bare(e, 40);
        const op = e.optim.adam(m, { lr: 0.1, guard: 'skip', fused, groups: [{ offset: 0, length: 20 }, { offset: 20, length: 20 }] });
        m.grads().set(gradAt(40, 0));
        op.step();
        const p = m.params().slice(), st = op.state();
        const g = gradAt(40, 1);
        g[27] = Infinity;
        g[33] = NaN;
        m.grads().set(g);
        expect(op.step()).toBe(false);
        expect(m.params()).toEqual(p);
        expect(op.state()).toEqual({ ...st, skippedSteps: 1 });
        expect(op.lastSkip).toEqual({ step: 1, index: 27, where: 'gradient' });
        expect(op.skippedSteps).toBe(1);
        expect(op.stepCount).toBe(1);
      }
    });

    it("'zero': non-finite gradient entries count as 0", async () => {
      const e = await engineFor(build);
      const p0 = randArray(10, 1);
      const a = bare(e, 10, p0), b = bare(e, 10, p0);
      const oa = e.optim.sgd(a, { lr: 0.1, guard: 'zero' }), ob = e.optim.sgd(b, { lr: 0.1 });
      const g = gradAt(10, 0);
      a.grads().set(g);
      a.grads()[4] = NaN;
      g[4] = 0;
      b.grads().set(g);
      oa.step();
      ob.step();
      expect(a.params()).toEqual(b.params());
      expect(oa.skippedSteps).toBe(1);
      expect(oa.lastSkip?.index).toBe(4);
    });

    it('guardParams: a step that would make a parameter non-finite is undone', async () => {
      const e = await engineFor(build);
      const m = bare(e, 8, [1, 2, 3, 3e38, 5, 6, 7, 8]);
      const op = e.optim.sgd(m, { lr: 1, momentum: 0.5, guard: 'skip', guardParams: true });
      m.grads().set([0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]);
      op.step();
      const p = m.params().slice(), st = op.state();
      m.grads().set([0, 0, 0, -3e38, 0, 0, 0, 0]); // 3e38 + 3e38 overflows to Inf
      expect(op.step()).toBe(false);
      expect(m.params()).toEqual(p);
      expect(op.state()).toEqual({ ...st, skippedSteps: 1 });
      expect(op.lastSkip).toEqual({ step: 1, index: 3, where: 'parameter' });
    });
  });

  describe(`clip utilities (${build})`, () => {
    it('clipGradNorm / clipGradValue follow torch.nn.utils', async () => {
      const e = await engineFor(build);
      const g = randArray(50, 9, -2, 2);
      const m = bare(e, 50);
      m.grads().set(g);
      const norm = Math.hypot(...g);
      expectClose('gradNorm', [gradNorm(m)], [norm], { rtol: 1e-6 });
      expectClose('clipGradNorm return', [clipGradNorm(m, 1)], [norm], { rtol: 1e-6 });
      expectClose('clipGradNorm', m.grads(), Array.from(g, (v) => (v * 1) / (norm + 1e-6)));
      m.grads().set(g);
      clipGradValue(m, 0.3, { spans: [{ offset: 10, length: 20 }] });
      expectClose('clipGradValue', m.grads(), Array.from(g, (v, i) => (i >= 10 && i < 30 ? Math.max(-Math.fround(0.3), Math.min(Math.fround(0.3), v)) : v)), { rtol: 0, atol: 0 });
      m.grads()[3] = NaN;
      const before = m.grads().slice();
      expect(() => clipGradNorm(m, 1, { errorIfNonfinite: true })).toThrow(/not finite/);
      expect(Array.from(m.grads()).map(String)).toEqual(Array.from(before).map(String));
      expect(() => clipGradNorm(m, 0)).toThrow(/maxNorm must be a finite number > 0/);
    });
  });
}
