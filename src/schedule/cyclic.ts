// Cyclical schedules with momentum cycling: torch CyclicLR (Smith 2017) and
// OneCycleLR (Smith & Topin 2018). The returned function is the learning-rate
// schedule; its `momentum` property gives the momentum (or Adam's beta1) for the
// same step, moving opposite to the rate.
import { ValueError } from '../errors.js';
import { checkOptions, checkStep, makeSchedule, type CycleSchedule } from './types.js';
import { POSITIVE, POSITIVE_INT, UNIT, UNIT_OPEN, checkBool, checkNumber, checkOneOf, checkOrder } from '../runtime/validate.js';

export type CyclicMode = 'triangular' | 'triangular2' | 'expRange';

export interface CyclicOptions {
  /** lower bound of the cycle (torch base_lr) */
  lr: number;
  /** upper bound (>= lr) */
  maxLr: number;
  /** steps from lr up to maxLr (default 2000, as torch) */
  stepSizeUp?: number;
  /** steps from maxLr down to lr (default stepSizeUp) */
  stepSizeDown?: number;
  /** amplitude per cycle: 1 (triangular), 1/2^(c−1) (triangular2), γ^t (expRange) */
  mode?: CyclicMode;
  /** expRange decay per step (default 1) */
  gamma?: number;
  /** momentum at the peak of the rate (default 0.8, as torch) */
  baseMomentum?: number;
  /** momentum at the bottom of the rate (default 0.9, as torch) */
  maxMomentum?: number;
}

/**
 * torch `CyclicLR`: with S = up + down, c = ⌊1 + t/S⌋, x = 1 + t/S − c and
 * r = up/S, the position h = x/r on the way up, (x − 1)/(r − 1) on the way down;
 * η(t) = lr + (maxLr − lr) · h · scale, momentum(t) = maxM − (maxM − baseM) · h · scale,
 * scale = 1 | 1/2^(c−1) | γ^t by mode.
 */
export function cyclic(options: CyclicOptions): CycleSchedule {
  const op = 'cyclic';
  const o = checkOptions(op, options, ['lr', 'maxLr', 'stepSizeUp', 'stepSizeDown', 'mode', 'gamma', 'baseMomentum', 'maxMomentum']);
  const lr = checkNumber(op, 'lr', o.lr, POSITIVE);
  const maxLr = checkNumber(op, 'maxLr', o.maxLr, POSITIVE);
  checkOrder(op, maxLr >= lr, 'maxLr', maxLr, '>=', 'lr', lr);
  const up = checkNumber(op, 'stepSizeUp', o.stepSizeUp ?? 2000, POSITIVE_INT);
  const down = checkNumber(op, 'stepSizeDown', o.stepSizeDown ?? up, POSITIVE_INT);
  const mode = checkOneOf(op, 'mode', o.mode ?? 'triangular', ['triangular', 'triangular2', 'expRange'] as const);
  const gamma = checkNumber(op, 'gamma', o.gamma ?? 1, POSITIVE);
  const [baseM, maxM] = momenta(op, o.baseMomentum ?? 0.8, o.maxMomentum ?? 0.9);
  const total = up + down;
  const ratio = up / total;
  // (position h in [0, 1], amplitude scale) at step t, in torch's order of operations
  const at = (t: number): [number, number] => {
    const cycle = Math.floor(1 + t / total);
    const x = 1 + t / total - cycle;
    const h = x <= ratio ? x / ratio : (x - 1) / (ratio - 1);
    const scale = mode === 'triangular' ? 1 : mode === 'triangular2' ? 1 / 2 ** (cycle - 1) : gamma ** t;
    return [h, scale];
  };
  const s = makeSchedule(op, lr, (t) => {
    const [h, scale] = at(t);
    return lr + (maxLr - lr) * h * scale;
  });
  return withMomentum(s, (t) => {
    const [h, scale] = at(checkStep(op, t));
    return maxM - (maxM - baseM) * h * scale;
  });
}

export interface OneCycleOptions {
  /** the peak rate */
  maxLr: number;
  /** length of the cycle in steps; steps past it are an error, as in torch */
  totalSteps: number;
  /** fraction of the steps spent increasing the rate (default 0.3) */
  pctStart?: number;
  /** 'cos' (default) or 'linear' interpolation inside each phase */
  anneal?: 'cos' | 'linear';
  /** the start rate is maxLr / divFactor (default 25) */
  divFactor?: number;
  /** the final rate is maxLr / divFactor / finalDivFactor (default 1e4) */
  finalDivFactor?: number;
  /** three phases (up, back down to the start rate, annihilate) as fastai; default false */
  threePhase?: boolean;
  /** momentum at the peak rate (default 0.85) */
  baseMomentum?: number;
  /** momentum at the start and the end (default 0.95) */
  maxMomentum?: number;
}

/**
 * torch `OneCycleLR` (Smith & Topin 2018): η rises from maxLr/div to maxLr over
 * the first pctStart·T − 1 steps, then falls to maxLr/(div·finalDiv) at step
 * T − 1 (three-phase: back to maxLr/div at 2·pctStart·T − 2 first); inside a phase
 * from a to b at fraction p, cos: b + (a − b)(1 + cos πp)/2, linear: a + (b − a)p.
 * Momentum moves the opposite way between maxMomentum and baseMomentum.
 * Like torch, step T (one past the last) is allowed and extrapolates; steps > T throw.
 */
export function oneCycle(options: OneCycleOptions): CycleSchedule {
  const op = 'oneCycle';
  const o = checkOptions(op, options, ['maxLr', 'totalSteps', 'pctStart', 'anneal', 'divFactor', 'finalDivFactor', 'threePhase', 'baseMomentum', 'maxMomentum']);
  const maxLr = checkNumber(op, 'maxLr', o.maxLr, POSITIVE);
  const total = checkNumber(op, 'totalSteps', o.totalSteps, POSITIVE_INT);
  const pct = checkNumber(op, 'pctStart', o.pctStart ?? 0.3, UNIT);
  const anneal = checkOneOf(op, 'anneal', o.anneal ?? 'cos', ['cos', 'linear'] as const);
  const div = checkNumber(op, 'divFactor', o.divFactor ?? 25, POSITIVE);
  const finalDiv = checkNumber(op, 'finalDivFactor', o.finalDivFactor ?? 1e4, POSITIVE);
  const three = checkBool(op, 'threePhase', o.threePhase ?? false);
  const [baseM, maxM] = momenta(op, o.baseMomentum ?? 0.85, o.maxMomentum ?? 0.95);
  const initial = maxLr / div;
  const minLr = initial / finalDiv;
  // phases: [end step, lr from, lr to, momentum from, momentum to]
  const phases: [number, number, number, number, number][] = three
    ? [
        [pct * total - 1, initial, maxLr, maxM, baseM],
        [2 * pct * total - 2, maxLr, initial, baseM, maxM],
        [total - 1, initial, minLr, maxM, maxM],
      ]
    : [
        [pct * total - 1, initial, maxLr, maxM, baseM],
        [total - 1, maxLr, minLr, baseM, maxM],
      ];
  // every phase needs a positive length, or torch divides by zero
  let prev = 0;
  for (const [end] of phases) {
    if (!(end > prev)) {
      throw new ValueError(
        `${op}: pctStart (${pct}) and totalSteps (${total}) leave a phase of ${end - prev} steps${three ? ' (threePhase)' : ''}; every phase needs more than 0 steps`,
      );
    }
    prev = end;
  }
  const interp =
    anneal === 'cos'
      ? (a: number, b: number, p: number) => b + ((a - b) / 2) * (Math.cos(Math.PI * p) + 1)
      : (a: number, b: number, p: number) => (b - a) * p + a;
  const at = (t: number, momentum: boolean): number => {
    if (t > total) throw new ValueError(`${op}: step ${t} is past totalSteps (${total})`);
    let start = 0;
    for (let i = 0; i < phases.length; i++) {
      const [end, l0, l1, m0, m1] = phases[i];
      if (t <= end || i === phases.length - 1) {
        const p = (t - start) / (end - start);
        return momentum ? interp(m0, m1, p) : interp(l0, l1, p);
      }
      start = end;
    }
    return NaN; // unreachable
  };
  const s = makeSchedule(op, initial, (t) => at(t, false));
  return withMomentum(s, (t) => at(checkStep(op, t), true));
}

function momenta(op: string, b: unknown, m: unknown): [number, number] {
  const baseM = checkNumber(op, 'baseMomentum', b, UNIT_OPEN);
  const maxM = checkNumber(op, 'maxMomentum', m, UNIT_OPEN);
  checkOrder(op, baseM <= maxM, 'baseMomentum', baseM, '<=', 'maxMomentum', maxM);
  return [baseM, maxM];
}

function withMomentum(s: ReturnType<typeof makeSchedule>, momentum: (t: number) => number): CycleSchedule {
  Object.defineProperty(s, 'momentum', { value: momentum, enumerable: true });
  return s as CycleSchedule;
}
