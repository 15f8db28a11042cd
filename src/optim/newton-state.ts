/**
 * The damped Newton optimizer's state as plain data, and its snapshot: the
 * same two mechanisms the other optimizers have (state.ts, snapshot.ts), so
 * checkpoints, fit()'s divergence guard and resume work unchanged.
 *
 * Newton keeps no buffers between steps (each step forms the batch's Hessian
 * afresh): its whole state is the Levenberg-Marquardt damping λ and the step
 * count. The plain data is an `OptimizerState` (format 'wasmgrad.optimizer/1',
 * name 'newton', one group over the whole model) whose group holds
 * scalars { damping } and no buffers; the lr when it is a number. With the
 * parameters, that is everything the next step reads: resume is exact.
 */
import { StateError } from '../errors.js';
import type { Parameterized } from '../runtime/params.js';
import { describe } from '../runtime/validate.js';
import type { OptimizerState } from './group.js';
import type { LearningRate } from './options.js';
import { stateValueProblem } from './state-values.js';

/** What this file sees of the optimizer (newton.ts). */
export interface NewtonParts {
  readonly model: Parameterized;
  /** the mutable scalars: λ and the step count */
  readonly s: { damping: number; step: number };
  lr: LearningRate;
}

export function saveNewtonState(o: NewtonParts): OptimizerState {
  const n = o.model.numParameters;
  return {
    format: 'wasmgrad.optimizer/1', name: 'newton', path: 'fused', numParameters: n, stepCount: o.s.step, skippedSteps: 0,
    groups: [{ offset: 0, length: n, lr: typeof o.lr === 'number' ? o.lr : null, scalars: { damping: o.s.damping }, buffers: {} }],
  };
}

/** Validates `s` against the optimizer (everything) and then writes it. */
export function loadNewtonState(o: NewtonParts, s: OptimizerState): void {
  const op = 'newton: loadState';
  const n = o.model.numParameters;
  if (!s || typeof s !== 'object' || s.format !== 'wasmgrad.optimizer/1') throw new StateError(`${op} needs an OptimizerState (format 'wasmgrad.optimizer/1'), got ${describe(s?.format)}`);
  if (s.name !== 'newton') throw new StateError(`${op} got the state of a '${s.name}' optimizer`);
  if (s.numParameters !== n) throw new StateError(`${op} got the state of a model with ${s.numParameters} parameters, this one has ${n}`);
  if (typeof s.stepCount !== 'number' || !Number.isInteger(s.stepCount) || s.stepCount < 0) throw new StateError(`${op}: stepCount must be a non-negative integer, got ${describe(s.stepCount)}`);
  if (!Array.isArray(s.groups) || s.groups.length !== 1) throw new StateError(`${op}: a newton state has 1 group, got ${describe(s.groups?.length)}`);
  const g = s.groups[0];
  if (g?.offset !== 0 || g.length !== n) throw new StateError(`${op}: the group must span [0, ${n}), got [${g?.offset}, +${g?.length})`);
  const damping = g.scalars?.damping;
  if (typeof damping !== 'number' || !Number.isFinite(damping) || damping < 0) throw new StateError(`${op}: scalar 'damping' must be a finite number >= 0, got ${describe(damping)}`);
  const extra = Object.keys(g.buffers ?? {});
  if (extra.length > 0) throw new StateError(`${op}: a newton state has no buffers, got '${extra[0]}'`);
  const bad = stateValueProblem(s, 'state');
  if (bad) throw new StateError(`${op}: ${bad}`);
  if (g.lr !== null && g.lr !== undefined && !(typeof g.lr === 'number' && g.lr > 0 && Number.isFinite(g.lr))) {
    throw new StateError(`${op}: the state lr must be a finite number > 0 or null, got ${describe(g.lr)}`);
  }
  // everything checked: write
  o.s.damping = damping;
  o.s.step = s.stepCount;
  if (typeof g.lr === 'number' && typeof o.lr === 'number') o.lr = g.lr;
}

/** A copy of λ, the step count and the lr (and the parameters with `params: true`); take() and restore() allocate nothing. */
export class NewtonSnapshot {
  private readonly saved = { damping: 0, step: 0 };
  private lr: LearningRate = 1;
  private readonly params: number;
  private taken = false;
  private disposed = false;

  /** @internal use `optimizer.snapshot()` */
  constructor(private readonly o: NewtonParts & { live(what: string): void }, params: boolean) {
    this.params = params ? o.model.engine.allocF32(o.model.numParameters) : 0;
  }

  take(): void {
    this.alive();
    Object.assign(this.saved, this.o.s);
    this.lr = this.o.lr;
    if (this.params) this.o.model.engine.kernels.f32_copy(this.o.model.numParameters, this.o.model.paramsPtr, this.params);
    this.taken = true;
  }

  restore(): boolean {
    this.alive();
    if (!this.taken) return false;
    Object.assign(this.o.s, this.saved);
    this.o.lr = this.lr;
    if (this.params) this.o.model.engine.kernels.f32_copy(this.o.model.numParameters, this.params, this.o.model.paramsPtr);
    return true;
  }

  /** Frees the parameter copy (if any). Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.params) this.o.model.engine.arena.free(this.params);
  }

  private alive(): void {
    if (this.disposed) throw new StateError('newton: snapshot used after dispose()');
    this.o.live('snapshot');
  }
}
