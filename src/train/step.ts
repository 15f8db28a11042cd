import { DivergenceError } from '../errors.js';
import type { LossEntry } from '../loss/index.js';
import type { Tensor } from '../runtime/tensor.js';
import type { TrainModel } from './model.js';
import type { Snapshot, TrainOptimizer } from './snapshot.js';
import type { BatchInfo, FitCallbacks } from './types.js';

/**
 * One training step on a batch already in the arena: `model.lossAndGrad`
 * (forward, loss, backward into the flat gradient buffer), the divergence
 * guard's copy of parameters and optimizer state, `optimizer.step()` (or
 * `optimizer.step(closure)` for a closure-based optimizer, see BatchClosure).
 * Returns the batch loss. A non-finite loss throws `DivergenceError` (epoch
 * and step named, both 1-based) after restoring the last finite step, before
 * the optimizer moves. Allocates nothing.
 */
export function trainStep(
  model: TrainModel,
  optimizer: TrainOptimizer,
  loss: LossEntry,
  snapshot: Snapshot | null,
  x: Tensor,
  y: Int32Array | Tensor,
  epoch: number,
  batch: number,
  batches: number,
  closure: BatchClosure | null = null,
): number {
  const value = model.lossAndGrad(x, y, loss);
  if (!Number.isFinite(value)) {
    const optStep = optimizer.stepCount + 1;
    const restored = snapshot?.restore() ?? false;
    throw new DivergenceError(
      `fit: loss is ${value} at epoch ${epoch + 1}, step ${batch + 1} of ${batches} (optimizer step ${optStep}); ` +
        (restored ? 'parameters and optimizer state are restored to the last finite step' : 'nothing to restore (first step or divergenceGuard off)'),
      epoch + 1,
      batch + 1,
    );
  }
  snapshot?.take();
  if (closure) closure.step(optimizer as unknown as ClosureOptimizer, model, x, y, loss, value);
  else optimizer.step();
  return value;
}

/** An optimizer that re-evaluates the batch itself: `step(closure)` (engine.optim.lbfgs). */
export interface ClosureOptimizer {
  readonly needsClosure: true;
  step(closure: () => number): number;
}

/** An optimizer whose step needs the batch itself: `step(x, y, loss)` (engine.optim.newton: the batch's Hessian). */
export interface BatchOptimizer {
  readonly needsBatch: true;
  step(x: Tensor, y: Int32Array | Tensor, loss: LossEntry): number;
}

/** true for optimizers whose step takes a closure (`needsClosure`) or the batch (`needsBatch`): fit() gives them a BatchClosure. */
export function needsClosure(optimizer: TrainOptimizer): boolean {
  const o = optimizer as { needsClosure?: unknown; needsBatch?: unknown };
  return o.needsClosure === true || o.needsBatch === true;
}

/**
 * The closure a closure-based optimizer gets for each batch: made once per
 * run (no allocation per step). It recomputes the loss and gradients of the
 * current batch, except that its first call returns the loss trainStep has
 * just computed (the gradients of the same point are in the buffer), so
 * L-BFGS's first evaluation costs nothing extra. One step per batch: with
 * mini-batches each step optimizes that batch's loss (the curvature pairs of
 * the history then mix batches); a full batch gives the classic method.
 * An optimizer with `needsBatch` (Newton) gets `step(x, y, loss)` instead.
 */
export class BatchClosure {
  private model: TrainModel | null = null;
  private x: Tensor | null = null;
  private y: Int32Array | Tensor | null = null;
  private loss: LossEntry | null = null;
  private first = 0;
  private readonly call = (): number => {
    if (Number.isNaN(this.first)) return this.model!.lossAndGrad(this.x!, this.y!, this.loss!);
    const v = this.first;
    this.first = NaN;
    return v;
  };

  step(optimizer: ClosureOptimizer | BatchOptimizer, model: TrainModel, x: Tensor, y: Int32Array | Tensor, loss: LossEntry, value: number): void {
    if ((optimizer as BatchOptimizer).needsBatch === true) {
      (optimizer as BatchOptimizer).step(x, y, loss);
      return;
    }
    this.model = model;
    this.x = x;
    this.y = y;
    this.loss = loss;
    this.first = value;
    try {
      (optimizer as ClosureOptimizer).step(this.call);
    } finally {
      this.x = this.y = null;
    }
  }
}

/**
 * Calls every `onBatchEnd` with the reused `info` (filled here: epoch and
 * batch 1-based, the loss, rows and optimizer step). Returns whether one of
 * them asked to stop.
 */
export function batchEnd(callbacks: readonly FitCallbacks[], info: BatchInfo, epoch: number, batch: number, loss: number, rows: number, step: number): boolean {
  info.epoch = epoch + 1;
  info.batch = batch + 1;
  info.loss = loss;
  info.rows = rows;
  info.step = step;
  let stop = false;
  for (const c of callbacks) if (c.onBatchEnd?.(info) === 'stop') stop = true;
  return stop;
}
