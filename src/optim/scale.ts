/**
 * Scaling and additive transforms (Optax's `transform.py` scale family):
 * constant scale, the learning rate (the one sign flip), a schedule,
 * decayed weights and Gaussian noise. Each is one `f32_axpby` call
 * (y <- a*x + b*y) over the n updates, plus one RNG fill for the noise.
 */
import { ValueError } from '../errors.js';
import { seedWords } from '../runtime/rng.js';
import { checkNumber, describe, NON_NEGATIVE } from '../runtime/validate.js';
import { checkLr, type LearningRate, lrAt, type Schedule } from './options.js';
import { type GradientTransformation, transform } from './transform.js';

/** u <- c * u */
export function scale(c: number): GradientTransformation {
  checkNumber('scale', 'c', c);
  return transform('scale', {}, (s, u) => {
    s.engine.kernels.f32_axpby(s.n, u, u, 0, c);
    s.count++;
    return true;
  });
}

/**
 * u <- -lr * u: the one place the sign flips. Without an argument it uses the
 * optimizer group's lr (number or schedule, evaluated at the optimizer's step);
 * with one, its own (a schedule is evaluated at this transform's count).
 */
export function scaleByLearningRate(lr?: LearningRate): GradientTransformation {
  if (lr !== undefined) checkLr('scaleByLearningRate', lr);
  return transform('scaleByLearningRate', {}, (s, u, ctx) => {
    const v = lr === undefined ? ctx.lr : lrAt('scaleByLearningRate', lr, s.count);
    s.engine.kernels.f32_axpby(s.n, u, u, 0, -v);
    s.count++;
    return true;
  });
}

/** u <- schedule(count) * u (no sign flip; Optax scale_by_schedule). */
export function scaleBySchedule(schedule: Schedule): GradientTransformation {
  if (typeof schedule !== 'function') throw new ValueError(`scaleBySchedule: schedule must be a function (step) => number, got ${describe(schedule)}`);
  return transform('scaleBySchedule', {}, (s, u) => {
    const c = schedule(s.count);
    if (typeof c !== 'number' || !Number.isFinite(c)) throw new ValueError(`scaleBySchedule: the schedule returned ${describe(c)} at step ${s.count}`);
    s.engine.kernels.f32_axpby(s.n, u, u, 0, c);
    s.count++;
    return true;
  });
}

/** u <- u + wd * p (L2 / decoupled weight decay, by its place in the chain). */
export function addDecayedWeights(weightDecay: number): GradientTransformation {
  checkNumber('addDecayedWeights', 'weightDecay', weightDecay, NON_NEGATIVE);
  return transform('addDecayedWeights', {}, (s, u, ctx) => {
    if (weightDecay !== 0) s.engine.kernels.f32_axpby(s.n, ctx.params, u, weightDecay, 1);
    s.count++;
    return true;
  });
}

export interface AddNoiseOptions {
  /** standard deviation: a number, or a function of (count, lr); e.g. Optax's (t) => sqrt(eta / (1 + t)^gamma) */
  stddev: number | ((count: number, lr: number) => number);
  /** default 0 */
  seed?: number;
}

/** u <- u + stddev * xi, xi ~ N(0, I) from the core's seeded RNG (its 16-byte state is part of the transform's state). */
export function addNoise(options: AddNoiseOptions): GradientTransformation {
  const { stddev, seed = 0 } = options;
  if (typeof stddev !== 'function') checkNumber('addNoise', 'stddev', stddev, NON_NEGATIVE);
  return transform(
    'addNoise',
    { noise: 0 },
    (s, u, ctx) => {
      const sd = typeof stddev === 'number' ? stddev : stddev(s.count, ctx.lr);
      if (typeof sd !== 'number' || !(sd >= 0) || !Number.isFinite(sd)) throw new ValueError(`addNoise: stddev must be finite and >= 0, got ${describe(sd)} at count ${s.count}`);
      const k = s.engine.kernels;
      k.f32_rng_normal(s.n, s.rng, s.ptr.noise, 0, sd);
      k.f32_axpby(s.n, s.ptr.noise, u, 1, 1);
      s.count++;
      return true;
    },
    { seed: seedWords('addNoise', seed) },
  );
}
