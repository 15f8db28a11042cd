// The relaxed build's grid projection (assembly/project.ts): o + step·k is fused into
// relaxed_madd from the zero level (o = 0) and, from lo, when every step·k is exact in f32,
// so it must give the plain SIMD build's bits, fused or not. Node 20 validates relaxed SIMD only with --experimental-wasm-relaxed-simd:
// there this file runs itself in a child Node given the flag (as threads.relaxed.test.ts).
import { describe, expect, it } from 'vitest';
import { init, type Engine } from '../src/index.js';
import { supportsRelaxedSimd } from '../src/runtime/features.js';
import { inRelaxedChild, randArray } from './helpers.js';

if (supportsRelaxedSimd()) {
  describe('grid: the relaxed build gives the plain SIMD bits', () => {
    it('from the zero level (ternary, step 0.3, 0.05, lo = −0), fused from lo (step 0.3 with kmax 3, step 2^-3) and unfused grids, with ties and non-finite values', async () => {
      const [r, s] = await Promise.all([init({ relaxedSimd: true }), init({ simd: true, relaxedSimd: false })]);
      const n = 1037;
      const x = randArray(n, 17, -3, 3);
      x[0] = -0.125; x[1] = 0.125; x[2] = 0.375; x[3] = NaN; x[4] = Infinity; x[5] = -Infinity; x[6] = -0;
      for (const [lo, step, kmax] of [[-0.25, 0.25, 2], [-1, 0.3, 3], [0.7, 0.125, 1000], [-1, 0.3, 6], [0, 0.1, 10], [-0.6, 0.3, 4], [-0.05, 0.05, 2], [-0, 0.5, 3]]) {
        const run = (e: Engine): Float32Array => {
          const p = e.arena.alloc(4 * n);
          e.f32(p, n).set(x);
          e.kernels.f32_project_grid(n, p, lo, step, kmax);
          const out = e.f32(p, n).slice();
          e.arena.free(p);
          return out;
        };
        expect(Array.from(run(r)), `grid ${lo}/${step}/${kmax}`).toEqual(Array.from(run(s)));
      }
    });
  });
} else {
  inRelaxedChild('test/project.relaxed.test.ts', 1, 60_000);
}
