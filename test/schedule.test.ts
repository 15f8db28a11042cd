// Pure schedules: trajectories against torch 1.13 (test/fixtures/make_schedules.py),
// closed forms, composition, and bad input.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { schedules, ValueError, type Schedule } from '../src/index.js';
import { expectClose } from './helpers.js';

interface Spec {
  kind: string;
  options: Record<string, unknown>;
}
interface Case extends Spec {
  name: string;
  lr: number[];
  momentum?: number[];
  closedForm?: number[];
}
interface Fixture {
  torch: string;
  steps: number;
  cases: Case[];
}

const fixture: Fixture = JSON.parse(readFileSync(new URL('./fixtures/schedules.json', import.meta.url), 'utf8'));

/** Builds a wasmgrad schedule from a fixture spec (members of sequential/chained recursively). */
function build(spec: Spec): Schedule {
  const o = { ...spec.options };
  if (Array.isArray(o.schedules)) o.schedules = (o.schedules as Spec[]).map(build);
  const builder = (schedules as unknown as Record<string, (o: unknown) => Schedule>)[spec.kind];
  if (typeof builder !== 'function') throw new Error(`no builder ${spec.kind}`);
  if (spec.kind === 'chained') delete o.lr; // the base lr comes from the members
  return builder(o);
}

const values = (s: (t: number) => number, n: number): number[] => Array.from({ length: n }, (_, t) => s(t));

describe('schedules match torch.optim.lr_scheduler trajectories', () => {
  it('the fixture covers every scheduler at two base rates and >= 100 steps', () => {
    const kinds = new Set(fixture.cases.map((c) => c.kind));
    for (const k of ['constant', 'step', 'multistep', 'exponential', 'polynomial', 'linear', 'cosineAnnealing', 'cosineWarmRestarts', 'sequential', 'chained', 'cyclic', 'oneCycle']) {
      expect(kinds.has(k), k).toBe(true);
    }
    for (const c of fixture.cases) expect(c.lr.length, c.name).toBeGreaterThanOrEqual(100);
    expect(new Set(fixture.cases.map((c) => c.name.split('lr=')[1])).size).toBe(2);
  });

  for (const c of fixture.cases) {
    it(c.name, () => {
      const s = build(c);
      // torch steps most schedulers recursively (η_t from η_{t−1}), so it drifts
      // from the closed form by a few ulps per step: 1e-6 relative is far above that.
      // atol covers the exact zeros of polynomial/cosine, where torch's recursion
      // leaves a value around 1e-18.
      expectClose(`${c.kind} lr`, values(s, c.lr.length), c.lr, { rtol: 1e-6, atol: 1e-15 });
      if (c.momentum) {
        const m = (s as schedules.CycleSchedule).momentum;
        expectClose(`${c.kind} momentum`, values(m, c.momentum.length), c.momentum, { rtol: 1e-6, atol: 1e-15 });
      }
      if (c.closedForm) {
        // torch's own _get_closed_form_lr: agrees to rounding
        expectClose(`${c.kind} closed form`, values(s, c.closedForm.length), c.closedForm, { rtol: 1e-13, atol: 1e-18 });
      }
    });
  }

  it("torch's recursive cosine drifts from its closed form (why the parity tolerance is relative 1e-6, not exact)", () => {
    let maxRel = 0;
    for (const c of fixture.cases.filter((x) => x.closedForm)) {
      for (let t = 0; t < c.lr.length; t++) {
        const ref = c.closedForm![t];
        if (ref > 1e-6 * (c.options.lr as number)) maxRel = Math.max(maxRel, Math.abs(c.lr[t] - ref) / ref);
      }
    }
    expect(maxRel).toBeGreaterThan(0);
    expect(maxRel).toBeLessThan(1e-9);
  });
});

describe('closed forms', () => {
  it('step, multistep, exponential, constant', () => {
    const s = schedules.step({ lr: 2, stepSize: 3, gamma: 0.5 });
    expect(values(s, 8)).toEqual([2, 2, 2, 1, 1, 1, 0.5, 0.5]);
    const m = schedules.multistep({ lr: 1, milestones: [2, 5], gamma: 0.1 });
    expectClose('multistep', values(m, 7), [1, 1, 0.1, 0.1, 0.1, 0.01, 0.01], { rtol: 1e-15 });
    const e = schedules.exponential({ lr: 3, gamma: 0.9 });
    expectClose('exponential', [e(0), e(10)], [3, 3 * 0.9 ** 10], { rtol: 1e-15 });
    expect(values(schedules.constant({ lr: 0.3 }), 3)).toEqual([0.3, 0.3, 0.3]);
    expect(values(schedules.constant({ lr: 1, factor: 0.25, totalIters: 2 }), 4)).toEqual([0.25, 0.25, 1, 1]);
  });

  it('polynomial reaches endLr at totalSteps and holds it (Optax polynomial_schedule)', () => {
    const p = schedules.polynomial({ lr: 1, totalSteps: 10, power: 2, endLr: 0.1 });
    expect(p(0)).toBe(1);
    expectClose('polynomial', [p(5), p(10), p(11), p(1000)], [0.9 * 0.25 + 0.1, 0.1, 0.1, 0.1], { rtol: 1e-15 });
  });

  it('cosine annealing: lr at 0, etaMin at tMax, mean at tMax/2, periodic past tMax like torch, clamped like Optax', () => {
    const c = schedules.cosineAnnealing({ lr: 1, tMax: 10, etaMin: 0.2 });
    expectClose('cosine', [c(0), c(5), c(10), c(15), c(20)], [1, 0.6, 0.2, 0.6, 1], { rtol: 1e-15, atol: 1e-15 });
    const k = schedules.cosineAnnealing({ lr: 1, tMax: 10, etaMin: 0.2, clamp: true });
    expect([k(10), k(15), k(1e6)]).toEqual([0.2, 0.2, 0.2]);
  });

  it('warm restarts: periods t0, t0·tMult, ...; the rate is back at lr at each restart', () => {
    const s = schedules.cosineWarmRestarts({ lr: 1, t0: 2, tMult: 3 });
    // restarts at 0, 2, 2+6 = 8, 8+18 = 26
    for (const t of [0, 2, 8, 26]) expect(s(t), `t = ${t}`).toBe(1);
    expectClose('mid-period', [s(1), s(5), s(17)], [0.5, 0.5, 0.5], { rtol: 1e-12 });
    const one = schedules.cosineWarmRestarts({ lr: 1, t0: 4 });
    expect(one(4000001)).toBeCloseTo(one(1), 15);
  });

  it('linear warm-up around any schedule equals torch SequentialLR(LinearLR, S)', () => {
    const seq = fixture.cases.filter((c) => c.name.startsWith('SequentialLR(linear+cosine'));
    expect(seq.length).toBe(2);
    for (const c of seq) {
      const lr = c.options.schedules as Spec[];
      const cos = build(lr[1]);
      const w = schedules.linearWarmup(cos, { warmupSteps: 10, startFactor: 0.25 });
      expectClose('linearWarmup', values(w, c.lr.length), c.lr, { rtol: 1e-6, atol: 1e-15 });
    }
  });

  it('warmupCosine: ramp from startFactor·lr to lr, cosine to etaMin at totalSteps, held after', () => {
    const s = schedules.warmupCosine({ lr: 1, warmupSteps: 4, totalSteps: 14, etaMin: 0.1, startFactor: 0 });
    expectClose('warmupCosine', [s(0), s(2), s(4), s(9), s(14), s(100)], [0, 0.5, 1, 0.55, 0.1, 0.1], { rtol: 1e-12, atol: 1e-15 });
    expect(schedules.warmupCosine({ lr: 3, warmupSteps: 4, totalSteps: 14 })(0)).toBe(1); // default startFactor 1/3
  });

  it('sequential switches at milestones and restarts each piece at its own step 0', () => {
    const a = schedules.constant({ lr: 5 });
    const b = schedules.exponential({ lr: 1, gamma: 0.5 });
    const s = schedules.sequential({ schedules: [a, b], milestones: [3] });
    expect(values(s, 6)).toEqual([5, 5, 5, 1, 0.5, 0.25]);
  });

  it('chained multiplies the members factors', () => {
    const s = schedules.chained({
      schedules: [schedules.step({ lr: 2, stepSize: 2, gamma: 0.5 }), schedules.exponential({ lr: 2, gamma: 0.9 })],
    });
    expectClose('chained', values(s, 4), [2, 2 * 0.9, 1 * 0.81, 1 * 0.729], { rtol: 1e-15 });
  });

  it('cyclic: triangular peaks at maxLr every cycle; momentum moves the other way', () => {
    const s = schedules.cyclic({ lr: 1, maxLr: 3, stepSizeUp: 2, stepSizeDown: 3 });
    expectClose('cyclic', values(s, 11), [1, 2, 3, 3 - 2 / 3, 3 - 4 / 3, 1, 2, 3, 3 - 2 / 3, 3 - 4 / 3, 1], { rtol: 1e-12 });
    expectClose('momentum', [s.momentum(0), s.momentum(2)], [0.9, 0.8], { rtol: 1e-12 });
    const t2 = schedules.cyclic({ lr: 1, maxLr: 3, stepSizeUp: 2, mode: 'triangular2' });
    expectClose('triangular2', [t2(2), t2(6), t2(10)], [3, 2, 1.5], { rtol: 1e-12 });
  });

  it('oneCycle: starts at maxLr/div, peaks at maxLr, ends at maxLr/(div·finalDiv); step > totalSteps throws', () => {
    const s = schedules.oneCycle({ maxLr: 1, totalSteps: 101, pctStart: 0.3 });
    // phase 1 ends at 0.3·101 − 1 = 29.3, so the exact peak falls between steps
    expect(s(0)).toBeCloseTo(1 / 25, 15);
    expect(s(100)).toBeCloseTo(1 / 25 / 1e4, 15);
    expect(Math.max(...values(s, 101))).toBeLessThanOrEqual(1);
    expect(s.momentum(0)).toBeCloseTo(0.95, 15);
    expect(() => s(101)).not.toThrow();
    expect(() => s(102)).toThrow(/step 102 is past totalSteps \(101\)/);
  });

  it('schedules are pure: same step, same value, in any order', () => {
    const s = schedules.cyclic({ lr: 0.1, maxLr: 1, stepSizeUp: 7, mode: 'expRange', gamma: 0.99 });
    const fwd = values(s, 50);
    const back = Array.from({ length: 50 }, (_, i) => s(49 - i)).reverse();
    expect(back).toEqual(fwd);
  });
});

describe('bad input throws ValueError naming the option and the values', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['lr 0', () => schedules.exponential({ lr: 0, gamma: 0.9 }), /exponential: lr must be a finite number > 0, got 0/],
    ['lr NaN', () => schedules.step({ lr: NaN, stepSize: 2 }), /step: lr must be a finite number > 0, got NaN/],
    ['lr negative', () => schedules.cosineAnnealing({ lr: -1, tMax: 3 }), /cosineAnnealing: lr must be a finite number > 0, got -1/],
    ['gamma 0', () => schedules.step({ lr: 1, stepSize: 2, gamma: 0 }), /step: gamma must be a finite number > 0, got 0/],
    ['gamma negative', () => schedules.exponential({ lr: 1, gamma: -0.5 }), /gamma must be a finite number > 0, got -0.5/],
    ['stepSize 0', () => schedules.step({ lr: 1, stepSize: 0 }), /step: stepSize must be an integer >= 1, got 0/],
    ['milestones not increasing', () => schedules.multistep({ lr: 1, milestones: [3, 7, 5] }), /multistep: milestones must be strictly increasing, got milestones\[2\] = 5 after milestones\[1\] = 7/],
    ['milestones repeated', () => schedules.multistep({ lr: 1, milestones: [3, 3] }), /milestones\[1\] = 3 after milestones\[0\] = 3/],
    ['milestone negative', () => schedules.multistep({ lr: 1, milestones: [-1, 4] }), /multistep: milestones\[0\] must be an integer >= 0, got -1/],
    ['milestone fractional', () => schedules.multistep({ lr: 1, milestones: [1.5] }), /milestones\[0\] must be an integer >= 0, got 1.5/],
    ['tMax 0', () => schedules.cosineAnnealing({ lr: 1, tMax: 0 }), /cosineAnnealing: tMax must be a finite number > 0, got 0/],
    ['etaMin > lr', () => schedules.cosineAnnealing({ lr: 0.1, tMax: 5, etaMin: 0.5 }), /cosineAnnealing: etaMin \(0.5\) must be <= lr \(0.1\)/],
    ['t0 0', () => schedules.cosineWarmRestarts({ lr: 1, t0: 0 }), /t0 must be an integer >= 1, got 0/],
    ['tMult 0.5', () => schedules.cosineWarmRestarts({ lr: 1, t0: 3, tMult: 0.5 }), /tMult must be an integer >= 1, got 0.5/],
    ['power 0', () => schedules.polynomial({ lr: 1, totalSteps: 5, power: 0 }), /polynomial: power must be a finite number > 0, got 0/],
    ['endLr > lr', () => schedules.polynomial({ lr: 1, totalSteps: 5, endLr: 2 }), /polynomial: endLr \(2\) must be <= lr \(1\)/],
    ['startFactor > 1', () => schedules.linear({ lr: 1, startFactor: 1.5 }), /linear: startFactor must be in \[0, 1\], got 1.5/],
    ['warmup >= total', () => schedules.warmupCosine({ lr: 1, warmupSteps: 120, totalSteps: 100 }), /warmupCosine: warmupSteps \(120\) must be < totalSteps \(100\)/],
    ['warmup 0', () => schedules.linearWarmup(schedules.constant({ lr: 1 }), { warmupSteps: 0 }), /linearWarmup: warmupSteps must be an integer >= 1, got 0/],
    ['sequential count', () => schedules.sequential({ schedules: [schedules.constant({ lr: 1 })], milestones: [3] }), /sequential: milestones must hold schedules.length − 1 = 0 steps, got 1/],
    ['sequential decreasing', () => schedules.sequential({ schedules: [1, 2, 3].map((lr) => schedules.constant({ lr })), milestones: [5, 2] }), /milestones\[1\] = 2 after milestones\[0\] = 5/],
    ['chained bases differ', () => schedules.chained({ schedules: [schedules.constant({ lr: 1 }), schedules.constant({ lr: 2 })] }), /chained: schedules\[1\] has base lr 2 but schedules\[0\] has 1/],
    ['chained plain function', () => schedules.chained({ schedules: [schedules.constant({ lr: 1 }), () => 1] }), /chained: schedules\[1\] has no base lr/],
    ['cyclic maxLr < lr', () => schedules.cyclic({ lr: 1, maxLr: 0.5 }), /cyclic: maxLr \(0.5\) must be >= lr \(1\)/],
    ['cyclic mode', () => schedules.cyclic({ lr: 1, maxLr: 2, mode: 'exp_range' as never }), /cyclic: mode must be one of 'triangular', 'triangular2', 'expRange', got 'exp_range'/],
    ['cyclic momenta', () => schedules.cyclic({ lr: 1, maxLr: 2, baseMomentum: 0.95, maxMomentum: 0.9 }), /baseMomentum \(0.95\) must be <= maxMomentum \(0.9\)/],
    ['oneCycle pctStart', () => schedules.oneCycle({ maxLr: 1, totalSteps: 100, pctStart: 1.2 }), /oneCycle: pctStart must be in \[0, 1\], got 1.2/],
    ['oneCycle empty phase', () => schedules.oneCycle({ maxLr: 1, totalSteps: 10, pctStart: 0.1 }), /oneCycle: pctStart \(0.1\) and totalSteps \(10\) leave a phase of 0 steps/],
    ['oneCycle anneal', () => schedules.oneCycle({ maxLr: 1, totalSteps: 100, anneal: 'cosine' as never }), /anneal must be one of 'cos', 'linear', got 'cosine'/],
    ['options not an object', () => schedules.step(5 as never), /step: options must be an object, got 5/],
  ];
  for (const [name, f, msg] of cases) {
    it(name, () => {
      expect(f).toThrow(ValueError);
      expect(f).toThrow(msg);
    });
  }

  it('a step that is negative, fractional or NaN throws', () => {
    const s = schedules.exponential({ lr: 1, gamma: 0.5 });
    expect(() => s(-1)).toThrow(/exponential: step must be a non-negative integer, got -1/);
    expect(() => s(1.5)).toThrow(ValueError);
    expect(() => s(NaN)).toThrow(/got NaN/);
    expect(() => schedules.oneCycle({ maxLr: 1, totalSteps: 10 }).momentum(-2)).toThrow(/oneCycle: step must be a non-negative integer/);
  });
});

describe('baseLr metadata', () => {
  it('builders record their base lr; sequential takes the first member s; plain functions have none', () => {
    expect(schedules.cosineAnnealing({ lr: 0.3, tMax: 4 }).baseLr).toBe(0.3);
    expect(schedules.oneCycle({ maxLr: 1, totalSteps: 100 }).baseLr).toBe(1 / 25);
    const plain = (t: number) => 1 / (1 + t);
    expect(schedules.sequential({ schedules: [plain, schedules.constant({ lr: 2 })], milestones: [3] }).baseLr).toBeUndefined();
    expect(schedules.sequential({ schedules: [schedules.constant({ lr: 2 }), plain], milestones: [3] }).baseLr).toBe(2);
  });
});
