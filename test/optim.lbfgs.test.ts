// engine.optim.lbfgs against torch.optim.LBFGS (fixture from test/fixtures/make_lbfgs.py,
// torch 1.13): a 4-8-3 tanh MLP, CrossEntropyLoss over one batch of 256 rows with random
// labels, 6 calls of step(closure) per configuration (fixed steps of lr 1 and 0.5, the
// strong-Wolfe search at lr 1, 4 (zoom phase) and 0.2 (extrapolation, maxEval cutting
// iterations short), history sizes 100 and 3 (wrap-around)).
//
// What is compared after every step, in both builds:
// - the control flow exactly: torch's state['n_iter'], state['func_evals'] and the history
//   length (len(old_dirs)). Any difference in a branch of the method (a stopping test, the
//   acceptance of a pair, a line-search decision) changes these counts.
// - the parameters, against torch's float32 and float64 runs from the same float32 start.
//   Tolerance argued from the fixture: torch's own float32 run is D_s away from its float64
//   run after step s (max over parameters; 1e-7 after step 1, up to 7e-4 after 30 iterations
//   of the h = 3 run, whose small history makes the iteration sensitive). Our float32 run
//   sums in another order, so it is a different but equally valid float32 trajectory: we
//   require max|ours − torch64| ≤ 5·D_s + 1e-6 and max|ours − torch32| ≤ 6·D_s + 1e-6.
// - the loss step() returns (its first evaluation), relative 5e-5.
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyCheckpoint, decodeCheckpoint, encodeCheckpoint, type Engine, StateError, ValueError } from '../src/index.js';
import { BUILDS, engineFor } from './helpers.js';

interface Trajectory {
  params: number[][];
  loss: number[];
  nIter: number[];
  funcEvals: number[];
  historyCount: number[];
}
interface Run {
  name: string;
  options: Record<string, unknown>;
  float32: Trajectory;
  float64: Trajectory;
}
const fx: { torch: string; steps: number; sizes: number[]; x: number[]; y: number[]; init: number[]; runs: Run[] } = JSON.parse(
  readFileSync(new URL('./fixtures/lbfgs.json', import.meta.url), 'utf8'),
);

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

function setup(e: Engine) {
  const model = e.nn.mlp(fx.sizes, { activation: 'tanh' });
  model.setParameters(fx.init);
  const x = e.tensor([fx.y.length, fx.sizes[0]], fx.x);
  const y = Int32Array.from(fx.y);
  const closure = (): number => model.lossAndGrad(x, y, 'softmaxCrossEntropy');
  return { model, x, y, closure, dispose: () => (model.dispose(), x.dispose()) };
}

for (const build of BUILDS) {
  describe(`lbfgs vs torch.optim.LBFGS ${fx.torch} (${build})`, () => {
    for (const r of fx.runs) {
      it(`${r.name}: counts exact, parameters within torch's own float32 drift`, async () => {
        const e = await engineFor(build);
        const s = setup(e);
        const opt = e.optim.lbfgs(s.model, r.options as never);
        for (let k = 0; k < fx.steps; k++) {
          const loss = opt.step(s.closure);
          const sc = opt.scalars();
          const where = `${r.name} step ${k + 1}`;
          expect([sc.nIter, sc.funcEvals, sc.historyCount], `${where}: n_iter, func_evals, history`).toEqual([r.float32.nIter[k], r.float32.funcEvals[k], r.float32.historyCount[k]]);
          const p = s.model.parameters();
          const drift = maxDiff(r.float32.params[k], r.float64.params[k]);
          const d64 = maxDiff(p, r.float64.params[k]), d32 = maxDiff(p, r.float32.params[k]);
          if (!(d64 <= 5 * drift + 1e-6) || !(d32 <= 6 * drift + 1e-6)) {
            throw new Error(`${where}: max|ours - torch64| = ${d64}, max|ours - torch32| = ${d32}; torch's own float32 drift ${drift}`);
          }
          expect(Math.abs(loss - r.float32.loss[k]), `${where}: loss ${loss} vs ${r.float32.loss[k]}`).toBeLessThanOrEqual(5e-5 * Math.abs(r.float32.loss[k]));
        }
        opt.dispose();
        s.dispose();
      });
    }
  });
}

describe('lbfgs state, snapshot, checkpoint, errors', () => {
  let e: Engine;
  let mark: number;
  beforeEach(async () => {
    e = await engineFor('simd');
    mark = e.arena.mark();
  });
  afterEach(() => e.arena.reset(mark));
  const wolfe = fx.runs.find((r) => r.name === 'wolfe-lr4-zoom')!;

  it('is inspectable: scalars, history (oldest first), direction', () => {
    const s = setup(e);
    const opt = e.optim.lbfgs(s.model, { historySize: 3, maxIter: 6 });
    expect(opt.scalars()).toEqual({ nIter: 0, funcEvals: 0, t: 0, hDiag: 1, prevLoss: 0, historyCount: 0 });
    opt.step(s.closure);
    const sc = opt.scalars();
    expect(sc.nIter).toBe(6);
    expect(sc.historyCount).toBe(3);
    const h = opt.history();
    expect(h.oldStps.length).toBe(3);
    // ro_i = 1 / y_iᵀs_i, and the newest s is t·d of the move before the last direction
    h.ro.forEach((rho, i) => expect(rho * h.oldDirs[i].reduce((a, v, j) => a + v * h.oldStps[i][j], 0)).toBeCloseTo(1, 4));
    expect(opt.direction().length).toBe(s.model.numParameters);
    opt.dispose();
    s.dispose();
  });

  it('state() / loadState() into a fresh optimizer continues bit for bit', () => {
    const a = setup(e), b = setup(e);
    const oa = e.optim.lbfgs(a.model, wolfe.options as never), ob = e.optim.lbfgs(b.model, wolfe.options as never);
    oa.step(a.closure);
    oa.step(a.closure);
    ob.loadState(oa.state());
    b.model.setParameters(a.model.parameters());
    expect(ob.stepCount).toBe(2);
    oa.step(a.closure);
    ob.step(b.closure);
    expect(Array.from(b.model.parameters())).toEqual(Array.from(a.model.parameters()));
    expect(ob.scalars()).toEqual(oa.scalars());
    oa.dispose();
    ob.dispose();
    a.dispose();
    b.dispose();
  });

  it('a snapshot restores state and parameters, and take/restore/step allocate nothing', () => {
    const s = setup(e);
    const opt = e.optim.lbfgs(s.model, { lineSearch: 'strongWolfe', maxIter: 4 });
    opt.step(s.closure);
    const snap = opt.snapshot({ params: true });
    expect(snap.restore()).toBe(false);
    snap.take();
    const before = { p: s.model.parameters(), st: opt.state() };
    const used = e.arena.usedBytes;
    opt.step(s.closure);
    const after1 = s.model.parameters();
    snap.restore();
    expect(Array.from(s.model.parameters())).toEqual(Array.from(before.p));
    expect(opt.state()).toEqual(before.st);
    opt.step(s.closure);
    expect(Array.from(s.model.parameters())).toEqual(Array.from(after1));
    for (let i = 0; i < 5; i++) {
      snap.take();
      opt.step(s.closure);
    }
    expect(e.arena.usedBytes).toBe(used);
    snap.dispose();
    opt.dispose();
    s.dispose();
  });

  it('survives a checkpoint (encode, decode, apply into a fresh optimizer) and continues identically', () => {
    const a = setup(e), b = setup(e);
    const oa = e.optim.lbfgs(a.model, { historySize: 4, maxIter: 5 }), ob = e.optim.lbfgs(b.model, { historySize: 4, maxIter: 5 });
    oa.step(a.closure);
    oa.step(a.closure);
    const { weights, sidecar } = encodeCheckpoint(a.model, { optimizer: oa });
    applyCheckpoint(b.model, decodeCheckpoint(weights, sidecar), { optimizer: ob });
    oa.step(a.closure);
    ob.step(b.closure);
    expect(Array.from(b.model.parameters())).toEqual(Array.from(a.model.parameters()));
    // another history size does not fit: refused before anything is written
    const c = setup(e), oc = e.optim.lbfgs(c.model, { historySize: 5 });
    const p0 = c.model.parameters();
    expect(() => applyCheckpoint(c.model, decodeCheckpoint(weights, sidecar), { optimizer: oc })).toThrow(/buffers\.old(Stps|Dirs) must be a Float32Array of 335/);
    expect(Array.from(c.model.parameters())).toEqual(Array.from(p0));
    expect(oc.scalars().nIter).toBe(0);
    for (const o of [oa, ob, oc]) o.dispose();
    for (const x of [a, b, c]) x.dispose();
  });

  it('refuses bad options, closures and states with typed errors naming them', () => {
    const s = setup(e);
    const used = e.arena.usedBytes;
    const bad: [object, RegExp][] = [
      [{ lr: 0 }, /lr must be/],
      [{ maxIter: 0 }, /maxIter must be an integer >= 1, got 0/],
      [{ maxIter: 2.5 }, /maxIter/],
      [{ maxEval: -1 }, /maxEval/],
      [{ toleranceGrad: -1 }, /toleranceGrad/],
      [{ toleranceChange: NaN }, /toleranceChange/],
      [{ historySize: 0 }, /historySize/],
      [{ lineSearch: 'strong_wolfe' }, /lineSearch must be null or 'strongWolfe', got the string "strong_wolfe"/],
      [{ line_search_fn: 'strong_wolfe' }, /unknown option 'line_search_fn'/],
    ];
    for (const [o, re] of bad) expect(() => e.optim.lbfgs(s.model, o as never), JSON.stringify(o)).toThrow(ValueError);
    for (const [o, re] of bad) expect(() => e.optim.lbfgs(s.model, o as never)).toThrow(re);
    expect(e.arena.usedBytes).toBe(used);
    const opt = e.optim.lbfgs(s.model);
    const p0 = s.model.parameters();
    expect(() => opt.step()).toThrow(/step\(closure\) needs a function/);
    expect(() => opt.step((() => 'x') as never)).toThrow(/closure must return the loss as a number, got/);
    expect(Array.from(s.model.parameters())).toEqual(Array.from(p0));
    expect(opt.scalars().funcEvals).toBe(0);
    const st = opt.state();
    expect(() => opt.loadState({ ...st, name: 'adam' })).toThrow(StateError);
    expect(() => opt.loadState({ ...st, numParameters: 3 })).toThrow(/3 parameters/);
    const g = st.groups[0];
    expect(() => opt.loadState({ ...st, groups: [{ ...g, scalars: { ...g.scalars, historyCount: 101 } }] })).toThrow(/historyCount 101 exceeds historySize 100/);
    expect(() => opt.loadState({ ...st, groups: [{ ...g, scalars: { ...g.scalars, t: NaN } }] })).toThrow(/'t' must be a finite number/);
    opt.dispose();
    s.dispose();
  });

  it('a disposed model makes every method throw StateError; dispose is idempotent', () => {
    const s = setup(e);
    const opt = e.optim.lbfgs(s.model);
    s.model.dispose();
    for (const f of [() => opt.step(s.closure), () => opt.state(), () => opt.zeroGrad(), () => opt.snapshot(), () => opt.history(), () => opt.loadState({} as never)]) {
      expect(f).toThrow(StateError);
      expect(f).toThrow(/the model was disposed/);
    }
    opt.dispose();
    opt.dispose();
    expect(() => opt.step(s.closure)).toThrow(/after dispose/);
    s.x.dispose();
  });

  it('stops at once at a stationary point (max|g| <= toleranceGrad): one evaluation, nothing moves', () => {
    const v = e.vector(3, [0, 0, 0]);
    const opt = e.optim.lbfgs(v);
    const loss = opt.step(() => (v.grads.fill(0), 0));
    expect(loss).toBe(0);
    expect(opt.scalars()).toMatchObject({ nIter: 0, funcEvals: 1 });
    opt.dispose();
    v.dispose();
  });
});
