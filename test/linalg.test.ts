// assembly/linalg_blas.ts and assembly/linalg.ts: the f64 kernels in every build
// (SIMD, scalar, and relaxed SIMD where the runtime validates it) against plain-TS
// f64 references, over lengths 0, 1, 3, 4, 5, 17, 1000 and unaligned offsets.
// Elementwise kernels and dot (4 strided partial sums in a fixed order) must
// match the reference to the bit; factorizations to a tolerance argued inline.
import { describe, expect, it } from 'vitest';
import { init, type Engine } from '../src/index.js';
import { supportsRelaxedSimd } from '../src/runtime/features.js';
import { arenaScratch, expectClose, rng } from './helpers.js';

const BUILDS = supportsRelaxedSimd() ? (['simd', 'scalar', 'relaxed'] as const) : (['simd', 'scalar'] as const);
const OPTIONS = { simd: { simd: true, relaxedSimd: false }, scalar: { simd: false }, relaxed: { relaxedSimd: true } } as const;
const LENGTHS = [0, 1, 3, 4, 5, 17, 1000];
const SIZES = [0, 1, 2, 3, 4, 5, 17, 40];

function randF64(n: number, seed: number, lo = -1, hi = 1): Float64Array {
  const r = rng(seed);
  return Float64Array.from({ length: n }, () => lo + (hi - lo) * r());
}

/** The kernels' summation order: s_j over i ≡ j (mod 4) for the 4-aligned body, (s0+s1)+(s2+s3), then the tail. */
function dotRef(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length, s = [0, 0, 0, 0];
  let i = 0;
  for (; i + 4 <= n; i += 4) for (let j = 0; j < 4; j++) s[j] += x[i + j] * y[i + j];
  let t = (s[0] + s[1]) + (s[2] + s[3]);
  for (; i < n; i++) t += x[i] * y[i];
  return t;
}

/** A random SPD matrix M Mᵀ + n·I (row-major), or Q diag(w) Qᵀ when eigenvalues are given. */
function spd(n: number, seed: number): Float64Array {
  const m = randF64(n * n, seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let s = i === j ? n : 0;
    for (let k = 0; k < n; k++) s += m[i * n + k] * m[j * n + k];
    a[i * n + j] = s;
  }
  return a;
}

for (const build of BUILDS) {
  describe(`f64 linalg kernels (${build})`, () => {
    let e: Engine;
    const { put, get } = arenaScratch<Float64Array>(() => init(OPTIONS[build]), (x) => (e = x), true);

    it('is the build asked for', () => {
      expect([e.simd, e.relaxedSimd]).toEqual([build !== 'scalar', build === 'relaxed']);
    });

    it('f64_dot matches the reference bit for bit; nrm2 to 1 ulp-ish, at every offset', () => {
      for (const n of LENGTHS) for (const off of [0, 8]) {
        const x = randF64(n, n + 1), y = randF64(n, n + 2);
        const px = put(x, off), py = put(y, 8 - off);
        expect(Object.is(e.kernels.f64_dot(n, px, py), dotRef(x, y) + 0), `f64_dot n=${n} off=${off}`).toBe(true);
        expectClose(`f64_nrm2 n=${n}`, [e.kernels.f64_nrm2(n, px)], [Math.sqrt(x.reduce((s, v) => s + v * v, 0))], { rtol: 1e-14, atol: 0 });
      }
    });

    it('f64_nrm2 neither overflows nor underflows; NaN and Inf propagate', () => {
      for (const scale of [1e300, 1e-300, 1e-160, 1e170]) {
        const x = randF64(17, 5).map((v) => v * scale);
        const ref = scale * Math.sqrt(randF64(17, 5).reduce((s, v) => s + v * v, 0));
        expectClose(`f64_nrm2 scale ${scale}`, [e.kernels.f64_nrm2(17, put(x))], [ref], { rtol: 1e-14, atol: 0 });
      }
      expect(e.kernels.f64_nrm2(3, put([1, NaN, 2]))).toBeNaN();
      expect(e.kernels.f64_nrm2(3, put([1, -Infinity, 2]))).toBe(Infinity);
      expect(e.kernels.f64_nrm2(2, put([0, 0]))).toBe(0);
    });

    it('f64_axpy, f64_axpby, f64_scal, f64_copy are exact (also in place, x == y)', () => {
      for (const n of LENGTHS) for (const off of [0, 8]) {
        const x = randF64(n, 3 * n + 1), y = randF64(n, 3 * n + 2);
        const a = 0.37, b = -1.25;
        const px = put(x, off);
        let py = put(y, 8 - off);
        e.kernels.f64_axpy(n, px, py, a);
        expect(get(py, n)).toEqual(y.map((v, i) => a * x[i] + v));
        py = put(y, off);
        e.kernels.f64_axpby(n, px, py, a, b);
        expect(get(py, n)).toEqual(y.map((v, i) => a * x[i] + b * v));
        e.kernels.f64_axpy(n, px, px, a);
        expect(get(px, n)).toEqual(x.map((v) => a * v + v));
        const pz = put(x);
        e.kernels.f64_scal(n, pz, b);
        expect(get(pz, n)).toEqual(x.map((v) => b * v));
        const pc = put(new Float64Array(n));
        e.kernels.f64_copy(n, pz, pc);
        expect(get(pc, n)).toEqual(get(pz, n));
      }
    });

    it('f64_cholesky: L Lᵀ = A + shift·I, upper triangle zero, in place too; trsv solves', () => {
      for (const n of SIZES) for (const shift of [0, 0.5]) {
        const a = spd(n, 40 + n);
        const pa = put(a), pl = put(new Float64Array(n * n));
        expect(e.kernels.f64_cholesky(n, pa, pl, shift), `n=${n}`).toBe(0);
        const l = get(pl, n * n);
        const llt = new Float64Array(n * n);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
          if (j > i) expect(l[i * n + j]).toBe(0);
          let s = 0;
          for (let k = 0; k < n; k++) s += l[i * n + k] * l[j * n + k];
          llt[i * n + j] = s;
        }
        expectClose(`L Lᵀ n=${n}`, llt, a.map((v, i) => (i % (n + 1) === 0 ? v + shift : v)), { rtol: 1e-12, atol: 1e-12 * n });
        // in place gives the same bits
        const pin = put(a);
        e.kernels.f64_cholesky(n, pin, pin, shift);
        expect(get(pin, n * n)).toEqual(l);
        // solve (A + shift I) x = b with L y = b, Lᵀ x = y
        const xs = randF64(n, 7 + n);
        const b = new Float64Array(n);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) b[i] += llt[i * n + j] * xs[j];
        const pb = put(b);
        e.kernels.f64_trsv_ln(n, pl, pb);
        e.kernels.f64_trsv_lt(n, pl, pb);
        expectClose(`cholesky solve n=${n}`, get(pb, n), xs, { rtol: 1e-9, atol: 1e-10 });
      }
    });

    it('f64_cholesky reports the first non-positive pivot; a shift rescues an indefinite matrix', () => {
      // eigenvalues 3 and -1: pivot 2 fails; + 1.5 I is SPD
      const a = put([1, 2, 2, 1]), l = put([0, 0, 0, 0]);
      expect(e.kernels.f64_cholesky(2, a, l, 0)).toBe(2);
      expect(e.kernels.f64_cholesky(2, a, l, 1.5)).toBe(0);
      expect(e.kernels.f64_cholesky(2, put([-1, 0, 0, 1]), l, 0)).toBe(1);
      expect(e.kernels.f64_cholesky(2, put([NaN, 0, 0, 1]), l, 0)).toBe(1);
      expect(e.kernels.f64_cholesky(1, put([0]), l, 0)).toBe(1);
    });

    it('f64_eigh_jacobi: A v = λ v, orthonormal vectors, ascending eigenvalues, known spectra', () => {
      for (const n of SIZES) {
        const a = spd(n, 90 + n);
        for (let i = 0; i < n; i++) a[i * n + i] -= n + 1.5; // indefinite
        const pa = put(a), pw = put(new Float64Array(n)), pv = put(new Float64Array(n * n));
        const sweeps = e.kernels.f64_eigh_jacobi(n, pa, pw, pv, 60, 1e-15);
        expect(sweeps, `n=${n} sweeps`).toBeGreaterThanOrEqual(0);
        const w = get(pw, n), v = get(pv, n * n);
        let norm = 0;
        for (const x of a) norm += x * x;
        norm = Math.sqrt(norm);
        for (let k = 0; k < n; k++) {
          if (k > 0) expect(w[k]).toBeGreaterThanOrEqual(w[k - 1]);
          const av = new Float64Array(n);
          for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) av[i] += a[i * n + j] * v[k * n + j];
          expectClose(`A v = λ v n=${n} k=${k}`, av, v.subarray(k * n, k * n + n).map((x) => w[k] * x), { rtol: 0, atol: 1e-12 * norm });
          for (let m = 0; m < n; m++) {
            let d = 0;
            for (let j = 0; j < n; j++) d += v[k * n + j] * v[m * n + j];
            expect(Math.abs(d - (k === m ? 1 : 0)), `VVᵀ n=${n} (${k}, ${m})`).toBeLessThan(1e-13 * Math.max(1, n));
          }
        }
      }
      // diag(3, -2, 1, 0) is already diagonal: no sweep, eigenvalues sorted
      const pw = put([0, 0, 0, 0]);
      const d = put([3, 0, 0, 0, 0, -2, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0]);
      expect(e.kernels.f64_eigh_jacobi(4, d, pw, put(new Float64Array(16)), 60, 1e-15)).toBe(0);
      expect(get(pw, 4)).toEqual(new Float64Array([-2, 0, 1, 3]));
      // [[2, 1], [1, 2]]: 1 and 3
      e.kernels.f64_eigh_jacobi(2, put([2, 1, 1, 2]), pw, put([0, 0, 0, 0]), 60, 1e-15);
      expectClose('[[2,1],[1,2]]', get(pw, 2), [1, 3], { rtol: 1e-15, atol: 1e-15 });
    });
  });
}
