// assembly/perturb.ts: f32_sign, f32_rows_normalize and f32_project_l2_rows in both builds
// against plain-TS f64 references over the length sweep (odd offsets, zero rows, in place),
// and the same bits in both builds for sign.
import { describe, expect, it } from 'vitest';
import type { Engine } from '../src/index.js';
import { BUILDS, engineFor, expectClose, LENGTHS, randArray, kernelScratch } from './helpers.js';

const signRef = (v: number): number => (v > 0 ? 1 : v < 0 ? -1 : v);

function rowsRef(x: ArrayLike<number>, m: number, n: number, f: (norm: number) => number | null): number[] {
  const out = Array.from(x);
  for (let r = 0; r < m; r++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += out[r * n + j] ** 2;
    const k = f(Math.sqrt(s));
    if (k !== null) for (let j = 0; j < n; j++) out[r * n + j] *= k;
  }
  return out;
}

for (const build of BUILDS) {
  describe(`perturbation kernels (${build})`, () => {
    let e: Engine;
    const { put } = kernelScratch(build, (x) => (e = x));

    it('f32_sign: ±1 by sign, ±0 and NaN kept, over the length sweep, in place and unaligned', () => {
      for (const n of LENGTHS) {
        const x = randArray(n, n + 1, -2, 2);
        for (let i = 0; i < n; i += 5) x[i] = [0, -0, NaN, 1e-38, -1e-45][(i / 5) % 5];
        const px = put(x, 4), py = put(new Float32Array(n));
        e.kernels.f32_sign(n, px, py);
        const y = e.f32(py, n).slice();
        for (let i = 0; i < n; i++) {
          const r = signRef(x[i]);
          if (!Object.is(y[i], r)) throw new Error(`f32_sign n=${n} index ${i}: x ${x[i]} gave ${y[i]}, expected ${r}`);
        }
        e.kernels.f32_sign(n, px, px);
        expect(Array.from(e.f32(px, n))).toEqual(Array.from(y));
      }
    });

    it('f32_rows_normalize: unit rows, zero rows untouched, m × n over the sweep', () => {
      for (const n of [1, 3, 4, 5, 8, 17, 64]) {
        for (const m of [0, 1, 2, 7]) {
          const x = randArray(m * n, 100 * m + n, -3, 3);
          if (m > 1) x.fill(0, n, 2 * n); // row 1 is zero
          const px = put(x, 4);
          e.kernels.f32_rows_normalize(m, n, px);
          const ref = rowsRef(x, m, n, (s) => (s > 0 ? 1 / s : null));
          expectClose(`f32_rows_normalize m=${m} n=${n}`, e.f32(px, m * n), ref, { rtol: 1e-6, atol: 1e-7 });
        }
      }
    });

    it('f32_project_l2_rows: rows outside the ball land on it, rows inside are unchanged', () => {
      for (const n of [1, 2, 4, 9, 16, 33]) {
        const m = 6, r = 0.8;
        const x = randArray(m * n, n, -1, 1);
        for (let j = 0; j < n; j++) x[2 * n + j] *= 0.01; // a row well inside
        const px = put(x);
        e.kernels.f32_project_l2_rows(m, n, px, r);
        const ref = rowsRef(x, m, n, (s) => (s > r ? r / s : null));
        expectClose(`f32_project_l2_rows n=${n}`, e.f32(px, m * n), ref, { rtol: 1e-6, atol: 1e-7 });
        expect(Array.from(e.f32(px + 2 * n * 4, n))).toEqual(Array.from(x.subarray(2 * n, 3 * n)));
      }
    });
  });
}

describe('perturbation kernels: both builds agree', () => {
  it('f32_sign gives the same bits in the SIMD and scalar builds', async () => {
    const out: Float32Array[] = [];
    for (const b of BUILDS) {
      const e = await engineFor(b);
      const x = randArray(1009, 7, -1, 1);
      const p = e.arena.alloc(1009 * 4);
      e.f32(p, 1009).set(x);
      e.kernels.f32_sign(1009, p, p);
      out.push(e.f32(p, 1009).slice());
      e.arena.free(p);
    }
    expect(out[0]).toEqual(out[1]);
  });
});
