// assembly/optim_lbfgs.ts in both builds against a plain-TS reference: the history update
// (acceptance test yᵀs > 1e-10, the table rotation once the history is full, rho, H_diag),
// the two-loop recursion over the live pairs, and f32_asum, over the STYLE.md length sweep.
//
// Tolerance: the reference computes every dot product exactly in f64 and rounds it to f32 as
// the kernels do; the kernels' SIMD dots accumulate in f32 lanes (blocks of 1024, vector.ts),
// so a dot of n terms may differ by ~n·2⁻²⁴ relative. The two-loop result is compared with
// rtol 1e-4 (n ≤ 1009, a handful of pairs); acceptance, counts and the table order exactly.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Engine } from '../src/index.js';
import { LbfgsMemory } from '../src/optim/lbfgs-memory.js';
import { BUILDS, engineFor, expectClose, LENGTHS, randArray } from './helpers.js';

const f = Math.fround;
const dot = (a: Float32Array, b: Float32Array): number => a.reduce((s, v, i) => s + v * b[i], 0);

/** The reference history: pairs oldest first, at most m. */
class RefHistory {
  s: Float32Array[] = [];
  y: Float32Array[] = [];
  rho: number[] = [];
  constructor(readonly m: number) {}
  /** returns H_diag or -1 */
  update(g: Float32Array, gPrev: Float32Array, d: Float32Array, t: number): number {
    const y = g.map((v, i) => f(v - gPrev[i]));
    const s = d.map((v) => f(v * f(t)));
    const ys = f(dot(y, s));
    if (!(ys > 1e-10)) return -1;
    if (this.s.length === this.m) {
      this.s.shift();
      this.y.shift();
      this.rho.shift();
    }
    this.s.push(s);
    this.y.push(y);
    this.rho.push(f(1 / ys));
    return f(ys / f(dot(y, y)));
  }
  twoLoop(q: Float32Array, gamma: number): Float32Array {
    const r = Float64Array.from(q);
    const al: number[] = [];
    for (let i = this.s.length - 1; i >= 0; i--) {
      al[i] = f(f(this.s[i].reduce((a, v, j) => a + v * r[j], 0)) * this.rho[i]);
      for (let j = 0; j < r.length; j++) r[j] = f(r[j] - al[i] * this.y[i][j]);
    }
    for (let j = 0; j < r.length; j++) r[j] = f(r[j] * gamma);
    for (let i = 0; i < this.s.length; i++) {
      const b = f(f(this.y[i].reduce((a, v, j) => a + v * r[j], 0)) * this.rho[i]);
      for (let j = 0; j < r.length; j++) r[j] = f(r[j] + f(al[i] - b) * this.s[i][j]);
    }
    return Float32Array.from(r);
  }
}

for (const build of BUILDS) {
  describe(`L-BFGS kernels (${build})`, () => {
    let e: Engine;
    let mark: number;
    beforeEach(async () => {
      e = await engineFor(build);
      mark = e.arena.mark();
    });
    afterEach(() => e.arena.reset(mark));

    it('f32_asum is Σ|x| over the length sweep, NaN propagating', () => {
      for (const n of LENGTHS) {
        const x = randArray(n, n + 1, -3, 3);
        const p = e.arena.alloc(n * 4 + 16);
        e.f32(p, n).set(x);
        const ref = x.reduce((s, v) => s + Math.abs(v), 0);
        const got = e.kernels.f32_asum(n, p);
        if (!(Math.abs(got - ref) <= 1e-6 * Math.max(1, ref))) throw new Error(`f32_asum n=${n}: got ${got}, expected ${ref}`);
        if (n > 0) {
          e.f32(p, n)[n - 1] = NaN;
          expect(e.kernels.f32_asum(n, p), `n=${n}`).toBeNaN();
        }
      }
    });

    it('update and two-loop follow the reference through acceptance, rejection and wrap-around', () => {
      for (const n of LENGTHS.filter((v) => v > 0)) {
        for (const m of [1, 3]) {
          const mem = new LbfgsMemory(e, n, m);
          const ref = new RefHistory(m);
          const k = e.kernels;
          let count = 0;
          for (let it = 0; it < 6; it++) {
            const g = randArray(n, 100 * n + it, -1, 1), gPrev = randArray(n, 100 * n + it + 50, -1, 1);
            // d along y (so yᵀs > 0) except at iteration 2, where d = 0 (yᵀs = 0: rejected)
            const d = it === 2 ? new Float32Array(n) : g.map((v, i) => v - gPrev[i] + 0.1 * Math.sin(i + it));
            e.f32(mem.g, n).set(g);
            e.f32(mem.prevG, n).set(gPrev);
            e.f32(mem.d, n).set(d);
            const t = 0.5 + it / 10;
            const want = ref.update(g, gPrev, d, t);
            const got = k.f32_lbfgs_update(n, m, count, mem.g, mem.prevG, mem.d, mem.sTab, mem.yTab, mem.rho, t);
            expect(got === -1, `n=${n} m=${m} it=${it}: accepted?`).toBe(want === -1);
            if (want !== -1) {
              expectClose(`H_diag n=${n} m=${m} it=${it}`, [got], [want], { rtol: 1e-4, atol: 0 });
              count = Math.min(count + 1, m);
            }
            expect(count).toBe(ref.s.length);
            const pairs = mem.pairs(count);
            for (let i = 0; i < count; i++) {
              expectClose(`s[${i}] n=${n} m=${m} it=${it}`, e.f32(pairs.s[i], n), ref.s[i], { rtol: 0, atol: 0 });
              expectClose(`y[${i}] n=${n} m=${m} it=${it}`, e.f32(pairs.y[i], n), ref.y[i], { rtol: 0, atol: 0 });
              expectClose(`rho[${i}] n=${n} m=${m} it=${it}`, [pairs.rho[i]], [ref.rho[i]], { rtol: 1e-4, atol: 0 });
            }
            // the spare slot never aliases a live one
            const words = new Uint32Array(e.memory.buffer, mem.sTab, m + 1);
            expect(new Set(words).size, `distinct slots n=${n} m=${m}`).toBe(m + 1);
            const q = randArray(n, 7 * n + it, -1, 1);
            e.f32(mem.d, n).set(q);
            const gamma = 0.7;
            k.f32_lbfgs_two_loop(n, count, mem.sTab, mem.yTab, mem.rho, mem.d, mem.alpha, gamma);
            expectClose(`two-loop n=${n} m=${m} it=${it}`, e.f32(mem.d, n), ref.twoLoop(q, gamma), { rtol: 1e-4, atol: 1e-5 });
          }
          mem.dispose();
        }
      }
    });

    it('the two-loop recursion with the true pairs of a quadratic recovers the Newton step', () => {
      // f = ½ xᵀA x with A = diag(1..n): n exact pairs (s_i = e_i, y_i = A e_i) make H = A⁻¹ exactly
      const n = 5;
      const mem = new LbfgsMemory(e, n, n);
      const k = e.kernels;
      let count = 0;
      for (let i = 0; i < n; i++) {
        const g = new Float32Array(n), d = new Float32Array(n);
        g[i] = i + 1;
        d[i] = 1;
        e.f32(mem.g, n).set(g);
        e.f32(mem.prevG, n).fill(0);
        e.f32(mem.d, n).set(d);
        expect(k.f32_lbfgs_update(n, n, count, mem.g, mem.prevG, mem.d, mem.sTab, mem.yTab, mem.rho, 1)).toBeCloseTo(1 / (i + 1), 6);
        count++;
      }
      const q = Float32Array.from([1, 2, 3, 4, 5]);
      e.f32(mem.d, n).set(q);
      k.f32_lbfgs_two_loop(n, count, mem.sTab, mem.yTab, mem.rho, mem.d, mem.alpha, 0.123);
      expectClose('H·q = A⁻¹q', e.f32(mem.d, n), [1, 1, 1, 1, 1], { rtol: 1e-6, atol: 1e-6 });
      mem.dispose();
    });
  });
}
