/**
 * Hypergradients: the derivative of the validation loss with respect to a
 * training hyperparameter.
 *
 * weightDecay (λ, implicit differentiation; Bengio 2000, Pedregosa 2016
 * "HOAG", Lorraine et al. 2020): train to the stationary point θ*(λ) of
 * L_train(θ) + λ/2‖θ‖², i.e. ∇L_train(θ*) + λθ* = 0. Differentiating in λ,
 * (H + λI) d(θ*)/dλ = −θ*, H = ∇²L_train(θ*), so
 *
 *   dL_val/dλ = ∇L_val(θ*)ᵀ d(θ*)/dλ = −vᵀθ*,   (H + λI) v = ∇L_val(θ*),
 *
 * with v from linear CG on Hessian-vector products (objective.ts: the model's
 * exact R-operator `model.hvp`, or central differences of gradients). No
 * unrolling: the cost is one CG solve.
 *
 * lr (η, forward-mode through a short unrolled run, for comparison; Franceschi
 * et al. 2017): K full-batch steps θ_(k+1) = θ_k − η(∇L_train(θ_k) + λθ_k)
 * from the model's parameters, with the tangent z_k = dθ_k/dη,
 *
 *   z_0 = 0,   z_(k+1) = z_k − η(H_k + λI) z_k − (∇L_train(θ_k) + λθ_k),
 *   dL_val(θ_K)/dη = ∇L_val(θ_K)ᵀ z_K.
 *
 * The model is left at θ* (weightDecay) or θ_K (lr). Bad input throws before
 * anything is written.
 */
import type { Dataset } from '../data/dataset.js';
import { ValueError } from '../errors.js';
import type { Core } from '../runtime/core.js';
import { cg } from '../solve/cg.js';
import { minimize } from '../solve/minimize.js';
import type { Method } from '../solve/problem.js';
import type { LossSpec } from '../train/model.js';
import { FullBatch, LossFn, type HvpMode, type MetaModel } from './objective.js';

export const HYPERS = ['weightDecay', 'lr'] as const;
export type HyperName = (typeof HYPERS)[number];

export interface InnerOptions {
  /** weightDecay: the `minimize` method that trains to stationarity (default 'lbfgs') */
  method?: Method;
  /** weightDecay: gradient-norm tolerance of the inner solve (default 1e-7) */
  tol?: number;
  /** weightDecay: iteration cap of the inner solve (default 2000) */
  maxIter?: number;
  /** weightDecay: Newton steps after the minimize run, CG on (H + λI)δ = −∇ (default 8; stops at `tol` or when ‖∇‖ stops falling) */
  polish?: number;
  /** lr: unrolled gradient steps K (default 20) */
  steps?: number;
}

export interface HypergradientOptions {
  model: MetaModel;
  train: Dataset;
  validation: Dataset;
  /** default: softmax cross-entropy for class ids, MSE otherwise (both sets) */
  loss?: LossSpec;
  hyper: HyperName;
  /** the hyperparameter's value: λ >= 0 for weightDecay, η > 0 for lr */
  value: number;
  /** lr: the weight decay λ of the unrolled steps (default 0) */
  weightDecay?: number;
  inner?: InnerOptions;
  /** the CG solve (weightDecay): stop at ‖r‖ <= tol·‖∇L_val‖ (default 1e-8), at most maxIter (default 10·n) */
  cg?: { tol?: number; maxIter?: number };
  /** Hessian-vector products: 'exact' (model.hvp; the default where the model has it) or 'central-difference' */
  hvp?: HvpMode;
  /** step h of the central-difference Hessian-vector product along v/‖v‖ (default 1e-2) */
  hvpStep?: number;
  /** parameters to start from (default: the model's current ones) */
  from?: ArrayLike<number>;
}

export interface HypergradientResult {
  /** L_val at θ* (weightDecay) or θ_K (lr) */
  value: number;
  /** dL_val/dλ or dL_val/dη */
  grad: number;
  innerIterations: number;
  cgIterations: number;
  /** ‖(H + λI)v − ∇L_val‖ at the end of CG (0 for lr) */
  residual: number;
  /** ‖∇L_train(θ*) + λθ*‖ (weightDecay) */
  stationarity: number;
  /** θ* or θ_K */
  parameters: Float64Array;
  /** how the Hessian-vector products were made */
  hvp: HvpMode;
}

const finite = (op: string, name: string, v: unknown, lo: number, strict: boolean): number => {
  if (typeof v !== 'number' || !Number.isFinite(v) || (strict ? !(v > lo) : !(v >= lo))) {
    throw new ValueError(`${op}: ${name} must be a finite number ${strict ? '>' : '>='} ${lo}, got ${typeof v === 'number' ? v : typeof v}`);
  }
  return v;
};

export function checkHyper(op: string, hyper: unknown): HyperName {
  if (!HYPERS.includes(hyper as HyperName)) {
    throw new ValueError(`${op}: hyper must be one of ${HYPERS.join(', ')} (the hyperparameters this model's training has), got ${JSON.stringify(hyper)}`);
  }
  return hyper as HyperName;
}

const norm = (a: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
};

/** The hypergradient (see the file header). `core` is the model's engine. */
export function hypergradient(core: Core, o: HypergradientOptions): HypergradientResult {
  const op = 'meta.hypergradient';
  if (o === null || typeof o !== 'object') throw new ValueError(`${op}: options must be an object, got ${o === null ? 'null' : typeof o}`);
  const hyper = checkHyper(op, o.hyper);
  const m = o.model;
  if (m === null || typeof m !== 'object' || typeof m.setParameters !== 'function' || typeof m.lossAndGrad !== 'function') {
    throw new ValueError(`${op}: model must be an engine.nn model (parameters, setParameters, lossAndGrad), got ${m === null ? 'null' : typeof m}`);
  }
  const value = finite(op, hyper === 'lr' ? 'value (lr)' : 'value (weightDecay)', o.value, 0, hyper === 'lr');
  const lambda = hyper === 'lr' ? finite(op, 'weightDecay', o.weightDecay ?? 0, 0, false) : value;
  const n = m.numParameters;
  const inner = o.inner ?? {};
  const h = finite(op, 'hvpStep', o.hvpStep ?? 1e-2, 0, true);
  const cgTol = finite(op, 'cg.tol', o.cg?.tol ?? 1e-8, 0, true);
  const cgMax = Math.floor(finite(op, 'cg.maxIter', o.cg?.maxIter ?? 10 * n, 1, false));
  const steps = Math.floor(finite(op, 'inner.steps', inner.steps ?? 20, 1, false));
  const mode: HvpMode = o.hvp ?? (typeof m.hvp === 'function' ? 'exact' : 'central-difference');
  if (mode !== 'exact' && mode !== 'central-difference') throw new ValueError(`${op}: hvp must be 'exact' or 'central-difference', got ${JSON.stringify(o.hvp)}`);
  if (mode === 'exact' && typeof m.hvp !== 'function') throw new ValueError(`${op}: hvp 'exact' needs model.hvp (engine.nn models have it); use 'central-difference'`);
  const theta = Float64Array.from(o.from ?? m.parameters());
  if (theta.length !== n) throw new ValueError(`${op}: from must have the model's ${n} parameters, got ${theta.length}`);
  for (let i = 0; i < n; i++) if (!Number.isFinite(theta[i])) throw new ValueError(`${op}: from[${i}] must be finite, got ${theta[i]}`);
  const saved = m.parameters().slice();
  const wasTraining = m.training;
  const tr = new FullBatch(core, op, m, o.train, 'train', o.loss);
  let va: FullBatch | null = null;
  try {
    va = new FullBatch(core, op, m, o.validation, 'validation', o.loss);
    m.eval();
    const ftr = new LossFn(m, tr, mode), fva = new LossFn(m, va, mode);
    const gv = new Float64Array(n);
    if (hyper === 'weightDecay') {
      const r = minimize((x, g) => ftr.value(x, lambda, g), theta, {
        method: inner.method ?? 'lbfgs', gtol: finite(op, 'inner.tol', inner.tol ?? 1e-7, 0, true), maxIter: Math.floor(finite(op, 'inner.maxIter', inner.maxIter ?? 2000, 1, false)), core,
      });
      // Newton polish: line searches stall where f32 loss values stop resolving the decrease
      // (‖∇‖ ~ 1e-5); Newton steps (H + λI)δ = −∇ use gradients only and go on to the f32 floor
      let star = r.x;
      const gt = new Float64Array(n), gn = new Float64Array(n);
      ftr.value(star, lambda, gt);
      let polish = 0;
      for (; polish < (inner.polish ?? 8) && norm(gt) > (inner.tol ?? 1e-7); polish++) {
        const neg = gt.map((x) => -x);
        const step = cg((v, out) => void ftr.hvp(star, v, lambda, h, out), neg, { tol: 1e-10, maxIter: cgMax }).x;
        const next = star.map((x, i) => x + step[i]);
        ftr.value(next, lambda, gn);
        if (!(norm(gn) < norm(gt))) break;
        star = next;
        gt.set(gn);
      }
      const L = fva.value(star, 0, gv);
      const s = cg((v, out) => void ftr.hvp(star, v, lambda, h, out), gv, { tol: cgTol, maxIter: cgMax });
      let grad = 0;
      for (let i = 0; i < n; i++) grad -= s.x[i] * star[i];
      m.setParameters(star);
      return { value: L, grad, innerIterations: r.nit + polish, cgIterations: s.iterations, residual: s.residualNorm, stationarity: norm(gt), parameters: star, hvp: mode };
    }
    // lr: forward mode through `steps` gradient steps
    const z = new Float64Array(n), hz = new Float64Array(n), g = new Float64Array(n);
    for (let k = 0; k < steps; k++) {
      ftr.value(theta, lambda, g);
      ftr.hvp(theta, z, lambda, h, hz);
      for (let i = 0; i < n; i++) {
        z[i] = z[i] - value * hz[i] - g[i];
        theta[i] -= value * g[i];
      }
    }
    const L = fva.value(theta, 0, gv);
    let grad = 0;
    for (let i = 0; i < n; i++) grad += gv[i] * z[i];
    m.setParameters(theta);
    return { value: L, grad, innerIterations: steps, cgIterations: 0, residual: 0, stationarity: NaN, parameters: theta, hvp: mode };
  } catch (e) {
    m.setParameters(saved);
    throw e;
  } finally {
    if (wasTraining) m.train();
    tr.dispose();
    va?.dispose();
  }
}
