/**
 * Adam, AdamW (and AMSGrad) and SparseAdam: the `scaleByAdam` /
 * `scaleBySparseAdam` transforms and the optimizers that fuse them with
 * weight decay and the lr step. The formula is written once, on the
 * transform; bias corrections come from one function (`adamFactors`) that
 * both paths call. Adamax, NAdam and RAdam are in adam-variants.ts.
 */
import { ValueError } from '../errors.js';
import { checkBool, checkNumber, NON_NEGATIVE, POSITIVE, POSITIVE_INT } from '../runtime/validate.js';
import { checkBetas, type LearningRate, type Momentum, momentumAt } from './options.js';
import { debias, type FusedStep, prefix, type Rule, sgn } from './rule.js';
import { addDecayedWeights, scaleByLearningRate } from './scale.js';
import { chain, type GradientTransformation, transform } from './transform.js';

/** Bias corrections at 1-based step t: [1/(1-b1^t), 1/sqrt(1-b2^t)] (both 1 when off). */
export function adamFactors(b1: number, b2: number, t: number, on: boolean): [number, number] {
  if (!on) return [1, 1];
  return [1 / debias(b1, t), 1 / Math.sqrt(debias(b2, t))];
}

export interface AdamScaleOptions {
  /** betas[0] may be a schedule of the step count (values in [0, 1)) */
  betas?: [Momentum, number];
  eps?: number;
  amsgrad?: boolean;
  biasCorrection?: boolean;
}

/** betas (beta1 may be scheduled), eps > 0, amsgrad, biasCorrection: the checks scaleByAdam and adam/adamw share */
function checkAdam(op: string, o: AdamScaleOptions): void {
  checkBetas(op, o.betas, true);
  checkNumber(op, 'eps', o.eps, POSITIVE);
  checkBool(op, 'amsgrad', o.amsgrad);
  checkBool(op, 'biasCorrection', o.biasCorrection);
}

/**
 * Adam scaling (Kingma & Ba 2015): m <- b1*m + (1-b1)*u; v <- b2*v + (1-b2)*u^2
 * (AMSGrad, Reddi et al. 2018: vmax <- max(vmax, v), used in place of v);
 * u <- m_hat / (sqrt(v_hat) + eps) with m_hat = m/(1-b1^t), v_hat = v/(1-b2^t).
 * eps is added after bias correction (PyTorch = Optax); TF/Keras add it to the
 * uncorrected sqrt(v) ("epsilon hat"). biasCorrection false drops both 1-b^t.
 */
export function scaleByAdam(options: AdamScaleOptions = {}): GradientTransformation {
  const { betas = [0.9, 0.999], eps = 1e-8, amsgrad = false, biasCorrection = true } = options;
  checkAdam('scaleByAdam', { betas, eps, amsgrad, biasCorrection });
  const [beta1, b2] = betas;
  return transform('scaleByAdam', amsgrad ? { m: 0, v: 0, vmax: 0 } : { m: 0, v: 0 }, (s, u) => {
    const b1 = momentumAt('scaleByAdam', 'betas[0]', beta1, s.count);
    const t = ++s.count;
    const [c1, ib] = adamFactors(b1, b2, t, biasCorrection);
    const k = s.engine.kernels;
    if (amsgrad) k.f32_tx_adam_amsgrad(s.n, u, s.ptr.m, s.ptr.v, s.ptr.vmax, b1, b2, 1 - b1, 1 - b2, eps, c1, ib);
    else k.f32_tx_adam(s.n, u, s.ptr.m, s.ptr.v, b1, b2, 1 - b1, 1 - b2, eps, c1, ib);
    return true;
  });
}

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

/** The fused step of Adam (decoupled false: L2 in d) and AdamW (decoupled true: p <- p*(1 - lr*wd) first). */
function adamFused(op: string, decoupled: boolean) {
  return ({ k, n, g, p, buf, o, lr, t }: FusedStep<AdamOptions>): void => {
    const b1 = momentumAt(op, 'betas[0]', o.betas![0], t - 1), b2 = o.betas![1];
    const [c1, ib] = adamFactors(b1, b2, t, o.biasCorrection!);
    const wd = o.weightDecay!;
    const l2 = decoupled ? 0 : wd, decay = decoupled ? 1 - lr * wd : 1;
    if (o.amsgrad) k.f32_adam_amsgrad(n, g, p, buf.m, buf.v, buf.vmax, lr * c1, b1, b2, 1 - b1, 1 - b2, o.eps!, ib, l2, decay, sgn(o.maximize!));
    else k.f32_adam(n, g, p, buf.m, buf.v, lr * c1, b1, b2, 1 - b1, 1 - b2, o.eps!, ib, l2, decay, sgn(o.maximize!));
  };
}

/** The Adam-family rule `op`: validation, buffers and the beta1 schedule check are the same for adam and adamw. */
function adamBase(op: string): Pick<Rule<AdamOptions>, 'name' | 'schedulable' | 'validate' | 'prepare' | 'buffers'> {
  return {
    name: op,
    schedulable: ['lr', 'betas[0]'],
    validate(o) {
      checkAdam(op, o);
      checkNumber(op, 'weightDecay', o.weightDecay, NON_NEGATIVE);
      checkBool(op, 'maximize', o.maximize);
    },
    prepare: (o, step) => void momentumAt(op, 'betas[0]', o.betas![0], step),
    buffers: (o): Record<string, number> => (o.amsgrad ? { m: 0, v: 0, vmax: 0 } : { m: 0, v: 0 }),
  };
}

const adamScale = (o: AdamOptions): GradientTransformation =>
  scaleByAdam({ betas: o.betas, eps: o.eps, amsgrad: o.amsgrad, biasCorrection: o.biasCorrection });

/** Adam (torch.optim.Adam): scaleByAdam on d = ±g + wd*p (L2, coupled), then p <- p - lr*u. */
export const adamRule: Rule<AdamOptions> = {
  ...adamBase('adam'),
  defaults: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, biasCorrection: true },
  fused: adamFused('adam', false),
  chain: (o) => chain(...prefix(o.maximize!, o.weightDecay!), adamScale(o), scaleByLearningRate()),
};

/**
 * AdamW (Loshchilov & Hutter 2019; torch.optim.AdamW): decoupled decay p <- p*(1 - lr*wd),
 * then the Adam step on ±g. Default weightDecay 1e-2 (PyTorch). Optax's adamw multiplies wd
 * by the scheduled lr too (same); its default wd is 1e-4.
 */
export const adamwRule: Rule<AdamOptions> = {
  ...adamBase('adamw'),
  defaults: { ...adamRule.defaults, weightDecay: 1e-2 },
  fused: adamFused('adamw', true),
  chain: (o) => chain(...prefix(o.maximize!, 0), adamScale(o), addDecayedWeights(o.weightDecay!), scaleByLearningRate()),
};

// ---- SparseAdam ------------------------------------------------------------

/** the factor on m of a lazy Adam step: c*sqrt(1-b2^t)/(1-b1^t) (c = lr fused, -1 in the transform) */
const sparseStep = (c: number, b1: number, b2: number, t: number): number => (c * Math.sqrt(debias(b2, t))) / debias(b1, t);

function checkSparse(op: string, o: { betas?: [number, number]; eps?: number; dim?: number }): void {
  checkBetas(op, o.betas);
  checkNumber(op, 'eps', o.eps, POSITIVE);
  checkNumber(op, 'dim', o.dim, POSITIVE_INT);
}

/**
 * Row-masked (lazy) Adam scaling, torch.optim.SparseAdam's rule for a table [n/dim, dim]:
 * on the listed rows only, m <- m + (1-b1)(u - m), v <- v + (1-b2)(u^2 - v),
 * u <- sqrt(1-b2^t)/(1-b1^t) * m/(sqrt(v) + eps) (eps on the UNCORRECTED sqrt(v), as in
 * PyTorch, unlike Adam); every other row of u becomes 0 and its moments stay. t counts
 * steps of the whole table. One f32_sparse_adam call (with a negated step) writes u into
 * a zeroed scratch, copied to u.
 */
export function scaleBySparseAdam(options: { betas?: [number, number]; eps?: number; dim: number }): GradientTransformation {
  const { betas = [0.9, 0.999], eps = 1e-8, dim } = options;
  checkSparse('scaleBySparseAdam', { betas, eps, dim });
  const [b1, b2] = betas;
  return transform('scaleBySparseAdam', { m: 0, v: 0, scratch: 0 }, (s, u, ctx) => {
    if (ctx.rows === undefined || ctx.nrows === undefined) throw new ValueError('scaleBySparseAdam: the step context has no rows');
    const t = ++s.count;
    const k = s.engine.kernels;
    k.f32_fill(s.n, s.ptr.scratch, 0);
    k.f32_sparse_adam(ctx.nrows, dim, ctx.rows, u, s.ptr.scratch, s.ptr.m, s.ptr.v, sparseStep(-1, b1, b2, t), b1, b2, 1 - b1, 1 - b2, eps, 1);
    k.f32_copy(s.n, s.ptr.scratch, u);
    return true;
  });
}

export interface SparseAdamOptions {
  lr?: LearningRate;
  betas?: [number, number];
  eps?: number;
  maximize?: boolean;
  /** row length of the embedding table [rows, dim] each group holds (required) */
  dim?: number;
}

/**
 * SparseAdam (torch.optim.SparseAdam, lazy Adam): `step(rows)` applies scaleBySparseAdam
 * to ±g on the listed rows (distinct indices) and p <- p - lr*u there; the other rows and
 * their moments stay as they are.
 */
export const sparseAdamRule: Rule<SparseAdamOptions> = {
  name: 'sparseAdam',
  defaults: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, maximize: false, dim: undefined },
  schedulable: ['lr'],
  validate(o) {
    checkSparse('sparseAdam', o);
    checkBool('sparseAdam', 'maximize', o.maximize);
  },
  buffers: () => ({ m: 0, v: 0 }),
  sparse: true,
  fused({ k, g, p, buf, o, lr, t, rows, nrows }) {
    const [b1, b2] = o.betas!;
    k.f32_sparse_adam(nrows, o.dim!, rows, g, p, buf.m, buf.v, sparseStep(lr, b1, b2, t), b1, b2, 1 - b1, 1 - b2, o.eps!, sgn(o.maximize!));
  },
  chain: (o) => chain(...prefix(o.maximize!, 0), scaleBySparseAdam({ betas: o.betas, eps: o.eps, dim: o.dim! }), scaleByLearningRate()),
};
