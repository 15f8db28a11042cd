// A PI controller on the log learning rate: sets the rate so that a measured
// signal (the relative loss decrease per step, ‖g‖/loss, an acceptance rate...)
// tracks a setpoint. No PyTorch or Optax equivalent; tested against an f64
// implementation of the formula below and in closed loop.
import { ValueError } from '../errors.js';
import { checkOptions, type Schedule } from './types.js';
import { checkNumber, checkOneOf, checkOrder, describe, POSITIVE } from '../runtime/validate.js';

export interface PIControllerOptions {
  /** the rate before the first update (η₀) */
  lr: number;
  /** the value the signal should take */
  setpoint: number;
  /** proportional gain (default 0.5); negative when the signal falls as the rate rises */
  kp?: number;
  /** integral gain (default 0.1); same sign as kp */
  ki?: number;
  /** lower clamp on the rate (default lr · 1e-6) */
  minLr?: number;
  /** upper clamp on the rate (default lr · 1e6) */
  maxLr?: number;
  /**
   * error e_t: 'log' (default) log(setpoint / signal), needs signal > 0 and
   * setpoint > 0; 'relative' (setpoint − signal)/|setpoint|, any sign.
   */
  error?: 'log' | 'relative';
}

export interface PIControllerState {
  kind: 'piController';
  lr: number;
  /** I_t = Σ e_k over the updates that were integrated */
  integral: number;
  /** e of the last update (0 before any) */
  lastError: number;
  updates: number;
}

/**
 * Positional PI law on u = log η (the rate stays positive and the gains are
 * scale-free):
 *
 *   e_t = log(s* / s_t)                 (or (s* − s_t)/|s*|)
 *   I_t = I_{t−1} + e_t                 (anti-windup below)
 *   η_{t+1} = clamp(η₀ · exp(kp·e_t + ki·I_t), minLr, maxLr)
 *
 * Anti-windup (integrator clamping): when I_{t−1} + e_t would carry the
 * unclamped u = log η₀ + kp·e_t + ki·I_t past log maxLr (or log minLr) in the
 * direction ki·e_t pushes, I_t is the value that puts u on that bound (or stays
 * I_{t−1} if u is past it already). So the rate reaches the bound, and leaves it
 * at the first update whose error points back. With
 * positive gains the rate rises while the signal is below the setpoint (use
 * negative gains for a signal that falls as the rate rises).
 */
export class PIController {
  readonly setpoint: number;
  readonly kp: number;
  readonly ki: number;
  readonly minLr: number;
  readonly maxLr: number;
  readonly error: 'log' | 'relative';
  /** η₀ */
  readonly lr0: number;
  private s: PIControllerState;
  /** A schedule that reads the current rate: `lr: controller.schedule`. */
  readonly schedule: Schedule;

  constructor(options: PIControllerOptions) {
    const op = 'piController';
    const o = checkOptions(op, options, ['lr', 'setpoint', 'kp', 'ki', 'minLr', 'maxLr', 'error']);
    const lr = checkNumber(op, 'lr', o.lr, POSITIVE);
    this.error = checkOneOf(op, 'error', o.error ?? 'log', ['log', 'relative'] as const);
    this.setpoint = this.error === 'log' ? checkNumber(op, 'setpoint', o.setpoint, POSITIVE) : checkNumber(op, 'setpoint', o.setpoint);
    if (this.setpoint === 0) throw new ValueError(`${op}: setpoint must be non-zero for error 'relative', got 0`);
    this.kp = checkNumber(op, 'kp', o.kp ?? 0.5);
    this.ki = checkNumber(op, 'ki', o.ki ?? 0.1);
    if (this.kp * this.ki < 0) throw new ValueError(`${op}: kp (${this.kp}) and ki (${this.ki}) must have the same sign`);
    this.minLr = checkNumber(op, 'minLr', o.minLr ?? lr * 1e-6, POSITIVE);
    this.maxLr = checkNumber(op, 'maxLr', o.maxLr ?? lr * 1e6, POSITIVE);
    checkOrder(op, this.minLr <= lr, 'minLr', this.minLr, '<=', 'lr', lr);
    checkOrder(op, lr <= this.maxLr, 'lr', lr, '<=', 'maxLr', this.maxLr);
    this.lr0 = lr;
    this.s = { kind: 'piController', lr, integral: 0, lastError: 0, updates: 0 };
    const schedule = (): number => this.s.lr;
    Object.defineProperty(schedule, 'baseLr', { value: lr, enumerable: true });
    this.schedule = schedule as Schedule;
  }

  /** The current rate. */
  get lr(): number {
    return this.s.lr;
  }

  /** The integral term I. */
  get integral(): number {
    return this.s.integral;
  }

  /** Feeds one measurement of the signal; returns the rate to use next. Throws (changing nothing) on a non-finite or, for 'log', non-positive signal. */
  update(signal: number): number {
    const op = 'piController.update';
    if (typeof signal !== 'number' || !Number.isFinite(signal)) throw new ValueError(`${op}: signal must be a finite number, got ${describe(signal)}`);
    if (this.error === 'log' && !(signal > 0)) {
      throw new ValueError(`${op}: signal must be > 0 with error 'log', got ${signal} (use error: 'relative' for signals of any sign)`);
    }
    const e = this.error === 'log' ? Math.log(this.setpoint / signal) : (this.setpoint - signal) / Math.abs(this.setpoint);
    const s = this.s;
    const u0 = Math.log(this.lr0);
    const lo = Math.log(this.minLr), hi = Math.log(this.maxLr);
    let integral = s.integral + e;
    const u = u0 + this.kp * e + this.ki * integral;
    const pushedUp = u > hi && this.ki * e > 0;
    if (pushedUp || (u < lo && this.ki * e < 0)) {
      // integrate only up to the value that puts u on the bound (never backwards)
      const onBound = ((pushedUp ? hi : lo) - u0 - this.kp * e) / this.ki;
      integral = (onBound - s.integral) * e > 0 ? onBound : s.integral;
    }
    const uc = Math.min(hi, Math.max(lo, u0 + this.kp * e + this.ki * integral));
    s.integral = integral;
    s.lastError = e;
    s.updates++;
    s.lr = Math.min(this.maxLr, Math.max(this.minLr, Math.exp(uc)));
    return s.lr;
  }

  state(): PIControllerState {
    return { ...this.s };
  }

  /** Restores a `state()`; a malformed state throws and changes nothing. */
  loadState(state: PIControllerState): void {
    const op = 'piController.loadState';
    if (state === null || typeof state !== 'object' || state.kind !== 'piController') {
      throw new ValueError(`${op}: state must come from piController.state(), got kind ${describe((state as { kind?: unknown } | null)?.kind)}`);
    }
    const lr = checkNumber(op, 'lr', state.lr, POSITIVE);
    if (lr < this.minLr || lr > this.maxLr) throw new ValueError(`${op}: lr (${lr}) must be in [minLr, maxLr] = [${this.minLr}, ${this.maxLr}]`);
    const integral = checkNumber(op, 'integral', state.integral);
    const lastError = checkNumber(op, 'lastError', state.lastError);
    const updates = state.updates;
    if (!Number.isSafeInteger(updates) || updates < 0) throw new ValueError(`${op}: updates must be an integer >= 0, got ${updates}`);
    this.s = { kind: 'piController', lr, integral, lastError, updates };
  }
}

/** Builds a `PIController`. */
export function piController(options: PIControllerOptions): PIController {
  return new PIController(options);
}
