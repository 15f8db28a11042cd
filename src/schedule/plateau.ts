// Reduce the learning rate when a metric stops improving (torch ReduceLROnPlateau).
import { ValueError } from '../errors.js';
import { inRange, integer, nonNegative, oneOf, opts, order, positive, type Schedule } from './types.js';

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
    const o = opts(op, options);
    const lr = positive(op, 'lr', o.lr);
    this.mode = oneOf(op, 'mode', o.mode ?? 'min', ['min', 'max'] as const);
    const factor = positive(op, 'factor', o.factor ?? 0.1);
    order(op, factor < 1, 'factor', factor, '<', '1', 1);
    this.factor = factor;
    this.patience = integer(op, 'patience', o.patience ?? 10, 0);
    this.threshold = nonNegative(op, 'threshold', o.threshold ?? 1e-4);
    this.thresholdMode = oneOf(op, 'thresholdMode', o.thresholdMode ?? 'rel', ['rel', 'abs'] as const);
    if (this.thresholdMode === 'rel') inRange(op, 'threshold', this.threshold, 0, 1, true);
    this.cooldown = integer(op, 'cooldown', o.cooldown ?? 0, 0);
    this.minLr = nonNegative(op, 'minLr', o.minLr ?? 0);
    order(op, this.minLr <= lr, 'minLr', this.minLr, '<=', 'lr', lr);
    this.eps = nonNegative(op, 'eps', o.eps ?? 1e-8);
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
      throw new ValueError(`${op}: state must come from reduceOnPlateau.state(), got kind ${String((state as { kind?: unknown } | null)?.kind)}`);
    }
    const lr = positive(op, 'lr', state.lr);
    if (typeof state.best !== 'number' || Number.isNaN(state.best)) throw new ValueError(`${op}: best must be a number, got ${String(state.best)}`);
    const numBadEpochs = integer(op, 'numBadEpochs', state.numBadEpochs, 0);
    const cooldownCounter = integer(op, 'cooldownCounter', state.cooldownCounter, 0);
    const updates = integer(op, 'updates', state.updates, 0);
    this.s = { kind: 'reduceOnPlateau', lr, best: state.best, numBadEpochs, cooldownCounter, updates };
  }
}

/** Builds a `ReduceOnPlateau` (torch ReduceLROnPlateau). */
export function reduceOnPlateau(options: ReduceOnPlateauOptions): ReduceOnPlateau {
  return new ReduceOnPlateau(options);
}
