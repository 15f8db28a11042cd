// assembly/prox.ts, assembly/prox_columns.ts: every proximal kernel in both builds against
// the plain-TS f64 references of test/prox-ref.ts over the length sweep, at unaligned offsets; the
// subgradient optimality condition (x − p)/t ∈ ∂R(p); exact zeros; the same bits in
// both builds for the elementwise kernels.
import { describe, expect, it } from 'vitest';
import type { Engine } from '../src/index.js';
import { BUILDS, engineFor, expectClose, LENGTHS, randArray, kernelScratch } from './helpers.js';
import * as ref from './prox-ref.js';

const OFFSETS = [0, 4, 12];
const SHAPES: [number, number][] = [[0, 0], [0, 3], [3, 0], [1, 1], [1, 5], [5, 1], [3, 4], [4, 5], [7, 17], [17, 3], [33, 65]];

for (const build of BUILDS) {
  describe(`prox kernels (${build})`, () => {
    let e: Engine;
    const { put, get } = kernelScratch(build, (x) => (e = x));

    it('f32_prox_l1, f32_prox_l2, f32_prox_elastic_net match the f64 references', () => {
      for (const n of LENGTHS) {
        for (const off of OFFSETS) {
          const x = randArray(n, 7 * n + off, -2, 2);
          for (const t of [0, 0.3, 1.5, 5]) {
            const what = `${build} n=${n} off=${off} t=${t}`;
            let p = put(x, off);
            e.kernels.f32_prox_l1(n, p, t);
            const l1 = get(p, n);
            expectClose(`f32_prox_l1 ${what}`, l1, ref.softThreshold(x, Math.fround(t)), { rtol: 1e-7, atol: 0 });
            // exact zeros where |x| <= t, the sign kept elsewhere, the subgradient condition
            const bad: number[] = [];
            for (let i = 0; i < n; i++) {
              if (Math.abs(x[i]) <= Math.fround(t) ? l1[i] !== 0 : !(Math.abs(x[i] - l1[i] - Math.sign(l1[i]) * Math.fround(t)) < 1e-6)) bad.push(i);
            }
            expect(bad, `${what}: indices that are not exact zeros or break x − p = t·sign(p)`).toEqual([]);
            p = put(x, off);
            e.kernels.f32_prox_l2(n, p, t);
            expectClose(`f32_prox_l2 ${what}`, get(p, n), ref.ridge(x, t), { rtol: 3e-7, atol: 0 });
            p = put(x, off);
            e.kernels.f32_prox_elastic_net(n, p, t, 0.7);
            expectClose(`f32_prox_elastic_net ${what}`, get(p, n), ref.elasticNet(x, Math.fround(t), 0.7), { rtol: 3e-7, atol: 0 });
          }
        }
      }
    });

    it('elementwise prox: the SIMD body (integer clamp) gives the scalar tail\'s bits for ±0, ±t and its neighbours, subnormals, ±Inf, both NaN signs, at t = 0 … Inf', () => {
      const f = (v: number): number => Math.fround(v);
      const bitsOf = (v: number): number => new Uint32Array(Float32Array.of(v).buffer)[0];
      const negNaN = new Float32Array(new Uint32Array([0xffc00000]).buffer)[0];
      for (const t of [0, f(1e-40), f(0.5), 1, f(3.4e38), Infinity]) {
        const near = [t, f(t * (1 + 2 ** -23)), f(t * (1 - 2 ** -24)), f(1e-45), f(1e-39), 1, 3, f(1e38), Infinity];
        const xs = [0, -0, NaN, negNaN, ...near, ...near.map((v) => -v)];
        while (xs.length % 16 !== 0) xs.push(f(xs.length * 0.37 - 2));
        for (const [name, run] of [
          ['l1', (n: number, p: number) => e.kernels.f32_prox_l1(n, p, t)],
          ['elastic net', (n: number, p: number) => e.kernels.f32_prox_elastic_net(n, p, t, 0.25)],
        ] as const) {
          const p = put(xs);
          run(xs.length, p); // the SIMD body: whole 16-float steps
          const body = Array.from(get(p, xs.length));
          const tail = xs.map((v) => {
            const q = put([v]);
            run(1, q); // one float: the scalar tail
            return get(q, 1)[0];
          });
          body.forEach((v, i) => {
            const what = `${name}, t = ${t}, x = ${xs[i]}: ${v} against ${tail[i]}`;
            if (Number.isNaN(tail[i])) expect(Number.isNaN(v), what).toBe(true);
            else expect(bitsOf(v), what).toBe(bitsOf(tail[i]));
          });
        }
      }
    });

    it('elementwise prox: NaN stays NaN, ±Inf stays ±Inf, zeros are +0 (x − clamp(x, −t, t)) in both the SIMD body and the tail', () => {
      const x = [NaN, Infinity, -Infinity, -0, 0.5, -0.5, 3, -3];
      const want = [NaN, Infinity, -Infinity, 0, 0, 0, 2, -2];
      for (const reps of [1, 3]) { // 8 floats: the scalar tail only; 24: a SIMD step and a tail
        const xs = Array.from({ length: reps }, () => x).flat(), ws = Array.from({ length: reps }, () => want).flat();
        let p = put(xs);
        e.kernels.f32_prox_l1(xs.length, p, 1);
        let got = Array.from(get(p, xs.length));
        expect(got).toEqual(ws);
        expect(got.every((v, i) => Object.is(v, ws[i]))).toBe(true);
        p = put(xs);
        e.kernels.f32_prox_elastic_net(xs.length, p, 1, 1);
        got = Array.from(get(p, xs.length));
        const en = ws.map((v) => v * Math.fround(0.5));
        expect(got.every((v, i) => Object.is(v, en[i]))).toBe(true);
      }
    });

    it('f32_prox_group_lasso_rows / _cols match the reference; zero groups are exact zeros; subgradient condition', () => {
      for (const [m, n] of SHAPES) {
        for (const off of OFFSETS) {
          const x = randArray(m * n, m * 31 + n + off, -1, 1);
          // a few whole rows and columns small enough to vanish
          for (let c = 0; c < n; c++) if (m > 2) x[2 * n + c] *= 0.01;
          for (const t of [0, 0.4, 1.2]) {
            const what = `${build} [${m}, ${n}] off=${off} t=${t}`;
            const pr = put(x, off);
            e.kernels.f32_prox_group_lasso_rows(m, n, pr, t);
            const rows = get(pr, m * n);
            expectClose(`rows ${what}`, rows, ref.groupLasso(x, ref.rowGroups(m, n), Math.fround(t)), { rtol: 2e-6, atol: 1e-7 });
            checkGroupCondition(`rows ${what}`, x, rows, ref.rowGroups(m, n), Math.fround(t));
            const pc = put(x, off);
            const scratch = e.arena.alloc(12 * n + 16);
            e.kernels.f32_prox_group_lasso_cols(m, n, pc, scratch, t);
            const cols = get(pc, m * n);
            expectClose(`cols ${what}`, cols, ref.groupLasso(x, ref.colGroups(m, n), Math.fround(t)), { rtol: 2e-6, atol: 1e-7 });
            checkGroupCondition(`cols ${what}`, x, cols, ref.colGroups(m, n), Math.fround(t));
          }
        }
      }
    });

    it('f32_sumsq_blocked (group norms, l2 ball) and f32_scal against f64; overflow, underflow, zeros, NaN, Inf', () => {
      const sq = (x: ArrayLike<number>): number => ref.dot(x, x);
      for (const n of [...LENGTHS, 255, 256, 257, 271, 4099]) {
        const x = randArray(n, 3 * n + 1, -2, 2);
        const p = put(x, 4);
        // a lane sums 16 rounded squares: within ~18·2^-24 of the exact sum
        expectClose(`f32_sumsq_blocked ${build} n=${n}`, [e.kernels.f32_sumsq_blocked(n, p)], [sq(x)], { rtol: 1.1e-6, atol: 0 });
        e.kernels.f32_scal(n, p, 0.3);
        expect(Array.from(get(p, n)), `f32_scal ${build} n=${n}`).toEqual(Array.from(x, (v) => Math.fround(v * Math.fround(0.3))));
      }
      const n = 1000;
      const cases: [string, (i: number) => number][] = [
        ['1e30 (f32 squares overflow)', (i) => 1e30 * (1 + (i % 7))],
        ['3e-30 (squares underflow)', (i) => 3e-30 * (1 + (i % 5))],
        ['one 1e-20 among zeros', (i) => (i === 517 ? 1e-20 : 0)],
        ['mixed 1e19 and 1e-19', (i) => (i % 2 ? 1e19 : 1e-19)],
      ];
      for (const [what, f] of cases) {
        const x = Float32Array.from({ length: n }, (_, i) => f(i));
        expectClose(`f32_sumsq_blocked ${build} ${what}`, [e.kernels.f32_sumsq_blocked(n, put(x))], [sq(x)], { rtol: 1e-6, atol: 0 });
      }
      expect(e.kernels.f32_sumsq_blocked(n, put(new Float32Array(n).fill(-0)))).toBe(0);
      const bad = randArray(300, 1);
      bad[200] = NaN;
      expect(e.kernels.f32_sumsq_blocked(300, put(bad))).toBeNaN();
      bad[200] = -Infinity;
      expect(e.kernels.f32_sumsq_blocked(300, put(bad))).toBe(Infinity);
    });

    it('f32_prox_group_lasso_cols: zero, tiny and huge columns (the f64 fallback per block of rows)', () => {
      // [37, 11]: the fallback in flushColumns only; [37, 43]: two full 16-row blocks whose flush is
      // fused into the last 4-row sweep (SIMD), special columns in its 16-column steps and in its
      // tail (43 = 2·16 + 11), then a 5-row block; the scaling takes 4-row sweeps and one row
      for (const [m, n] of [[37, 11], [37, 43]]) {
        const x = randArray(m * n, 9 + n, -1, 1);
        for (const c of n > 16 ? [0, 32] : [0]) {
          for (let r = 0; r < m; r++) {
            x[r * n + c + 1] = 0; // a zero column
            x[r * n + c + 4] = 1e-25 * (r + 1); // squares underflow in f32
            x[r * n + c + 7] = 1e25 * (r % 3 === 0 ? 1 : -0.5); // squares overflow in f32
          }
          x[20 * n + c + 9] = 3e-30; // one tiny entry in a block of normal ones
        }
        if (n > 16) x[13 * n + 20] = 2e-38; // a subnormal square in the last 4 rows of a full block
        for (const t of [0, 1e-24, 0.5]) {
          const p = put(x);
          e.kernels.f32_prox_group_lasso_cols(m, n, p, e.arena.alloc(12 * n), t);
          expectClose(`cols fallback ${build} [${m}, ${n}] t=${t}`, get(p, m * n), ref.groupLasso(x, ref.colGroups(m, n), Math.fround(t)), { rtol: 2e-6, atol: 0 });
        }
      }
    });

    it('f32_prox_group_lasso_sets: disjoint index sets, elements outside every set untouched', () => {
      const n = 1000;
      const x = randArray(n, 5, -1, 1);
      const groups: number[][] = [[0], [999, 3, 500], [], Array.from({ length: 200 }, (_, i) => 10 + 3 * i), [1, 2]];
      for (let i = 0; i < 200; i++) x[10 + 3 * i] *= 0.001; // this group vanishes
      const flat = groups.flat();
      const offsets = [0];
      for (const g of groups) offsets.push(offsets[offsets.length - 1] + g.length);
      const po = e.arena.alloc(4 * offsets.length), pi = e.arena.alloc(4 * flat.length + 4);
      e.i32(po, offsets.length).set(offsets);
      e.i32(pi, flat.length).set(flat);
      for (const t of [0, 0.5]) {
        const px = put(x, 4);
        e.kernels.f32_prox_group_lasso_sets(groups.length, po, pi, px, t);
        const out = get(px, n);
        expectClose(`sets ${build} t=${t}`, out, ref.groupLasso(x, groups, t), { rtol: 2e-6, atol: 1e-7 });
        checkGroupCondition(`sets ${build} t=${t}`, x, out, groups, t);
        if (t > 0) for (const i of groups[3]) expect(out[i]).toBe(0);
        const inSet = new Set(flat);
        for (let i = 0; i < n; i++) if (!inSet.has(i)) expect(out[i]).toBe(x[i]);
      }
    });
  });
}

/**
 * The prox optimality condition for t·Σ‖x_g‖: p_g = 0 needs ‖x_g‖ ≤ t (up to rounding);
 * p_g ≠ 0 needs x_g − p_g = t·p_g/‖p_g‖.
 */
function checkGroupCondition(what: string, x: ArrayLike<number>, p: ArrayLike<number>, groups: number[][], t: number): void {
  for (const g of groups) {
    let xs = 0, ps = 0;
    for (const i of g) { xs += x[i] * x[i]; ps += p[i] * p[i]; }
    const xn = Math.sqrt(xs), pn = Math.sqrt(ps);
    if (pn === 0) {
      expect(xn, `${what}: a zeroed group has ‖x_g‖ ≤ t`).toBeLessThanOrEqual(t * (1 + 1e-6) + 1e-30);
    } else {
      const bad = g.filter((i) => !(Math.abs(x[i] - p[i] - (t * p[i]) / pn) < 2e-6 * (1 + Math.abs(x[i]))));
      expect(bad, `${what}: indices whose subgradient residual is not ~0`).toEqual([]);
    }
  }
}

describe('prox kernels: both builds give the same bits', () => {
  it('l1, l2, elastic net, group lasso (columns, rows)', async () => {
    const [s, c] = await Promise.all([engineFor('simd'), engineFor('scalar')]);
    const x = randArray(1003, 11, -3, 3);
    const run = (e: Engine, f: (p: number) => void): Float32Array => {
      const mark = e.arena.mark();
      const p = e.arena.alloc(4 * x.length);
      e.f32(p, x.length).set(x);
      f(p);
      const out = e.f32(p, x.length).slice();
      e.arena.reset(mark);
      return out;
    };
    const cases: [string, (e: Engine) => (p: number) => void][] = [
      ['l1', (e) => (p) => e.kernels.f32_prox_l1(x.length, p, 0.9)],
      ['l2', (e) => (p) => e.kernels.f32_prox_l2(x.length, p, 0.3)],
      ['elastic', (e) => (p) => e.kernels.f32_prox_elastic_net(x.length, p, 0.4, 0.25)],
      ['cols', (e) => (p) => e.kernels.f32_prox_group_lasso_cols(17, 59, p, e.arena.alloc(12 * 59), 2)],
      // 2 full 16-row blocks (fused flush), 16-column steps and a 2-column tail, 4-row scaling sweeps and 3 single rows
      ['cols [35, 18]', (e) => (p) => e.kernels.f32_prox_group_lasso_cols(35, 18, p, e.arena.alloc(12 * 18), 1.5)],
      ['cols [48, 20]', (e) => (p) => e.kernels.f32_prox_group_lasso_cols(48, 20, p, e.arena.alloc(12 * 20), 3)],
      ['rows', (e) => (p) => e.kernels.f32_prox_group_lasso_rows(17, 59, p, 2)],
      ['rows (one row, 1003 floats: blocks of 256 and a tail)', (e) => (p) => e.kernels.f32_prox_group_lasso_rows(1, 1003, p, 40)],
    ];
    for (const [name, f] of cases) expect(Array.from(run(s, f(s))), name).toEqual(Array.from(run(c, f(c))));
  });

  it('group lasso columns with zero, tiny, huge, Inf and NaN columns (the f64 fallbacks, fused flush or not)', async () => {
    const [s, c] = await Promise.all([engineFor('simd'), engineFor('scalar')]);
    const [m, n] = [37, 43];
    const x = randArray(m * n, 21, -1, 1);
    for (let r = 0; r < m; r++) {
      x[r * n + 3] = 0;
      x[r * n + 17] = 1e-25 * (r + 1);
      x[r * n + 30] = 1e25 * (r % 3 === 0 ? 1 : -0.5);
      x[r * n + 41] = 1e-22 * (r % 5);
    }
    x[5 * n + 8] = NaN;
    x[14 * n + 38] = Infinity;
    x[13 * n + 20] = 2e-38;
    const run = (e: Engine, t: number): number[] => {
      const mark = e.arena.mark();
      const p = e.arena.alloc(4 * x.length);
      e.f32(p, x.length).set(x);
      e.kernels.f32_prox_group_lasso_cols(m, n, p, e.arena.alloc(12 * n), t);
      const out = Array.from(e.f32(p, x.length));
      e.arena.reset(mark);
      return out;
    };
    for (const t of [0, 1e-24, 0.5]) expect(run(s, t), `t=${t}`).toEqual(run(c, t));
  });
});
