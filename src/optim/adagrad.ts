/**
 * The accumulated-square family: AdaGrad, RMSprop (plain and centered) and
 * Adadelta, each as a `scaleBy*` transform and as the optimizer that fuses
 * it with weight decay and the lr step. The formula is written once, on the
 * transform; the rule's doc says what the optimizer adds and where PyTorch,
 * Optax and Keras differ. Notation: see rule.ts.
 */
import { checkBool, checkNumber, NON_NEGATIVE, POSITIVE, UNIT } from '../runtime/validate.js';
import type { LearningRate } from './options.js';
import { prefix, type Rule, sgn } from './rule.js';
import { scaleByLearningRate, scaleBySchedule } from './scale.js';
import { trace } from './sgd.js';
import { chain, type GradientTransformation, transform } from './transform.js';

/** weightDecay >= 0 and maximize: the options every rule here adds to its transform's */
function checkDecay(op: string, o: { weightDecay?: number; maximize?: boolean }): void {
  checkNumber(op, 'weightDecay', o.weightDecay, NON_NEGATIVE);
  checkBool(op, 'maximize', o.maximize);
}

// ---- AdaGrad ---------------------------------------------------------------

function checkAdagrad(op: string, o: { initialAccumulatorValue?: number; eps?: number }): void {
  checkNumber(op, 'initialAccumulatorValue', o.initialAccumulatorValue, NON_NEGATIVE);
  checkNumber(op, 'eps', o.eps, POSITIVE);
}

/**
 * AdaGrad scaling (Duchi, Hazan & Singer 2011): s <- s + u^2, u <- u / (sqrt(s) + eps);
 * s starts at initialAccumulatorValue. eps outside the root (PyTorch); Optax's
 * scale_by_rss puts it inside (sqrt(s + eps)) with initial accumulator 0.1, Keras's
 * initial accumulator is 0.1 too.
 */
export function scaleByAdagrad(options: { initialAccumulatorValue?: number; eps?: number } = {}): GradientTransformation {
  const { initialAccumulatorValue = 0, eps = 1e-10 } = options;
  checkAdagrad('scaleByAdagrad', { initialAccumulatorValue, eps });
  return transform('scaleByAdagrad', { s: initialAccumulatorValue }, (s, u) => {
    s.engine.kernels.f32_tx_adagrad(s.n, u, s.ptr.s, eps);
    s.count++;
    return true;
  });
}

export interface AdagradOptions {
  lr?: LearningRate;
  lrDecay?: number;
  weightDecay?: number;
  initialAccumulatorValue?: number;
  eps?: number;
  maximize?: boolean;
}

/** Adagrad (torch.optim.Adagrad): scaleByAdagrad on d, then p <- p - lr/(1 + (t-1)*lrDecay) * u. */
export const adagradRule: Rule<AdagradOptions> = {
  name: 'adagrad',
  defaults: { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false },
  schedulable: ['lr'],
  validate(o) {
    checkNumber('adagrad', 'lrDecay', o.lrDecay, NON_NEGATIVE);
    checkAdagrad('adagrad', o);
    checkDecay('adagrad', o);
  },
  buffers: (o) => ({ s: o.initialAccumulatorValue! }),
  fused({ k, n, g, p, buf, o, lr, t }) {
    k.f32_adagrad(n, g, p, buf.s, lr / (1 + (t - 1) * o.lrDecay!), o.eps!, o.weightDecay!, sgn(o.maximize!));
  },
  chain(o) {
    const decay = o.lrDecay!;
    return chain(
      ...prefix(o.maximize!, o.weightDecay!),
      scaleByAdagrad({ initialAccumulatorValue: o.initialAccumulatorValue, eps: o.eps }),
      ...(decay !== 0 ? [scaleBySchedule((c) => 1 / (1 + c * decay))] : []),
      scaleByLearningRate(),
    );
  },
};

// ---- RMSprop ---------------------------------------------------------------

function checkRms(op: string, o: { alpha?: number; eps?: number; centered?: boolean }): void {
  checkNumber(op, 'alpha', o.alpha, UNIT);
  checkNumber(op, 'eps', o.eps, POSITIVE);
  checkBool(op, 'centered', o.centered);
}

/**
 * RMS scaling (Tieleman & Hinton 2012; centered: Graves 2013), PyTorch convention:
 * s <- alpha*s + (1-alpha)*u^2; u <- u / (sqrt(s - ga^2) + eps) with ga <- alpha*ga +
 * (1-alpha)*u when centered, else u / (sqrt(s) + eps). eps outside the root (PyTorch);
 * Optax's scale_by_rms and TF put eps inside.
 */
export function scaleByRms(options: { alpha?: number; eps?: number; centered?: boolean } = {}): GradientTransformation {
  const { alpha = 0.99, eps = 1e-8, centered = false } = options;
  checkRms('scaleByRms', { alpha, eps, centered });
  return transform('scaleByRms', centered ? { s: 0, ga: 0 } : { s: 0 }, (s, u) => {
    s.engine.kernels.f32_tx_rms(s.n, u, s.ptr.s, centered ? s.ptr.ga : 0, alpha, 1 - alpha, eps, centered ? 1 : 0);
    s.count++;
    return true;
  });
}

export interface RmspropOptions {
  lr?: LearningRate;
  alpha?: number;
  eps?: number;
  weightDecay?: number;
  momentum?: number;
  centered?: boolean;
  maximize?: boolean;
}

/**
 * RMSprop (torch.optim.RMSprop): scaleByRms on d; with momentum mu, buf <- mu*buf + u
 * and p <- p - lr*buf (trace without dampening), else p <- p - lr*u.
 */
export const rmspropRule: Rule<RmspropOptions> = {
  name: 'rmsprop',
  defaults: { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false },
  schedulable: ['lr'],
  validate(o) {
    checkRms('rmsprop', o);
    checkNumber('rmsprop', 'momentum', o.momentum, NON_NEGATIVE);
    checkDecay('rmsprop', o);
  },
  buffers(o) {
    const b: Record<string, number> = { s: 0 };
    if (o.centered) b.ga = 0;
    if (o.momentum! > 0) b.buf = 0;
    return b;
  },
  fused({ k, n, g, p, buf, o, lr }) {
    const flags = (o.centered ? 1 : 0) | (o.momentum! > 0 ? 2 : 0);
    k.f32_rmsprop(n, g, p, buf.s, buf.ga ?? 0, buf.buf ?? 0, lr, o.alpha!, 1 - o.alpha!, o.eps!, o.weightDecay!, sgn(o.maximize!), o.momentum!, flags);
  },
  chain: (o) =>
    chain(
      ...prefix(o.maximize!, o.weightDecay!),
      scaleByRms({ alpha: o.alpha, eps: o.eps, centered: o.centered }),
      ...(o.momentum! > 0 ? [trace({ momentum: o.momentum! })] : []),
      scaleByLearningRate(),
    ),
};

// ---- Adadelta --------------------------------------------------------------

function checkAdadelta(op: string, o: { rho?: number; eps?: number }): void {
  checkNumber(op, 'rho', o.rho, UNIT);
  checkNumber(op, 'eps', o.eps, POSITIVE);
}

/**
 * Adadelta scaling (Zeiler 2012): s <- rho*s + (1-rho)*u^2;
 * u <- sqrt(acc + eps)/sqrt(s + eps) * u; acc <- rho*acc + (1-rho)*u^2 (the new u).
 * eps 1e-6 (PyTorch, Optax); Keras 1e-7.
 */
export function scaleByAdadelta(options: { rho?: number; eps?: number } = {}): GradientTransformation {
  const { rho = 0.9, eps = 1e-6 } = options;
  checkAdadelta('scaleByAdadelta', { rho, eps });
  return transform('scaleByAdadelta', { s: 0, acc: 0 }, (s, u) => {
    s.engine.kernels.f32_tx_adadelta(s.n, u, s.ptr.s, s.ptr.acc, rho, 1 - rho, eps);
    s.count++;
    return true;
  });
}

export interface AdadeltaOptions {
  lr?: LearningRate;
  rho?: number;
  eps?: number;
  weightDecay?: number;
  maximize?: boolean;
}

/** Adadelta (torch.optim.Adadelta): scaleByAdadelta on d, then p <- p - lr*u. PyTorch's lr (default 1) scales the step; the paper has no lr. */
export const adadeltaRule: Rule<AdadeltaOptions> = {
  name: 'adadelta',
  defaults: { lr: 1.0, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false },
  schedulable: ['lr'],
  validate(o) {
    checkAdadelta('adadelta', o);
    checkDecay('adadelta', o);
  },
  buffers: () => ({ s: 0, acc: 0 }),
  fused({ k, n, g, p, buf, o, lr }) {
    k.f32_adadelta(n, g, p, buf.s, buf.acc, lr, o.rho!, 1 - o.rho!, o.eps!, o.weightDecay!, sgn(o.maximize!));
  },
  chain: (o) => chain(...prefix(o.maximize!, o.weightDecay!), scaleByAdadelta({ rho: o.rho, eps: o.eps }), scaleByLearningRate()),
};
