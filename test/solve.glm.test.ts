// src/solve/glm.ts and assembly/glm.ts: the GLM objectives with X in an engine's memory.
// In both builds: the kernels (f64_glm_fg / hessp; hess runs on the host over X in the core) equal the host twin (the same
// formulas and orders; only V8's and AssemblyScript's exp/log1p may round differently:
// relative 1e-12), give the same bits for every block size and in both builds; the
// objective owns one arena block that dispose() frees, minimize() leaves the arena as it
// found it, a memory.grow is survived, and bad input is a typed error that allocates nothing.
import { describe, expect, it } from 'vitest';
import { MemoryError, minimize, objectives, ShapeError, StateError, ValueError, type Engine, type Objective } from '../src/index.js';
import { glmBlock } from '../src/solve/glm.js';
import { BUILDS, engineFor, expectClose, rng } from './helpers.js';

function glmData(m: number, d: number, seed: number, poisson: boolean) {
  const r = rng(seed);
  const X = Float64Array.from({ length: m * d }, () => r() * 2 - 1);
  const y = Float64Array.from({ length: m }, (_, i) => (poisson ? Math.floor(3 * r() * (1 + X[i * d])) : r() < 0.5 + 0.4 * X[i * d] ? 1 : 0));
  return { X, y };
}

const SHAPES: [number, number][] = [[1, 1], [7, 3], [40, 4], [100, 31], [33, 100], [130, 5]];
const KINDS = ['logisticRegression', 'poissonGlm'] as const;

/** fun (with and without gradient), hessp and hess of an objective at w, p. */
function evaluate(ob: Objective, w: Float64Array, p: Float64Array) {
  const d = ob.n, g = new Float64Array(d), hp = new Float64Array(d), H = new Float64Array(d * d);
  const f = ob.fun(w, g), f0 = ob.fun(w);
  ob.hessp(w, p, hp);
  ob.hess(w, H);
  return { f, f0, g, hp, H };
}

function sameBits(what: string, a: ArrayLike<number>, b: ArrayLike<number>): void {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) throw new Error(`${what}: index ${i}: ${a[i]} vs ${b[i]}`);
}

for (const build of BUILDS) {
  describe(`GLM objectives in the engine (${build})`, () => {
    it('fun, gradient, hessp and hess equal the host twin; value-only gives the same bits', async () => {
      const e = await engineFor(build);
      let seed = 1;
      for (const kind of KINDS) for (const [m, d] of SHAPES) {
        const { X, y } = glmData(m, d, seed++, kind === 'poissonGlm');
        const r = rng(seed++);
        const w = Float64Array.from({ length: d }, () => 0.6 * (r() - 0.5)), p = Float64Array.from({ length: d }, () => r() - 0.5);
        const host = objectives[kind](X, y, 0.05), core = e.objectives[kind](X, y, 0.05);
        try {
          const a = evaluate(host, w, p), b = evaluate(core, w, p);
          const what = `${kind} m=${m} d=${d}`;
          expect(core.name).toBe(`${kind}(m=${m}, d=${d}, core)`);
          expect(Object.is(b.f, b.f0), `${what}: value-only`).toBe(true);
          expect(Object.is(a.f, a.f0), `${what}: host value-only`).toBe(true);
          expectClose(`${what} f`, [b.f], [a.f], { rtol: 1e-12, atol: 0 });
          const gs = Math.max(...Array.from(a.g, Math.abs)), hs = Math.max(...Array.from(a.H, Math.abs));
          expectClose(`${what} grad`, b.g, a.g, { rtol: 1e-12, atol: 1e-13 * gs });
          expectClose(`${what} hessp`, b.hp, a.hp, { rtol: 1e-12, atol: 1e-13 * hs });
          expectClose(`${what} hess`, b.H, a.H, { rtol: 1e-12, atol: 1e-13 * hs });
          for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) expect(b.H[i * d + j]).toBe(b.H[j * d + i]);
        } finally {
          core.dispose();
        }
      }
    });

    it('the kernels give the same bits for every block size', async () => {
      const e = await engineFor(build);
      const m = 37, d = 9, { X, y } = glmData(m, d, 5, false), w = Float64Array.from({ length: d }, (_, j) => 0.1 * j - 0.4);
      const mark = e.arena.mark();
      try {
        const put = (a: ArrayLike<number>) => {
          const ptr = e.arena.alloc(Math.max(16, a.length * 8));
          new Float64Array(e.memory.buffer, ptr, a.length).set(a);
          return ptr;
        };
        const px = put(X), py = put(y), pw = put(w), pp = put(w.map((v) => 1 - v)), pg = put(new Float64Array(d)), pz = put(new Float64Array(2 * m));
        const get = (ptr: number, n: number) => new Float64Array(e.memory.buffer, ptr, n).slice();
        const run = (kind: number, block: number) => {
          const f = e.kernels.f64_glm_fg(kind, m, d, block, px, py, pw, pg, pz, 1 / m, 0.1, 1);
          const g = get(pg, d);
          e.kernels.f64_glm_hessp(kind, m, d, block, px, pw, pp, pg, pz, 1 / m, 0.1);
          const hp = get(pg, d);
          return [f, ...g, ...hp];
        };
        for (const kind of [0, 1]) {
          const ref = run(kind, m);
          for (const block of [1, 3, 4, 5, glmBlock(m, d)]) sameBits(`kind ${kind} block ${block}`, run(kind, block), ref);
        }
      } finally {
        e.arena.reset(mark);
      }
    });

    it('owns one arena block: minimize leaves the arena as it found it, dispose frees it, use after dispose is a StateError', async () => {
      const e = await engineFor(build);
      const before = e.arena.usedBytes;
      const { X, y } = glmData(200, 6, 3, false);
      const ob = e.objectives.logisticRegression(X, y, 0.1);
      const held = e.arena.usedBytes;
      expect(held - before).toBeGreaterThanOrEqual(8 * (200 * 6 + 200));
      const ref = minimize(objectives.logisticRegression(X, y, 0.1).fun, new Float64Array(6), { method: 'bfgs', gtol: 1e-10 });
      for (const method of ['lbfgs', 'bfgs', 'newton', 'newton-cg', 'trust-ncg'] as const) {
        const r = e.minimize(ob.fun, ob.x0, { method, hess: ob.hess, hessp: ob.hessp });
        expect(r.success, `${method}: ${r.message}`).toBe(true);
        expectClose(`${method} f`, [r.fun], [ref.fun], { rtol: 1e-8, atol: 0 });
        expect(e.arena.usedBytes, method).toBe(held);
      }
      expect(() => ob.fun(new Float64Array(5))).toThrow(ShapeError);
      ob.dispose();
      ob.dispose();
      expect(e.arena.usedBytes).toBe(before);
      expect(() => ob.fun(new Float64Array(6))).toThrow(StateError);
      expect(() => ob.hessp(new Float64Array(6), new Float64Array(6), new Float64Array(6))).toThrow(/hessp after dispose/);
    });

    it('survives a memory.grow between calls (views are re-made)', async () => {
      const e = await engineFor(build);
      const { X, y } = glmData(50, 4, 8, true);
      const ob = e.objectives.poissonGlm(X, y, 0.1), host = objectives.poissonGlm(X, y, 0.1);
      const w = Float64Array.from([0.1, -0.2, 0.3, 0.05]), g = new Float64Array(4);
      const f1 = ob.fun(w, g);
      const pages = e.memory.buffer.byteLength;
      const big = e.arena.alloc(pages + (1 << 20));
      try {
        expect(e.memory.buffer.byteLength).toBeGreaterThan(pages);
        const g2 = new Float64Array(4);
        expect(ob.fun(w, g2)).toBe(f1);
        expect(g2).toEqual(g);
        expectClose('after grow', [f1], [host.fun(w)], { rtol: 1e-12, atol: 0 });
      } finally {
        e.arena.free(big);
        ob.dispose();
      }
    });

    it('bad input: typed errors naming the argument, and nothing allocated', async () => {
      const e = await engineFor(build);
      const before = e.arena.usedBytes;
      expect(() => e.objectives.logisticRegression([1, 2, 3], [0, 1])).toThrow(ShapeError);
      expect(() => e.objectives.poissonGlm([1, 2], [0, 1], -1)).toThrow(/l2 must be a finite number >= 0, got -1/);
      expect(() => objectives.logisticRegression([1, 2], [0, 1], 0.1, { core: {} as Engine })).toThrow(/options.core must be an engine/);
      expect(() => objectives.logisticRegression([1, 2], [0, 1], 0.1, { engine: e } as never)).toThrow(/unknown option 'engine'/);
      expect(() => objectives.logisticRegression([1, 2], [0, 1], 0.1, null as never)).toThrow(ValueError);
      expect(() => e.objectives.logisticRegression({ length: 2 ** 40 } as ArrayLike<number>, new Float64Array(2 ** 10))).toThrow(MemoryError);
      expect(e.arena.usedBytes).toBe(before);
    });
  });
}

describe('GLM objectives in the engine: both builds', () => {
  it('the SIMD and scalar builds give the same bits', async () => {
    const [s, c] = [await engineFor('simd'), await engineFor('scalar')];
    const { X, y } = glmData(61, 13, 11, false);
    const w = Float64Array.from({ length: 13 }, (_, j) => Math.sin(j)), p = Float64Array.from({ length: 13 }, (_, j) => Math.cos(j));
    const [a, b] = [s.objectives.logisticRegression(X, y, 0.01), c.objectives.logisticRegression(X, y, 0.01)];
    try {
      const [ra, rb] = [evaluate(a, w, p), evaluate(b, w, p)];
      sameBits('f', [ra.f], [rb.f]);
      sameBits('grad', ra.g, rb.g);
      sameBits('hessp', ra.hp, rb.hp);
      sameBits('hess', ra.H, rb.H);
    } finally {
      a.dispose();
      b.dispose();
    }
  });
});
