// assembly/vector.ts: every kernel in both builds against plain-TS f64 references,
// over the STYLE.md length sweep, unaligned logical offsets, in-place calls, strides,
// non-multiple-of-4 shapes, NaN/Inf propagation and nrm2 at the ends of the f32 range.
import { describe, expect, it } from 'vitest';
import type { Engine } from '../src/index.js';
import { BUILDS, engineFor, expectClose, LENGTHS, randArray, type Build, kernelScratch } from './helpers.js';

/** Byte offsets of the logical start from a 16-byte-aligned block. */
const OFFSETS = [0, 4, 8, 12];
/** Matrix shapes [m, n]: zero, one, below/at/above the SIMD width and the 16-column and 32-tile steps. */
const SHAPES: [number, number][] = [
  [0, 0], [0, 5], [5, 0], [1, 1], [1, 7], [7, 1], [3, 5], [4, 4], [5, 3], [4, 17], [17, 4],
  [13, 31], [16, 16], [31, 33], [33, 65], [64, 64], [2, 100],
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

/** f32 rounding of an f64 result: exact for one IEEE op on f32 inputs (53 >= 2·24 + 2). */
const f = Math.fround;

for (const build of BUILDS) {
  describe(`vector kernels (${build})`, () => {
    let e: Engine;
    const { put, get } = kernelScratch(build, (x) => (e = x));
    const k = () => e.kernels;

    it('is the build asked for', () => {
      expect(e.simd).toBe(build === 'simd');
    });

    it('f32_dot and f32_sum match f64 references (offsets, x == y)', () => {
      for (const n of LENGTHS) {
        for (const off of OFFSETS) {
          const x = randArray(n, n + 1), y = randArray(n, n + 2);
          const px = put(x, off), py = put(y, (off + 8) % 16);
          let dot = 0, absDot = 0, sum = 0, absSum = 0, sq = 0;
          for (let i = 0; i < n; i++) {
            dot += x[i] * y[i]; absDot += Math.abs(x[i] * y[i]);
            sum += x[i]; absSum += Math.abs(x[i]); sq += x[i] * x[i];
          }
          const what = `${build} n=${n} off=${off}`;
          expectClose(`f32_dot ${what}`, [k().f32_dot(n, px, py)], [dot], { rtol: 0, atol: 5e-6 * absDot + 1e-30 });
          expectClose(`f32_dot(x, x) ${what}`, [k().f32_dot(n, px, px)], [sq], { rtol: 5e-6, atol: 0 });
          expectClose(`f32_sum ${what}`, [k().f32_sum(n, px)], [sum], { rtol: 0, atol: 5e-6 * absSum + 1e-30 });
          expectSame(`f32_dot leaves x ${what}`, get(px, n), x);
        }
      }
    });

    it('f32_sum stays accurate for long inputs (blocked f32 lanes, f64 total)', () => {
      const n = 1_000_003;
      const x = new Float32Array(n).fill(0.1);
      const ref = n * f(0.1);
      // one f32 accumulator would be off by ~1e-3 relative here
      expectClose('f32_sum n=1e6', [k().f32_sum(n, put(x))], [ref], { rtol: 1e-6, atol: 0 });
      const p = put(x);
      expectClose('f32_dot n=1e6', [k().f32_dot(n, p, p)], [n * f(0.1) * f(0.1)], { rtol: 1e-6, atol: 0 });
    });

    it('reductions are deterministic for a given build', () => {
      const x = randArray(10_007, 5, -1e3, 1e3), y = randArray(10_007, 6);
      const px = put(x, 4), py = put(y, 8);
      const a = [k().f32_dot(10_007, px, py), k().f32_sum(10_007, px), k().f32_nrm2(10_007, px)];
      const b = [k().f32_dot(10_007, px, py), k().f32_sum(10_007, px), k().f32_nrm2(10_007, px)];
      expectSame('repeat', a, b);
    });

    it('f32_sumsq and f32_nrm2 match f64 references', () => {
      for (const n of LENGTHS) {
        for (const off of OFFSETS) {
          const x = randArray(n, 3 * n + 7, -3, 3);
          const px = put(x, off);
          let sq = 0;
          for (let i = 0; i < n; i++) sq += x[i] * x[i];
          expectClose(`f32_sumsq ${build} n=${n} off=${off}`, [k().f32_sumsq(n, px)], [sq], { rtol: 1e-13, atol: 0 });
          expectClose(`f32_nrm2 ${build} n=${n} off=${off}`, [k().f32_nrm2(n, px)], [Math.sqrt(sq)], { rtol: 1e-13, atol: 0 });
        }
      }
    });

    it('f32_nrm2 neither overflows nor underflows, and propagates Inf and NaN', () => {
      for (const n of [1, 3, 4, 9, 17, 1000]) {
        for (const [v, what] of [[1e30, 'huge'], [3.4e38, 'f32 max'], [1e-30, 'tiny'], [1e-40, 'subnormal']] as const) {
          const x = new Float32Array(n).fill(v);
          const ref = Math.sqrt(n) * f(v);
          expectClose(`f32_nrm2 ${what} n=${n}`, [k().f32_nrm2(n, put(x, 4))], [ref], { rtol: 1e-12, atol: 0 });
        }
        // mixed magnitudes: the small ones must still count
        const mixed = new Float32Array(n).fill(1e-20);
        mixed[0] = 1e20;
        let ref = 0;
        for (const v of mixed) ref += v * v;
        expectClose(`f32_nrm2 mixed n=${n}`, [k().f32_nrm2(n, put(mixed))], [Math.sqrt(ref)], { rtol: 1e-12, atol: 0 });
        for (const pos of [0, n - 1, n >> 1]) {
          const x = randArray(n, n);
          x[pos] = Infinity;
          expect(k().f32_nrm2(n, put(x)), `f32_nrm2 Inf at ${pos} of ${n}`).toBe(Infinity);
          x[pos] = NaN;
          expect(k().f32_nrm2(n, put(x)), `f32_nrm2 NaN at ${pos} of ${n}`).toBeNaN();
          expect(k().f32_sum(n, put(x)), `f32_sum NaN at ${pos} of ${n}`).toBeNaN();
          expect(k().f32_dot(n, put(x), put(new Float32Array(n).fill(1))), `f32_dot NaN at ${pos} of ${n}`).toBeNaN();
        }
      }
      expect(k().f32_nrm2(0, put([]))).toBe(0);
    });

    it('f32_amax is max |x|, 0 when empty, NaN when any element is NaN', () => {
      for (const n of LENGTHS) {
        for (const off of OFFSETS) {
          const x = randArray(n, n + 11, -5, 5);
          const px = put(x, off);
          let ref = 0;
          for (const v of x) ref = Math.max(ref, Math.abs(v));
          expect(k().f32_amax(n, px), `f32_amax n=${n} off=${off}`).toBe(ref);
        }
        for (let pos = 0; pos < n; pos += Math.max(1, n >> 2)) {
          const x = randArray(n, n);
          x[pos] = NaN;
          expect(k().f32_amax(n, put(x)), `f32_amax NaN at ${pos} of ${n}`).toBeNaN();
          x[pos] = -Infinity;
          expect(k().f32_amax(n, put(x)), `f32_amax -Inf at ${pos} of ${n}`).toBe(Infinity);
        }
      }
    });

    const binary: [string, (a: number, b: number) => number][] = [
      ['add', (a, b) => a + b],
      ['sub', (a, b) => a - b],
      ['mul', (a, b) => a * b],
      ['div', (a, b) => a / b],
    ];
    for (const [op, ref] of binary) {
      it(`f32_${op} and f32_${op}_scalar are exact, at any offset and in place`, () => {
        const vv = k()[`f32_${op}` as 'f32_add'];
        const vs = k()[`f32_${op}_scalar` as 'f32_add_scalar'];
        for (const n of LENGTHS) {
          const x = randArray(n, n + 21, -4, 4), y = randArray(n, n + 22, -4, 4);
          if (n > 2) { x[1] = NaN; y[n - 1] = Infinity; y[0] = 0; }
          const want = Float32Array.from(x, (v, i) => ref(v, y[i]));
          for (const [ox, oy, oz] of [[0, 0, 0], [4, 8, 12], [12, 4, 0]]) {
            const px = put(x, ox), py = put(y, oy), pz = put(new Float32Array(n + 2).fill(-9), oz) + 4;
            vv(n, px, py, pz);
            expectSame(`f32_${op} ${build} n=${n} offs=${ox},${oy},${oz}`, get(pz, n), want);
            expectSame(`f32_${op} writes nothing outside z`, [get(pz - 4, 1)[0], get(pz + 4 * n, 1)[0]], [-9, -9]);
            expectSame(`f32_${op} leaves x`, get(px, n), x);
            expectSame(`f32_${op} leaves y`, get(py, n), y);
          }
          // in place: z == x, z == y
          let px = put(x, 4);
          const py = put(y, 8);
          vv(n, px, py, px);
          expectSame(`f32_${op} z == x n=${n}`, get(px, n), want);
          px = put(x, 4);
          vv(n, px, py, py);
          expectSame(`f32_${op} z == y n=${n}`, get(py, n), want);
          for (const s of [2.5, -0.1, 0, Infinity, NaN]) {
            const sw = Float32Array.from(x, (v) => ref(v, f(s)));
            const pz = put(new Float32Array(n), 12);
            vs(n, put(x, 4), pz, s);
            expectSame(`f32_${op}_scalar s=${s} n=${n}`, get(pz, n), sw);
            const pin = put(x, 8);
            vs(n, pin, pin, s);
            expectSame(`f32_${op}_scalar in place s=${s} n=${n}`, get(pin, n), sw);
          }
        }
      });
    }

    it('f32_axpy, f32_axpby, f32_scal match f64 references', () => {
      for (const n of LENGTHS) {
        for (const off of OFFSETS) {
          const x = randArray(n, n + 31), y = randArray(n, n + 32);
          const alpha = -0.75, beta = 0.9;
          const what = `${build} n=${n} off=${off}`;
          let py = put([-9, ...y, -9], off) + 4;
          k().f32_axpy(n, put(x, (off + 4) % 16), py, alpha);
          expectClose(`f32_axpy ${what}`, get(py, n), Array.from(x, (v, i) => alpha * v + y[i]), { rtol: 1e-6, atol: 3e-7 });
          expectSame(`f32_axpy writes nothing outside y ${what}`, [get(py - 4, 1)[0], get(py + 4 * n, 1)[0]], [-9, -9]);
          py = put(y, off);
          k().f32_axpby(n, put(x, 12 - off), py, alpha, beta);
          expectClose(`f32_axpby ${what}`, get(py, n), Array.from(x, (v, i) => alpha * v + beta * y[i]), { rtol: 1e-6, atol: 3e-7 });
          const px = put(x, off);
          k().f32_axpy(n, px, px, 2); // x == y: x <- 3x
          expectSame(`f32_axpy x == y ${what}`, get(px, n), Float32Array.from(x, (v) => f(2 * v) + v));
          const ps = put(x, off);
          k().f32_scal(n, ps, alpha);
          expectSame(`f32_scal ${what}`, get(ps, n), Float32Array.from(x, (v) => alpha * v));
        }
      }
    });

    it('f32_fill and f32_copy (memmove, both directions)', () => {
      for (const n of LENGTHS) {
        for (const off of OFFSETS) {
          const p = put(new Float32Array(n + 2).fill(9), off);
          k().f32_fill(n, p + 4, -1.5);
          const want = new Float32Array(n + 2).fill(-1.5);
          want[0] = 9; want[n + 1] = 9;
          expectSame(`f32_fill n=${n} off=${off} (neighbours untouched)`, get(p, n + 2), want);
          const x = randArray(n, n + 41);
          const py = put(new Float32Array(n + 2).fill(7), (off + 4) % 16);
          k().f32_copy(n, put(x, off), py + 4);
          expectSame(`f32_copy n=${n} off=${off}`, get(py + 4, n), x);
          expect(get(py, 1)[0]).toBe(7);
          expect(get(py + 4 * (n + 1), 1)[0]).toBe(7);
          // overlapping: shift by 3 elements forward and backward
          const buf = randArray(n + 3, n + 42);
          const pb = put(buf, off);
          k().f32_copy(n, pb, pb + 12);
          expectSame(`f32_copy overlap forward n=${n}`, get(pb + 12, n), buf.subarray(0, n));
          const pc = put(buf, off);
          k().f32_copy(n, pc + 12, pc);
          expectSame(`f32_copy overlap backward n=${n}`, get(pc, n), buf.subarray(3, n + 3));
        }
      }
    });

    it('f32_add_rowvec broadcasts a bias over rows, with strides and in place', () => {
      for (const [m, n] of SHAPES) {
        for (const [ldx, ldy] of [[n, n], [n + 3, n + 5]]) {
          const x = randArray(m * ldx, m + n + 1), b = randArray(n, m + n + 2);
          const y0 = new Float32Array(m * ldy).fill(42);
          const want = y0.slice();
          for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) want[i * ldy + j] = x[i * ldx + j] + b[j];
          const py = put(y0, 8);
          k().f32_add_rowvec(m, n, put(x, 4), ldx, put(b, 12), py, ldy);
          expectSame(`f32_add_rowvec ${build} [${m}, ${n}] ldx=${ldx} ldy=${ldy} (gaps untouched)`, get(py, m * ldy), want);
          const px = put(x, 4);
          k().f32_add_rowvec(m, n, px, ldx, put(b), px, ldx);
          const inPlace = x.slice();
          for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) inPlace[i * ldx + j] = x[i * ldx + j] + b[j];
          expectSame(`f32_add_rowvec in place [${m}, ${n}] ldx=${ldx}`, get(px, m * ldx), inPlace);
        }
      }
    });

    it('f32_col_sums (beta 0 ignores NaN in out, 1 accumulates, 0.5 scales) and f32_row_sums', () => {
      for (const [m, n] of SHAPES) {
        for (const ldx of [n, n + 3]) {
          const x = randArray(m * ldx, m * 7 + n, -2, 2);
          const px = put(x, 4);
          for (const beta of [0, 1, 0.5]) {
            const out0 = beta === 0 ? new Float32Array(n).fill(NaN) : randArray(n, n + 5);
            const want = new Float64Array(n);
            const atol = new Float64Array(n);
            for (let j = 0; j < n; j++) {
              want[j] = beta === 0 ? 0 : beta * out0[j];
              atol[j] = Math.abs(want[j]);
              for (let i = 0; i < m; i++) { want[j] += x[i * ldx + j]; atol[j] += Math.abs(x[i * ldx + j]); }
            }
            const po = put(out0, 8);
            k().f32_col_sums(m, n, px, ldx, po, beta);
            const got = get(po, n);
            for (let j = 0; j < n; j++) {
              expectClose(`f32_col_sums ${build} [${m}, ${n}] ldx=${ldx} beta=${beta} col ${j}`, [got[j]], [want[j]], { rtol: 0, atol: 1e-6 * atol[j] + 1e-30 });
            }
          }
          const pr = put(new Float32Array(m), 12);
          k().f32_row_sums(m, n, px, ldx, pr);
          const got = get(pr, m);
          for (let i = 0; i < m; i++) {
            let s = 0, a = 0;
            for (let j = 0; j < n; j++) { s += x[i * ldx + j]; a += Math.abs(x[i * ldx + j]); }
            expectClose(`f32_row_sums ${build} [${m}, ${n}] ldx=${ldx} row ${i}`, [got[i]], [s], { rtol: 1e-7, atol: 1e-6 * a + 1e-30 });
          }
        }
      }
    });

    it('f32_transpose, any shape, with strides (gaps untouched)', () => {
      for (const [m, n] of [...SHAPES, [100, 1], [1, 100], [37, 70], [128, 96]] as [number, number][]) {
        for (const [ldx, ldy] of [[n, m], [n + 2, m + 3]]) {
          const x = randArray(Math.max(1, m * ldx), m * 31 + n);
          const y0 = new Float32Array(n * ldy).fill(-7);
          const want = y0.slice();
          for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) want[j * ldy + i] = x[i * ldx + j];
          const py = put(y0, 12);
          k().f32_transpose(m, n, put(x, 4), ldx, py, ldy);
          expectSame(`f32_transpose ${build} [${m}, ${n}] ldx=${ldx} ldy=${ldy}`, get(py, n * ldy), want);
        }
      }
    });
  });
}

describe('both builds give the same bits for elementwise kernels, col_sums and transpose', () => {
  it('agree', async () => {
    const run = async (build: Build): Promise<Float32Array[]> => {
      const e = await engineFor(build);
      const mark = e.arena.mark();
      const n = 1009, m = 37, c = 29;
      const put = (d: ArrayLike<number>, off: number) => {
        const p = e.arena.alloc(d.length * 4 + 16) + off;
        e.f32(p, d.length).set(d);
        return p;
      };
      const x = put(randArray(n, 1, -3, 3), 4), y = put(randArray(n, 2, -3, 3), 8);
      const out: Float32Array[] = [];
      for (const op of ['add', 'sub', 'mul', 'div'] as const) {
        const z = put(new Float32Array(n), 12);
        e.kernels[`f32_${op}`](n, x, y, z);
        out.push(e.f32(z, n).slice());
        e.kernels[`f32_${op}_scalar`](n, x, z, 0.3);
        out.push(e.f32(z, n).slice());
      }
      const z = put(randArray(n, 3), 0);
      e.kernels.f32_axpby(n, x, z, 0.7, -0.2);
      e.kernels.f32_axpy(n, y, z, 1.3);
      out.push(e.f32(z, n).slice());
      const cs = put(randArray(c, 4), 4);
      e.kernels.f32_col_sums(m, c, x, c, cs, 0.5);
      out.push(e.f32(cs, c).slice());
      const t = put(new Float32Array(m * c), 0);
      e.kernels.f32_transpose(m, c, x, c, t, m);
      out.push(e.f32(t, m * c).slice());
      e.arena.reset(mark);
      return out;
    };
    const [a, b] = [await run('simd'), await run('scalar')];
    expect(a.length).toBe(b.length);
    a.forEach((v, i) => expectSame(`result ${i}`, v, b[i]));
  });
});
