/**
 * Optax-style gradient transformations over a flat update buffer.
 *
 * A transform is a pair `init` / `update`: `init(engine, n)` plans its state
 * (n-float buffers in the engine's arena, once) and returns an instance whose
 * `update(u, ctx)` rewrites the n updates at pointer `u` in place with one or
 * two kernel calls. `chain(a, b, ...)` runs them in order. An optimizer is
 * then: copy the gradient into u, run the chain, add u to the parameters.
 * `scaleByLearningRate` is the one place the sign flips (u <- -lr * u).
 *
 * Every transform keeps its own `count` (updates it has applied), as Optax
 * does, so a transform inside `multiSteps` counts inner steps.
 */
import { StateError, ValueError } from '../errors.js';
import type { Core } from '../runtime/core.js';
import { check, type LearningRate, type Momentum, type Schedule, seedWords } from './options.js';

/** What a transform sees besides the updates. */
export interface StepContext {
  /** optimizer steps taken before this one (0 on the first step) */
  step: number;
  /** the parameter group's learning rate at this step (used by scaleByLearningRate() without an argument) */
  lr: number;
  /** byte offset of the parameters that u updates (n floats) */
  params: number;
  /** row-sparse steps (sparseAdam): byte offset of the i32 row indices and their count */
  rows?: number;
  nrows?: number;
}

/** A transform's saved state: plain data. */
export interface TransformStateData {
  name: string;
  count: number;
  buffers: Record<string, Float32Array>;
  scalars: Record<string, number>;
  /** xoshiro128** state words, for transforms that draw noise */
  rng?: number[];
  inner?: TransformStateData[];
}

/** A transform planned for n floats on one engine. */
export interface TransformInstance {
  readonly name: string;
  /** Rewrites u in place; returns false when the step must not be applied (accumulating, or skipped by a guard). */
  update(u: number, ctx: StepContext): boolean;
  state(): TransformStateData;
  /** Restores a state from `state()`; validates everything before writing anything. */
  loadState(s: TransformStateData): void;
  dispose(): void;
}

export interface GradientTransformation {
  readonly name: string;
  init(engine: Core, n: number): TransformInstance;
}

/** Guard statistics of a `guardFinite` instance. */
export interface GuardReport {
  /** steps skipped (mode 'skip') or steps in which values were zeroed (mode 'zero') */
  skips: number;
  /** element index (within u) of the first non-finite value seen last time, or -1 */
  lastIndex: number;
}

/** Shared plumbing: n-float buffers, a count, scalars, optional rng; state()/loadState()/dispose(). */
class Stateful implements TransformInstance {
  count = 0;
  scalars: Record<string, number> = {};
  readonly ptr: Record<string, number> = {};
  rng = 0;
  private disposed = false;

  constructor(
    readonly engine: Core,
    readonly n: number,
    readonly name: string,
    buffers: Record<string, number>,
    private readonly step: (self: Stateful, u: number, ctx: StepContext) => boolean,
    seed?: [number, number],
  ) {
    const k = engine.kernels;
    for (const [b, fill] of Object.entries(buffers)) {
      const p = engine.arena.alloc(n * 4);
      k.f32_fill(n, p, fill);
      this.ptr[b] = p;
    }
    if (seed) {
      this.rng = engine.arena.alloc(16);
      k.rng_seed(this.rng, seed[0], seed[1]);
    }
  }

  update(u: number, ctx: StepContext): boolean {
    if (this.disposed) throw new StateError(`${this.name}: used after dispose()`);
    return this.step(this, u, ctx);
  }

  state(): TransformStateData {
    const buffers: Record<string, Float32Array> = {};
    for (const [b, p] of Object.entries(this.ptr)) buffers[b] = this.engine.f32(p, this.n).slice();
    const s: TransformStateData = { name: this.name, count: this.count, buffers, scalars: { ...this.scalars } };
    if (this.rng) s.rng = Array.from(new Uint32Array(this.engine.memory.buffer, this.rng, 4));
    return s;
  }

  /** Throws unless `s` fits this instance. */
  validate(s: TransformStateData): void {
    if (!s || s.name !== this.name) throw new StateError(`${this.name}: loadState got the state of '${s?.name}'`);
    if (!Number.isInteger(s.count) || s.count < 0) throw new StateError(`${this.name}: state count must be a non-negative integer, got ${s.count}`);
    for (const b of Object.keys(this.ptr)) {
      const a = s.buffers?.[b];
      if (!(a instanceof Float32Array) || a.length !== this.n) {
        throw new StateError(`${this.name}: state buffer '${b}' must be a Float32Array of ${this.n}, got ${a ? `length ${a.length}` : 'none'}`);
      }
    }
    for (const k of Object.keys(this.scalars)) {
      if (typeof s.scalars?.[k] !== 'number') throw new StateError(`${this.name}: state scalar '${k}' is missing`);
    }
    if (this.rng && (!Array.isArray(s.rng) || s.rng.length !== 4)) throw new StateError(`${this.name}: state rng must be 4 words`);
  }

  loadState(s: TransformStateData): void {
    this.validate(s);
    this.write(s);
  }

  write(s: TransformStateData): void {
    this.count = s.count;
    for (const [b, p] of Object.entries(this.ptr)) this.engine.f32(p, this.n).set(s.buffers[b]);
    for (const k of Object.keys(this.scalars)) this.scalars[k] = s.scalars[k];
    if (this.rng) new Uint32Array(this.engine.memory.buffer, this.rng, 4).set(s.rng!);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const p of Object.values(this.ptr)) this.engine.arena.free(p);
    if (this.rng) this.engine.arena.free(this.rng);
  }
}

/** A transform from its name, buffers (name -> initial fill) and step function. */
function transform(
  name: string,
  buffers: Record<string, number>,
  step: (self: Stateful, u: number, ctx: StepContext) => boolean,
  opts: { scalars?: Record<string, number>; seed?: [number, number] } = {},
): GradientTransformation {
  return {
    name,
    init(engine, n) {
      const s = new Stateful(engine, n, name, buffers, step, opts.seed);
      if (opts.scalars) s.scalars = { ...opts.scalars };
      return s;
    },
  };
}

const lrAt = (op: string, lr: LearningRate, step: number): number =>
  typeof lr === 'number' ? lr : check.lrValue(op, lr(step), step);

/** u <- c * u */
export function scale(c: number): GradientTransformation {
  if (typeof c !== 'number' || !Number.isFinite(c)) throw new ValueError(`scale: c must be a finite number, got ${c}`);
  return transform('scale', {}, (s, u) => {
    s.engine.kernels.f32_tx_axpby(s.n, u, u, 0, c);
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
  if (lr !== undefined) check.lr('scaleByLearningRate', lr);
  return transform('scaleByLearningRate', {}, (s, u, ctx) => {
    const v = lr === undefined ? ctx.lr : lrAt('scaleByLearningRate', lr, s.count);
    s.engine.kernels.f32_tx_axpby(s.n, u, u, 0, -v);
    s.count++;
    return true;
  });
}

/** u <- schedule(count) * u (no sign flip; Optax scale_by_schedule). */
export function scaleBySchedule(schedule: Schedule): GradientTransformation {
  if (typeof schedule !== 'function') throw new ValueError(`scaleBySchedule: schedule must be a function (step) => number, got ${typeof schedule}`);
  return transform('scaleBySchedule', {}, (s, u) => {
    const c = schedule(s.count);
    if (!Number.isFinite(c)) throw new ValueError(`scaleBySchedule: the schedule returned ${c} at step ${s.count}`);
    s.engine.kernels.f32_tx_axpby(s.n, u, u, 0, c);
    s.count++;
    return true;
  });
}

/** u <- u + wd * p (L2 / decoupled weight decay, by its place in the chain). */
export function addDecayedWeights(weightDecay: number): GradientTransformation {
  check.nonNegative('addDecayedWeights', 'weightDecay', weightDecay);
  return transform('addDecayedWeights', {}, (s, u, ctx) => {
    if (weightDecay !== 0) s.engine.kernels.f32_tx_axpby(s.n, ctx.params, u, weightDecay, 1);
    s.count++;
    return true;
  });
}

export interface TraceOptions {
  /** a number, or a schedule of the transform's step count (each value in [0, 1)) */
  momentum: number | Schedule;
  /** default 0 */
  dampening?: number;
  /** default false */
  nesterov?: boolean;
}

/**
 * Momentum (PyTorch form): first update buf = u, then buf <- mu*buf + (1 - dampening)*u;
 * u <- buf, or u + mu*buf with Nesterov. Placed after scaleByLearningRate (and with
 * dampening 0), this is the heavy-ball form v <- beta*v - lr*g.
 */
export function trace(options: TraceOptions): GradientTransformation {
  const { momentum, dampening = 0, nesterov = false } = options;
  if (typeof momentum !== 'function') check.nonNegative('trace', 'momentum', momentum);
  check.range('trace', 'dampening', dampening, 0, 1, true);
  check.bool('trace', 'nesterov', nesterov);
  const c1 = nesterov ? 1 : 0;
  return transform('trace', { buf: 0 }, (s, u) => {
    const first = s.count === 0;
    const mu = typeof momentum === 'number' ? momentum : check.momentumValue('trace', 'momentum', momentum(s.count), s.count);
    s.engine.kernels.f32_tx_trace(s.n, u, s.ptr.buf, first ? 0 : mu, first ? 1 : 1 - dampening, c1, nesterov ? mu : 1);
    s.count++;
    return true;
  });
}

export interface AdamScaleOptions {
  /** betas[0] may be a schedule of the transform's step count (values in [0, 1)) */
  betas?: [Momentum, number];
  eps?: number;
  amsgrad?: boolean;
  biasCorrection?: boolean;
}

/** Bias corrections at 1-based step t: [1/bc1, 1/sqrt(bc2)] (both 1 when off). */
export function adamFactors(b1: number, b2: number, t: number, on: boolean): [number, number] {
  if (!on) return [1, 1];
  return [1 / (1 - b1 ** t), 1 / Math.sqrt(1 - b2 ** t)];
}

/**
 * Adam scaling (Kingma & Ba 2015): m, v moments; u <- m_hat / (sqrt(v_hat) + eps) with
 * m_hat = m/(1-b1^t), v_hat = v/(1-b2^t); eps outside the root (PyTorch and Optax agree;
 * TF/Keras put eps on the uncorrected sqrt(v) ("epsilon hat")). AMSGrad keeps max v.
 */
export function scaleByAdam(options: AdamScaleOptions = {}): GradientTransformation {
  const { betas = [0.9, 0.999], eps = 1e-8, amsgrad = false, biasCorrection = true } = options;
  const [beta1, b2] = check.betasScheduled('scaleByAdam', betas);
  check.positive('scaleByAdam', 'eps', eps);
  return transform('scaleByAdam', amsgrad ? { m: 0, v: 0, vmax: 0 } : { m: 0, v: 0 }, (s, u) => {
    const b1 = typeof beta1 === 'number' ? beta1 : check.momentumValue('scaleByAdam', 'betas[0]', beta1(s.count), s.count);
    const t = ++s.count;
    const [c1, ib] = adamFactors(b1, b2, t, biasCorrection);
    const k = s.engine.kernels;
    if (amsgrad) k.f32_tx_adam_amsgrad(s.n, u, s.ptr.m, s.ptr.v, s.ptr.vmax, b1, b2, 1 - b1, 1 - b2, eps, c1, ib);
    else k.f32_tx_adam(s.n, u, s.ptr.m, s.ptr.v, b1, b2, 1 - b1, 1 - b2, eps, c1, ib);
    return true;
  });
}

/**
 * Row-masked (lazy) Adam scaling, torch.optim.SparseAdam's rule for a table [n/dim, dim]:
 * on the ctx.rows rows only, m <- m + (1-b1)(u - m), v <- v + (1-b2)(u^2 - v),
 * u <- sqrt(1-b2^t)/(1-b1^t) * m/(sqrt(v) + eps) (eps on the uncorrected sqrt(v));
 * every other row of u becomes 0 and its moments stay. t counts steps of the whole table.
 * One f32_sparse_adam call (with a negated step) writes u into a zeroed scratch, copied to u.
 */
export function scaleBySparseAdam(options: { betas?: [number, number]; eps?: number; dim: number }): GradientTransformation {
  const { betas = [0.9, 0.999], eps = 1e-8, dim } = options;
  const [b1, b2] = check.betas('scaleBySparseAdam', betas);
  check.positive('scaleBySparseAdam', 'eps', eps);
  check.int('scaleBySparseAdam', 'dim', dim, 1);
  return transform('scaleBySparseAdam', { m: 0, v: 0, scratch: 0 }, (s, u, ctx) => {
    if (ctx.rows === undefined || ctx.nrows === undefined) throw new ValueError('scaleBySparseAdam: the step context has no rows');
    const t = ++s.count;
    const k = s.engine.kernels;
    k.f32_fill(s.n, s.ptr.scratch, 0);
    k.f32_sparse_adam(ctx.nrows, dim, ctx.rows, u, s.ptr.scratch, s.ptr.m, s.ptr.v, -Math.sqrt(1 - b2 ** t) / (1 - b1 ** t), b1, b2, 1 - b1, 1 - b2, eps, 1);
    k.f32_copy(s.n, s.ptr.scratch, u);
    return true;
  });
}

/**
 * RMS scaling (Tieleman & Hinton 2012), PyTorch convention: s <- a*s + (1-a)*u^2,
 * u <- u / (sqrt(s) + eps); centered (Graves 2013) subtracts the squared mean first.
 * Optax's scale_by_rms puts eps inside the root; TF adds eps inside too.
 */
export function scaleByRms(options: { alpha?: number; eps?: number; centered?: boolean } = {}): GradientTransformation {
  const { alpha = 0.99, eps = 1e-8, centered = false } = options;
  check.range('scaleByRms', 'alpha', alpha, 0, 1, true);
  check.positive('scaleByRms', 'eps', eps);
  return transform('scaleByRms', centered ? { s: 0, ga: 0 } : { s: 0 }, (s, u) => {
    s.engine.kernels.f32_tx_rms(s.n, u, s.ptr.s, centered ? s.ptr.ga : 0, alpha, 1 - alpha, eps, centered ? 1 : 0);
    s.count++;
    return true;
  });
}

/** AdaGrad scaling (Duchi et al. 2011): s <- s + u^2, u <- u / (sqrt(s) + eps); s starts at initialAccumulatorValue. */
export function scaleByAdagrad(options: { initialAccumulatorValue?: number; eps?: number } = {}): GradientTransformation {
  const { initialAccumulatorValue = 0, eps = 1e-10 } = options;
  check.nonNegative('scaleByAdagrad', 'initialAccumulatorValue', initialAccumulatorValue);
  check.positive('scaleByAdagrad', 'eps', eps);
  return transform('scaleByAdagrad', { s: initialAccumulatorValue }, (s, u) => {
    s.engine.kernels.f32_tx_adagrad(s.n, u, s.ptr.s, eps);
    s.count++;
    return true;
  });
}

/** Adamax scaling (Kingma & Ba 2015, sec. 7): r <- max(b2*r, |u| + eps), u <- m/(1-b1^t) / r. */
export function scaleByAdamax(options: { betas?: [number, number]; eps?: number } = {}): GradientTransformation {
  const { betas = [0.9, 0.999], eps = 1e-8 } = options;
  const [b1, b2] = check.betas('scaleByAdamax', betas);
  check.positive('scaleByAdamax', 'eps', eps);
  return transform('scaleByAdamax', { m: 0, r: 0 }, (s, u) => {
    const t = ++s.count;
    s.engine.kernels.f32_tx_adamax(s.n, u, s.ptr.m, s.ptr.r, b1, b2, 1 - b1, eps, 1 / (1 - b1 ** t));
    return true;
  });
}

/** NAdam's momentum schedule mu_t = b1 (1 - 0.5 * 0.96^(t * momentumDecay)) (Dozat 2016, as PyTorch). */
export function nadamFactors(b1: number, b2: number, md: number, t: number, muProduct: number): { cg: number; cm: number; ib: number; muProduct: number } {
  const mu = b1 * (1 - 0.5 * 0.96 ** (t * md));
  const muNext = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * md));
  const prod = muProduct * mu;
  return { cg: (1 - mu) / (1 - prod), cm: muNext / (1 - prod * muNext), ib: 1 / Math.sqrt(1 - b2 ** t), muProduct: prod };
}

/** NAdam scaling: u <- (1-mu_t)/(1-prod mu) * u/den + mu_{t+1}/(1-prod mu * mu_{t+1}) * m/den, den = sqrt(v_hat) + eps. */
export function scaleByNadam(options: { betas?: [number, number]; eps?: number; momentumDecay?: number } = {}): GradientTransformation {
  const { betas = [0.9, 0.999], eps = 1e-8, momentumDecay = 4e-3 } = options;
  const [b1, b2] = check.betas('scaleByNadam', betas);
  check.positive('scaleByNadam', 'eps', eps);
  check.nonNegative('scaleByNadam', 'momentumDecay', momentumDecay);
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

/** RAdam's rectification at step t (Liu et al. 2020, as PyTorch): [factor on m (without lr), rectified?]. */
export function radamFactors(b1: number, b2: number, t: number): [number, boolean] {
  const bc1 = 1 - b1 ** t, bc2 = 1 - b2 ** t;
  const rhoInf = 2 / (1 - b2) - 1;
  const rho = rhoInf - (2 * t * b2 ** t) / bc2;
  if (rho > 5) {
    const r = Math.sqrt(((rho - 4) * (rho - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rho));
    return [(r * Math.sqrt(bc2)) / bc1, true];
  }
  return [1 / bc1, false];
}

/** RAdam scaling: u <- m_hat * r_t * sqrt(1-b2^t)/(sqrt(v) + eps) once rho_t > 5, else u <- m_hat. */
export function scaleByRadam(options: { betas?: [number, number]; eps?: number } = {}): GradientTransformation {
  const { betas = [0.9, 0.999], eps = 1e-8 } = options;
  const [b1, b2] = check.betas('scaleByRadam', betas);
  check.positive('scaleByRadam', 'eps', eps);
  return transform('scaleByRadam', { m: 0, v: 0 }, (s, u) => {
    const t = ++s.count;
    const [a, rect] = radamFactors(b1, b2, t);
    s.engine.kernels.f32_tx_radam(s.n, u, s.ptr.m, s.ptr.v, b1, b2, 1 - b1, 1 - b2, eps, a, rect ? 1 : 0);
    return true;
  });
}

/** Adadelta scaling (Zeiler 2012): u <- sqrt(acc + eps)/sqrt(s + eps) * u with running averages s of u^2 and acc of the result^2. */
export function scaleByAdadelta(options: { rho?: number; eps?: number } = {}): GradientTransformation {
  const { rho = 0.9, eps = 1e-6 } = options;
  check.range('scaleByAdadelta', 'rho', rho, 0, 1, true);
  check.positive('scaleByAdadelta', 'eps', eps);
  return transform('scaleByAdadelta', { s: 0, acc: 0 }, (s, u) => {
    s.engine.kernels.f32_tx_adadelta(s.n, u, s.ptr.s, s.ptr.acc, rho, 1 - rho, eps);
    s.count++;
    return true;
  });
}

/**
 * Clip by global norm, PyTorch's clip_grad_norm_ convention: u <- u * min(1, maxNorm / (||u|| + 1e-6)).
 * (Optax's clip_by_global_norm scales by maxNorm/||u|| only when ||u|| > maxNorm.)
 * The norm is over this transform's n floats (one parameter group).
 */
export function clipByGlobalNorm(maxNorm: number): GradientTransformation {
  check.positive('clipByGlobalNorm', 'maxNorm', maxNorm);
  return transform('clipByGlobalNorm', {}, (s, u) => {
    const k = s.engine.kernels;
    const norm = Math.sqrt(k.f32_sumsq(s.n, u));
    const c = Math.min(1, maxNorm / (norm + 1e-6));
    k.f32_tx_axpby(s.n, u, u, 0, c);
    s.count++;
    return true;
  });
}

/** Clip by value (PyTorch clip_grad_value_, Optax clip): u <- clamp(u, -maxDelta, maxDelta). */
export function clipByValue(maxDelta: number): GradientTransformation {
  check.positive('clipByValue', 'maxDelta', maxDelta);
  return transform('clipByValue', {}, (s, u) => {
    s.engine.kernels.f32_clip(s.n, u, -maxDelta, maxDelta);
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
  if (typeof stddev !== 'function') check.nonNegative('addNoise', 'stddev', stddev);
  return transform(
    'addNoise',
    { noise: 0 },
    (s, u, ctx) => {
      const sd = typeof stddev === 'number' ? stddev : stddev(s.count, ctx.lr);
      if (!(sd >= 0) || !Number.isFinite(sd)) throw new ValueError(`addNoise: stddev must be finite and >= 0, got ${sd} at count ${s.count}`);
      const k = s.engine.kernels;
      k.f32_rng_normal(s.n, s.rng, s.ptr.noise, 0, sd);
      k.f32_tx_axpby(s.n, s.ptr.noise, u, 1, 1);
      s.count++;
      return true;
    },
    { seed: seedWords('addNoise', seed) },
  );
}

/**
 * Non-finite guard. 'skip': if u has a NaN or Inf, the step is not applied (place the guard
 * first in the chain: then no state changes either) and the skip is counted; 'zero': the
 * non-finite values are replaced by 0 and the step goes on. `report()` gives the count and
 * the index of the first non-finite value.
 */
export function guardFinite(options: { mode?: 'skip' | 'zero' } = {}): GradientTransformation & { report(inst: TransformInstance): GuardReport } {
  const { mode = 'skip' } = options;
  if (mode !== 'skip' && mode !== 'zero') throw new ValueError(`guardFinite: mode must be 'skip' or 'zero', got ${String(mode)}`);
  const t = transform(
    'guardFinite',
    {},
    (s, u) => {
      const k = s.engine.kernels;
      const i = k.f32_find_nonfinite(s.n, u);
      s.scalars.lastIndex = i;
      if (i < 0) {
        s.count++;
        return true;
      }
      s.scalars.skips++;
      if (mode === 'skip') return false;
      k.f32_zero_nonfinite(s.n, u);
      s.count++;
      return true;
    },
    { scalars: { skips: 0, lastIndex: -1 } },
  );
  return {
    ...t,
    report(inst: TransformInstance): GuardReport {
      const st = inst.state();
      return { skips: st.scalars.skips, lastIndex: st.scalars.lastIndex };
    },
  };
}

/**
 * Gradient accumulation over k micro-batches (Optax MultiSteps): each update adds u to an
 * accumulator and returns false (nothing applied) until the k-th, which passes the mean
 * acc/k through `inner` and resets the accumulator.
 */
export function multiSteps(k: number, inner: GradientTransformation): GradientTransformation {
  check.int('multiSteps', 'k', k, 1);
  return {
    name: 'multiSteps',
    init(engine, n) {
      const innerInst = inner.init(engine, n);
      const acc = transform(
        'multiSteps',
        { acc: 0 },
        (s, u, ctx) => {
          const kern = s.engine.kernels;
          kern.f32_tx_axpby(s.n, u, s.ptr.acc, 1, 1);
          s.count++;
          if (s.count % k !== 0) return false;
          kern.f32_tx_axpby(s.n, s.ptr.acc, u, 1 / k, 0);
          kern.f32_fill(s.n, s.ptr.acc, 0);
          return innerInst.update(u, ctx);
        },
      ).init(engine, n) as Stateful;
      return {
        name: 'multiSteps',
        update: (u, ctx) => acc.update(u, ctx),
        state: () => ({ ...acc.state(), inner: [innerInst.state()] }),
        loadState(s) {
          acc.validate(s);
          if (!s.inner || s.inner.length !== 1) throw new StateError('multiSteps: state has no inner state');
          innerInst.loadState(s.inner[0]);
          acc.write(s);
        },
        dispose() {
          acc.dispose();
          innerInst.dispose();
        },
      };
    },
  };
}

/** Runs transforms in order; stops (and reports false) at the first that returns false. */
export function chain(...transforms: GradientTransformation[]): GradientTransformation {
  for (let i = 0; i < transforms.length; i++) {
    const t = transforms[i];
    if (!t || typeof t.init !== 'function') throw new ValueError(`chain: argument ${i} is not a gradient transformation`);
  }
  const name = `chain(${transforms.map((t) => t.name).join(', ')})`;
  return {
    name,
    init(engine, n) {
      const parts = transforms.map((t) => t.init(engine, n));
      return {
        name,
        update(u, ctx) {
          for (const p of parts) if (!p.update(u, ctx)) return false;
          return true;
        },
        state: () => ({ name, count: 0, buffers: {}, scalars: {}, inner: parts.map((p) => p.state()) }),
        loadState(s) {
          if (!s || s.name !== name || !s.inner || s.inner.length !== parts.length) {
            throw new StateError(`${name}: loadState got the state of '${s?.name}'`);
          }
          // validate all parts first: a part's loadState validates before writing, so snapshot to undo
          const before = parts.map((p) => p.state());
          try {
            parts.forEach((p, i) => p.loadState(s.inner![i]));
          } catch (e) {
            parts.forEach((p, i) => p.loadState(before[i]));
            throw e;
          }
        },
        dispose() {
          for (const p of parts) p.dispose();
        },
      };
    },
  };
}
