// src/structure/surgery.ts and multitask.ts: PCGrad against an f64 reference (2 tasks: every
// projected gradient has ⟨g_i', g_j⟩ ≥ 0; 3 tasks: the output is Σ g_i' for some order of the
// others), MGDA's min-norm weights and common descent direction, bad input, and a two-task
// regression with conflicting targets where the summed gradient lets one task's loss rise
// and PCGrad / MGDA lower both.
import { describe, expect, it } from 'vitest';
import { gradientSurgery, MultiTask, ShapeError, ValueError, type Engine, type Tensor } from '../src/index.js';
import { minNormWeights } from '../src/structure/index.js';
import { BUILDS, engineFor, expectClose, randArray, rng } from './helpers.js';
import { dot } from './prox-ref.js';

/** g' = g minus its projections on each conflicting h in `order` (f64). */
function project(g: number[], others: number[][]): number[] {
  const w = [...g];
  for (const h of others) {
    const d = dot(w, h);
    if (d < 0) {
      const s = d / dot(h, h);
      for (let i = 0; i < w.length; i++) w[i] -= s * h[i];
    }
  }
  return w;
}

const permutations = <T>(a: T[]): T[][] => (a.length <= 1 ? [a] : a.flatMap((x, i) => permutations([...a.slice(0, i), ...a.slice(i + 1)]).map((p) => [x, ...p])));

for (const build of BUILDS) {
  describe(`gradient surgery (${build})`, () => {
    const grads = (e: Engine, k: number, n: number, seed: number): { t: Tensor[]; g: number[][] } => {
      const g = Array.from({ length: k }, (_, i) => Array.from(randArray(n, seed + i, -1, 1)));
      return { t: g.map((v) => e.tensor([n], v)), g };
    };

    it('PCGrad with 2 conflicting tasks: out = g1\' + g2\', each orthogonal to the other task where they conflicted', async () => {
      const e = await engineFor(build);
      for (const n of [1, 5, 17, 1000]) {
        const { t, g } = grads(e, 2, n, n);
        // make them conflict: g2 ← g2 − (s + 1)·g1 with s = ⟨g2, g1⟩/‖g1‖², so ⟨g2, g1⟩ = −‖g1‖²
        const s = dot(g[1], g[0]) / dot(g[0], g[0]);
        g[1] = g[1].map((v, i) => v - (s + 1) * g[0][i]);
        t[1].set(g[1]);
        expect(dot(g[0], g[1])).toBeLessThan(0);
        const out = e.tensor([n]);
        const r = gradientSurgery.pcgrad(t, out, { seed: 3 });
        const p1 = project(g[0], [g[1]]), p2 = project(g[1], [g[0]]);
        expectClose(`pcgrad n=${n}`, out.data, p1.map((v, i) => v + p2[i]), { rtol: 1e-4, atol: 1e-5 });
        const scale = Math.sqrt(dot(g[0], g[0]) * dot(g[1], g[1]));
        expect(dot(p1, g[1])).toBeGreaterThanOrEqual(-1e-9 * scale);
        expect(dot(p2, g[0])).toBeGreaterThanOrEqual(-1e-9 * scale);
        // and the combined direction is a descent direction for both tasks
        for (const gi of g) expect(dot(Array.from(out.data), gi)).toBeGreaterThanOrEqual(-1e-5 * scale);
        expect(r.conflicts).toBe(1);
        expect(r.projected).toBe(2);
        expect(r.cosines[1]).toBeCloseTo(dot(g[0], g[1]) / scale, 5);
        expect(r.cosines[0]).toBeCloseTo(1, 6);
      }
    });

    it('PCGrad with 3 tasks: the output is Σ g_i\' for some order of the others; the seed fixes it', async () => {
      const e = await engineFor(build);
      const n = 64;
      const { t, g } = grads(e, 3, n, 40);
      g[2] = g[2].map((v, i) => v - 1.5 * g[0][i] - 1.2 * g[1][i]); // conflicts with both
      t[2].set(g[2]);
      const out = e.tensor([n]);
      gradientSurgery.pcgrad(t, out, { seed: 11 });
      const candidates: number[][] = [];
      const perTask = [0, 1, 2].map((i) => permutations([0, 1, 2].filter((j) => j !== i)).map((o) => project(g[i], o.map((j) => g[j]))));
      for (const a of perTask[0]) for (const b of perTask[1]) for (const c of perTask[2]) candidates.push(a.map((v, i) => v + b[i] + c[i]));
      const got = Array.from(out.data);
      const dist = candidates.map((c) => Math.max(...c.map((v, i) => Math.abs(v - got[i]))));
      expect(Math.min(...dist)).toBeLessThan(1e-4);
      const again = e.tensor([n]);
      gradientSurgery.pcgrad(t, again, { seed: 11 });
      expect(Array.from(again.data)).toEqual(got);
    });

    it('sum is Σ g_i; MGDA gives the min-norm convex combination, a common descent direction', async () => {
      const e = await engineFor(build);
      const n = 200;
      for (const k of [2, 3, 5]) {
        const { t, g } = grads(e, k, n, 7 * k);
        g[k - 1] = g[k - 1].map((v, i) => v - 0.8 * g[0][i]);
        t[k - 1].set(g[k - 1]);
        const out = e.tensor([n]);
        gradientSurgery.sum(t, out);
        expectClose(`sum k=${k}`, out.data, g[0].map((_, i) => g.reduce((s, gi) => s + gi[i], 0)), { rtol: 1e-5, atol: 1e-6 });
        const r = gradientSurgery.mgda(t, out);
        const a = Array.from(r.weights);
        expect(a.every((v) => v >= 0)).toBe(true);
        expect(a.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 12);
        const d = g[0].map((_, i) => g.reduce((s, gi, j) => s + a[j] * gi[i], 0));
        expectClose(`mgda out k=${k}`, out.data, d, { rtol: 1e-5, atol: 1e-6 });
        const dd = dot(d, d);
        for (const gi of g) expect(dot(d, gi), `⟨d, g_i⟩ ≥ ‖d‖² (k=${k})`).toBeGreaterThanOrEqual(dd - 1e-6 * dot(gi, gi));
        // no random point of the simplex gives a shorter combination
        const r2 = rng(k);
        for (let s = 0; s < 200; s++) {
          const b = Array.from({ length: k }, () => -Math.log(1 - r2()));
          const sb = b.reduce((x, y) => x + y, 0);
          const v = g[0].map((_, i) => g.reduce((acc, gi, j) => acc + (b[j] / sb) * gi[i], 0));
          expect(dot(v, v)).toBeGreaterThanOrEqual(dd * (1 - 1e-6));
        }
      }
    });

    it('bad input: fewer than 2 gradients, different lengths, out of the wrong size or overlapping', async () => {
      const e = await engineFor(build);
      const a = e.tensor([5]), b = e.tensor([5]), c = e.tensor([4]), out = e.tensor([5], [1, 2, 3, 4, 5]);
      expect(() => gradientSurgery.pcgrad([a], out)).toThrow(ValueError);
      expect(() => gradientSurgery.pcgrad([a], out)).toThrow(/at least 2 task gradients, got an array of 1/);
      expect(() => gradientSurgery.mgda([a, c], out)).toThrow(ShapeError);
      expect(() => gradientSurgery.mgda([a, c], out)).toThrow(/grads\[1\] has 4 elements, grads\[0\] has 5/);
      expect(() => gradientSurgery.sum([a, b], c)).toThrow(/out has 4 elements/);
      expect(() => gradientSurgery.sum([a, out], out)).toThrow(/out must not share memory with grads\[1\]/);
      expect(() => gradientSurgery.pcgrad([a, b], out, { seed: 0.5 })).toThrow(/seed must be a non-negative safe integer/);
      expect(Array.from(out.data)).toEqual([1, 2, 3, 4, 5]);
    });
  });
}

it('minNormWeights: closed form for 2 tasks, Frank-Wolfe for more, on hand-made Gram matrices', () => {
  const a = new Float64Array(2);
  minNormWeights(Float64Array.from([1, -1, -1, 1]), 2, a);
  expect(Array.from(a)).toEqual([0.5, 0.5]);
  minNormWeights(Float64Array.from([1, 2, 2, 9]), 2, a);
  expect(Array.from(a)).toEqual([1, 0]); // g1 is inside the hull's min-norm corner
  const b = new Float64Array(3);
  minNormWeights(Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]), 3, b); // orthonormal: the centroid
  for (const v of b) expect(v).toBeCloseTo(1 / 3, 6);
});

describe('multiTask: a two-task regression with conflicting targets', () => {
  /**
   * One linear model y = w·x + b shared by two tasks on the same inputs: task A wants
   * y = x·a, task B (weighted 4×) wants y = x·c with c pointing away from a. The summed
   * gradient follows B and raises A's loss; PCGrad and MGDA lower both (to first order each
   * step is a descent direction for both tasks; lr small enough that second order does not win).
   */
  const run = async (method: 'sum' | 'pcgrad' | 'mgda'): Promise<{ a: number[]; b: number[]; projected: number; conflicts: number }> => {
    const e = await engineFor('simd');
    const n = 64, d = 4;
    const X = randArray(n * d, 1, -1, 1);
    const a = [1, 0.5, -0.3, 0.2], c = [-1, 0.2, 0.8, 0.6];
    const target = (w: number[]): number[] => Array.from({ length: n }, (_, i) => w.reduce((s, wj, j) => s + wj * X[i * d + j], 0));
    const x = e.tensor([n, d], X), ya = e.tensor([n, 1], target(a)), yb = e.tensor([n, 1], target(c));
    const model = e.nn.linear(d, 1, { seed: 2 });
    model.setParameters([0, 0, 0, 0, 0]); // far from both optima: the gradients conflict (a·c < 0)
    const opt = e.optim.sgd(model, { lr: 0.05 });
    const mt = e.optim.multiTask(model, opt, { method, seed: 1 });
    const la: number[] = [], lb: number[] = [];
    let projected = 0, conflicts = 0;
    for (let s = 0; s < 20; s++) {
      const r = mt.step([{ x, y: ya, loss: 'mse' }, { x, y: yb, loss: 'mse', weight: 4 }]);
      la.push(r.losses[0]);
      lb.push(r.losses[1]);
      projected += r.projected;
      conflicts += r.conflicts;
    }
    mt.dispose();
    return { a: la, b: lb, projected, conflicts };
  };

  it('sum: task A\'s loss rises; pcgrad and mgda: both losses fall, and PCGrad reports its projections', async () => {
    const sum = await run('sum');
    expect(sum.a[sum.a.length - 1]).toBeGreaterThan(sum.a[0] * 1.5);
    expect(sum.b[sum.b.length - 1]).toBeLessThan(sum.b[0]);
    for (const m of ['pcgrad', 'mgda'] as const) {
      const r = await run(m);
      expect(r.a[r.a.length - 1], `${m}: task A`).toBeLessThan(r.a[0]);
      expect(r.b[r.b.length - 1], `${m}: task B`).toBeLessThan(r.b[0]);
      expect(r.conflicts, `${m}: the tasks conflict`).toBeGreaterThan(0);
      if (m === 'pcgrad') expect(r.projected).toBeGreaterThan(0);
    }
  });

  it('rejects bad tasks before touching the model', async () => {
    const e = await engineFor('simd');
    const model = e.nn.linear(2, 1, { seed: 1 });
    const mt = new MultiTask(e, model, e.optim.sgd(model, { lr: 0.1 }));
    const before = model.parameters().slice();
    const x = e.tensor([3, 2]), y = e.tensor([3, 1]);
    expect(() => mt.step([{ x, y, loss: 'mse' }])).toThrow(/at least 2 tasks, got an array of 1/);
    expect(() => mt.step([{ x, y }, { x, y, weight: -1 }])).toThrow(/tasks\[1\]\.weight must be a finite number ≥ 0/);
    expect(Array.from(model.parameters())).toEqual(Array.from(before));
    expect(() => new MultiTask(e, model, e.optim.sgd(model, { lr: 0.1 }), { method: 'nash' as never })).toThrow(/method must be one of sum, pcgrad, mgda/);
  });
});
