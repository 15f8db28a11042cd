// What the Train view can set, in one table shared by the page (which builds
// the form from it) and the worker (which builds the optimizer and schedule
// from it): every optimizer of engine.optim that works on a dense model, with
// its hyperparameters under the library's names and PyTorch's defaults
// (README, Optimizers), and the schedules of `schedules`. sparseAdam is left
// out: it updates listed rows of an embedding table, and these MLPs have none;
// fromTransform and multiTask are wrappers (a custom chain, several losses),
// not methods of their own.
// No library import here: the page bundle stays free of the engine.

/** One editable hyperparameter. `key` is the library's option name (beta1/beta2 become `betas`); `step` 1 marks an integer. */
export interface Hyper {
  key: string;
  label: string;
  kind: 'number' | 'bool';
  value: number | boolean;
  min?: number;
  max?: number;
  step?: number;
}

/** The largest network the Train view lets Newton take (the library's default maxParameters). */
export const NEWTON_MAX_PARAMETERS = 2048;

const num = (key: string, label: string, value: number, min: number, max: number, step: number): Hyper => ({ key, label, kind: 'number', value, min, max, step });
const bool = (key: string, label: string, value: boolean): Hyper => ({ key, label, kind: 'bool', value });

const lr = (v: number) => num('lr', 'learning rate η', v, 1e-5, 10, 1e-4);
const wd = (v = 0) => num('weightDecay', 'weight decay λ', v, 0, 1, 1e-4);
const eps = (v: number) => num('eps', 'ε', v, 1e-12, 1, 1e-9);
const betas = [num('beta1', 'β₁', 0.9, 0, 0.9999, 0.01), num('beta2', 'β₂', 0.999, 0, 0.99999, 0.001)];

/**
 * The optimizers of the Train view with the playground's default lr for a small MLP.
 * `closure`: the optimizer's step takes a closure that re-evaluates the batch
 * (`optim.lbfgs`, as fit() drives it); it has no fused/chained switch and no clipping.
 * `batch`: its step takes the batch itself, `step(x, y, loss)` (`optim.newton`, fit()'s
 * `needsBatch`); no fused switch, no clipping, and no L2 term (the step forms the Hessian
 * of the model's loss alone).
 */
export const OPTIMIZERS: Record<string, { label: string; hypers: Hyper[]; closure?: true; batch?: true }> = {
  sgd: {
    label: 'SGD (momentum, Nesterov, heavy ball)',
    hypers: [lr(0.1), num('momentum', 'momentum μ', 0.9, 0, 0.999, 0.01), num('dampening', 'dampening τ', 0, 0, 1, 0.01), wd(), bool('nesterov', 'Nesterov', false), bool('heavyBall', 'heavy-ball form', false)],
  },
  adagrad: { label: 'AdaGrad', hypers: [lr(0.05), num('lrDecay', 'lr decay', 0, 0, 1, 1e-4), wd(), num('initialAccumulatorValue', 'initial accumulator', 0, 0, 1, 0.01), eps(1e-10)] },
  rmsprop: {
    label: 'RMSProp',
    hypers: [lr(0.005), num('alpha', 'α (smoothing)', 0.99, 0, 0.9999, 0.01), eps(1e-8), wd(), num('momentum', 'momentum μ', 0, 0, 0.999, 0.01), bool('centered', 'centered', false)],
  },
  adam: { label: 'Adam', hypers: [lr(0.01), ...betas, eps(1e-8), wd(), bool('amsgrad', 'AMSGrad', false), bool('biasCorrection', 'bias correction', true)] },
  adamw: { label: 'AdamW', hypers: [lr(0.01), ...betas, eps(1e-8), wd(0.01), bool('amsgrad', 'AMSGrad', false), bool('biasCorrection', 'bias correction', true)] },
  adamax: { label: 'Adamax', hypers: [lr(0.02), ...betas, eps(1e-8), wd()] },
  nadam: { label: 'NAdam', hypers: [lr(0.01), ...betas, eps(1e-8), wd(), num('momentumDecay', 'momentum decay ψ', 4e-3, 0, 1, 1e-3)] },
  radam: { label: 'RAdam', hypers: [lr(0.01), ...betas, eps(1e-8), wd()] },
  adadelta: { label: 'Adadelta', hypers: [lr(1), num('rho', 'ρ', 0.9, 0, 0.9999, 0.01), eps(1e-6), wd()] },
  lbfgs: {
    label: 'L-BFGS (full batch, line search)',
    closure: true,
    // the CLI's defaults (docs/second-order.md): lr 1, 10 pairs, 20 iterations per step, strong Wolfe, full batch
    hypers: [lr(1), num('historySize', 'history size m', 10, 1, 100, 1), num('maxIter', 'iterations per step', 20, 1, 100, 1), bool('lineSearch', 'strong-Wolfe line search', true), bool('fullBatch', 'full batch (ignores batch size)', true)],
  },
  newton: {
    label: 'Newton (damped, small networks)',
    batch: true,
    // the library's and the CLI's defaults (docs/second-order.md): lr 1, λ 1e-3, ν 10, 10 solves, full batch;
    // maxParameters no higher than the library's 2048 (the Hessian is P² f64, its Cholesky O(P³) per try)
    hypers: [
      lr(1), num('damping', 'damping λ (Levenberg-Marquardt)', 1e-3, 0, 1e6, 1e-4), num('dampingFactor', 'damping factor ν (> 1)', 10, 1.01, 1000, 0.5),
      num('maxTries', 'solves per step', 10, 1, 50, 1), num('maxParameters', 'max parameters (≤ 2048)', NEWTON_MAX_PARAMETERS, 1, NEWTON_MAX_PARAMETERS, 1),
      bool('fullBatch', 'full batch (ignores batch size)', true),
    ],
  },
  langevin: { label: 'Langevin (SGLD)', hypers: [lr(0.05), num('temperature', 'temperature T', 1e-5, 0, 10, 1e-5), num('seed', 'noise seed', 0, 0, 1e6, 1)] },
};
export type OptimizerName = keyof typeof OPTIMIZERS;

/** Parameters of MLP 2-hidden-k: Σ (fan-in + 1)·fan-out. */
export function mlpParameters(hidden: readonly number[], k: number): number {
  const w = [2, ...hidden, k];
  let p = 0;
  for (let i = 1; i < w.length; i++) p += (w[i - 1] + 1) * w[i];
  return p;
}

/**
 * Why Newton cannot take this network, or null: optim.newton refuses a model of more than
 * `maxParameters` parameters (its dense Hessian holds P² f64 and every try factors it, O(P³)).
 */
export function newtonRefusal(optimizer: string, hypers: HyperValues, hidden: readonly number[], k: number): string | null {
  if (optimizer !== 'newton') return null;
  const max = Number(hypers.maxParameters ?? NEWTON_MAX_PARAMETERS), p = mlpParameters(hidden, k);
  if (p <= max) return null;
  const n = (v: number) => v.toLocaleString('en-US');
  return (
    `Newton is for small networks: MLP ${[2, ...hidden, k].join('-')} has ${n(p)} parameters, more than the ${n(max)} of "max parameters" ` +
    `(each step forms the dense ${n(p)} × ${n(p)} Hessian and factors it). Choose fewer or narrower hidden layers (e.g. 8, 8) or another optimizer.`
  );
}

/** Hyperparameter values as the form holds them: `{ lr: 0.01, beta1: 0.9, … }`. */
export type HyperValues = Record<string, number | boolean>;

/** The defaults of one optimizer as form values. */
export function defaultHypers(name: string): HyperValues {
  return Object.fromEntries((OPTIMIZERS[name]?.hypers ?? []).map((h) => [h.key, h.value]));
}

/**
 * The library's options object from form values: only keys the optimizer knows, β₁/β₂ as
 * `betas`, SGD's Nesterov/heavy-ball switches only when they apply (the library rejects
 * Nesterov without momentum), L-BFGS's line-search switch as `lineSearch: 'strongWolfe' | null`;
 * "full batch" (L-BFGS, Newton) is the session's, not an option.
 */
export function optimizerOptions(name: string, values: HyperValues, lrValue: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const h of OPTIMIZERS[name].hypers) {
    const v = values[h.key] ?? h.value;
    out[h.key] = h.kind === 'bool' ? Boolean(v) : Number(v);
  }
  if ('beta1' in out) {
    out.betas = [out.beta1, out.beta2];
    delete out.beta1;
    delete out.beta2;
  }
  if (name === 'sgd' && !(Number(out.momentum) > 0)) {
    out.nesterov = false;
    out.heavyBall = false;
  }
  if (name === 'sgd' && out.nesterov) out.dampening = 0;
  if (name === 'lbfgs') out.lineSearch = out.lineSearch ? 'strongWolfe' : null;
  delete out.fullBatch; // the session's, not the optimizer's
  out.lr = lrValue;
  return out;
}

/** The lr schedules offered (built in the worker by train-session.ts from the base lr and the horizon). */
export const SCHEDULES = {
  constant: 'constant',
  step: 'step (×0.5 every horizon/4)',
  exponential: 'exponential (×0.01 over the horizon)',
  cosine: 'cosine annealing',
  warmupCosine: 'warm-up + cosine',
  oneCycle: 'one-cycle',
  cyclic: 'cyclic (triangular, lr/10 ↔ lr)',
} as const;
export type ScheduleName = keyof typeof SCHEDULES;

export const DATASETS = { spirals: 'spirals', moons: 'two moons', circles: 'circles', xor: 'XOR', blobs: 'blobs', csv: 'CSV file' } as const;
export type DatasetName = keyof typeof DATASETS;

export const ACTIVATIONS = ['relu', 'leakyRelu', 'tanh', 'sigmoid', 'gelu', 'gelu_tanh', 'softplus', 'identity'] as const;

/** The core builds of the switch; 'threads' is the SIMD build on 2 threads (cross-origin-isolated pages only, web/threads.ts). */
export type BuildName = 'relaxed' | 'simd' | 'scalar' | 'threads';
export const BUILDS: Record<BuildName, string> = { relaxed: 'relaxed SIMD', simd: 'SIMD', scalar: 'scalar', threads: 'SIMD, 2 threads' };
