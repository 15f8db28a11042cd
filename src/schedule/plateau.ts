// Reduce the learning rate when a metric stops improving (torch ReduceLROnPlateau).
import { ValueError } from '../errors.js';
import { checkOptions, type Schedule } from './types.js';
import { checkNumber, checkOneOf, checkOrder, COUNT, describe, NON_NEGATIVE, POSITIVE, UNIT_OPEN } from '../runtime/validate.js';

export interface ReduceOnPlateauOptions {
  /** the starting rate */
  lr: number;
  /** 'min' (default): lower is better (a loss); 'max': higher is better (an accuracy) */
  mode?: 'min' | 'max';
  /** multiplier on a reduction, in (0, 1) (default 0.1) */
  factor?: number;
  /** updates without improvement tolerated before a reduction (default 10) */
  patience?: number;
  /** how much better counts as better (default 1e-4) */
  threshold?: number;
  /** 'rel' (default): better than best·(1 ∓ threshold); 'abs': best ∓ threshold */
  thresholdMode?: 'rel' | 'abs';
  /** updates to wait after a reduction before counting again (default 0) */
  cooldown?: number;
  /** lower bound on the rate (default 0) */
  minLr?: number;
  /** a reduction smaller than eps is skipped (default 1e-8) */
  eps?: number;
}

/** Plain data: everything `loadState` needs to continue exactly. */
export interface ReduceOnPlateauState {
  kind: 'reduceOnPlateau';
  lr: number;
  /** best metric so far (±Infinity before the first update) */
  best: number;
  numBadEpochs: number;
  cooldownCounter: number;
  /** number of updates so far */
  updates: number;
}

/**
 * torch `ReduceLROnPlateau`, as a stateful object. Each `update(metric)`:
 * if the metric is better than `best` (by `threshold`, relative or absolute),
 * it becomes `best` and the bad count resets, else the bad count grows; during
 * cooldown bad updates are not counted; once the count exceeds `patience`,
 * lr ← max(lr · factor, minLr) (skipped when that changes lr by ≤ eps) and the
 * cooldown starts. A NaN metric is never better (as in torch).
 *
 * Give an optimizer `lr: plateau.schedule` (or set `optimizer.lr = plateau.update(loss)`).
 */
export class ReduceOnPlateau {
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minLr: number;
  readonly eps: number;
  private s: ReduceOnPlateauState;
  /** A schedule that reads the current rate (whatever the step): `lr: plateau.schedule`. */
  readonly schedule: Schedule;

  constructor(options: ReduceOnPlateauOptions) {
    const op = 'reduceOnPlateau';
    const o = checkOptions(op, options, ['lr', 'mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps']);
    const lr = checkNumber(op, 'lr', o.lr, POSITIVE);
    this.mode = checkOneOf(op, 'mode', o.mode ?? 'min', ['min', 'max'] as const);
    const factor = checkNumber(op, 'factor', o.factor ?? 0.1, POSITIVE);
    checkOrder(op, factor < 1, 'factor', factor, '<', '1', 1);
    this.factor = factor;
    this.patience = checkNumber(op, 'patience', o.patience ?? 10, COUNT);
    this.threshold = checkNumber(op, 'threshold', o.threshold ?? 1e-4, NON_NEGATIVE);
    this.thresholdMode = checkOneOf(op, 'thresholdMode', o.thresholdMode ?? 'rel', ['rel', 'abs'] as const);
    if (this.thresholdMode === 'rel') checkNumber(op, 'threshold', this.threshold, UNIT_OPEN);
    this.cooldown = checkNumber(op, 'cooldown', o.cooldown ?? 0, COUNT);
    this.minLr = checkNumber(op, 'minLr', o.minLr ?? 0, NON_NEGATIVE);
    checkOrder(op, this.minLr <= lr, 'minLr', this.minLr, '<=', 'lr', lr);
    this.eps = checkNumber(op, 'eps', o.eps ?? 1e-8, NON_NEGATIVE);
    this.s = { kind: 'reduceOnPlateau', lr, best: this.worst, numBadEpochs: 0, cooldownCounter: 0, updates: 0 };
    const schedule = (): number => this.s.lr;
    Object.defineProperty(schedule, 'baseLr', { value: lr, enumerable: true });
    this.schedule = schedule as Schedule;
  }

  /** The current rate. */
  get lr(): number {
    return this.s.lr;
  }

  /** Best metric so far. */
  get best(): number {
    return this.s.best;
  }

  private get worst(): number {
    return this.mode === 'min' ? Infinity : -Infinity;
  }

  private isBetter(a: number, best: number): boolean {
    const th = this.threshold;
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < best * (1 - th) : a < best - th;
    return this.thresholdMode === 'rel' ? a > best * (1 + th) : a > best + th;
  }

  /** Feeds one metric value (e.g. the validation loss of an epoch); returns the rate to use next. */
  update(metric: number): number {
    if (typeof metric !== 'number') throw new ValueError(`reduceOnPlateau: metric must be a number, got ${typeof metric}`);
    const s = this.s;
    s.updates++;
    if (this.isBetter(metric, s.best)) {
      s.best = metric;
      s.numBadEpochs = 0;
    } else {
      s.numBadEpochs++;
    }
    if (s.cooldownCounter > 0) {
      s.cooldownCounter--;
      s.numBadEpochs = 0;
    }
    if (s.numBadEpochs > this.patience) {
      const next = Math.max(s.lr * this.factor, this.minLr);
      if (s.lr - next > this.eps) s.lr = next;
      s.cooldownCounter = this.cooldown;
      s.numBadEpochs = 0;
    }
    return s.lr;
  }

  state(): ReduceOnPlateauState {
    return { ...this.s };
  }

  /** Restores a `state()`; a malformed state throws and changes nothing. */
  loadState(state: ReduceOnPlateauState): void {
    const op = 'reduceOnPlateau.loadState';
    if (state === null || typeof state !== 'object' || state.kind !== 'reduceOnPlateau') {
      throw new ValueError(`${op}: state must come from reduceOnPlateau.state(), got kind ${describe((state as { kind?: unknown } | null)?.kind)}`);
    }
    const lr = checkNumber(op, 'lr', state.lr, POSITIVE);
    if (typeof state.best !== 'number' || Number.isNaN(state.best)) throw new ValueError(`${op}: best must be a number, got ${describe(state.best)}`);
    const numBadEpochs = checkNumber(op, 'numBadEpochs', state.numBadEpochs, COUNT);
    const cooldownCounter = checkNumber(op, 'cooldownCounter', state.cooldownCounter, COUNT);
    const updates = checkNumber(op, 'updates', state.updates, COUNT);
    this.s = { kind: 'reduceOnPlateau', lr, best: state.best, numBadEpochs, cooldownCounter, updates };
  }
}

/** Builds a `ReduceOnPlateau` (torch ReduceLROnPlateau). */
export function reduceOnPlateau(options: ReduceOnPlateauOptions): ReduceOnPlateau {
  return new ReduceOnPlateau(options);
}
