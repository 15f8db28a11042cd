/**
 * `tuneHyper`: gradient descent on log h with hypergradients (hypergradient.ts),
 *
 *   u = log h,   dL_val/du = h · dL_val/dh,   u ← u − α · clamp(dL_val/du, ±maxStep/α)
 *
 * (a step on the log scale is a relative change of h, so one α fits a weight
 * decay of 1e-4 and of 1; the clamp bounds one step to a factor e^maxStep).
 * Each step warm-starts the inner training from the previous optimum. The
 * result is the visited h with the lowest validation loss, and every step.
 */
import { ValueError } from '../errors.js';
import type { Core } from '../runtime/core.js';
import { checkHyper, hypergradient, type HypergradientOptions, type HypergradientResult } from './hypergradient.js';

export interface TuneHyperOptions extends Omit<HypergradientOptions, 'value'> {
  /** the starting value (λ > 0 or η > 0) */
  init: number;
  /** hypergradient steps (default 10) */
  steps?: number;
  /** α, the step size on log h (default 1) */
  stepSize?: number;
  /** largest |Δ log h| per step (default 1) */
  maxStep?: number;
}

export interface TuneStep {
  value: number;
  loss: number;
  grad: number;
  innerIterations: number;
  cgIterations: number;
}

export interface TuneHyperResult {
  /** the visited value with the lowest validation loss */
  value: number;
  loss: number;
  history: TuneStep[];
}

export function tuneHyper(core: Core, o: TuneHyperOptions): TuneHyperResult {
  const op = 'meta.tuneHyper';
  if (o === null || typeof o !== 'object') throw new ValueError(`${op}: options must be an object, got ${o === null ? 'null' : typeof o}`);
  checkHyper(op, o.hyper);
  const pos = (name: string, v: unknown, d: number): number => {
    const x = v ?? d;
    if (typeof x !== 'number' || !(x > 0) || !Number.isFinite(x)) throw new ValueError(`${op}: ${name} must be a finite number > 0, got ${typeof x === 'number' ? x : typeof x}`);
    return x;
  };
  let u = Math.log(pos('init', o.init, NaN));
  const steps = pos('steps', o.steps, 10);
  if (!Number.isInteger(steps)) throw new ValueError(`${op}: steps must be an integer, got ${steps}`);
  const alpha = pos('stepSize', o.stepSize, 1);
  const maxStep = pos('maxStep', o.maxStep, 1);
  const history: TuneStep[] = [];
  let from = o.from;
  let best = { value: NaN, loss: Infinity };
  for (let k = 0; k <= steps; k++) {
    const value = Math.exp(u);
    const r: HypergradientResult = hypergradient(core, { ...o, value, from });
    if (o.hyper === 'weightDecay') from = r.parameters; // warm start (lr restarts from the same θ_0)
    history.push({ value, loss: r.value, grad: r.grad, innerIterations: r.innerIterations, cgIterations: r.cgIterations });
    if (r.value < best.loss) best = { value, loss: r.value };
    if (k === steps) break;
    const du = value * r.grad;
    u -= Math.max(-maxStep, Math.min(maxStep, alpha * du));
  }
  return { value: best.value, loss: best.loss, history };
}
