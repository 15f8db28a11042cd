/**
 * The optimizers: for each, its options with PyTorch's names and defaults,
 * the update rule, the fused single-kernel step and the same method as a
 * named chain of transforms (transforms.ts). Notation: g gradient, p
 * parameters, t the 1-based step, d = (maximize ? -g : g) + weightDecay * p.
 */
import { ValueError } from '../errors.js';
import type { Kernels } from '../runtime/kernels.js';
import { check, type LearningRate, type Momentum } from './options.js';
import {
  addDecayedWeights,
  addNoise,
  adamFactors,
  chain,
  type GradientTransformation,
  nadamFactors,
  radamFactors,
  scale,
  scaleByAdadelta,
  scaleByAdagrad,
  scaleByAdam,
  scaleByAdamax,
  scaleByLearningRate,
  scaleByNadam,
  scaleByRadam,
  scaleByRms,
  scaleBySchedule,
  scaleBySparseAdam,
  trace,
} from './transforms.js';

/** What a fused step gets (pointers are byte offsets of this group's span). */
export interface FusedStep<O> {
  k: Kernels;
  n: number;
  g: number;
  p: number;
  buf: Record<string, number>;
  o: O;
  /** learning rate at this step */
  lr: number;
  /** 1-based step number */
  t: number;
  scalars: Record<string, number>;
  /** 16-byte RNG state (rules with `rng`) */
  rng: number;
  /** n-float scratch (rules with `scratch`) */
  scratch: number;
  /** i32 row indices and their count (sparse rules) */
  rows: number;
  nrows: number;
}

export interface Rule<O extends { lr?: LearningRate }> {
  readonly name: string;
  /** every option with its default (PyTorch's); `lr: undefined` means required */
  readonly defaults: O;
  /** throws a ValueError naming the option */
  validate(o: O): void;
  /** state buffers per group: name -> initial value */
  buffers(o: O): Record<string, number>;
  /** per-group scalar state and its initial values */
  scalars?: Record<string, number>;
  rng?: boolean;
  scratch?: boolean;
  sparse?: boolean;
  fused(s: FusedStep<O>): void;
  /** validates the scheduled hyperparameters (other than lr) at optimizer step `step` (0-based); runs before anything is written */
  prepare?(o: O, step: number): void;
  /** the same method as a chain (reads lr from the step context); absent when only the fused path exists */
  chain?(o: O, group: number): GradientTransformation;
}

const sgn = (maximize: boolean): number => (maximize ? -1 : 1);
/** the optional leading transforms: maximize (scale -1) and L2 weight decay */
function prefix(maximize: boolean, weightDecay: number): GradientTransformation[] {
  const out: GradientTransformation[] = [];
  if (maximize) out.push(scale(-1));
  if (weightDecay !== 0) out.push(addDecayedWeights(weightDecay));
  return out;
}

// ---------------------------------------------------------------------------

export interface SgdOptions {
  /** required */
  lr?: LearningRate;
  /** a number >= 0, or a schedule (step) => number in [0, 1) read every step (e.g. schedules.oneCycle(...).momentum) */
  momentum?: Momentum;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
  maximize?: boolean;
  /** use the heavy-ball form v <- momentum*v - lr*d; p <- p + v (needs dampening 0, no Nesterov) */
  heavyBall?: boolean;
}

/**
 * SGD (torch.optim.SGD). d = ±g + wd*p; with momentum mu: buf = d on the first step,
 * then buf <- mu*buf + (1 - dampening)*d; step u = buf (or d + mu*buf with Nesterov,
 * Sutskever et al. 2013); p <- p - lr*u. Without momentum this is plain (full-batch) GD.
 * heavyBall (Polyak 1964): v <- mu*v - lr*d; p <- p + v. With a constant lr it is the same
 * method, v = -lr*buf; when lr changes, PyTorch's form applies the new lr to the whole
 * buffer (past gradients included) while heavy ball keeps past velocities at their old lr.
 * Optax's sgd is trace() then scale; Keras's SGD momentum is the heavy-ball form.
 */
/** momentum on: a schedule, or a number > 0 */
const hasMomentum = (o: SgdOptions): boolean => typeof o.momentum === 'function' || o.momentum! > 0;

export const sgdRule: Rule<SgdOptions> = {
  name: 'sgd',
  defaults: { lr: undefined, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, heavyBall: false },
  validate(o) {
    if (typeof o.momentum !== 'function') check.nonNegative('sgd', 'momentum', o.momentum);
    check.range('sgd', 'dampening', o.dampening, 0, 1, true);
    check.nonNegative('sgd', 'weightDecay', o.weightDecay);
    check.bool('sgd', 'nesterov', o.nesterov);
    check.bool('sgd', 'maximize', o.maximize);
    check.bool('sgd', 'heavyBall', o.heavyBall);
    if (o.nesterov && (!hasMomentum(o) || o.dampening !== 0)) {
      throw new ValueError(`sgd: nesterov needs momentum > 0 and dampening 0, got momentum ${o.momentum} and dampening ${o.dampening}`);
    }
    if (o.heavyBall && (o.nesterov || o.dampening !== 0)) {
      throw new ValueError(`sgd: heavyBall needs nesterov false and dampening 0, got nesterov ${o.nesterov} and dampening ${o.dampening}`);
    }
  },
  buffers: (o): Record<string, number> => (hasMomentum(o) ? { buf: 0 } : {}),
  prepare(o, step) {
    if (typeof o.momentum === 'function') check.momentumValue('sgd', 'momentum', o.momentum(step), step);
  },
  fused({ k, n, g, p, buf, o, lr, t }) {
    const s = sgn(o.maximize!), wd = o.weightDecay!, m = o.momentum!;
    const mu = typeof m === 'number' ? m : check.momentumValue('sgd', 'momentum', m(t - 1), t - 1);
    if (!hasMomentum(o)) k.f32_sgd(n, g, p, lr, wd, s);
    else if (o.heavyBall) k.f32_sgd_heavy_ball(n, g, p, buf.buf, lr, wd, s, mu);
    else {
      const first = t === 1;
      k.f32_sgd_momentum(n, g, p, buf.buf, lr, wd, s, first ? 0 : mu, first ? 1 : 1 - o.dampening!, o.nesterov ? 1 : 0, o.nesterov ? mu : 1);
    }
  },
  chain(o) {
    const mu = o.momentum!;
    const parts = prefix(o.maximize!, o.weightDecay!);
    if (!hasMomentum(o)) return chain(...parts, scaleByLearningRate());
    if (o.heavyBall) return chain(...parts, scaleByLearningRate(), trace({ momentum: mu }));
    return chain(...parts, trace({ momentum: mu, dampening: o.dampening, nesterov: o.nesterov }), scaleByLearningRate());
  },
};

export interface AdagradOptions {
  lr?: LearningRate;
  lrDecay?: number;
  weightDecay?: number;
  initialAccumulatorValue?: number;
  eps?: number;
  maximize?: boolean;
}

/**
 * Adagrad (Duchi, Hazan & Singer 2011; torch.optim.Adagrad): s <- s + d^2;
 * p <- p - lr/(1 + (t-1)*lrDecay) * d / (sqrt(s) + eps). eps outside the root (PyTorch);
 * Optax's scale_by_rss puts it inside (sqrt(s + eps)) with initial accumulator 0.1;
 * Keras's default initial accumulator is 0.1 too.
 */
export const adagradRule: Rule<AdagradOptions> = {
  name: 'adagrad',
  defaults: { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false },
  validate(o) {
    check.nonNegative('adagrad', 'lrDecay', o.lrDecay);
    check.nonNegative('adagrad', 'weightDecay', o.weightDecay);
    check.nonNegative('adagrad', 'initialAccumulatorValue', o.initialAccumulatorValue);
    check.positive('adagrad', 'eps', o.eps);
    check.bool('adagrad', 'maximize', o.maximize);
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
 * RMSprop (Tieleman & Hinton 2012; centered: Graves 2013; torch.optim.RMSprop):
 * s <- alpha*s + (1-alpha)*d^2; den = sqrt(s - mean^2 if centered) + eps;
 * momentum: buf <- mu*buf + d/den, p <- p - lr*buf; else p <- p - lr*d/den.
 * eps outside the root (PyTorch); TF and Optax add eps inside the root.
 */
export const rmspropRule: Rule<RmspropOptions> = {
  name: 'rmsprop',
  defaults: { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false },
  validate(o) {
    check.range('rmsprop', 'alpha', o.alpha, 0, 1, true);
    check.positive('rmsprop', 'eps', o.eps);
    check.nonNegative('rmsprop', 'weightDecay', o.weightDecay);
    check.nonNegative('rmsprop', 'momentum', o.momentum);
    check.bool('rmsprop', 'centered', o.centered);
    check.bool('rmsprop', 'maximize', o.maximize);
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
  chain(o) {
    return chain(
      ...prefix(o.maximize!, o.weightDecay!),
      scaleByRms({ alpha: o.alpha, eps: o.eps, centered: o.centered }),
      ...(o.momentum! > 0 ? [trace({ momentum: o.momentum! })] : []),
      scaleByLearningRate(),
    );
  },
};

export interface AdamOptions {
  lr?: LearningRate;
  /** betas[0] may be a schedule (step) => number in [0, 1), e.g. schedules.oneCycle(...).momentum */
  betas?: [Momentum, number];
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
  maximize?: boolean;
  /** divide the moments by 1 - beta^t (default true, as PyTorch); false gives the raw EMA update */
  biasCorrection?: boolean;
}

function validateAdam(op: string, o: AdamOptions): void {
  check.betasScheduled(op, o.betas);
  check.positive(op, 'eps', o.eps);
  check.nonNegative(op, 'weightDecay', o.weightDecay);
  check.bool(op, 'amsgrad', o.amsgrad);
  check.bool(op, 'maximize', o.maximize);
  check.bool(op, 'biasCorrection', o.biasCorrection);
}

/** checks a scheduled beta1 at `step` before the step writes anything */
function prepareBeta1(op: string, o: AdamOptions, step: number): void {
  const b1 = o.betas![0];
  if (typeof b1 === 'function') check.momentumValue(op, 'betas[0]', b1(step), step);
}

function adamFused(decoupled: boolean) {
  return ({ k, n, g, p, buf, o, lr, t }: FusedStep<AdamOptions>): void => {
    const [beta1, b2] = o.betas!;
    const b1 = typeof beta1 === 'number' ? beta1 : check.momentumValue(decoupled ? 'adamw' : 'adam', 'betas[0]', beta1(t - 1), t - 1);
    const [c1, ib] = adamFactors(b1, b2, t, o.biasCorrection!);
    const wd = o.weightDecay!;
    const l2 = decoupled ? 0 : wd, decay = decoupled ? 1 - lr * wd : 1;
    if (o.amsgrad) k.f32_adam_amsgrad(n, g, p, buf.m, buf.v, buf.vmax, lr * c1, b1, b2, 1 - b1, 1 - b2, o.eps!, ib, l2, decay, sgn(o.maximize!));
    else k.f32_adam(n, g, p, buf.m, buf.v, lr * c1, b1, b2, 1 - b1, 1 - b2, o.eps!, ib, l2, decay, sgn(o.maximize!));
  };
}

/**
 * Adam (Kingma & Ba 2015; torch.optim.Adam): d = ±g + wd*p (L2, coupled);
 * m <- b1*m + (1-b1)*d; v <- b2*v + (1-b2)*d^2 (AMSGrad, Reddi et al. 2018: vmax <- max(vmax, v));
 * p <- p - lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps). eps is added after bias
 * correction (PyTorch = Optax); TF/Keras add eps to the uncorrected sqrt(v).
 * biasCorrection false drops both 1-b^t factors.
 */
export const adamRule: Rule<AdamOptions> = {
  name: 'adam',
  defaults: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, biasCorrection: true },
  validate: (o) => validateAdam('adam', o),
  prepare: (o, step) => prepareBeta1('adam', o, step),
  buffers: (o): Record<string, number> => (o.amsgrad ? { m: 0, v: 0, vmax: 0 } : { m: 0, v: 0 }),
  fused: adamFused(false),
  chain: (o) =>
    chain(
      ...prefix(o.maximize!, o.weightDecay!),
      scaleByAdam({ betas: o.betas, eps: o.eps, amsgrad: o.amsgrad, biasCorrection: o.biasCorrection }),
      scaleByLearningRate(),
    ),
};

/**
 * AdamW (Loshchilov & Hutter 2019; torch.optim.AdamW): decoupled decay p <- p*(1 - lr*wd),
 * then the Adam step on ±g. Default weightDecay 1e-2 (PyTorch). Optax's adamw multiplies wd
 * by the scheduled lr too (same); its default wd is 1e-4.
 */
export const adamwRule: Rule<AdamOptions> = {
  ...adamRule,
  name: 'adamw',
  defaults: { ...adamRule.defaults, weightDecay: 1e-2 },
  validate: (o) => validateAdam('adamw', o),
  prepare: (o, step) => prepareBeta1('adamw', o, step),
  fused: adamFused(true),
  chain: (o) =>
    chain(
      ...prefix(o.maximize!, 0),
      scaleByAdam({ betas: o.betas, eps: o.eps, amsgrad: o.amsgrad, biasCorrection: o.biasCorrection }),
      addDecayedWeights(o.weightDecay!),
      scaleByLearningRate(),
    ),
};

export interface AdamaxOptions {
  lr?: LearningRate;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  maximize?: boolean;
}

/**
 * Adamax (Kingma & Ba 2015, sec. 7; torch.optim.Adamax): m as Adam; u <- max(b2*u, |d| + eps);
 * p <- p - lr/(1-b1^t) * m/u. PyTorch adds eps inside the max; Optax divides by (u + eps).
 */
export const adamaxRule: Rule<AdamaxOptions> = {
  name: 'adamax',
  defaults: { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maximize: false },
  validate(o) {
    check.betas('adamax', o.betas);
    check.positive('adamax', 'eps', o.eps);
    check.nonNegative('adamax', 'weightDecay', o.weightDecay);
    check.bool('adamax', 'maximize', o.maximize);
  },
  buffers: () => ({ m: 0, u: 0 }),
  fused({ k, n, g, p, buf, o, lr, t }) {
    const [b1, b2] = o.betas!;
    k.f32_adamax(n, g, p, buf.m, buf.u, lr / (1 - b1 ** t), b1, b2, 1 - b1, o.eps!, o.weightDecay!, sgn(o.maximize!));
  },
  chain: (o) => chain(...prefix(o.maximize!, o.weightDecay!), scaleByAdamax({ betas: o.betas, eps: o.eps }), scaleByLearningRate()),
};

export interface NadamOptions {
  lr?: LearningRate;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  momentumDecay?: number;
}

/**
 * NAdam (Dozat 2016; torch.optim.NAdam): mu_t = b1*(1 - 0.5*0.96^(t*psi)), psi = momentumDecay
 * (4e-3); m, v as Adam; den = sqrt(v/(1-b2^t)) + eps;
 * p <- p - lr*(1-mu_t)/(1-prod_{i<=t} mu_i) * d/den - lr*mu_{t+1}/(1-prod_{i<=t+1} mu_i) * m/den.
 * Matches PyTorch >= 2.0 and 1.13's foreach path; 1.13's single-tensor path multiplies mu_t
 * twice into the second product (a bug fixed upstream). Optax's nadam uses a constant b1.
 */
export const nadamRule: Rule<NadamOptions> = {
  name: 'nadam',
  defaults: { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, momentumDecay: 4e-3 },
  validate(o) {
    check.betas('nadam', o.betas);
    check.positive('nadam', 'eps', o.eps);
    check.nonNegative('nadam', 'weightDecay', o.weightDecay);
    check.nonNegative('nadam', 'momentumDecay', o.momentumDecay);
  },
  buffers: () => ({ m: 0, v: 0 }),
  scalars: { muProduct: 1 },
  fused({ k, n, g, p, buf, o, lr, t, scalars }) {
    const [b1, b2] = o.betas!;
    const f = nadamFactors(b1, b2, o.momentumDecay!, t, scalars.muProduct);
    scalars.muProduct = f.muProduct;
    k.f32_nadam(n, g, p, buf.m, buf.v, b1, b2, 1 - b1, 1 - b2, o.eps!, f.ib, o.weightDecay!, lr * f.cg, lr * f.cm);
  },
  chain: (o) =>
    chain(...prefix(false, o.weightDecay!), scaleByNadam({ betas: o.betas, eps: o.eps, momentumDecay: o.momentumDecay }), scaleByLearningRate()),
};

export interface RadamOptions {
  lr?: LearningRate;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

/**
 * RAdam (Liu et al. 2020; torch.optim.RAdam): rho_inf = 2/(1-b2) - 1,
 * rho_t = rho_inf - 2t*b2^t/(1-b2^t); if rho_t > 5: r_t = sqrt((rho_t-4)(rho_t-2)rho_inf /
 * ((rho_inf-4)(rho_inf-2)rho_t)), p <- p - lr * m_hat * r_t * sqrt(1-b2^t)/(sqrt(v) + eps);
 * else p <- p - lr * m_hat (SGD with momentum). Optax's threshold is also 5.
 */
export const radamRule: Rule<RadamOptions> = {
  name: 'radam',
  defaults: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 },
  validate(o) {
    check.betas('radam', o.betas);
    check.positive('radam', 'eps', o.eps);
    check.nonNegative('radam', 'weightDecay', o.weightDecay);
  },
  buffers: () => ({ m: 0, v: 0 }),
  fused({ k, n, g, p, buf, o, lr, t }) {
    const [b1, b2] = o.betas!;
    const [a, rect] = radamFactors(b1, b2, t);
    k.f32_radam(n, g, p, buf.m, buf.v, b1, b2, 1 - b1, 1 - b2, o.eps!, o.weightDecay!, lr * a, rect ? 1 : 0);
  },
  chain: (o) => chain(...prefix(false, o.weightDecay!), scaleByRadam({ betas: o.betas, eps: o.eps }), scaleByLearningRate()),
};

export interface AdadeltaOptions {
  lr?: LearningRate;
  rho?: number;
  eps?: number;
  weightDecay?: number;
  maximize?: boolean;
}

/**
 * Adadelta (Zeiler 2012; torch.optim.Adadelta): s <- rho*s + (1-rho)*d^2;
 * dx = sqrt(acc + eps)/sqrt(s + eps) * d; acc <- rho*acc + (1-rho)*dx^2; p <- p - lr*dx.
 * PyTorch's lr (default 1) scales dx; the paper has no lr. eps 1e-6 (PyTorch, Optax); Keras 1e-7.
 */
export const adadeltaRule: Rule<AdadeltaOptions> = {
  name: 'adadelta',
  defaults: { lr: 1.0, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false },
  validate(o) {
    check.range('adadelta', 'rho', o.rho, 0, 1, true);
    check.positive('adadelta', 'eps', o.eps);
    check.nonNegative('adadelta', 'weightDecay', o.weightDecay);
    check.bool('adadelta', 'maximize', o.maximize);
  },
  buffers: () => ({ s: 0, acc: 0 }),
  fused({ k, n, g, p, buf, o, lr }) {
    k.f32_adadelta(n, g, p, buf.s, buf.acc, lr, o.rho!, 1 - o.rho!, o.eps!, o.weightDecay!, sgn(o.maximize!));
  },
  chain: (o) => chain(...prefix(o.maximize!, o.weightDecay!), scaleByAdadelta({ rho: o.rho, eps: o.eps }), scaleByLearningRate()),
};

export interface LangevinOptions {
  lr?: LearningRate;
  /** T >= 0; T = 0 is plain gradient descent */
  temperature?: number;
  /** seed of the noise stream (group i uses the stream (seed, i)) */
  seed?: number;
}

/**
 * Unadjusted Langevin algorithm (Roberts & Tweedie 1996; SGLD: Welling & Teh 2011):
 * p <- p - lr*g + sqrt(2*lr*T) * xi, xi ~ N(0, I) from the core's xoshiro128** stream
 * (Box-Muller), so its stationary density is approximately exp(-L/T). Not in PyTorch.
 */
export const langevinRule: Rule<LangevinOptions> = {
  name: 'langevin',
  defaults: { lr: 1e-3, temperature: 1, seed: 0 },
  validate(o) {
    check.nonNegative('langevin', 'temperature', o.temperature);
    check.int('langevin', 'seed', o.seed, 0);
  },
  buffers: () => ({}),
  rng: true,
  scratch: true,
  fused({ k, n, g, p, o, lr, rng, scratch }) {
    k.f32_rng_normal(n, rng, scratch, 0, Math.sqrt(2 * lr * o.temperature!));
    k.f32_langevin(n, g, scratch, p, lr);
  },
  chain: (o, group) =>
    chain(scaleByLearningRate(), addNoise({ stddev: (_c, lr) => Math.sqrt(2 * lr * o.temperature!), seed: o.seed! + group * 4294967296 })),
};

export interface SparseAdamOptions {
  lr?: LearningRate;
  betas?: [number, number];
  eps?: number;
  maximize?: boolean;
  /** row length of the embedding table [rows, dim] each group holds (required) */
  dim?: number;
}

/**
 * SparseAdam (torch.optim.SparseAdam, lazy Adam): `step(rows)` updates only the listed rows
 * (distinct indices into a table [rows, dim]): m <- m + (1-b1)(d - m), v <- v + (1-b2)(d^2 - v),
 * p <- p - lr*sqrt(1-b2^t)/(1-b1^t) * m/(sqrt(v) + eps) on those rows; the others and
 * their moments stay as they are. t counts steps of the whole table. Note the eps convention
 * differs from Adam's: eps is added to the uncorrected sqrt(v) (as in PyTorch).
 */
export const sparseAdamRule: Rule<SparseAdamOptions> = {
  name: 'sparseAdam',
  defaults: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, maximize: false, dim: undefined },
  validate(o) {
    check.betas('sparseAdam', o.betas);
    check.positive('sparseAdam', 'eps', o.eps);
    check.bool('sparseAdam', 'maximize', o.maximize);
    check.int('sparseAdam', 'dim', o.dim, 1);
  },
  buffers: () => ({ m: 0, v: 0 }),
  sparse: true,
  fused({ k, g, p, buf, o, lr, t, rows, nrows }) {
    const [b1, b2] = o.betas!;
    const step = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
    k.f32_sparse_adam(nrows, o.dim!, rows, g, p, buf.m, buf.v, step, b1, b2, 1 - b1, 1 - b2, o.eps!, sgn(o.maximize!));
  },
  chain: (o) => chain(...prefix(o.maximize!, 0), scaleBySparseAdam({ betas: o.betas, eps: o.eps, dim: o.dim! }), scaleByLearningRate()),
};
