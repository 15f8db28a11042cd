// The scalar loops' branch-free picks (assembly/select.ts): every kernel whose scalar loop now
// picks f32 bit patterns as i32 gives what the float selects it replaced gave, bit for bit
// (±0, ±Inf, NaN of both signs, subnormals, values at and around the bounds). The projections
// and the soft threshold give those bits in every build (SIMD body and scalar tail alike); the
// activations' selects are the scalar build's (its SIMD bodies keep f32x4.max: see fused.ts).
import { describe, expect, it } from 'vitest';
import { BUILDS, engineFor } from './helpers.js';

const f = Math.fround;
const negNaN = new Float32Array(new Uint32Array([0xffc00000]).buffer)[0];
const SPECIAL = [NaN, negNaN, Infinity, -Infinity, 0, -0, 1e-45, -1e-45, 1.2e-38, -1.2e-38, 0.25, -0.25,
  f(0.25 + 2 ** -25), f(-0.25 - 2 ** -25), f(0.25 - 2 ** -26), 0.125, -0.125, 0.375, -0.375, 1, -1, 3.4e38, -3.4e38];
/** the special values, then random ones, 4k + 3 long (SIMD bodies and a scalar tail) */
function values(): number[] {
  const v = [...SPECIAL];
  let s = 12345;
  while (v.length < 4 * 40 + 3) { s = (s * 1103515245 + 12345) >>> 0; v.push(f((s / 2 ** 32 - 0.5) * 2)); }
  return v.map(f);
}
const same = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).every((x, i) => Object.is(x, b[i]) || (Number.isNaN(x) && Number.isNaN(b[i])));
const isNeg = (v: number) => v < 0 || Object.is(v, -0);

for (const build of BUILDS) {
  describe(`branch-free scalar picks (${build})`, () => {
    const run = async (x: number[], fn: (k: any, n: number, p: number, q: number) => void, y?: number[]): Promise<Float32Array> => {
      const e = await engineFor(build);
      const n = x.length, p = e.arena.alloc(4 * n), q = e.arena.alloc(4 * n);
      e.f32(p, n).set(x);
      if (y) e.f32(q, n).set(y);
      fn(e.kernels, n, p, q);
      const out = e.f32(y ? q : p, n).slice();
      e.arena.free(q); e.arena.free(p);
      return out;
    };

    it('project.box / clamp: v < lo ? lo : v, then hi < v ? hi : v', async () => {
      const x = values();
      const clampRef = (v: number, lo: number, hi: number) => { const w = v < lo ? lo : v; return hi < w ? hi : w; };
      for (const [lo, hi] of [[-0.25, 0.25], [0, 0], [-0, 0], [0, 1], [-Infinity, Infinity], [-1, -0]]) {
        const out = await run(x, (k, n, p) => k.f32_project_clamp(n, p, lo, hi));
        expect(same(out, x.map((v) => clampRef(v, lo, hi))), `clamp [${lo}, ${hi}]`).toBe(true);
      }
      const e = await engineFor(build);
      const n = x.length, p = e.arena.alloc(4 * n), lo = e.arena.alloc(4 * n), hi = e.arena.alloc(4 * n);
      const los = x.map((_, i) => [-0.25, 0, -0, -1][i % 4]), his = x.map((_, i) => [0.25, 0, 0, -0][i % 4]);
      e.f32(p, n).set(x); e.f32(lo, n).set(los); e.f32(hi, n).set(his);
      e.kernels.f32_project_box(n, p, lo, hi);
      expect(same(e.f32(p, n), x.map((v, i) => clampRef(v, f(los[i]), f(his[i])))), 'box').toBe(true);
      e.arena.free(hi); e.arena.free(lo); e.arena.free(p);
    });

    it('f32_clip: min(max(v, lo), hi) as wasm (and JS) take them: NaN stays, max(−0, +0) = +0, min(−0, +0) = −0', async () => {
      const x = values();
      for (const [lo, hi] of [[-0.25, 0.25], [0, 0], [-0, 0], [0, -0], [-0, -0], [0, 1], [-1, -0], [-Infinity, Infinity]]) {
        const out = await run(x, (k, n, p) => k.f32_clip(n, p, lo, hi));
        expect(same(out, x.map((v) => Math.min(Math.max(v, lo), hi))), `clip [${lo}, ${hi}]`).toBe(true);
      }
    });

    it('prox.l1 / elasticNet: sign(x)·max(|x| − t, 0)·c + 0', async () => {
      const x = values();
      for (const [t, t2] of [[0.25, 0], [0, 0], [0.1, 0.5], [Infinity, 0], [1e-45, 3]]) {
        const c = f(1 / (1 + t2));
        const want = x.map((v) => {
          let r = f(Math.abs(v) - f(t));
          r = r < 0 ? 0 : r;
          if (t2 !== 0) r = f(r * c);
          return (isNeg(v) ? -r : r) + 0;
        });
        const out = await run(x, (k, n, p) => (t2 === 0 ? k.f32_prox_l1(n, p, t) : k.f32_prox_elastic_net(n, p, t, t2)));
        expect(same(out, want), `t ${t}, t2 ${t2}`).toBe(true);
      }
    });

    it('sign: v > 0 ? 1 : v < 0 ? −1 : v', async () => {
      const x = values();
      const out = await run(x, (k, n, p, q) => k.f32_sign(n, p, q), x);
      expect(same(out, x.map((v) => (v > 0 ? 1 : v < 0 ? -1 : v)))).toBe(true);
    });

    if (build === 'scalar') {
      it('relu, leaky relu (forward and backward), bias + relu and its backward: the scalar selects', async () => {
        const x = values(), g = values().reverse();
        expect(same(await run(x, (k, n, p, q) => k.f32_relu(n, p, q), x), x.map((v) => (v > 0 ? v : 0))), 'relu').toBe(true);
        const e = await engineFor(build);
        const n = x.length, px = e.arena.alloc(4 * n), pg = e.arena.alloc(4 * n), pd = e.arena.alloc(4 * n), pb = e.arena.alloc(4 * n);
        e.f32(px, n).set(x); e.f32(pg, n).set(g);
        e.kernels.f32_relu_backward(n, px, pg, pd);
        expect(same(e.f32(pd, n), x.map((v, i) => (v > 0 ? f(g[i]) : 0))), 'relu backward').toBe(true);
        e.kernels.f32_leaky_relu(n, px, pd, 0.01);
        expect(same(e.f32(pd, n), x.map((v) => (v > 0 ? v : f(v * f(0.01))))), 'leaky relu').toBe(true);
        e.kernels.f32_leaky_relu_backward(n, px, pg, pd, 0.01);
        expect(same(e.f32(pd, n), x.map((v, i) => (v > 0 ? f(g[i]) : f(f(g[i]) * f(0.01))))), 'leaky relu backward').toBe(true);
        // one row of n: y = relu(x + b); then dx = dy·[y > 0], db = Σ dx (one row: db = dx)
        e.f32(pb, n).set(g);
        e.kernels.f32_bias_relu(1, n, px, n, pb, pd, n);
        const y = x.map((v, i) => { const s = f(v + f(g[i])); return s > 0 ? s : 0; });
        expect(same(e.f32(pd, n), y), 'bias relu').toBe(true);
        e.kernels.f32_relu_backward_col_sums(1, n, pd, pg, px, pb, 0);
        const dx = y.map((v, i) => (v > 0 ? f(g[i]) : 0));
        expect(same(e.f32(px, n), dx), 'relu backward col sums: dx').toBe(true);
        expect(same(e.f32(pb, n), dx.map((v) => 0 + v)), 'relu backward col sums: db').toBe(true);
        for (const p of [pb, pd, pg, px]) e.arena.free(p);
      });
    }
  });
}
