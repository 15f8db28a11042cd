// Stateful rate rules: reduce-on-plateau (against torch ReduceLROnPlateau fixtures)
// and the PI controller (against an f64 reference of its formula, and in closed loop).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { schedules, ValueError } from '../src/index.js';
import { expectClose, rng } from './helpers.js';

interface PlateauCase {
  name: string;
  options: schedules.ReduceOnPlateauOptions;
  metrics: number[];
  lr: number[];
}
const fixture: { plateau: PlateauCase[] } = JSON.parse(readFileSync(new URL('./fixtures/schedules.json', import.meta.url), 'utf8'));

describe('reduceOnPlateau matches torch ReduceLROnPlateau', () => {
  it('the fixture has min/max, rel/abs, cooldown, minLr and eps cases at two rates', () => {
    const p = fixture.plateau;
    expect(p.length).toBeGreaterThanOrEqual(16);
    expect(new Set(p.map((c) => c.options.mode))).toEqual(new Set(['min', 'max']));
    expect(new Set(p.map((c) => c.options.thresholdMode))).toEqual(new Set(['rel', 'abs']));
    expect(p.some((c) => (c.options.cooldown ?? 0) > 0 && (c.options.minLr ?? 0) > 0)).toBe(true);
    // the trajectories reduce more than once (except the eps cases, where every
    // reduction is smaller than eps and skipped), and some hit minLr
    for (const c of p) {
      const skipped = c.options.eps! >= c.options.lr * (1 - c.options.factor!);
      expect(new Set(c.lr).size, c.name).toBe(skipped ? 1 : Math.max(3, new Set(c.lr).size));
    }
    expect(p.some((c) => c.lr[c.lr.length - 1] === c.options.minLr && c.options.minLr! > 0)).toBe(true);
  });

  for (const c of fixture.plateau) {
    it(c.name, () => {
      const r = schedules.reduceOnPlateau(c.options);
      const got = c.metrics.map((m) => r.update(m));
      expectClose('reduceOnPlateau lr', got, c.lr, { rtol: 1e-12, atol: 0 });
      expect(r.schedule(1234)).toBe(r.lr);
    });
  }

  it('state() / loadState(): stopping and continuing equals not stopping', () => {
    const c = fixture.plateau[1];
    const whole = schedules.reduceOnPlateau(c.options);
    const all = c.metrics.map((m) => whole.update(m));
    const first = schedules.reduceOnPlateau(c.options);
    const half = c.metrics.length >> 1;
    for (let i = 0; i < half; i++) first.update(c.metrics[i]);
    const saved = JSON.parse(JSON.stringify(first.state()));
    const second = schedules.reduceOnPlateau(c.options);
    second.loadState(saved);
    const rest = c.metrics.slice(half).map((m) => second.update(m));
    expect(rest).toEqual(all.slice(half));
    expect(second.state()).toEqual(whole.state());
  });

  it('a NaN metric counts as no improvement (as torch)', () => {
    const r = schedules.reduceOnPlateau({ lr: 1, patience: 1, factor: 0.5 });
    r.update(1);
    r.update(NaN);
    expect(r.lr).toBe(1);
    r.update(NaN);
    expect(r.lr).toBe(0.5);
  });

  it('bad options and states throw ValueError and change nothing', () => {
    expect(() => schedules.reduceOnPlateau({ lr: 1, factor: 1 })).toThrow(/reduceOnPlateau: factor \(1\) must be < 1 \(1\)/);
    expect(() => schedules.reduceOnPlateau({ lr: 1, factor: 0 })).toThrow(/factor must be a finite number > 0, got 0/);
    expect(() => schedules.reduceOnPlateau({ lr: 0 })).toThrow(/lr must be a finite number > 0, got 0/);
    expect(() => schedules.reduceOnPlateau({ lr: 1, patience: -1 })).toThrow(/patience must be an integer >= 0, got -1/);
    expect(() => schedules.reduceOnPlateau({ lr: 1, mode: 'minimum' as never })).toThrow(/mode must be one of 'min', 'max', got 'minimum'/);
    expect(() => schedules.reduceOnPlateau({ lr: 0.1, minLr: 0.5 })).toThrow(/minLr \(0.5\) must be <= lr \(0.1\)/);
    expect(() => schedules.reduceOnPlateau({ lr: 1, threshold: 1.5 })).toThrow(/threshold must be in \[0, 1\), got 1.5/);
    const r = schedules.reduceOnPlateau({ lr: 1 });
    r.update(3);
    const before = r.state();
    expect(() => r.update('3' as never)).toThrow(ValueError);
    expect(() => r.loadState({ ...before, numBadEpochs: -2 })).toThrow(/numBadEpochs must be an integer >= 0, got -2/);
    expect(() => r.loadState({ ...before, kind: 'piController' } as never)).toThrow(/state must come from reduceOnPlateau.state\(\)/);
    expect(r.state()).toEqual(before);
  });
});

/**
 * The PI law written from its formula, in f64 (independent of src/schedule/pi.ts):
 * the anti-windup integral is found by bisection on the fraction of e_t that keeps
 * the unclamped log-rate inside [log minLr, log maxLr].
 */
function piReference(o: { lr: number; setpoint: number; kp: number; ki: number; minLr: number; maxLr: number }, signals: number[]): number[] {
  const out: number[] = [];
  let sum = 0;
  const logRate = (e: number, integral: number) => Math.log(o.lr) + o.kp * e + o.ki * integral;
  const inside = (u: number) => u <= Math.log(o.maxLr) && u >= Math.log(o.minLr);
  for (const s of signals) {
    const e = Math.log(o.setpoint) - Math.log(s);
    const u = logRate(e, sum + e);
    const pushedOut = (u > Math.log(o.maxLr) && o.ki * e > 0) || (u < Math.log(o.minLr) && o.ki * e < 0);
    if (!pushedOut) sum += e;
    else if (inside(logRate(e, sum))) {
      let a = 0, b = 1; // inside at a, outside at b
      for (let k = 0; k < 200; k++) {
        const m = (a + b) / 2;
        if (inside(logRate(e, sum + m * e))) a = m;
        else b = m;
      }
      sum += a * e;
    }
    out.push(Math.min(o.maxLr, Math.max(o.minLr, Math.exp(logRate(e, sum)))));
  }
  return out;
}

describe('PI controller', () => {
  it('matches the f64 formula over random signals, including long saturations (anti-windup)', () => {
    const r = rng(7);
    const o = { lr: 0.01, setpoint: 0.3, kp: 0.4, ki: 0.15, minLr: 1e-3, maxLr: 0.05 };
    // 60 signals far below the setpoint (drives the rate into maxLr), then random, then far above
    const signals = [
      ...Array.from({ length: 60 }, () => 0.01 + 0.01 * r()),
      ...Array.from({ length: 100 }, () => 0.05 + r()),
      ...Array.from({ length: 60 }, () => 5 + r()),
    ];
    const pi = schedules.piController(o);
    const got = signals.map((s) => pi.update(s));
    expectClose('piController', got, piReference(o, signals), { rtol: 1e-12, atol: 0 });
    // the rate reaches each bound (to rounding of exp(log bound)) and stays there
    expect(got.slice(10, 60).every((v) => Math.abs(v - o.maxLr) <= 1e-15 * o.maxLr)).toBe(true);
    expect(got.slice(-40).every((v) => Math.abs(v - o.minLr) <= 1e-15 * o.minLr)).toBe(true);
  });

  it('anti-windup: after saturating for a long time the rate leaves the bound as soon as the error changes sign', () => {
    const pi = schedules.piController({ lr: 0.01, setpoint: 1, kp: 0, ki: 0.5, maxLr: 0.02 });
    for (let i = 0; i < 1000; i++) pi.update(0.1);
    expect(pi.lr).toBe(0.02);
    // the integral stopped at the bound (log 2 / 0.5), not at 1000 · log 10
    expect(pi.integral).toBeLessThan(Math.log(2) / 0.5 + Math.log(10) + 1e-12);
    pi.update(10); // signal now above the setpoint
    expect(pi.lr).toBeLessThan(0.02);
  });

  it('closed loop, static plant s = 3·η^0.8: the signal converges to the setpoint', () => {
    const pi = schedules.piController({ lr: 1e-4, setpoint: 0.5, kp: 0.3, ki: 0.4 });
    let s = 0;
    for (let t = 0; t < 200; t++) {
      s = 3 * pi.lr ** 0.8;
      pi.update(s);
    }
    expect(Math.abs(s - 0.5)).toBeLessThan(1e-9);
    expect(pi.lr).toBeCloseTo((0.5 / 3) ** (1 / 0.8), 9);
  });

  it('closed loop, gradient descent on a quadratic: the relative loss decrease per step tracks its setpoint', () => {
    // f(x) = ½·h·x², one GD step gives f⁺/f = (1 − ηh)², the signal is 1 − f⁺/f; setpoint 0.36 ⇒ ηh = 0.2
    const h = 40;
    const pi = schedules.piController({ lr: 1e-4, setpoint: 0.36, kp: 0.3, ki: 0.3 });
    let x = 1;
    let signal = 0;
    for (let t = 0; t < 300; t++) {
      const f = 0.5 * h * x * x;
      x -= pi.lr * h * x;
      signal = 1 - (0.5 * h * x * x) / f;
      pi.update(signal);
      if (Math.abs(x) < 1e-150) x = 1; // restart far from the minimum; the ratio does not depend on x
    }
    expect(Math.abs(signal - 0.36)).toBeLessThan(1e-8);
    expect(pi.lr * h).toBeCloseTo(0.2, 8);
  });

  it('state() / loadState(): stopping and continuing equals not stopping', () => {
    const o = { lr: 0.01, setpoint: 0.3, kp: 0.4, ki: 0.15 };
    const r = rng(3);
    const signals = Array.from({ length: 50 }, () => 0.05 + r());
    const whole = schedules.piController(o);
    const all = signals.map((s) => whole.update(s));
    const a = schedules.piController(o);
    signals.slice(0, 20).forEach((s) => a.update(s));
    const b = schedules.piController(o);
    b.loadState(JSON.parse(JSON.stringify(a.state())));
    expect(signals.slice(20).map((s) => b.update(s))).toEqual(all.slice(20));
    expect(b.schedule(0)).toBe(whole.lr);
  });

  it("the 'relative' error accepts signals of any sign", () => {
    const pi = schedules.piController({ lr: 1, setpoint: 2, kp: 1, ki: 0, error: 'relative' });
    expect(pi.update(-2)).toBeCloseTo(Math.exp(2), 14);
  });

  it('bad options and signals throw ValueError and change nothing', () => {
    expect(() => schedules.piController({ lr: 1, setpoint: 0 })).toThrow(/piController: setpoint must be a finite number > 0, got 0/);
    expect(() => schedules.piController({ lr: 1, setpoint: 1, kp: 1, ki: -1 })).toThrow(/kp \(1\) and ki \(-1\) must have the same sign/);
    expect(() => schedules.piController({ lr: 1, setpoint: 1, maxLr: 0.5 })).toThrow(/lr \(1\) must be <= maxLr \(0.5\)/);
    expect(() => schedules.piController({ lr: NaN, setpoint: 1 })).toThrow(/lr must be a finite number > 0, got NaN/);
    const pi = schedules.piController({ lr: 1, setpoint: 1 });
    pi.update(0.5);
    const before = pi.state();
    expect(() => pi.update(0)).toThrow(/signal must be > 0 with error 'log', got 0/);
    expect(() => pi.update(Infinity)).toThrow(/signal must be a finite number, got Infinity/);
    expect(() => pi.loadState({ ...before, lr: 1e9 })).toThrow(/lr \(1000000000\) must be in \[minLr, maxLr\]/);
    expect(pi.state()).toEqual(before);
  });
});
