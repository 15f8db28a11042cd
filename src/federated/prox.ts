/**
 * FedProx's proximal term, on the client (Li et al. 2020, "Federated
 * Optimization in Heterogeneous Networks", eq. (2)): in round t client k
 * minimizes
 *
 *   h_k(w) = F_k(w) + μ/2 ‖w − w^t‖²,   ∇h_k(w) = ∇F_k(w) + μ (w − w^t)
 *
 * where w^t is the round's global parameters. `ProximalOptimizer` wraps any
 * optimizer: before each step it adds μ (w − w^t) to the flat gradient buffer
 * with two kernel calls (f32_sub into a planned scratch buffer, f32_axpy),
 * so a step still allocates nothing and does no per-element JS arithmetic.
 * The reported loss is F_k's (the term is not added to it). μ = 0 is FedAvg.
 * `setAnchor()` copies the current parameters as w^t (call it after loading
 * the global parameters); fit() sees the wrapped optimizer's model, state and
 * snapshot, so its divergence guard and resume work unchanged.
 */
import { StateError } from '../errors.js';
import { allocNamed } from '../runtime/core.js';
import type { Parameterized } from '../runtime/params.js';
import { checkNumber } from '../runtime/validate.js';
import type { StateSnapshot, TrainOptimizer } from '../train/snapshot.js';

export class ProximalOptimizer implements TrainOptimizer {
  private anchor: number;
  private scratch: number;
  private freed = false;

  constructor(readonly inner: TrainOptimizer, readonly params: Parameterized, readonly mu: number) {
    checkNumber('federated: FedProx', 'mu', mu, { min: 0 });
    const n = params.numParameters;
    [this.anchor, this.scratch] = params.engine.arena.allocAll([n * 4, n * 4]);
    this.setAnchor();
  }

  /** w^t ← the current parameters. */
  setAnchor(): void {
    this.live();
    this.params.engine.kernels.f32_copy(this.params.numParameters, this.params.paramsPtr, this.anchor);
  }

  step(): boolean | void {
    this.live();
    if (this.mu > 0) {
      const { engine, numParameters: n, paramsPtr, gradsPtr } = this.params;
      engine.kernels.f32_sub(n, paramsPtr, this.anchor, this.scratch);
      engine.kernels.f32_axpy(n, this.scratch, gradsPtr, this.mu);
    }
    return this.inner.step();
  }

  zeroGrad(): void {
    this.inner.zeroGrad?.();
  }

  get lr(): number | ((step: number) => number) {
    return this.inner.lr;
  }

  set lr(v: number | ((step: number) => number)) {
    this.inner.lr = v;
  }

  get stepCount(): number {
    return this.inner.stepCount;
  }

  get model(): unknown {
    return this.inner.model;
  }

  state(): unknown {
    return this.inner.state();
  }

  loadState(state: never): void {
    this.inner.loadState(state);
  }

  get snapshot(): (() => StateSnapshot) | undefined {
    const inner = this.inner;
    return typeof inner.snapshot === 'function' ? () => inner.snapshot!() : undefined;
  }

  /** Returns the two planned buffers to the arena (the wrapped optimizer is not disposed). */
  dispose(): void {
    if (this.freed) return;
    this.freed = true;
    this.params.engine.arena.free(this.anchor);
    this.params.engine.arena.free(this.scratch);
  }

  private live(): void {
    if (this.freed) throw new StateError('federated: the FedProx wrapper was disposed');
    if (this.params.disposed) throw new StateError('federated: the model was disposed; its buffers are freed');
  }
}
