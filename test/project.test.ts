// assembly/project.ts: every projection in both builds against the plain-TS f64 references
// of test/prox-ref.ts (simplex and l1 ball against the sort-based algorithm) over the
// length sweep; the projection inequality ⟨x − p, y − p⟩ ≤ 0 for random feasible y;
// hard inputs for the pivoting (ties, sorted, one huge value, a tiny s); non-finite input
// rejected without a write; the same bits in both builds.
import { describe, expect, it } from 'vitest';
import type { Engine } from '../src/index.js';
import { BUILDS, engineFor, expectClose, LENGTHS, randArray, rng, kernelScratch } from './helpers.js';
import * as ref from './prox-ref.js';

/** ⟨x − p, y − p⟩ allowance: p is x − τ rounded to f32, off by ~2⁻²⁴·(|x| + |τ|) per element. */
function slack(x: ArrayLike<number>, p: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (Math.abs(x[i]) + Math.abs(p[i])) * (Math.abs(x[i]) + Math.abs(y[i]) + Math.abs(p[i]));
  return 2.4e-7 * s + 1e-12;
}

/** n numbers ≥ 0 summing to s (normalized exponentials). */
function simplexPoint(n: number, s: number, r: () => number): number[] {
  const e = Array.from({ length: n }, () => -Math.log(1 - r()));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => (v / sum) * s);
}

for (const build of BUILDS) {
  describe(`projection kernels (${build})`, () => {
    let e: Engine;
    const { put, get } = kernelScratch(build, (x) => (e = x));

    it('f32_project_box (per-element bounds) and f32_project_clamp (scalar bounds): reference, feasibility, the projection inequality', () => {
      for (const n of LENGTHS) {
        const x = randArray(n, n + 3, -3, 3);
        const lo = randArray(n, n + 4, -2, 0), hi = randArray(n, n + 5, 0, 2);
        const p = put(x, 4);
        e.kernels.f32_project_box(n, p, put(lo, 8), put(hi, 12));
        const out = get(p, n);
        expect(Array.from(out), `box n=${n}`).toEqual(ref.box(x, lo, hi));
        const r = rng(n);
        const y = Array.from({ length: n }, (_, i) => lo[i] + (hi[i] - lo[i]) * r());
        expect(ref.dot(x.map((v, i) => v - out[i]), y.map((v, i) => v - out[i]))).toBeLessThanOrEqual(slack(x, out, y));
      }
      const p = put([NaN, 5, -5]);
      e.kernels.f32_project_box(3, p, put([0, 0, 0]), put([1, 1, 1]));
      expect(Array.from(get(p, 3))).toEqual([NaN, 1, 0]);
      for (const n of LENGTHS) {
        const x = randArray(n, n + 30, -3, 3);
        const q = put(x, 4);
        e.kernels.f32_project_clamp(n, q, -0.5, 1.25);
        expect(Array.from(get(q, n)), `clamp n=${n}`).toEqual(Array.from(x, (v) => Math.min(Math.max(v, -0.5), 1.25)));
      }
      const c = put([NaN, -Infinity, Infinity]);
      e.kernels.f32_project_clamp(3, c, -1, 1);
      expect(Array.from(get(c, 3))).toEqual([NaN, -1, 1]);
    });

    it('f32_project_l2_ball: reference, returned norm, inside left alone, the projection inequality', () => {
      for (const n of LENGTHS) {
        const x = randArray(n, 2 * n + 1, -1, 1);
        const norm = Math.sqrt(ref.dot(x, x));
        for (const r of [0, 0.5 * norm, 2 * norm + 1]) {
          const p = put(x, 8);
          const got = e.kernels.f32_project_l2_ball(n, p, r);
          expectClose(`l2 norm n=${n}`, [got], [norm], { rtol: 1e-6, atol: 0 });
          const out = get(p, n);
          expectClose(`l2 ball n=${n} r=${r}`, out, ref.l2Ball(x, Math.fround(r)), { rtol: 2e-6, atol: 1e-30 });
          if (r >= norm) expect(Array.from(out)).toEqual(Array.from(x));
          const rr = rng(n + 1);
          for (let s = 0; s < 5; s++) {
            const d = Array.from({ length: n }, () => rr() - 0.5);
            const dn = Math.sqrt(ref.dot(d, d)) || 1;
            const y = d.map((v) => (v / dn) * Math.fround(r) * rr());
            expect(ref.dot(x.map((v, i) => v - out[i]), y.map((v, i) => v - out[i]))).toBeLessThanOrEqual(slack(x, out, y));
          }
        }
      }
      const p = put([1, Infinity, 2]);
      expect(e.kernels.f32_project_l2_ball(3, p, 1)).toBe(Infinity);
      expect(Array.from(get(p, 3))).toEqual([1, Infinity, 2]);
    });

    it('f32_project_grid: bit-exact against the rounded reference, every output a level, nearest level', () => {
      const grids: [number, number, number][] = [[-0.25, 0.25, 2], [0, 0.1, 10], [-1, 0.3, 6], [2, 1, 0], [-0.6, 0.3, 4], [-0.05, 0.05, 2], [-1.125, 0.375, 5]];
      for (const n of LENGTHS) {
        const x = randArray(n, 3 * n + 2, -1.5, 3.5);
        if (n > 4) { x[0] = -0.125; x[1] = 0.125; x[2] = 0.375; x[3] = 1e30; x[4] = -Infinity; }
        for (const [lo, step, kmax] of grids) {
          const p = put(x, 4);
          e.kernels.f32_project_grid(n, p, lo, step, kmax);
          const out = get(p, n);
          const want = ref.grid(x, Math.fround(lo), Math.fround(step), kmax);
          expect(Array.from(out), `grid ${lo}/${step}/${kmax} n=${n}`).toEqual(want);
          const levels = ref.gridLevels(Math.fround(lo), Math.fround(step), kmax);
          const bad: number[] = [];
          for (let i = 0; i < n; i++) {
            if (!levels.includes(out[i])) bad.push(i);
            else if (Number.isFinite(x[i])) {
              const best = Math.min(...levels.map((l) => Math.abs(l - x[i])));
              if (Math.abs(out[i] - x[i]) > best + 1e-6 * (1 + Math.abs(x[i]))) bad.push(i);
            }
          }
          expect(bad, `grid ${lo}/${step}/${kmax} n=${n}: indices off the grid or not at the nearest level`).toEqual([]);
        }
      }
      const p = put([NaN]);
      e.kernels.f32_project_grid(1, p, -1, 1, 2);
      expect(get(p, 1)[0]).toBeNaN();
    });

    it('f32_project_simplex and f32_project_l1_ball match the sort-based reference over the sweep', () => {
      for (const n of LENGTHS.filter((k) => k > 0)) {
        for (const [lo, hi] of [[-1, 1], [0, 3], [-5, -4]] as const) {
          const x = randArray(n, 5 * n + lo, lo, hi);
          for (const s of [1, 0.01, 7]) {
            const what = `${build} n=${n} [${lo}, ${hi}] s=${s}`;
            const scratch = e.arena.alloc(4 * n);
            const p = put(x, 12);
            const tau = e.kernels.f32_project_simplex(n, p, scratch, s);
            expectClose(`simplex tau ${what}`, [tau], [ref.simplexThreshold(x, s)], { rtol: 1e-9, atol: 1e-9 * (Math.abs(lo) + hi + s) });
            const out = get(p, n);
            expectClose(`simplex ${what}`, out, ref.simplex(x, s), { rtol: 1e-6, atol: 1e-6 * (Math.abs(lo) + hi) });
            expect(out.every((v) => v >= 0)).toBe(true);
            expect(Math.abs(out.reduce((a, b) => a + b, 0) - s)).toBeLessThan(1.2e-7 * (s + n * Math.abs(tau)) + 1e-12);
            const q = put(x, 4);
            const tl = e.kernels.f32_project_l1_ball(n, q, scratch, s);
            const o1 = get(q, n);
            expectClose(`l1 ball ${what}`, o1, ref.l1Ball(x, s), { rtol: 1e-6, atol: 1e-6 * (Math.abs(lo) + hi) });
            const l1 = x.reduce((a, b) => a + Math.abs(b), 0);
            if (l1 <= s) { expect(tl).toBe(0); expect(Array.from(o1)).toEqual(Array.from(x)); }
            const r = rng(n + s);
            for (let k = 0; k < 4; k++) {
              const y = simplexPoint(n, s, r);
              expect(ref.dot(x.map((v, i) => v - out[i]), y.map((v, i) => v - out[i])), `simplex inequality ${what}`).toBeLessThanOrEqual(slack(x, out, y));
              const y1 = y.map((v) => (r() < 0.5 ? -v : v) * r());
              expect(ref.dot(x.map((v, i) => v - o1[i]), y1.map((v, i) => v - o1[i])), `l1 inequality ${what}`).toBeLessThanOrEqual(slack(x, o1, y1));
            }
          }
        }
      }
    });

    it('simplex pivoting on hard inputs: ties, sorted runs, one huge value, tiny s, a point already on the simplex', () => {
      const n = 1000;
      const inputs: [string, number[]][] = [
        ['all equal', Array(n).fill(0.3)],
        ['ascending', Array.from({ length: n }, (_, i) => i / n)],
        ['descending', Array.from({ length: n }, (_, i) => 1 - i / n)],
        ['two levels', Array.from({ length: n }, (_, i) => (i % 2 ? 1 : 0.5))],
        ['one huge', Array.from({ length: n }, (_, i) => (i === 517 ? 1e6 : i / n))],
        ['on the simplex', Array(n).fill(1 / n)],
        ['n = 1', [4]],
        ['n = 2 equal', [2, 2]],
      ];
      for (const [name, x] of inputs) {
        for (const s of [1, 1e-6, 100]) {
          const p = put(x);
          e.kernels.f32_project_simplex(x.length, p, e.arena.alloc(4 * x.length), s);
          expectClose(`simplex ${name} s=${s}`, get(p, x.length), ref.simplex(x, Math.fround(s)), { rtol: 2e-6, atol: 2e-6 * Math.max(s, 1) });
        }
      }
    });

    it('large n (a sampled start for the Newton steps, checked over all of x): simplex and l1 ball match the sort-based reference', () => {
      for (const n of [40000, 65537]) {
        const inputs: [string, ArrayLike<number>][] = [
          ['uniform [-1, 1]', randArray(n, n, -1, 1)],
          ['uniform [0, 3]', randArray(n, n + 1, 0, 3)],
          ['one huge, not in the sample', Array.from(randArray(n, n + 2, 0, 1), (v, i) => (i === n - 1 ? 1e4 : v))],
          ['one huge, in the sample', Array.from(randArray(n, n + 3, 0, 1), (v, i) => (i === 5 * Math.floor(n / 1024) ? 1e4 : v))],
          ['all equal', new Float32Array(n).fill(0.25)],
          ['ascending', Float32Array.from({ length: n }, (_, i) => i / n)],
          ['sample-aligned spikes', Float32Array.from({ length: n }, (_, i) => (i % Math.floor(n / 1024) === 0 ? 5 : 0.001))],
        ];
        for (const [name, x] of inputs) {
          for (const s of [1, 0.01, n / 8]) {
            const what = `${build} n=${n} ${name} s=${s}`;
            const mark = e.arena.mark();
            const scratch = e.arena.alloc(4 * n);
            const p = put(x);
            const tau = e.kernels.f32_project_simplex(n, p, scratch, s);
            const fs = Math.fround(s);
            const want = ref.simplexThreshold(x, fs); // one sort per case: the suite runs this under load
            expect(Math.abs(tau - want), `simplex tau ${what}`).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(tau)));
            expectClose(`simplex ${what}`, get(p, n), Array.from(x, (v) => Math.max(v - want, 0)), { rtol: 2e-6, atol: 2e-6 * Math.max(1, Math.abs(tau)) });
            const q = put(x);
            e.kernels.f32_project_l1_ball(n, q, scratch, s);
            expectClose(`l1 ball ${what}`, get(q, n), ref.l1Ball(x, fs), { rtol: 2e-6, atol: 2e-6 * Math.max(1, Math.abs(tau)) });
            e.arena.reset(mark);
          }
        }
      }
    });

    it('non-finite input: simplex and l1 ball return NaN and write nothing (no endless pivoting); n = 0 writes nothing', () => {
      for (const bad of [NaN, Infinity, -Infinity]) {
        for (const at of [0, 5, 16]) {
          const x = Array.from(randArray(17, at, -1, 1));
          x[at] = bad;
          const scratch = e.arena.alloc(4 * 17);
          const p = put(x);
          expect(e.kernels.f32_project_simplex(17, p, scratch, 1)).toBeNaN();
          expect(Array.from(get(p, 17))).toEqual(x);
          expect(e.kernels.f32_project_l1_ball(17, p, scratch, 1)).toBeNaN();
          expect(Array.from(get(p, 17))).toEqual(x);
        }
      }
      // large n: a value the sample does not see (index 1); sparse (s = 1) and dense (s = n/8) brackets
      const n = 40000;
      for (const bad of [NaN, Infinity, -Infinity]) {
        for (const s of [1, n / 8]) {
          const x = randArray(n, 3, -1, 1);
          x[1] = bad;
          const scratch = e.arena.alloc(4 * n);
          const q = put(x);
          expect(e.kernels.f32_project_simplex(n, q, scratch, s), `simplex ${bad} s=${s}`).toBeNaN();
          expect(Array.from(get(q, n)).every((v, i) => Object.is(v, x[i]))).toBe(true);
          expect(e.kernels.f32_project_l1_ball(n, q, scratch, s), `l1 ${bad} s=${s}`).toBeNaN();
          expect(Array.from(get(q, n)).every((v, i) => Object.is(v, x[i]))).toBe(true);
        }
      }
      const p = put([9]);
      expect(e.kernels.f32_project_simplex(0, p, p, 1)).toBe(0);
      expect(e.kernels.f32_project_l1_ball(0, p, p, 1)).toBe(0);
      expect(get(p, 1)[0]).toBe(9);
    });

    it('l1 ball of radius 0 is the origin', () => {
      const x = randArray(37, 1, -1, 1);
      const p = put(x);
      e.kernels.f32_project_l1_ball(37, p, e.arena.alloc(4 * 37), 0);
      expect(get(p, 37).every((v) => v === 0)).toBe(true);
    });
  });
}

describe('projection kernels: both builds give the same bits', () => {
  it('simplex, l1 ball, grid, l2 ball (n = 4099, and n = 100003, 300007 where a sampled bracket settles τ)', async () => {
    const [s, c] = await Promise.all([engineFor('simd'), engineFor('scalar')]);
    for (const n of [4099, 100003, 300007]) {
    const x = randArray(n, 99, -2, 2);
    const run = (e: Engine, f: (p: number, scratch: number) => void): Float32Array => {
      const mark = e.arena.mark();
      const p = e.arena.alloc(4 * n);
      e.f32(p, n).set(x);
      f(p, e.arena.alloc(4 * n));
      const out = e.f32(p, n).slice();
      e.arena.reset(mark);
      return out;
    };
    const cases: [string, (e: Engine) => (p: number, s: number) => void][] = [
      ['simplex', (e) => (p, sc) => e.kernels.f32_project_simplex(n, p, sc, 3)],
      ['l1', (e) => (p, sc) => e.kernels.f32_project_l1_ball(n, p, sc, 10)],
      // large budgets: most values stay active (the dense bracket pass at n = 100003)
      ['simplex s = n/4', (e) => (p, sc) => e.kernels.f32_project_simplex(n, p, sc, n / 4)],
      ['l1 r = n/8', (e) => (p, sc) => e.kernels.f32_project_l1_ball(n, p, sc, n / 8)],
      ['grid', (e) => (p) => e.kernels.f32_project_grid(n, p, -0.5, 0.5, 2)],
      ['l2 ball', (e) => (p) => e.kernels.f32_project_l2_ball(n, p, 1)],
    ];
    for (const [name, f] of cases) expect(Array.from(run(s, f(s))), `${name} n=${n}`).toEqual(Array.from(run(c, f(c))));
    }
  });
});
