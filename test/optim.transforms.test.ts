import { describe, expect, it } from 'vitest';
import {
  addNoise, chain, clipByGlobalNorm, clipByValue, type Engine, guardFinite, multiSteps, scale, scaleByAdam,
  scaleByLearningRate, scaleBySchedule, StateError, trace, ValueError,
} from '../src/index.js';
import { BUILDS, engineFor, expectClose, LENGTHS, randArray } from './helpers.js';
import { bare, gradAt } from './optim-helpers.js';

const put = (e: Engine, a: ArrayLike<number>): number => {
  const p = e.allocF32(Math.max(1, a.length));
  e.f32(p, a.length).set(a);
  return p;
};

for (const build of BUILDS) {
  describe(`clipping and finiteness kernels (${build})`, () => {
    it('f32_sumsq: blocked f32 lanes summed in f64, against f64', async () => {
      const e = await engineFor(build);
      for (const n of [...LENGTHS, 255, 256, 257, 100_003]) {
        const x = randArray(n, n + 1, -3, 3);
        const ref = x.reduce((s, v) => s + v * v, 0);
        const got = e.kernels.f32_sumsq(n, put(e, x));
        // each 256-block is an f32 sum of <= 64 terms per lane: relative error <= 64 * 6e-8
        expectClose(`f32_sumsq n=${n}`, [got], [ref], { rtol: 5e-6, atol: 0 });
      }
    });

    it('f32_clip clamps, keeps NaN', async () => {
      const e = await engineFor(build);
      for (const n of LENGTHS) {
        const x = randArray(n, n + 2, -2, 2);
        if (n > 3) x[3] = NaN;
        const p = put(e, x);
        e.kernels.f32_clip(n, p, -0.5, 0.7);
        expectClose(`f32_clip n=${n}`, e.f32(p, n), Array.from(x, (v) => (Number.isNaN(v) ? NaN : Math.min(Math.max(v, -0.5), Math.fround(0.7)))), { rtol: 0, atol: 0 });
      }
    });

    it('f32_find_nonfinite finds the first NaN or Inf anywhere (SIMD body and tail); f32_zero_nonfinite zeroes them', async () => {
      const e = await engineFor(build);
      for (const n of LENGTHS) {
        const x = randArray(n, n + 3);
        const p = put(e, x);
        expect(e.kernels.f32_find_nonfinite(n, p)).toBe(-1);
        for (const bad of [NaN, Infinity, -Infinity]) {
          for (const at of [0, n >> 1, n - 1].filter((i) => i >= 0 && i < n)) {
            const y = x.slice();
            y[at] = bad;
            if (at + 2 < n) y[at + 2] = NaN;
            const q = put(e, y);
            expect(e.kernels.f32_find_nonfinite(n, q), `n=${n} at=${at} ${bad}`).toBe(at);
            const c = e.kernels.f32_zero_nonfinite(n, q);
            expect(c).toBe(at + 2 < n ? 2 : 1);
            expect(e.kernels.f32_find_nonfinite(n, q)).toBe(-1);
            expect(e.f32(q, n)[at]).toBe(0);
          }
        }
      }
    });
  });

  describe(`transforms (${build})`, () => {
    const ctx = (params: number, step = 0, lr = 1) => ({ step, lr, params });

    it('scale, scaleByLearningRate (the sign flip), scaleBySchedule', async () => {
      const e = await engineFor(build);
      const u = put(e, [1, -2, 3, 4, 5]);
      const t = chain(scale(2), scaleByLearningRate(0.5), scaleBySchedule((c) => c + 3)).init(e, 5);
      expect(t.update(u, ctx(0))).toBe(true);
      expectClose('chain', e.f32(u, 5), [-3, 6, -9, -12, -15]);
      expect(t.update(u, ctx(0))).toBe(true); // schedule now 4; lr 0.5, sign flips again
      expectClose('chain step 2', e.f32(u, 5), [12, -24, 36, 48, 60]);
    });

    it('clipByGlobalNorm follows torch (coef = max / (norm + 1e-6), at most 1); clipByValue clamps', async () => {
      const e = await engineFor(build);
      const x = randArray(100, 4, -1, 1);
      const norm = Math.hypot(...x);
      for (const maxNorm of [0.5, 100]) {
        const u = put(e, x);
        clipByGlobalNorm(maxNorm).init(e, 100).update(u, ctx(0));
        const c = Math.min(1, maxNorm / (norm + 1e-6));
        expectClose(`clipByGlobalNorm ${maxNorm}`, e.f32(u, 100), Array.from(x, (v) => v * c));
      }
      const u = put(e, x);
      clipByValue(0.25).init(e, 100).update(u, ctx(0));
      expectClose('clipByValue', e.f32(u, 100), Array.from(x, (v) => Math.max(-0.25, Math.min(0.25, v))), { rtol: 0, atol: 0 });
    });

    it('multiSteps(k) applies the mean of k micro-batch updates once every k calls', async () => {
      const e = await engineFor(build);
      const n = 13, k = 3;
      const acc = multiSteps(k, chain(scaleByAdam(), scaleByLearningRate(0.1))).init(e, n);
      const big = chain(scaleByAdam(), scaleByLearningRate(0.1)).init(e, n);
      const u = e.allocF32(n), v = e.allocF32(n);
      for (let s = 0; s < 4; s++) {
        const mean = new Float64Array(n);
        for (let j = 0; j < k; j++) {
          const g = gradAt(n, s * k + j);
          g.forEach((x, i) => (mean[i] += x / k));
          e.f32(u, n).set(g);
          expect(acc.update(u, ctx(0))).toBe(j === k - 1);
        }
        e.f32(v, n).set(mean);
        big.update(v, ctx(0));
        expectClose(`multiSteps step ${s}`, e.f32(u, n), e.f32(v, n), { rtol: 1e-5, atol: 1e-6 });
      }
      // state round trip
      const st = acc.state();
      expect(st.inner?.[0].inner?.[0].count).toBe(4);
      acc.loadState(st);
      expect(() => acc.loadState({ ...st, inner: [] })).toThrow(StateError);
    });

    it('guardFinite skip: nothing downstream changes and the index is reported; zero: bad entries become 0', async () => {
      const e = await engineFor(build);
      const n = 9;
      const guard = guardFinite({ mode: 'skip' });
      const t = chain(guard, trace({ momentum: 0.9 })).init(e, n);
      const u = put(e, gradAt(n, 0));
      expect(t.update(u, ctx(0))).toBe(true);
      const st = t.state();
      const bad = gradAt(n, 1);
      bad[6] = NaN;
      const u2 = put(e, bad);
      expect(t.update(u2, ctx(0))).toBe(false);
      expect(t.state().inner![1]).toEqual(st.inner![1]);
      const inst = (t.state().inner![0]);
      expect(inst.scalars).toEqual({ skips: 1, lastIndex: 6 });
      const z = chain(guardFinite({ mode: 'zero' })).init(e, n);
      const u3 = put(e, bad);
      expect(z.update(u3, ctx(0))).toBe(true);
      expect(e.f32(u3, n)[6]).toBe(0);
      expect(() => guardFinite({ mode: 'never' as 'skip' })).toThrow(ValueError);
    });

    it('addNoise: seeded, reproducible, N(0, stddev^2), state includes the RNG', async () => {
      const e = await engineFor(build);
      const n = 20000;
      const a = addNoise({ stddev: 0.5, seed: 7 }).init(e, n), b = addNoise({ stddev: 0.5, seed: 7 }).init(e, n);
      const c = addNoise({ stddev: 0.5, seed: 8 }).init(e, n);
      const ua = e.allocF32(n), ub = e.allocF32(n), uc = e.allocF32(n);
      for (const p of [ua, ub, uc]) e.kernels.f32_fill(n, p, 1);
      a.update(ua, ctx(0));
      b.update(ub, ctx(0));
      c.update(uc, ctx(0));
      expect(e.f32(ua, n)).toEqual(e.f32(ub, n));
      expect(e.f32(ua, n)).not.toEqual(e.f32(uc, n));
      const xs = Array.from(e.f32(ua, n), (v) => v - 1);
      const mean = xs.reduce((s, v) => s + v, 0) / n;
      const variance = xs.reduce((s, v) => s + (v - mean) ** 2, 0) / n;
      expect(Math.abs(mean)).toBeLessThan(0.02);
      expect(Math.abs(variance / 0.25 - 1)).toBeLessThan(0.05);
      // save, draw, restore, draw again: the same noise
      const st = a.state();
      a.update(ua, ctx(0));
      const first = e.f32(ua, n).slice();
      a.loadState(st);
      e.f32(ua, n).set(first);
      e.kernels.f32_fill(n, ub, 0);
      e.f32(ua, n).set(new Float32Array(n));
      a.update(ua, ctx(0));
      const again = e.f32(ua, n).slice();
      const st2 = a.state();
      a.loadState(st);
      e.kernels.f32_fill(n, ua, 0);
      a.update(ua, ctx(0));
      expect(e.f32(ua, n)).toEqual(again);
      expect(a.state()).toEqual(st2);
    });

    it('an optimizer from any transform: fromTransform(model, chain(...))', async () => {
      const e = await engineFor(build);
      const p0 = randArray(11, 1);
      const m = bare(e, 11, p0);
      const op = e.optim.fromTransform(m, chain(clipByValue(0.5), trace({ momentum: 0.5 }), scaleByLearningRate()), { lr: 0.1 });
      const ref = Float64Array.from(p0), buf = new Float64Array(11);
      for (let s = 0; s < 5; s++) {
        const g = gradAt(11, s);
        m.grads().set(g);
        op.step();
        for (let i = 0; i < 11; i++) {
          const c = Math.max(-0.5, Math.min(0.5, g[i]));
          buf[i] = s === 0 ? c : 0.5 * buf[i] + c;
          ref[i] -= 0.1 * buf[i];
        }
      }
      expectClose('fromTransform', m.params(), ref);
    });
  });
}
