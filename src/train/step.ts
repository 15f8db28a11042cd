import { DivergenceError } from '../errors.js';
import type { LossEntry } from '../loss/index.js';
import type { Tensor } from '../runtime/tensor.js';
import type { TrainModel } from './model.js';
import type { Snapshot, TrainOptimizer } from './snapshot.js';
import type { BatchInfo, FitCallbacks } from './types.js';

/**
 * One training step on a batch already in the arena: `model.lossAndGrad`
 * (forward, loss, backward into the flat gradient buffer), the divergence
 * guard's copy of parameters and optimizer state, `optimizer.step()`.
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
  optimizer.step();
  return value;
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
