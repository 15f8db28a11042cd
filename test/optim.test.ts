import { describe, expect, it } from 'vitest';
import { type Engine, ShapeError, StateError, ValueError } from '../src/index.js';
import { BUILDS, engineFor, expectClose, randArray } from './helpers.js';
import { bare, CONFIGS, gradAt, label, make, run, runRef } from './optim-helpers.js';


for (const build of BUILDS) {
  describe(`optimizers against the f64 references (${build})`, () => {
    // 8 steps of fixed gradients: covers first-step special cases (SGD buffer init, RAdam's
    // unrectified branch up to t = 5 and its rectified one from t = 6) and every length class.
    // Tolerance: f32 rounding of ~10 operations per element per step, no feedback through the
    // gradient: |error| <~ 8 * 10 * 6e-8 relative, well inside rtol 2e-5 / atol 2e-6.
    for (const [name, o] of CONFIGS) {
      for (const fused of [true, false]) {
        it(`${label(name, o)} ${fused ? 'fused' : 'chain'}`, async () => {
          const e = await engineFor(build);
          for (const n of [1, 3, 4, 5, 17, 97]) {
            const p0 = randArray(n, 11 + n);
            const { p } = run(e, name, o, p0, 8, fused);
            expectClose(`${name} n=${n}`, p, runRef(name, o, p0, 8), { rtol: 2e-5, atol: 2e-6 });
          }
        });
      }
    }
  });

  describe(`fused and chain paths agree over 50 steps (${build})`, () => {
    // Same formulas, different rounding order (the chain rounds u after each transform, the
    // fused kernel keeps intermediates in registers): a few ulps (6e-8) per step and element,
    // 50 steps, no feedback through the gradient: <= 50 * 4 * 6e-8 = 1.2e-5 relative to the
    // size of the accumulated change. Parameters start in [-1, 1], so atol 1e-5 bounds it.
    for (const [name, o] of CONFIGS) {
      it(label(name, o), async () => {
        const e = await engineFor(build);
        const p0 = randArray(1000, 5);
        const a = run(e, name, o, p0, 50, true).p;
        const b = run(e, name, o, p0, 50, false).p;
        expectClose(`${name} fused vs chain`, a, b, { rtol: 1e-5, atol: 1e-5 });
        expectClose(`${name} vs f64 reference (50 steps)`, a, runRef(name, o, p0, 50), { rtol: 1e-4, atol: 1e-5 });
      });
    }
  });
}

describe('both builds give the same bits', () => {
  for (const [name, o] of CONFIGS) {
    it(label(name, o), async () => {
      const [es, ec] = await Promise.all([engineFor('simd'), engineFor('scalar')]);
      const p0 = randArray(103, 3);
      const a = run(es, name, o, p0, 12).p, b = run(ec, name, o, p0, 12).p;
      for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) throw new Error(`${name}: index ${i}: simd ${a[i]}, scalar ${b[i]}`);
    });
  }
});

describe('state() / loadState(): stop, save, load, continue == not stopping, bit for bit', () => {
  const extra: [string, object][] = [
    ['langevin', { lr: 0.01, temperature: 0.5, seed: 42 }],
    ['adam', { lr: (s: number) => 0.01 / (1 + s) }],
  ];
  for (const [name, o] of [...CONFIGS, ...extra]) {
    for (const fused of [true, false]) {
      it(`${label(name, o)} ${fused ? 'fused' : 'chain'}`, async () => {
        const e = await engineFor('simd');
        const p0 = randArray(37, 9);
        const full = run(e, name, o, p0, 50, fused).p;
        const first = run(e, name, o, p0, 20, fused);
        const saved = first.op.state();
        const params = first.m.params().slice();
        first.op.dispose();
        // a fresh model and optimizer, as after a restart
        const m2 = bare(e, 37, params);
        const op2 = make(e, name, m2, { ...o, fused });
        op2.loadState(structuredClone(saved));
        const rest = run(e, name, o, p0, 30, fused, 20, op2, m2).p;
        for (let i = 0; i < full.length; i++) if (!Object.is(full[i], rest[i])) throw new Error(`${name}: index ${i}: ${rest[i]} != ${full[i]}`);
        expect(op2.stepCount).toBe(50);
      });
    }
  }
});

describe('bad input: typed errors naming the option, nothing changed', () => {
  it('rejects bad hyperparameters', async () => {
    const e = await engineFor('simd');
    const m = bare(e, 10);
    const before = e.arena.usedBytes;
    const cases: [string, object, RegExp][] = [
      ['adam', { lr: 0 }, /adam: lr must be a finite number > 0/],
      ['adam', { lr: -1 }, /lr must be/],
      ['sgd', { lr: NaN }, /sgd: lr must be .* got NaN/],
      ['sgd', {}, /sgd: lr is required/],
      ['adam', { betas: [0.9, 1] }, /adam: betas\[1\] must be in \[0, 1\), got 1/],
      ['adam', { betas: [-0.1, 0.9] }, /betas\[0\]/],
      ['adam', { betas: [0.9] }, /betas must be \[beta1, beta2\]/],
      ['adam', { eps: 0 }, /adam: eps must be a finite number > 0, got 0/],
      ['rmsprop', { eps: -1e-8 }, /rmsprop: eps/],
      ['adamw', { weightDecay: -0.1 }, /adamw: weightDecay must be a finite number >= 0, got -0.1/],
      ['sgd', { lr: 0.1, momentum: -0.5 }, /momentum/],
      ['sgd', { lr: 0.1, nesterov: true }, /nesterov needs momentum > 0/],
      ['sgd', { lr: 0.1, momentum: 0.9, heavyBall: true, dampening: 0.1 }, /heavyBall needs/],
      ['adam', { learningRate: 0.1 }, /adam: unknown option 'learningRate'/],
      ['sparseAdam', { lr: 0.1 }, /sparseAdam: dim must be an integer >= 1/],
      ['sparseAdam', { lr: 0.1, dim: 3 }, /not a multiple of dim 3/],
      ['adam', { groups: [{ offset: 5, length: 6 }] }, /groups\[0\] must be a span inside \[0, 10\)/],
      ['adam', { groups: [{ offset: 0, length: 6 }, { offset: 5, length: 5 }] }, /overlaps/],
      ['adam', { groups: [{ offset: 0, length: 6, lr: -3 }] }, /lr must be/],
      ['adam', { guard: 'maybe' }, /guard must be 'skip' or 'zero'/],
    ];
    for (const [name, o, re] of cases) {
      let err: unknown;
      try {
        make(e, name, m, o);
      } catch (x) {
        err = x;
      }
      expect(err, `${name} ${JSON.stringify(o)}`).toBeInstanceOf(err instanceof ShapeError ? ShapeError : ValueError);
      expect(String(err)).toMatch(re);
    }
    expect(e.arena.usedBytes).toBe(before);
  });

  it('rejects a bad lr set later, and a schedule that goes bad, without stepping', async () => {
    const e = await engineFor('simd');
    const m = bare(e, 8);
    const op = e.optim.adam(m, { lr: (s) => (s < 2 ? 0.1 : NaN) });
    m.grads().set(gradAt(8, 0));
    expect(() => (op.lr = 0)).toThrow(/adam: lr must be/);
    op.step();
    op.step();
    const p = m.params().slice(), st = op.state();
    expect(() => op.step()).toThrow(/schedule returned NaN at step 2/);
    expect(m.params()).toEqual(p);
    expect(op.state()).toEqual(st);
  });

  it('rejects a state from another model size, optimizer or path, and changes nothing', async () => {
    const e = await engineFor('simd');
    const m = bare(e, 8), m2 = bare(e, 9);
    const a = e.optim.adam(m, { lr: 0.1 });
    m.grads().set(gradAt(8, 0));
    a.step();
    const st = a.state();
    const b = e.optim.adam(m2, { lr: 0.1 });
    const before = b.state();
    expect(() => b.loadState(st)).toThrow(StateError);
    expect(() => b.loadState(st)).toThrow(/model with 8 parameters, this one has 9/);
    expect(b.state()).toEqual(before);
    const c = e.optim.sgd(m, { lr: 0.1, momentum: 0.9 });
    expect(() => c.loadState(st)).toThrow(/state of a 'adam' optimizer/);
    const d = e.optim.adam(m, { lr: 0.1, fused: false });
    expect(() => d.loadState(st)).toThrow(/'fused' state/);
    const bad = structuredClone(st);
    bad.groups[0].buffers.v = new Float32Array(3);
    const f = e.optim.adam(m, { lr: 0.1 });
    const fb = f.state();
    expect(() => f.loadState(bad)).toThrow(/buffer 'v' must be a Float32Array of 8, got length 3/);
    expect(f.state()).toEqual(fb);
  });

  it('throws StateError after dispose and frees its memory', async () => {
    const e = await engineFor('simd');
    const m = bare(e, 100);
    const before = e.arena.usedBytes;
    const op = e.optim.adam(m, { lr: 0.1, amsgrad: true });
    expect(e.arena.usedBytes).toBeGreaterThan(before);
    op.dispose();
    expect(e.arena.usedBytes).toBe(before);
    expect(() => op.step()).toThrow(StateError);
  });
});

describe('parameter groups', () => {
  it('each group follows its own hyperparameters, as separate optimizers would', async () => {
    const e = await engineFor('simd');
    const p0 = randArray(30, 4);
    const m = bare(e, 30, p0);
    const op = e.optim.adam(m, { lr: 0.01, groups: [{ offset: 0, length: 12 }, { offset: 12, length: 10, lr: 0.1, betas: [0.5, 0.9] }] });
    expect(op.paramGroups.map((g) => g.lr)).toEqual([0.01, 0.1]);
    for (let s = 0; s < 10; s++) {
      m.grads().set(gradAt(30, s));
      op.step();
    }
    const g0 = runRef('adam', { lr: 0.01 }, p0, 10);
    const g1 = runRef('adam', { lr: 0.1, betas: [0.5, 0.9] }, p0, 10);
    const p = m.params();
    expectClose('group 0', p.slice(0, 12), g0.slice(0, 12));
    expectClose('group 1', p.slice(12, 22), g1.slice(12, 22));
    expect(Array.from(p.slice(22))).toEqual(Array.from(p0.slice(22))); // not in any group: untouched
    op.lr = 0.5;
    expect(op.paramGroups[0].lr).toBe(0.5);
    expect(op.paramGroups[1].lr).toBe(0.1);
  });

  it('zeroGrad zeroes the groups\' gradients', async () => {
    const e = await engineFor('scalar');
    const m = bare(e, 10);
    m.grads().fill(3);
    e.optim.sgd(m, { lr: 1 }).zeroGrad();
    expect(Array.from(m.grads())).toEqual(new Array(10).fill(0));
  });
});

describe('SGD facts', () => {
  it('momentum: steady-state gain 1/(1-beta) for a constant gradient, 1/(1+beta) for an alternating one', async () => {
    const e = await engineFor('simd');
    const beta = 0.9, lr = 0.01;
    for (const heavyBall of [false, true]) {
      const m = bare(e, 1, [0]);
      const op = e.optim.sgd(m, { lr, momentum: beta, heavyBall });
      let prev = 0, last = 0;
      for (let s = 0; s < 300; s++) {
        m.grads()[0] = 1;
        op.step();
        last = m.params()[0] - prev;
        prev = m.params()[0];
      }
      expect(Math.abs(last / -lr - 1 / (1 - beta))).toBeLessThan(1e-4 * 10);
      const m2 = bare(e, 1, [0]);
      const op2 = e.optim.sgd(m2, { lr, momentum: beta, heavyBall });
      for (let s = 0; s < 300; s++) {
        m2.grads()[0] = s % 2 === 0 ? 1 : -1;
        prev = m2.params()[0];
        op2.step();
        last = m2.params()[0] - prev;
      }
      // the last gradient was -1: the step is +lr/(1+beta) in steady state
      expect(Math.abs(last / lr - 1 / (1 + beta))).toBeLessThan(1e-4);
    }
  });

  it('heavy ball equals PyTorch form at constant lr and differs after an lr change, each matching its formula', async () => {
    const e = await engineFor('simd');
    const p0 = randArray(50, 8);
    const lrAt = (s: number) => (s < 20 ? 0.1 : 0.02);
    const out: Float32Array[] = [];
    for (const heavyBall of [false, true]) {
      const m = bare(e, 50, p0);
      const op = e.optim.sgd(m, { lr: lrAt, momentum: 0.9, heavyBall });
      const traj: Float32Array[] = [];
      for (let s = 0; s < 40; s++) {
        m.grads().set(gradAt(50, s));
        op.step();
        traj.push(m.params().slice());
      }
      expectClose(`heavyBall=${heavyBall}`, traj[39], runRef('sgd', { lr: 0, momentum: 0.9, heavyBall }, p0, 40, lrAt), { rtol: 1e-4, atol: 1e-5 });
      out.push(...[traj[19], traj[39]]);
    }
    expectClose('same up to the lr change', out[0], out[2], { rtol: 1e-5, atol: 1e-5 });
    const diff = out[1].reduce((a, v, i) => Math.max(a, Math.abs(v - out[3][i])), 0);
    expect(diff).toBeGreaterThan(1e-2);
  });

  it('PyTorch Nesterov iterates are the look-ahead points of Sutskever NAG; NAG and heavy ball agree after one step, differ after two', async () => {
    const e = await engineFor('simd');
    // f(x) = 1/2 sum a_i x_i^2
    const n = 6, a = [1, 2, 3, 0.5, 4, 1.5], mu = 0.9, lr = 0.05;
    const x0 = [1, -1, 0.5, 2, -0.3, 0.7];
    const grad = (x: ArrayLike<number>) => Array.from(x, (v, i) => a[i] * v);
    // Sutskever NAG and Polyak heavy ball in f64
    const nag = { x: x0.slice(), v: new Array(n).fill(0) }, hb = { x: x0.slice(), v: new Array(n).fill(0) };
    const ours = bare(e, n, x0), oursHb = bare(e, n, x0);
    const opN = e.optim.sgd(ours, { lr, momentum: mu, nesterov: true });
    const opH = e.optim.sgd(oursHb, { lr, momentum: mu, heavyBall: true });
    for (let s = 1; s <= 10; s++) {
      const gl = grad(nag.x.map((xi, i) => xi + mu * nag.v[i]));
      nag.v = nag.v.map((vi, i) => mu * vi - lr * gl[i]);
      nag.x = nag.x.map((xi, i) => xi + nag.v[i]);
      const gh = grad(hb.x);
      hb.v = hb.v.map((vi, i) => mu * vi - lr * gh[i]);
      hb.x = hb.x.map((xi, i) => xi + hb.v[i]);
      ours.grads().set(grad(ours.params()));
      opN.step();
      oursHb.grads().set(grad(oursHb.params()));
      opH.step();
      expectClose(`nesterov step ${s}`, ours.params(), nag.x.map((xi, i) => xi + mu * nag.v[i]), { rtol: 1e-5, atol: 1e-6 });
      expectClose(`heavy ball step ${s}`, oursHb.params(), hb.x, { rtol: 1e-5, atol: 1e-6 });
      const gap = Math.max(...nag.x.map((xi, i) => Math.abs(xi - hb.x[i])));
      if (s === 1) expect(gap).toBe(0);
      if (s === 2) expect(gap).toBeGreaterThan(1e-4);
    }
  });
});

describe('convergence', () => {
  const all: [string, object][] = [
    ['sgd', { lr: 0.1 }], ['sgd', { lr: 0.05, momentum: 0.9 }], ['sgd', { lr: 0.05, momentum: 0.9, nesterov: true }],
    ['sgd', { lr: 0.05, momentum: 0.9, heavyBall: true }], ['adagrad', { lr: 0.5 }], ['rmsprop', { lr: 0.01 }],
    ['rmsprop', { lr: 0.01, centered: true, momentum: 0.5 }], ['adam', { lr: 0.05 }], ['adam', { lr: 0.05, amsgrad: true }],
    ['adamw', { lr: 0.05, weightDecay: 0 }], ['adamax', { lr: 0.05 }], ['nadam', { lr: 0.05 }], ['radam', { lr: 0.05 }],
    ['adadelta', { lr: 10 }], ['langevin', { lr: 0.1, temperature: 0 }],
  ];
  for (const [name, o] of all) {
    it(`${label(name, o)}: parabola sum a_i (x_i - c_i)^2 / 2`, async () => {
      const e = await engineFor('simd');
      const n = 20, a = Array.from({ length: n }, (_, i) => 0.5 + (i % 5) * 0.4), c = randArray(n, 2);
      const m = bare(e, n, randArray(n, 3, -3, 3));
      const op = make(e, name, m, o);
      for (let s = 0; s < 2000; s++) {
        const x = m.params();
        m.grads().set(x.map((xi, i) => a[i] * (xi - c[i])));
        op.step();
      }
      expectClose(`${name} minimizer`, m.params(), c, { rtol: 0, atol: 2e-2 });
    });
  }
  for (const [name, o, steps] of [
    ['adam', { lr: 0.02 }, 5000],
    ['sgd', { lr: 1e-3, momentum: 0.9 }, 20000],
    ['nadam', { lr: 0.01 }, 5000],
    ['rmsprop', { lr: 1e-3, momentum: 0.9 }, 10000],
  ] as [string, object, number][]) {
    it(`${label(name, o)}: Rosenbrock (1 - x)^2 + 100 (y - x^2)^2 from (-1.5, 2)`, async () => {
      const e = await engineFor('simd');
      const m = bare(e, 2, [-1.5, 2]);
      const op = make(e, name, m, o);
      for (let s = 0; s < steps; s++) {
        const [x, y] = m.params();
        m.grads().set([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)]);
        op.step();
      }
      expectClose(`${name} Rosenbrock minimizer`, m.params(), [1, 1], { rtol: 0, atol: 2e-2 });
    });
  }
});

describe('a step allocates nothing', () => {
  it('arena use and memory size stay constant over 200 steps (fused and chain, every optimizer)', async () => {
    const e = await engineFor('simd');
    for (const [name, o] of CONFIGS) {
      for (const fused of [true, false]) {
        const m = bare(e, 300);
        const op = make(e, name, m, { ...o, fused });
        m.grads().set(gradAt(300, 0));
        op.step();
        const used = e.arena.usedBytes, top = e.arena.topBytes, bytes = e.memory.buffer.byteLength;
        for (let s = 0; s < 200; s++) op.step();
        expect([e.arena.usedBytes, e.arena.topBytes, e.memory.buffer.byteLength], `${name} ${fused}`).toEqual([used, top, bytes]);
        op.dispose();
      }
    }
  });
});
