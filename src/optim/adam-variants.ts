/**
 * Adam's variants: Adamax (infinity norm), NAdam (Nesterov momentum) and
 * RAdam (rectified variance), each as a `scaleBy*` transform and as the
 * optimizer that fuses it with weight decay and the lr step. Each step's
 * scalar factors come from one function (`nadamFactors`, `radamFactors`)
 * that both paths call; the formula is written once, on the transform.
 */
import { checkBool, checkNumber, NON_NEGATIVE, POSITIVE } from '../runtime/validate.js';
import { checkBetas, type LearningRate } from './options.js';
import { debias, prefix, type Rule, sgn } from './rule.js';
import { scaleByLearningRate } from './scale.js';
import { chain, type GradientTransformation, transform } from './transform.js';

type Betas = [number, number];

/** betas in [0, 1), eps > 0: the checks every transform here starts with */
function checkScale(op: string, o: { betas?: Betas; eps?: number }): void {
  checkBetas(op, o.betas);
  checkNumber(op, 'eps', o.eps, POSITIVE);
}

// ---- Adamax ----------------------------------------------------------------

/**
 * Adamax scaling (Kingma & Ba 2015, sec. 7): m <- b1*m + (1-b1)*u; r <- max(b2*r, |u| + eps);
 * u <- m/(1-b1^t) / r. PyTorch adds eps inside the max (as here); Optax divides by (r + eps).
 */
export function scaleByAdamax(options: { betas?: Betas; eps?: number } = {}): GradientTransformation {
  const { betas = [0.9, 0.999], eps = 1e-8 } = options;
  checkScale('scaleByAdamax', { betas, eps });
  const [b1, b2] = betas;
  return transform('scaleByAdamax', { m: 0, r: 0 }, (s, u) => {
    const t = ++s.count;
    s.engine.kernels.f32_tx_adamax(s.n, u, s.ptr.m, s.ptr.r, b1, b2, 1 - b1, eps, 1 / debias(b1, t));
    return true;
  });
}

export interface AdamaxOptions {
  lr?: LearningRate;
  betas?: Betas;
  eps?: number;
  weightDecay?: number;
  maximize?: boolean;
}

/** Adamax (torch.optim.Adamax): scaleByAdamax on d = ±g + wd*p, then p <- p - lr*u. */
export const adamaxRule: Rule<AdamaxOptions> = {
  name: 'adamax',
  defaults: { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maximize: false },
  schedulable: ['lr'],
  validate(o) {
    checkScale('adamax', o);
    checkNumber('adamax', 'weightDecay', o.weightDecay, NON_NEGATIVE);
    checkBool('adamax', 'maximize', o.maximize);
  },
  buffers: () => ({ m: 0, u: 0 }),
  fused({ k, n, g, p, buf, o, lr, t }) {
    const [b1, b2] = o.betas!;
    k.f32_adamax(n, g, p, buf.m, buf.u, lr / debias(b1, t), b1, b2, 1 - b1, o.eps!, o.weightDecay!, sgn(o.maximize!));
  },
  chain: (o) => chain(...prefix(o.maximize!, o.weightDecay!), scaleByAdamax({ betas: o.betas, eps: o.eps }), scaleByLearningRate()),
};

// ---- NAdam -----------------------------------------------------------------

/**
 * NAdam's factors at step t (Dozat 2016, as PyTorch): mu_t = b1*(1 - 0.5*0.96^(t*psi)),
 * psi = momentumDecay; cg = (1-mu_t)/(1-prod_{i<=t} mu_i), cm = mu_{t+1}/(1-prod_{i<=t+1} mu_i),
 * ib = 1/sqrt(1-b2^t); `muProduct` carries prod_{i<t} mu_i from step to step.
 */
export function nadamFactors(b1: number, b2: number, md: number, t: number, muProduct: number): { cg: number; cm: number; ib: number; muProduct: number } {
  const mu = b1 * (1 - 0.5 * 0.96 ** (t * md));
  const muNext = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * md));
  const prod = muProduct * mu;
  return { cg: (1 - mu) / (1 - prod), cm: muNext / (1 - prod * muNext), ib: 1 / Math.sqrt(debias(b2, t)), muProduct: prod };
}

function checkNadam(op: string, o: { betas?: Betas; eps?: number; momentumDecay?: number }): void {
  checkScale(op, o);
  checkNumber(op, 'momentumDecay', o.momentumDecay, NON_NEGATIVE);
}

/**
 * NAdam scaling: m, v as Adam; den = sqrt(v/(1-b2^t)) + eps; u <- cg * u/den + cm * m/den
 * (nadamFactors). Matches PyTorch >= 2.0 and 1.13's foreach path; 1.13's single-tensor
 * path multiplies mu_t twice into the second product (fixed upstream). Optax's nadam
 * uses a constant b1.
 */
export function scaleByNadam(options: { betas?: Betas; eps?: number; momentumDecay?: number } = {}): GradientTransformation {
  const { betas = [0.9, 0.999], eps = 1e-8, momentumDecay = 4e-3 } = options;
  checkNadam('scaleByNadam', { betas, eps, momentumDecay });
  const [b1, b2] = betas;
  return transform(
    'scaleByNadam',
    { m: 0, v: 0 },
    (s, u) => {
      const t = ++s.count;
      const f = nadamFactors(b1, b2, momentumDecay, t, s.scalars.muProduct);
      s.scalars.muProduct = f.muProduct;
      s.engine.kernels.f32_tx_nadam(s.n, u, s.ptr.m, s.ptr.v, b1, b2, 1 - b1, 1 - b2, eps, f.ib, f.cg, f.cm);
      return true;
    },
    { scalars: { muProduct: 1 } },
  );
}

export interface NadamOptions {
  lr?: LearningRate;
  betas?: Betas;
  eps?: number;
  weightDecay?: number;
  momentumDecay?: number;
}

/** NAdam (torch.optim.NAdam): scaleByNadam on d = g + wd*p, then p <- p - lr*u (psi default 4e-3). */
export const nadamRule: Rule<NadamOptions> = {
  name: 'nadam',
  defaults: { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, momentumDecay: 4e-3 },
  schedulable: ['lr'],
  validate(o) {
    checkNadam('nadam', o);
    checkNumber('nadam', 'weightDecay', o.weightDecay, NON_NEGATIVE);
  },
  buffers: () => ({ m: 0, v: 0 }),
  scalars: { muProduct: 1 },
  fused({ k, n, g, p, buf, o, lr, t, scalars }) {
    const [b1, b2] = o.betas!;
    const f = nadamFactors(b1, b2, o.momentumDecay!, t, scalars.muProduct);
    scalars.muProduct = f.muProduct;
    k.f32_nadam(n, g, p, buf.m, buf.v, b1, b2, 1 - b1, 1 - b2, o.eps!, f.ib, o.weightDecay!, lr * f.cg, lr * f.cm);
  },
  chain: (o) => chain(...prefix(false, o.weightDecay!), scaleByNadam({ betas: o.betas, eps: o.eps, momentumDecay: o.momentumDecay }), scaleByLearningRate()),
};

// ---- RAdam -----------------------------------------------------------------

/**
 * RAdam's rectification at step t (Liu et al. 2020, as PyTorch; Optax's threshold is also 5):
 * rho_inf = 2/(1-b2) - 1, rho_t = rho_inf - 2t*b2^t/(1-b2^t); when rho_t > 5,
 * r_t = sqrt((rho_t-4)(rho_t-2)rho_inf / ((rho_inf-4)(rho_inf-2)rho_t)) and the factor on m
 * is r_t*sqrt(1-b2^t)/(1-b1^t) (rectified); else 1/(1-b1^t) (SGD with momentum).
 * Returns [factor on m (without lr), rectified?].
 */
export function radamFactors(b1: number, b2: number, t: number): [number, boolean] {
  const bc1 = debias(b1, t), bc2 = debias(b2, t);
  const rhoInf = 2 / (1 - b2) - 1;
  const rho = rhoInf - (2 * t * b2 ** t) / bc2;
  if (rho > 5) {
    const r = Math.sqrt(((rho - 4) * (rho - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rho));
    return [(r * Math.sqrt(bc2)) / bc1, true];
  }
  return [1 / bc1, false];
}

/** RAdam scaling: m, v as Adam; u <- a * m/(sqrt(v) + eps) when rectified, else u <- a * m (a, rectified from radamFactors). */
export function scaleByRadam(options: { betas?: Betas; eps?: number } = {}): GradientTransformation {
  const { betas = [0.9, 0.999], eps = 1e-8 } = options;
  checkScale('scaleByRadam', { betas, eps });
  const [b1, b2] = betas;
  return transform('scaleByRadam', { m: 0, v: 0 }, (s, u) => {
    const t = ++s.count;
    const [a, rect] = radamFactors(b1, b2, t);
    s.engine.kernels.f32_tx_radam(s.n, u, s.ptr.m, s.ptr.v, b1, b2, 1 - b1, 1 - b2, eps, a, rect ? 1 : 0);
    return true;
  });
}

export interface RadamOptions {
  lr?: LearningRate;
  betas?: Betas;
  eps?: number;
  weightDecay?: number;
}

/** RAdam (torch.optim.RAdam): scaleByRadam on d = g + wd*p, then p <- p - lr*u. */
export const radamRule: Rule<RadamOptions> = {
  name: 'radam',
  defaults: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 },
  schedulable: ['lr'],
  validate(o) {
    checkScale('radam', o);
    checkNumber('radam', 'weightDecay', o.weightDecay, NON_NEGATIVE);
  },
  buffers: () => ({ m: 0, v: 0 }),
  fused({ k, n, g, p, buf, o, lr, t }) {
    const [b1, b2] = o.betas!;
    const [a, rect] = radamFactors(b1, b2, t);
    k.f32_radam(n, g, p, buf.m, buf.v, b1, b2, 1 - b1, 1 - b2, o.eps!, o.weightDecay!, lr * a, rect ? 1 : 0);
  },
  chain: (o) => chain(...prefix(false, o.weightDecay!), scaleByRadam({ betas: o.betas, eps: o.eps }), scaleByLearningRate()),
};
