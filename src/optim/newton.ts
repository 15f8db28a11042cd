/**
 * Damped Newton for small models (Levenberg-Marquardt damping): each
 * `opt.step(x, y, loss)` computes the loss f, the gradient g and the dense
 * Hessian H of the batch (exact, P products of `model.hvp`), then tries
 *
 *   (H + λ·I + τ·I) d = −g,   p ← p + lr·d
 *
 * by a Cholesky solve in the core, where τ is 0 when H + λI is positive
 * definite and otherwise the smallest shift of the retry sequence that makes
 * it so (Nocedal & Wright, Numerical Optimization, Alg. 3.3: a Hessian
 * modification, so d is always a descent direction). The step is accepted
 * when the loss at the new point is below f: then λ ← λ/ν; otherwise the
 * parameters are put back, λ ← λ·ν and the solve is tried again, up to
 * `maxTries` times (Levenberg 1944, Marquardt 1963; the λ update of Nielsen's
 * and Madsen's lecture notes in its simplest form). As λ → 0 near a minimum
 * with a positive definite Hessian the step is Newton's, and the error
 * squares per step (quadratic convergence, N&W Thm 3.5).
 *
 * Cost per step: P Hessian-vector products (about 2P forward passes), an
 * O(P³) factorization in f64: for models up to a few thousand parameters
 * (`maxParameters`, default 2048). After step() the model's gradient buffer
 * holds the gradient at the last point the loss was evaluated.
 *
 * State (newton-state.ts): λ and the step count; `state()` / `loadState()`,
 * `snapshot()` and checkpoints resume exactly. fit() calls `step(x, y, loss)`
 * with each batch (`needsBatch`), so `wasmgrad train --optimizer newton` works.
 */
import { StateError, ValueError } from '../errors.js';
import type { LossEntry, LossName, Target } from '../loss/index.js';
import { denseHessian } from '../curvature/index.js';
import type { HvpOperator } from '../nn/hvp.js';
import type { Core } from '../runtime/core.js';
import type { Parameterized } from '../runtime/params.js';
import type { Tensor } from '../runtime/tensor.js';
import { checkKnown, checkNumber, checkOptions, describe, NON_NEGATIVE, POSITIVE, POSITIVE_INT } from '../runtime/validate.js';
import { cholesky, choleskySolve } from '../solve/linalg.js';
import type { OptimizerState } from './group.js';
import { loadNewtonState, NewtonSnapshot, saveNewtonState } from './newton-state.js';
import { checkLr, lrAt, type LearningRate } from './options.js';

/** What Newton needs of a model: `engine.nn` models have it. */
export interface NewtonModel extends Parameterized {
  lossAndGrad(x: Tensor, y: Target, loss?: LossName | LossEntry): number;
  hvpOperator(x: Tensor, y: Target, loss?: LossName | LossEntry): HvpOperator;
  parameters(): Float32Array;
  gradients(): Float32Array;
  setParameters(values: ArrayLike<number>): void;
}

export interface NewtonOptions {
  /** step length along the Newton direction (default 1), or a schedule (step) => number */
  lr?: LearningRate;
  /** the first Levenberg-Marquardt damping λ (default 1e-3) */
  damping?: number;
  /** ν: λ shrinks by ν after an accepted step and grows by ν after a rejected one (default 10) */
  dampingFactor?: number;
  /** solves per step before giving up and leaving the parameters as they were (default 10) */
  maxTries?: number;
  /** the largest model (default 2048 parameters: the Hessian is P² f64) */
  maxParameters?: number;
}

/** What the last step did. */
export interface NewtonStepInfo {
  /** true when a step lowered the loss and was kept */
  accepted: boolean;
  /** solves tried */
  tries: number;
  /** λ + τ of the kept (or last) solve */
  shift: number;
  /** the loss after the step (the loss before it when nothing was accepted) */
  loss: number;
  /** max|g| at the start of the step */
  gradMax: number;
}

const KEYS = ['lr', 'damping', 'dampingFactor', 'maxTries', 'maxParameters'] as const;

export class Newton {
  readonly name = 'newton';
  /** fit() calls step(x, y, loss) with each batch (the step needs the batch's Hessian, not a closure) */
  readonly needsBatch = true;
  /** what the last step() did (null before the first) */
  last: NewtonStepInfo | null = null;
  readonly dampingFactor: number;
  readonly maxTries: number;
  /** @internal λ and the step count (one object: snapshots save and restore it) */
  readonly s = { damping: 0, step: 0 };
  /** the step length, or a schedule (step) => number read at every step (fit() sets it from its schedule) */
  lr: LearningRate;

  constructor(private readonly core: Core, readonly model: NewtonModel, options: NewtonOptions = {}) {
    checkKnown('newton', checkOptions('newton', options), KEYS);
    const { lr = 1, damping = 1e-3, dampingFactor = 10, maxTries = 10, maxParameters = 2048 } = options;
    this.lr = checkLr('newton', lr);
    this.s.damping = checkNumber('newton', 'damping', damping, NON_NEGATIVE);
    this.dampingFactor = checkNumber('newton', 'dampingFactor', dampingFactor, POSITIVE);
    if (!(this.dampingFactor > 1)) throw new ValueError(`newton: dampingFactor must be > 1, got ${describe(dampingFactor)}`);
    this.maxTries = checkNumber('newton', 'maxTries', maxTries, POSITIVE_INT);
    checkNumber('newton', 'maxParameters', maxParameters, POSITIVE_INT);
    if (model.numParameters > maxParameters) {
      throw new ValueError(`newton: the model has ${model.numParameters} parameters, more than maxParameters = ${maxParameters} (the dense Hessian holds P² f64)`);
    }
  }

  /** the current Levenberg-Marquardt damping λ */
  get damping(): number {
    return this.s.damping;
  }

  set damping(v: number) {
    this.s.damping = checkNumber('newton', 'damping', v, NON_NEGATIVE);
  }

  /** step() calls so far (accepted or not) */
  get stepCount(): number {
    return this.s.step;
  }

  /** λ and the step count as plain data (see newton-state.ts). */
  state(): OptimizerState {
    this.live('state');
    return saveNewtonState(this);
  }

  /** Restores a state from state() of a newton optimizer over a model of the same size; validates before writing. */
  loadState(s: OptimizerState): void {
    this.live('loadState');
    loadNewtonState(this, s);
  }

  /** A copy of the state (and the parameters with `params: true`) for fit()'s divergence guard; dispose it when done. */
  snapshot(options: { params?: boolean } = {}): NewtonSnapshot {
    this.live('snapshot');
    const o = checkOptions('newton.snapshot', options);
    checkKnown('newton.snapshot', o, ['params']);
    return new NewtonSnapshot(this, o.params === true);
  }

  /** Sets the model's gradients to 0 (step() overwrites them anyway). */
  zeroGrad(): void {
    this.live('zeroGrad');
    this.core.kernels.f32_fill(this.model.numParameters, this.model.gradsPtr, 0);
  }

  /** @internal */
  live(what: string): void {
    if (this.model.disposed === true) throw new StateError(`newton: ${what}: the model was disposed; this optimizer cannot be used any more`);
  }

  /** One damped Newton step on the batch (x, y); returns the loss before it (as torch's step does). */
  step(x: Tensor, y: Target, loss: LossName | LossEntry = 'mse'): number {
    this.live('step');
    const m = this.model, P = m.numParameters;
    const lr = lrAt('newton', this.lr, this.s.step);
    const f0 = m.lossAndGrad(x, y, loss);
    if (!Number.isFinite(f0)) throw new ValueError(`newton: the loss is ${f0} at the start of the step`);
    const g = Float64Array.from(m.gradients());
    const p0 = m.parameters();
    let gradMax = 0;
    for (let i = 0; i < P; i++) gradMax = Math.max(gradMax, Math.abs(g[i]));
    const H = denseHessian(m, x, y, loss);
    const A = new Float64Array(P * P);
    const d = new Float64Array(P);
    const p1 = new Float32Array(P);
    let tries = 0, shift = 0;
    while (tries < this.maxTries) {
      tries++;
      A.set(H);
      for (let i = 0; i < P; i++) A[i * P + i] += this.s.damping;
      const chol = cholesky(this.core, A, { damping: true, symmetryTol: 1e-6 });
      shift = this.s.damping + chol.shift;
      choleskySolve(this.core, chol.L, g, d);
      for (let i = 0; i < P; i++) p1[i] = p0[i] - lr * d[i];
      m.setParameters(p1);
      const f1 = m.lossAndGrad(x, y, loss);
      if (f1 < f0) {
        this.s.damping /= this.dampingFactor;
        this.last = { accepted: true, tries, shift, loss: f1, gradMax };
        this.s.step++;
        return f0;
      }
      m.setParameters(p0);
      this.s.damping = Math.max(this.s.damping, 1e-12) * this.dampingFactor;
    }
    m.lossAndGrad(x, y, loss);
    this.last = { accepted: false, tries, shift, loss: f0, gradMax };
    this.s.step++;
    return f0;
  }
}
