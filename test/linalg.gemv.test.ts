// assembly/linalg_gemv.ts: f64_gemv_n (y = αAx + βy) and f64_gemv_t (y = αAᵀx + βy) on a
// row-major A with leading dimension lda, in every build (SIMD, scalar, relaxed where the
// runtime validates it) against plain-TS f64 references written from the kernels' stated
// orders (f64_dot's 4 strided partial sums per row; rows in order for Aᵀx): bit for bit,
// over shapes below, at and above the 2-row and 4-row bodies and the f64x2/4-double steps,
// lda > n, unaligned pointers, β = 0 (y not read: NaN there is overwritten), 1 and −0.5.
import { describe, expect, it } from 'vitest';
import { init, type Engine } from '../src/index.js';
import { supportsRelaxedSimd } from '../src/runtime/features.js';
import { arenaScratch, rng } from './helpers.js';

const BUILDS = supportsRelaxedSimd() ? (['simd', 'scalar', 'relaxed'] as const) : (['simd', 'scalar'] as const);
const OPTIONS = { simd: { simd: true, relaxedSimd: false }, scalar: { simd: false }, relaxed: { relaxedSimd: true } } as const;
const ROWS = [0, 1, 2, 3, 4, 5, 7, 8, 9, 17];
const COLS = [0, 1, 2, 3, 4, 5, 7, 8, 9, 31, 100];

function randF64(n: number, seed: number): Float64Array {
  const r = rng(seed);
  return Float64Array.from({ length: n }, () => 2 * r() - 1);
}

/** A_i·x in f64_dot's order: s_j over k ≡ j (mod 4) for the 4-aligned body, (s0+s1)+(s2+s3), then the tail. */
function rowDotRef(n: number, a: Float64Array, off: number, x: Float64Array): number {
  const s = [0, 0, 0, 0];
  let k = 0;
  for (; k + 4 <= n; k += 4) for (let j = 0; j < 4; j++) s[j] += a[off + k + j] * x[k + j];
  let t = (s[0] + s[1]) + (s[2] + s[3]);
  for (; k < n; k++) t += a[off + k] * x[k];
  return t;
}

function gemvNRef(m: number, n: number, a: Float64Array, lda: number, x: Float64Array, y: Float64Array, alpha: number, beta: number): Float64Array {
  return Float64Array.from({ length: m }, (_, i) => {
    const dot = rowDotRef(n, a, i * lda, x);
    return beta === 0 ? alpha * dot : alpha * dot + beta * y[i];
  });
}

function gemvTRef(m: number, n: number, a: Float64Array, lda: number, x: Float64Array, y: Float64Array, alpha: number, beta: number): Float64Array {
  const out = Float64Array.from({ length: n }, (_, j) => (beta === 0 ? 0 : beta === 1 ? y[j] : beta * y[j]));
  for (let i = 0; i < m; i++) {
    const c = alpha * x[i];
    for (let j = 0; j < n; j++) out[j] = out[j] + c * a[i * lda + j];
  }
  return out;
}

/** Index of the first entry that differs in bits (Object.is), or -1. */
function firstDiff(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

for (const build of BUILDS) {
  describe(`f64 gemv kernels (${build})`, () => {
    let e: Engine;
    const { put, get } = arenaScratch<Float64Array>(() => init(OPTIONS[build]), (x) => (e = x), true);

    it('f64_gemv_n matches the reference bit for bit (lda, offsets, alpha, beta)', () => {
      let seed = 1;
      for (const m of ROWS) for (const n of COLS) for (const lda of [n, n + 3]) for (const [alpha, beta] of [[1, 0], [0.75, 1], [-1.5, -0.5]]) {
        const off = (seed & 1) * 8;
        const a = randF64(Math.max(0, (m - 1) * lda + n), seed++), x = randF64(n, seed++);
        const y = beta === 0 ? new Float64Array(m).fill(NaN) : randF64(m, seed++);
        const py = put(y, 8 - off);
        e.kernels.f64_gemv_n(m, n, put(a, off), lda, put(x, off), py, alpha, beta);
        const ref = gemvNRef(m, n, a, lda, x, y, alpha, beta), got = get(py, m);
        const i = firstDiff(got, ref);
        expect(i, `f64_gemv_n m=${m} n=${n} lda=${lda} alpha=${alpha} beta=${beta}: y[${i}] = ${got[i]}, expected ${ref[i]}`).toBe(-1);
      }
    });

    it('f64_gemv_t matches the reference bit for bit (lda, offsets, alpha, beta)', () => {
      let seed = 1000;
      for (const m of ROWS) for (const n of COLS) for (const lda of [n, n + 3]) for (const [alpha, beta] of [[1, 0], [1, 1], [-1.5, -0.5]]) {
        const off = (seed & 1) * 8;
        const a = randF64(Math.max(0, (m - 1) * lda + n), seed++), x = randF64(m, seed++);
        const y = beta === 0 ? new Float64Array(n).fill(NaN) : randF64(n, seed++);
        const py = put(y, off);
        e.kernels.f64_gemv_t(m, n, put(a, 8 - off), lda, put(x, off), py, alpha, beta);
        const ref = gemvTRef(m, n, a, lda, x, y, alpha, beta), got = get(py, n);
        const i = firstDiff(got, ref);
        expect(i, `f64_gemv_t m=${m} n=${n} lda=${lda} alpha=${alpha} beta=${beta}: y[${i}] = ${got[i]}, expected ${ref[i]}`).toBe(-1);
      }
    });

    it('writes only y: the words around y and the inputs are untouched; NaN and Inf propagate', () => {
      const m = 5, n = 7, a = randF64(m * n, 3), x = randF64(n, 4), xt = randF64(m, 5);
      const pa = put(a), px = put(x), pxt = put(xt);
      const guard = put(new Float64Array(9).fill(-7));
      e.kernels.f64_gemv_n(m, n, pa, n, px, guard + 8, 1, 0);
      const gn = get(guard, 9);
      expect([gn[0], gn[6], gn[7], gn[8]]).toEqual([-7, -7, -7, -7]);
      e.kernels.f64_gemv_t(m, n, pa, n, pxt, guard + 8, 1, 0);
      const gt = get(guard, 9);
      expect([gt[0], gt[8]]).toEqual([-7, -7]);
      expect(get(pa, m * n)).toEqual(a);
      expect(get(px, n)).toEqual(x);
      const xn = x.slice();
      xn[2] = NaN;
      const py = put(new Float64Array(m));
      e.kernels.f64_gemv_n(m, n, pa, n, put(xn), py, 1, 0);
      expect(Array.from(get(py, m)).every(Number.isNaN)).toBe(true);
      const xi = xt.slice();
      xi[4] = Infinity;
      const pt = put(new Float64Array(n));
      e.kernels.f64_gemv_t(m, n, pa, n, put(xi), pt, 1, 0);
      expect(Array.from(get(pt, n)).every((v) => !Number.isFinite(v))).toBe(true);
    });
  });
}
