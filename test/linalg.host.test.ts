// src/solve/linalg.ts (engine.linalg): the host wrappers of the core's f64 Cholesky,
// triangular solves and Jacobi eigh, in both builds: results, the damping retry, typed
// errors, and the arena left as it was after a return or a throw.
import { describe, expect, it } from 'vitest';
import { LinAlgError, ShapeError, ValueError } from '../src/index.js';
import { BUILDS, engineFor, expectClose, rng } from './helpers.js';

function sym(n: number, seed: number, diag: number): Float64Array {
  const r = rng(seed), A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) A[i * n + j] = A[j * n + i] = r() - 0.5 + (i === j ? diag : 0);
  return A;
}

const mul = (A: Float64Array, x: ArrayLike<number>, n: number) =>
  Array.from({ length: n }, (_, i) => Array.from(x).reduce((s, v, j) => s + A[i * n + j] * v, 0));

for (const build of BUILDS) {
  describe(`engine.linalg (${build})`, () => {
    it('cholesky + choleskySolve + solveTriangular solve SPD systems', async () => {
      const e = await engineFor(build), la = e.linalg;
      for (const n of [1, 3, 8, 25]) {
        const A = sym(n, n, n);
        const { L, shift, tries } = la.cholesky(A);
        expect([shift, tries]).toEqual([0, 1]);
        const x = Array.from({ length: n }, (_, i) => i - n / 2);
        const b = mul(A, x, n);
        expectClose(`cholesky solve n=${n}`, la.choleskySolve(L, b), x, { rtol: 1e-10, atol: 1e-10 });
        const y = la.solveTriangular(L, b);
        expectClose(`L y = b n=${n}`, mul(L, y, n), b, { rtol: 1e-10, atol: 1e-10 });
        const z = la.solveTriangular(L, y, { transpose: true });
        expectClose(`Lᵀ z = y n=${n}`, z, x, { rtol: 1e-10, atol: 1e-10 });
      }
    });

    it('an indefinite matrix: LinAlgError without damping; with damping the smallest tried shift that works', async () => {
      const e = await engineFor(build), la = e.linalg;
      const A = [2, 0, 0, 0, -1, 0, 0, 0, 3]; // eigenvalues -1, 2, 3
      const used = e.arena.usedBytes;
      expect(() => la.cholesky(A)).toThrow(LinAlgError);
      expect(() => la.cholesky(A)).toThrow(/not positive definite \(pivot 1 of 3/);
      expect(e.arena.usedBytes).toBe(used);
      const { L, shift, tries } = la.cholesky(A, { damping: true });
      expect(shift).toBeGreaterThan(1);
      expect(tries).toBeGreaterThan(1);
      // L Lᵀ = A + shift I
      const LLt = Array.from({ length: 9 }, (_, k) => [0, 1, 2].reduce((s, j) => s + L[Math.floor(k / 3) * 3 + j] * L[(k % 3) * 3 + j], 0));
      expectClose('L Lᵀ', LLt, A.map((v, k) => v + (k % 4 === 0 ? shift : 0)), { rtol: 1e-12, atol: 1e-12 });
      expect(e.arena.usedBytes).toBe(used);
    });

    it('eigh: A V = V Λ with vectors in columns, ascending values, orthonormal', async () => {
      const e = await engineFor(build), la = e.linalg;
      for (const n of [1, 2, 6, 20]) {
        const A = sym(n, 3 * n, 0);
        const { values, vectors } = la.eigh(A);
        for (let k = 0; k < n; k++) {
          const v = Array.from({ length: n }, (_, i) => vectors[i * n + k]);
          expectClose(`A v = λ v n=${n} k=${k}`, mul(A, v, n), v.map((x) => values[k] * x), { rtol: 0, atol: 1e-12 });
          expect(v.reduce((s, x) => s + x * x, 0)).toBeCloseTo(1, 13);
          if (k > 0) expect(values[k]).toBeGreaterThanOrEqual(values[k - 1]);
        }
        // trace and Frobenius norm are invariants
        let tr = 0, fro = 0;
        for (let i = 0; i < n; i++) tr += A[i * n + i];
        for (const x of A) fro += x * x;
        expect(values.reduce((s, x) => s + x, 0)).toBeCloseTo(tr, 12);
        expect(values.reduce((s, x) => s + x * x, 0)).toBeCloseTo(fro, 12);
      }
    });

    it('bad input: shapes, asymmetry, non-finite entries, singular triangles', async () => {
      const e = await engineFor(build), la = e.linalg;
      const used = e.arena.usedBytes;
      expect(() => la.cholesky([1, 2, 3])).toThrow(ShapeError);
      expect(() => la.cholesky([1, 2, 0, 1])).toThrow(/not symmetric: A\[1\]\[0\] = 0 but A\[0\]\[1\] = 2/);
      expect(() => la.eigh([1, NaN, NaN, 1])).toThrow(LinAlgError);
      expect(() => la.cholesky([1], { shift: -1 })).toThrow(ValueError);
      expect(() => la.choleskySolve([1, 0, 0, 1], [1])).toThrow(/b has length 1, L is 2x2/);
      expect(() => la.solveTriangular([1, 0, 0, 0], [1, 1])).toThrow(/L is singular \(L\[1\]\[1\] = 0\)/);
      expect(e.arena.usedBytes).toBe(used);
    });
  });
}
