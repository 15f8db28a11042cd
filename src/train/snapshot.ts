import type { Parameterized } from '../runtime/params.js';

/** A copy of an optimizer's state in planned buffers (engine.optim's `OptimizerSnapshot`). */
export interface StateSnapshot {
  /** copies the current state into the snapshot (allocates nothing) */
  take(): void;
  /** puts it back; false when none was taken */
  restore(): boolean;
  dispose(): void;
}

/** What fit() needs from an optimizer (engine.optim.* objects satisfy it). */
export interface TrainOptimizer {
  step(): boolean | void;
  zeroGrad?(): void;
  lr: number | ((step: number) => number);
  readonly stepCount: number;
  /** the model it updates, when it knows it (fit() refuses an optimizer made for another model) */
  readonly model?: unknown;
  state(): unknown;
  loadState(state: never): void;
  /** a copy of its whole state in planned buffers (optional: without it fit() falls back to state()/loadState()) */
  snapshot?(): StateSnapshot;
}

/**
 * A copy of the parameters and the optimizer state from before a step, so a
 * step whose loss turns out non-finite can be undone (fit()'s divergence
 * guard). The parameters are copied with one `f32_copy` into a buffer planned
 * once; the optimizer's state through its own `snapshot()` (engine.optim's
 * optimizers: planned buffers, no allocation per step), or, for any other
 * optimizer, through `state()` / `loadState()` (copies into new arrays).
 */
export class Snapshot {
  private readonly params: number;
  private readonly opt: StateSnapshot | null;
  private generic: unknown = null;
  private taken = false;
  private disposed = false;

  constructor(readonly model: Parameterized, readonly optimizer: TrainOptimizer) {
    const e = model.engine;
    this.params = e.allocF32(model.numParameters);
    try {
      this.opt = typeof optimizer.snapshot === 'function' ? optimizer.snapshot() : null;
    } catch (err) {
      e.arena.free(this.params);
      throw err;
    }
  }

  /** Copies the current parameters and optimizer state into the snapshot. */
  take(): void {
    this.model.engine.kernels.f32_copy(this.model.numParameters, this.model.paramsPtr, this.params);
    if (this.opt) this.opt.take();
    else this.generic = this.optimizer.state();
    this.taken = true;
  }

  /** Puts the snapshot back (no-op when none was taken). Returns whether something was restored. */
  restore(): boolean {
    if (!this.taken) return false;
    this.model.engine.kernels.f32_copy(this.model.numParameters, this.params, this.model.paramsPtr);
    if (this.opt) this.opt.restore();
    else this.optimizer.loadState(this.generic as never);
    return true;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.opt?.dispose();
    this.model.engine.arena.free(this.params);
  }
}
