// assembly/activation.ts: every activation kernel, forward against f64 references and
// backward against f64 central differences, both builds, the length sweep, in place.
import { describe, expect, it } from 'vitest';
import { BUILDS, engineFor, expectClose, LENGTHS, randArray } from './helpers.js';
import { actRef, erfRef, type ActName } from './nn-ref.js';
import type { Engine } from '../src/index.js';

type Fwd = (e: Engine, n: number, x: number, y: number) => void;
type Bwd = (e: Engine, n: number, x: number, y: number, dy: number, dx: number) => void;

const KERNELS: { name: ActName; fwd: Fwd; bwd: Bwd; slope?: number }[] = [
  { name: 'relu', fwd: (e, n, x, y) => e.kernels.f32_relu(n, x, y), bwd: (e, n, x, _y, dy, dx) => e.kernels.f32_relu_backward(n, x, dy, dx) },
  {
    name: 'leakyRelu', slope: 0.2,
    fwd: (e, n, x, y) => e.kernels.f32_leaky_relu(n, x, y, 0.2),
    bwd: (e, n, x, _y, dy, dx) => e.kernels.f32_leaky_relu_backward(n, x, dy, dx, 0.2),
  },
  { name: 'tanh', fwd: (e, n, x, y) => e.kernels.f32_tanh(n, x, y), bwd: (e, n, _x, y, dy, dx) => e.kernels.f32_tanh_backward(n, y, dy, dx) },
  { name: 'sigmoid', fwd: (e, n, x, y) => e.kernels.f32_sigmoid(n, x, y), bwd: (e, n, _x, y, dy, dx) => e.kernels.f32_sigmoid_backward(n, y, dy, dx) },
  { name: 'gelu', fwd: (e, n, x, y) => e.kernels.f32_gelu(n, x, y), bwd: (e, n, x, _y, dy, dx) => e.kernels.f32_gelu_backward(n, x, dy, dx) },
  { name: 'gelu_tanh', fwd: (e, n, x, y) => e.kernels.f32_gelu_tanh(n, x, y), bwd: (e, n, x, _y, dy, dx) => e.kernels.f32_gelu_tanh_backward(n, x, dy, dx) },
  {
    name: 'softplus',
    fwd: (e, n, x, y) => e.kernels.f32_softplus(n, x, y, 1, 20),
    bwd: (e, n, x, _y, dy, dx) => e.kernels.f32_softplus_backward(n, x, dy, dx, 1, 20),
  },
];

/** inputs over [-8, 8] plus the special points 0, ±threshold region, large values */
function inputs(n: number, seed: number): Float32Array {
  const x = randArray(n, seed, -8, 8);
  const special = [0, -0, 1e-30, -1e-30, 20, 20.5, 19.5, -30, 30, 4.5, -4.5, 3.6, -3.6];
  for (let i = 0; i < Math.min(n, special.length); i++) x[(i * 7) % n] = special[i];
  return x;
}

for (const build of BUILDS) {
  describe(`activation kernels (${build})`, () => {
    it('f64_erf matches an independent f64 reference to 1e-13 (f32 GELU needs ~1e-8)', async () => {
      const e = await engineFor(build);
      for (let z = -7; z <= 7; z += 0.0137) {
        const ref = erfRef(z);
        expect(Math.abs(e.kernels.f64_erf(z) - ref), `erf(${z})`).toBeLessThanOrEqual(1e-15 + 1e-13 * Math.abs(ref));
      }
      expect(e.kernels.f64_erf(0)).toBe(0);
      expect(e.kernels.f64_erf(30)).toBe(1);
      expect(e.kernels.f64_erf(-30)).toBe(-1);
    });

    for (const k of KERNELS) {
      it(`${k.name}: forward and backward for every length, out of place and in place`, async () => {
        const e = await engineFor(build);
        for (const n of LENGTHS) {
          const x = inputs(n, n + 1), dy = randArray(n, n + 2);
          const px = e.allocF32(n), py = e.allocF32(n), pdy = e.allocF32(n), pdx = e.allocF32(n);
          e.f32(px, n).set(x);
          k.fwd(e, n, px, py);
          const yRef = Array.from(x, (v) => actRef(k.name, v, k.slope));
          // f32 inputs, f64 evaluation rounded once: 2 ulp relative plus a tiny absolute floor
          expectClose(`f32_${k.name} n=${n}`, e.f32(py, n), yRef, { rtol: 2.5e-7, atol: 1e-37 });
          // backward: the derivative by f64 central differences of the reference (away from kinks)
          e.f32(pdy, n).set(dy);
          k.bwd(e, n, px, py, pdy, pdx);
          const dxRef = Array.from(x, (v, i) => {
            // piecewise kernels (kinks at 0, the softplus threshold switch): the exact derivative
            if (k.name === 'relu') return v > 0 ? dy[i] : 0;
            if (k.name === 'leakyRelu') return v > 0 ? dy[i] : dy[i] * k.slope!;
            if (k.name === 'softplus') return v > 20 ? dy[i] : dy[i] / (1 + Math.exp(-v));
            const h = 1e-6 * Math.max(1, Math.abs(v));
            return (dy[i] * (actRef(k.name, v + h, k.slope) - actRef(k.name, v - h, k.slope))) / (2 * h);
          });
          // tanh/sigmoid use the f32 output y: the derivative then carries y's rounding (1 - y² loses digits near ±1)
          const tol = k.name === 'tanh' || k.name === 'sigmoid' ? { rtol: 1e-4, atol: 2e-7 } : { rtol: 2e-6, atol: 1e-9 };
          expectClose(`f32_${k.name}_backward n=${n}`, e.f32(pdx, n), dxRef, tol);
          // in place: y == x, dx == dy
          const out = e.f32(py, n).slice(), grad = e.f32(pdx, n).slice();
          k.fwd(e, n, px, px);
          expect(e.f32(px, n)).toEqual(out);
          e.f32(px, n).set(x);
          k.bwd(e, n, px, py, pdy, pdy);
          expect(e.f32(pdy, n)).toEqual(grad);
          for (const p of [px, py, pdy, pdx]) e.arena.free(p);
        }
      });
    }

    it('softplus honours beta and threshold like torch', async () => {
      const e = await engineFor(build);
      const x = new Float32Array([-3, -0.5, 0, 0.5, 4.9, 5.1, 10]);
      const n = x.length, px = e.allocF32(n), py = e.allocF32(n);
      e.f32(px, n).set(x);
      e.kernels.f32_softplus(n, px, py, 2, 10);
      const ref = Array.from(x, (v) => (2 * v > 10 ? v : Math.log1p(Math.exp(2 * v)) / 2));
      expectClose('softplus beta=2 threshold=10', e.f32(py, n), ref, { rtol: 3e-7, atol: 0 });
    });

    it('dropout: keeps with probability 1-p, scales by 1/(1-p), reproducible from the RNG state', async () => {
      const e = await engineFor(build);
      const n = 20000, p = 0.3;
      const st = e.arena.alloc(16), px = e.allocF32(n), pm = e.allocF32(n), py = e.allocF32(n), pu = e.allocF32(n);
      e.f32(px, n).set(randArray(n, 5));
      e.kernels.rng_seed(st, 123, 0);
      const saved = new Uint32Array(e.memory.buffer, st, 4).slice();
      e.kernels.f32_dropout(n, st, px, pm, py, p);
      new Uint32Array(e.memory.buffer, st, 4).set(saved);
      e.kernels.f32_rng_uniform(n, st, pu, 0, 1);
      const u = e.f32(pu, n), m = e.f32(pm, n), x = e.f32(px, n), y = e.f32(py, n);
      let kept = 0;
      for (let i = 0; i < n; i++) {
        const want = u[i] >= p ? Math.fround(1 / Math.fround(1 - p)) : 0;
        if (m[i] !== want) throw new Error(`dropout mask ${i}: ${m[i]} vs ${want}`);
        if (y[i] !== Math.fround(x[i] * want)) throw new Error(`dropout y ${i}`);
        if (want) kept++;
      }
      // binomial: sd = sqrt(n p (1-p)) ~ 65; 5 sd
      expect(Math.abs(kept - n * (1 - p))).toBeLessThan(5 * Math.sqrt(n * p * (1 - p)));
    });

    it('f32_dropout_mask draws the same mask as f32_dropout and leaves the RNG in the same state', async () => {
      const e = await engineFor(build);
      for (const [n, p] of [[0, 0.5], [1, 0.5], [7, 0.25], [1001, 0.6], [4096, 0]] as const) {
        const st = e.arena.alloc(16), px = e.allocF32(Math.max(n, 1)), pm = e.allocF32(Math.max(n, 1)), py = e.allocF32(Math.max(n, 1)), pm2 = e.allocF32(Math.max(n, 1));
        e.f32(px, n).set(randArray(n, 6));
        e.kernels.rng_seed(st, 77, n);
        const saved = new Uint32Array(e.memory.buffer, st, 4).slice();
        e.kernels.f32_dropout(n, st, px, pm, py, p);
        const after = new Uint32Array(e.memory.buffer, st, 4).slice();
        new Uint32Array(e.memory.buffer, st, 4).set(saved);
        e.kernels.f32_dropout_mask(n, st, pm2, p);
        expect(new Uint32Array(e.memory.buffer, st, 4)).toEqual(after);
        expect(e.f32(pm2, n), `dropout mask n=${n} p=${p}`).toEqual(e.f32(pm, n));
      }
    });
  });
}
