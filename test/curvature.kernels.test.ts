// assembly/curvature.ts against plain-TS f64 references, both builds, the STYLE.md length
// sweep. Activations: dx += dy·rx·f''(x), where the reference f'' is a central difference
// (step 1e-4, f64) of the independent f64 first derivative: agreement to ~1e-7 relative
// checks the closed forms. Losses: the reference Hessian-vector products written out.
import { describe, expect, it } from 'vitest';
import type { Engine } from '../src/index.js';
import { BUILDS, engineFor, expectClose, LENGTHS, randArray } from './helpers.js';

const sig = (z: number): number => 1 / (1 + Math.exp(-z));
const K0 = Math.sqrt(2 / Math.PI), K1 = 0.044715;
const phi = (v: number): number => Math.exp(-0.5 * v * v) / Math.sqrt(2 * Math.PI);
/** Φ by a 2000-panel Simpson integral of φ from 0 (independent of the core's erf) */
function Phi(v: number): number {
  const m = 2000, h = v / m;
  let s = phi(0) + phi(v);
  for (let i = 1; i < m; i++) s += (i % 2 ? 4 : 2) * phi(i * h);
  return 0.5 + (s * h) / 3;
}
const d1: Record<string, (v: number) => number> = {
  tanh: (v) => 1 - Math.tanh(v) ** 2,
  sigmoid: (v) => sig(v) * (1 - sig(v)),
  gelu: (v) => Phi(v) + v * phi(v),
  gelu_tanh: (v) => {
    const t = Math.tanh(K0 * (v + K1 * v ** 3));
    return 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * K0 * (1 + 3 * K1 * v * v);
  },
  softplus: (v) => (1.5 * v > 3 ? 1 : sig(1.5 * v)),
};
const d2 = (name: string, v: number): number => {
  if (name === 'softplus' && 1.5 * v > 3) return 0;
  const h = 1e-4;
  return (d1[name](v + h) - d1[name](v - h)) / (2 * h);
};

function second(e: Engine, name: string, n: number, x: number, y: number, rx: number, dy: number, dx: number): void {
  const k = e.kernels;
  if (name === 'tanh') k.f32_tanh_second_acc(n, y, rx, dy, dx);
  else if (name === 'sigmoid') k.f32_sigmoid_second_acc(n, y, rx, dy, dx);
  else if (name === 'gelu') k.f32_gelu_second_acc(n, x, rx, dy, dx);
  else if (name === 'gelu_tanh') k.f32_gelu_tanh_second_acc(n, x, rx, dy, dx);
  else k.f32_softplus_second_acc(n, x, rx, dy, dx, 1.5, 3);
}

for (const b of BUILDS) {
  describe(`curvature kernels (${b})`, () => {
    for (const name of Object.keys(d1)) {
      it(`f32_${name}_second_acc: dx += dy·rx·f''(x), every length`, async () => {
        const e = await engineFor(b);
        for (const n of LENGTHS) {
          const x = randArray(n, n + 1, -4, 4), rx = randArray(n, n + 2), dy = randArray(n, n + 3), dx0 = randArray(n, n + 4);
          const p = [x, rx, dy, dx0, x].map((a) => {
            const q = e.arena.alloc(Math.max(n, 1) * 4);
            e.f32(q, n).set(a);
            return q;
          });
          // y = f(x) in f32 for the kernels that read the output
          if (name === 'tanh') e.kernels.f32_tanh(n, p[0], p[4]);
          if (name === 'sigmoid') e.kernels.f32_sigmoid(n, p[0], p[4]);
          second(e, name, n, p[0], p[4], p[1], p[2], p[3]);
          const ref = Array.from(x, (v, i) => dx0[i] + dy[i] * rx[i] * d2(name, v));
          expectClose(`f32_${name}_second_acc n=${n}`, e.f32(p[3], n), ref, { rtol: 1e-5, atol: 2e-6 });
          for (const q of p) e.arena.free(q);
        }
      });
    }

    it('loss curvature: huber, bce, poisson, softmax (labels and probabilities)', async () => {
      const e = await engineFor(b);
      const k = e.kernels;
      for (const n of [1, 3, 8, 17]) {
        const c = 5, len = n * c;
        const z = randArray(len, n + 5, -3, 3), y = randArray(len, n + 6, 0, 1), r = randArray(len, n + 7);
        const [pz, py, pr, po] = [z, y, r, r].map((a) => {
          const q = e.arena.alloc(len * 4);
          e.f32(q, len).set(a);
          return q;
        });
        const s = 0.25;
        k.f32_huber_hvp(len, pz, py, pr, po, s, 0.8);
        expectClose('huber_hvp', e.f32(po, len), Array.from(r, (v, i) => (Math.abs(Math.fround(z[i] - y[i])) <= Math.fround(0.8) ? s * v : 0)), { rtol: 1e-6, atol: 0 });
        k.f32_bce_logits_hvp(len, pz, pr, po, s);
        expectClose('bce_logits_hvp', e.f32(po, len), Array.from(r, (v, i) => s * sig(z[i]) * (1 - sig(z[i])) * v), { rtol: 1e-6, atol: 1e-12 });
        k.f32_poisson_nll_hvp(len, pz, pr, po, s);
        expectClose('poisson_nll_hvp', e.f32(po, len), Array.from(r, (v, i) => s * Math.exp(z[i]) * v), { rtol: 1e-6, atol: 1e-12 });
        // softmax: out_row = T (p∘r − p (p·r))
        const ref = (T: (row: number) => number): number[] => {
          const out: number[] = [];
          for (let i = 0; i < n; i++) {
            const zr = Array.from(z.subarray(i * c, i * c + c)), rr = r.subarray(i * c, i * c + c);
            const m = Math.max(...zr), ex = zr.map((v) => Math.exp(v - m)), se = ex.reduce((a, v) => a + v, 0);
            const p = ex.map((v) => v / se), pr = p.reduce((a, v, j) => a + v * rr[j], 0);
            for (let j = 0; j < c; j++) out.push(T(i) * p[j] * (rr[j] - pr));
          }
          return out;
        };
        k.f32_softmax_xent_hvp(n, c, pz, pr, po, s);
        expectClose('softmax_xent_hvp', e.f32(po, len), ref(() => s), { rtol: 1e-5, atol: 1e-7 });
        k.f32_softmax_xent_probs_hvp(n, c, pz, py, pr, po, s, 0.1);
        const T = (i: number): number => s * y.subarray(i * c, i * c + c).reduce((a, v) => a + 0.9 * v + 0.1 / c, 0);
        expectClose('softmax_xent_probs_hvp', e.f32(po, len), ref(T), { rtol: 1e-5, atol: 1e-7 });
        // in place: out aliases r
        k.f32_bce_logits_hvp(len, pz, pr, pr, s);
        expectClose('bce_logits_hvp in place', e.f32(pr, len), Array.from(r, (v, i) => s * sig(z[i]) * (1 - sig(z[i])) * v), { rtol: 1e-6, atol: 1e-12 });
        for (const q of [pz, py, pr, po]) e.arena.free(q);
      }
      expect(true).toBe(true);
    });
  });
}
